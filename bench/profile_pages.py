"""Profile the pages' data work on the synthetic organisation of bench/generate.py, at any size,
without the ingest: a profiling fixture, not a product path.

    .venv/bin/python bench/profile_pages.py build --size large --db /tmp/pages-large.duckdb
    .venv/bin/python bench/profile_pages.py time --db /tmp/pages-large.duckdb [--runs 3]

`build` makes organisation Bench and its roster through load_file (5,000 rows), then writes the
usage and the tickets of bench/generate.py straight into the tables with DuckDB SQL (20 M events in
seconds, where the row-by-row ingest cannot load them), with one load record each, and the
summaries the loads keep (usage_daily, and person_days through refresh_daily). `time` prints each
page's data work (bench/steps.py's page_work, plus Settings, Data and Portfolio), first call on a
freshly opened store, then again on the same store, in milliseconds per call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/profile_pages.py` from the repo

from analysis import annotations, settings, uploads  # noqa: E402
from analysis.ingest.merge import refresh_daily  # noqa: E402
from bench.build_org import ROLLOUT, load, new_scope  # noqa: E402
from bench.generate import SIZES, Size, roster_sql, tickets_sql, usage_sql  # noqa: E402
from bench.steps import PAGES, open_bench, page_work  # noqa: E402


def _record(cur, org_id: int, kind: str, rows: int) -> int:
    upload_id = cur.execute("SELECT nextval('upload_id_seq')").fetchall()[0][0]
    cur.execute(
        "INSERT INTO uploads (upload_id, org_id, kind, file_name, sha256, format, loaded_by, rows_read, "
        "rows_loaded, rows_updated, rows_rejected, rows_duplicate) VALUES (?, ?, ?, ?, '', 'canonical', "
        "'profile', ?, ?, 0, 0, 0)",
        [upload_id, org_id, kind, f"{kind}.sql", rows, rows],
    )
    return upload_id


def build(db: str, size: Size, seed: int = 7) -> None:
    scope = new_scope(db)
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        cur = scope.store.cursor()
        # the staging directory is the only one the locked store may write to; a plain connection writes the roster
        import duckdb

        with duckdb.connect() as con:
            con.execute(f"COPY ({roster_sql()}) TO '{roster}' (HEADER)", {"seed": seed})  # noqa: S608
        load(scope, "roster", roster)
    usage, params = usage_sql(size, seed)
    org = scope.org_id
    with scope.store.transaction() as cur:
        upload_id = _record(cur, org, "usage", size.events)
        cur.execute(
            f"INSERT INTO usage_events (org_id, user_id, event_at, day, activity, events, upload_id) "  # noqa: S608
            f"SELECT $org, user_id, CAST(date AS TIMESTAMP), CAST(date AS DATE), activity, CAST(count AS BIGINT), "
            f"$upload FROM ({usage}) WHERE count <> 'several'",
            params | {"org": org, "upload": upload_id},
        )
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT user_id, day, activity FROM usage_events "
            "WHERE org_id = $org",
            {"org": org},
        )
        refresh_daily(cur, org)
        ticket_upload = _record(cur, org, "tickets", size.tickets)
        cur.execute(
            f"INSERT INTO tickets (org_id, source, ticket_id, created_at, requester, subject, status, priority, "  # noqa: S608
            f"category, updated_at, first_response_at, resolved_at, upload_id) "
            f"SELECT $org, 'canonical', ticket_id, CAST(arg_max(created_at, updated_at) AS TIMESTAMP), "
            f"arg_max(requester, updated_at), arg_max(subject, updated_at), arg_max(status, updated_at), "
            f"arg_max(priority, updated_at), arg_max(category, updated_at), CAST(max(updated_at) AS TIMESTAMP), "
            f"CAST(arg_max(first_response_at, updated_at) AS TIMESTAMP), "
            f"CAST(arg_max(resolved_at, updated_at) AS TIMESTAMP), $upload "
            f"FROM ({tickets_sql()}) GROUP BY ticket_id",
            {"org": org, "upload": ticket_upload, "seed": seed, "tickets": size.tickets, "rows": size.ticket_rows},
        )
    scope.store.cursor().execute("CHECKPOINT")
    scope.store.close()


def extra_work(scope, rollout) -> dict:
    """Settings, Data and Portfolio: their data calls beyond the sidebar's freshness."""
    return {
        "Settings": {
            "known_activities": lambda: settings.known_activities(scope),
            "known_ticket_categories": lambda: settings.known_ticket_categories(scope),
            "organisation_settings": lambda: settings.organisation_settings(scope),
            "annotations": lambda: annotations.annotations(scope, rollout),
        },
        "Data": {"upload_history": lambda: uploads.history(scope)},
    }


def time_pages(db: str, runs: int) -> None:
    for page in PAGES + ("Settings", "Data"):
        for run in range(runs):
            scope, rollout = open_bench(db)
            if page in PAGES:
                start = time.perf_counter()
                _, calls = page_work(scope, rollout, page)
                first = time.perf_counter() - start
                start = time.perf_counter()
                page_work(scope, rollout, page)
                second = time.perf_counter() - start
            else:
                calls = {}
                start = time.perf_counter()
                for name, fn in extra_work(scope, rollout)[page].items():
                    t = time.perf_counter()
                    fn()
                    calls[name] = time.perf_counter() - t
                first = second = time.perf_counter() - start
            scope.store.close()
            detail = ", ".join(f"{k} {v * 1000:.0f}" for k, v in sorted(calls.items(), key=lambda kv: -kv[1]))
            print(f"{page:10s} run {run}: {first * 1000:6.0f} ms cold, {second * 1000:6.0f} ms warm | {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("build", "time"))
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", choices=SIZES, default="medium")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if args.what == "build":
        start = time.perf_counter()
        build(args.db, SIZES[args.size])
        print(f"built {args.db} ({args.size}) in {time.perf_counter() - start:.1f} s, rollout {ROLLOUT}")
    else:
        time_pages(args.db, args.runs)


if __name__ == "__main__":
    main()
