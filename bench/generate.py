"""Seeded synthetic canonical files for the benchmarks: a roster, usage events and a ticket log.

Written by DuckDB SQL (`COPY (SELECT ... FROM range(n)) TO ...`), so 20 M events (about 0.9 GB of
CSV) take seconds and little memory. Randomness is DuckDB's hash() of (row, seed, purpose), and
the rows are written in range order: the same seed (and DuckDB version) gives the same bytes.

The organisation: 5,000 people (the first 10 % the champion cohort, the rest wider, ~3 %
unlicensed, 7 departments) and 20 people on no roster ("ghosts"). Usage covers the same 182 days
at every size (28 days of baseline before the first go-live), so a bigger size has more events
per person and day, not more people or days: page time should grow with people x days only.
Usage rows are distinct (user_id, date, activity): each is a point of a Weyl sequence over the
key space (person, day, activity slot), which visits every key once. A person uses the legacy
activity of a slot before their adoption day and the new one from then on (a tenth never adopt);
ghosts use either. ~1 % of rows are the ghosts'; BAD_COUNTS rows have text in count.

Tickets are written as events: TICKET_EVENTS rows per ticket, the first events of all tickets,
then the second ones, and so on, so later rows update tickets seen earlier in the file (the
canonical path merges a ticket's rows into one: rows_loaded = tickets, rows_updated = the rest).

    .venv/bin/python bench/generate.py --size medium [--seed 7] [--out /tmp/uptake-bench-data]

Interface kept stable for the other benchmarks: SIZES, Size, generate(size, seed, out_dir) -> Files.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

DOMAIN = "bench.test"
PEOPLE = 5_000
CHAMPIONS = 500  # the first 10 % of the roster
GHOSTS = 20  # people in usage on no roster: ~1 % of rows (every 100th row)
BAD_COUNTS = 36  # usage rows with text in count (rejected)
UNLICENSED_PERCENT = 3
DEPARTMENTS = ["IT", "Finance", "Sales", "Operations", "Warehouse", "HR", "Legal"]
START = date(2024, 12, 9)  # the 28 days before the first go-live: the baseline
DAYS = 182
COHORTS = {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}
ADOPTION_LAG_DAYS = 45  # a person adopts within this many days of their cohort's go-live
HOLDOUT_PERCENT = 10  # people who never adopt: legacy only
SLOTS = 32  # activity slots per person and day: each has a new and a legacy activity
NEW_ACTIVITIES = [f"mfa_{n:02d}" for n in range(SLOTS)]
LEGACY = [f"sms_{n:02d}" for n in range(SLOTS)]  # the rollout's legacy activities
TICKET_EVENTS = 5  # rows per ticket
SUBJECTS = ["Authenticator not receiving push", "Lost phone", "Password expired", "Printer offline", "VPN access"]
CATEGORIES = ["MFA", "Password reset", "Hardware", "Access request"]
PRIORITIES = ["low", "normal", "high"]
OPEN_PERCENT = 20  # tickets never resolved
GOLDEN = (math.sqrt(5) - 1) / 2


@dataclass(frozen=True)
class Size:
    events: int  # usage rows
    ticket_rows: int

    @property
    def tickets(self) -> int:
        return self.ticket_rows // TICKET_EVENTS

    @property
    def ghost_rows(self) -> int:
        return self.events // 100

    @property
    def bad_counts(self) -> int:
        return BAD_COUNTS


SIZES = {
    "small": Size(100_000, 20_000),
    "medium": Size(2_000_000, 200_000),
    "large": Size(20_000_000, 1_000_000),
}


@dataclass(frozen=True)
class Files:
    roster: Path
    usage: Path
    tickets: Path
    size: Size

    def path(self, kind: str) -> Path:
        return getattr(self, kind)


def weyl(keys: int, seed: int) -> tuple[int, int]:
    """A stride coprime with keys (near the golden section, so consecutive rows land far apart)
    and a seeded offset: (row * stride + offset) % keys visits each key once in `keys` rows."""
    stride = int(keys * GOLDEN)
    while math.gcd(stride, keys) != 1:
        stride += 1
    return stride, (seed * 2_654_435_761) % keys


def sql_list(items: list[str]) -> str:
    # constants of this module only, never input
    return "[" + ", ".join("'" + item.replace("'", "''") + "'" for item in items) + "]"


def roster_sql() -> str:
    return f"""
    SELECT 'person' || lpad((p + 1)::VARCHAR, 5, '0') || '@{DOMAIN}' AS user_id,
           'Person ' || (p + 1) AS display_name,
           {sql_list(DEPARTMENTS)}[1 + (hash(p, $seed, 'department') % {len(DEPARTMENTS)})::INT] AS department,
           CASE WHEN p < {CHAMPIONS} THEN 'champion' ELSE 'wider' END AS cohort,
           CASE WHEN hash(p, $seed, 'licensed') % 100 < {UNLICENSED_PERCENT} THEN 'no' ELSE 'yes' END AS licensed
    FROM range({PEOPLE}) t(p) ORDER BY p
    """  # noqa: S608 -- this module's constants; the seed is bound


def usage_sql(size: Size, seed: int) -> tuple[str, dict]:
    people_keys = PEOPLE * DAYS * SLOTS
    ghost_keys = GHOSTS * DAYS * 2 * SLOTS  # a ghost's slot is any new or legacy activity
    people_rows = size.events - size.ghost_rows
    assert people_rows <= people_keys and size.ghost_rows <= ghost_keys, size
    stride, offset = weyl(people_keys, seed)
    ghost_stride, ghost_offset = weyl(ghost_keys, seed)
    bad_step = people_rows // BAD_COUNTS
    champion_day = (COHORTS["champion"] - START).days
    wider_day = (COHORTS["wider"] - START).days
    sql = f"""
    WITH rows AS (
        SELECT i, i % 100 = 99 AS ghost, i // 100 AS j, i - (i + 1) // 100 AS k FROM range($events) t(i)
    ), keyed AS (
        SELECT i, ghost, k,
               CASE WHEN ghost THEN (j * $ghost_stride + $ghost_offset) % $ghost_keys
                    ELSE (k * $stride + $offset) % $people_keys END AS key
        FROM rows
    ), split AS (
        SELECT i, ghost, k,
               CASE WHEN ghost THEN key % {2 * SLOTS} ELSE key % {SLOTS} END AS slot,
               CASE WHEN ghost THEN key // {2 * SLOTS} % {GHOSTS} ELSE key // {SLOTS} % {PEOPLE} END AS person,
               CASE WHEN ghost THEN key // {2 * SLOTS * GHOSTS} ELSE key // {SLOTS * PEOPLE} END AS day
        FROM keyed
    ), adoption AS (
        SELECT *,
               CASE WHEN hash(person, $seed, 'holdout') % 100 < {HOLDOUT_PERCENT} THEN 1000000
                    ELSE CASE WHEN person < {CHAMPIONS} THEN {champion_day} ELSE {wider_day} END
                         + (hash(person, $seed, 'lag') % {ADOPTION_LAG_DAYS})::BIGINT END AS adopts
        FROM split
    )
    SELECT CASE WHEN ghost THEN 'ghost' || lpad((person + 1)::VARCHAR, 3, '0')
                ELSE 'person' || lpad((person + 1)::VARCHAR, 5, '0') END || '@{DOMAIN}' AS user_id,
           strftime(DATE '{START.isoformat()}' + day::INTEGER, '%Y-%m-%d') AS date,
           CASE WHEN ghost THEN ({sql_list(NEW_ACTIVITIES + LEGACY)})[slot::INTEGER + 1]
                WHEN day >= adopts THEN ({sql_list(NEW_ACTIVITIES)})[slot::INTEGER + 1]
                ELSE ({sql_list(LEGACY)})[slot::INTEGER + 1] END AS activity,
           CASE WHEN NOT ghost AND k % $bad_step = 7 AND k < {BAD_COUNTS} * $bad_step THEN 'several'
                ELSE (1 + hash(i, $seed, 'count') % 11)::VARCHAR END AS count
    FROM adoption
    """  # noqa: S608 -- this module's constants; values are bound
    params = {
        "events": size.events,
        "seed": seed,
        "stride": stride,
        "offset": offset,
        "people_keys": people_keys,
        "ghost_stride": ghost_stride,
        "ghost_offset": ghost_offset,
        "ghost_keys": ghost_keys,
        "bad_step": bad_step,
    }
    return sql, params


def tickets_sql() -> str:
    """Row r is event r // tickets of ticket r % tickets: Open, In progress x2, then Resolved and
    Closed (or In progress again for the tickets never resolved); hours between events vary."""
    return f"""
    WITH events AS (
        SELECT t, e, hash(t, $seed, 'open') % 100 < {OPEN_PERCENT} AS stays_open,
               TIMESTAMP '{START.isoformat()}' + to_seconds((hash(t, $seed, 'created') % {DAYS * 86_400})::BIGINT)
                   AS created,
               1 + (hash(t, $seed, 'gap') % 48)::BIGINT AS gap_hours,
               (hash(t, $seed, 'response') % 60)::BIGINT AS response_minutes
        FROM (SELECT r % $tickets AS t, r // $tickets AS e FROM range($rows) x(r))
    ), stamped AS (
        SELECT *, created + to_hours(e * gap_hours) AS updated,
               created + to_hours(3 * gap_hours) AS resolved
        FROM events
    )
    SELECT 'T' || lpad((t + 1)::VARCHAR, 7, '0') AS ticket_id,
           strftime(created, '%Y-%m-%d %H:%M:%S') AS created_at,
           'person' || lpad((1 + hash(t, $seed, 'requester') % {PEOPLE})::VARCHAR, 5, '0') || '@{DOMAIN}' AS requester,
           {sql_list(SUBJECTS)}[1 + (hash(t, $seed, 'subject') % {len(SUBJECTS)})::INT] AS subject,
           CASE WHEN e = 0 THEN 'Open' WHEN e < 3 OR stays_open THEN 'In progress'
                WHEN e = 3 THEN 'Resolved' ELSE 'Closed' END AS status,
           {sql_list(PRIORITIES)}[1 + (hash(t, $seed, 'priority') % {len(PRIORITIES)})::INT] AS priority,
           {sql_list(CATEGORIES)}[1 + (hash(t, $seed, 'category') % {len(CATEGORIES)})::INT] AS category,
           strftime(updated, '%Y-%m-%d %H:%M:%S') AS updated_at,
           CASE WHEN e > 0 THEN strftime(created + to_minutes(response_minutes), '%Y-%m-%d %H:%M:%S') END
               AS first_response_at,
           CASE WHEN e >= 3 AND NOT stays_open THEN strftime(resolved, '%Y-%m-%d %H:%M:%S') END AS resolved_at,
           CASE WHEN e = 4 AND NOT stays_open THEN (1 + hash(t, $seed, 'satisfaction') % 5)::VARCHAR END
               AS satisfaction
    FROM stamped  -- row r = e * tickets + t: range order is (e, t)
    """  # noqa: S608 -- this module's constants; values are bound


def generate(size: str | Size, seed: int, out_dir: Path | str) -> Files:
    """Write roster, usage and tickets CSVs of this size and seed into out_dir (made if missing)."""
    spec = SIZES[size] if isinstance(size, str) else size
    name = size if isinstance(size, str) else f"{spec.events}"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = Files(
        roster=out / f"roster-{name}-{seed}.csv",
        usage=out / f"usage-{name}-{seed}.csv",
        tickets=out / f"tickets-{name}-{seed}.csv",
        size=spec,
    )
    usage, usage_params = usage_sql(spec, seed)
    jobs = [
        (files.roster, roster_sql(), {"seed": seed}),
        (files.usage, usage, usage_params),
        (files.tickets, tickets_sql(), {"seed": seed, "tickets": spec.tickets, "rows": spec.ticket_rows}),
    ]
    with duckdb.connect() as con:
        con.execute("SET preserve_insertion_order = true")  # rows in range order: the same bytes each time
        for path, query, params in jobs:
            # the query is built from this module's constants; values are bound
            target = str(path).replace("'", "''")
            con.execute(f"COPY ({query}) TO '{target}' (HEADER, DELIMITER ',')", params)  # noqa: S608
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("/tmp/uptake-bench-data"))
    args = parser.parse_args()
    start = time.perf_counter()
    files = generate(args.size, args.seed, args.out)
    for kind in ("roster", "usage", "tickets"):
        path = files.path(kind)
        print(f"{path}  {path.stat().st_size / 1e6:,.1f} MB", file=sys.stderr)
    print(f"generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
