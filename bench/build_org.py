"""A file-backed store holding the synthetic organisation "Bench" of bench/generate.py, loaded
through the one ingest path (analysis.ingest.load_file), every load's counts checked.

    .venv/bin/python bench/build_org.py --size medium --db /tmp/x.duckdb [--seed 7] [--data DIR]

Interface kept stable for the other benchmarks: build(db_path, size, seed) -> {kind: LoadResult};
new_scope(db_path), load(scope, kind, path) and check(kind, result, size) for finer steps.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/build_org.py` from the repo

from analysis import audit, orgs, schedule  # noqa: E402
from analysis.access import OPERATOR  # noqa: E402
from analysis.ingest import LoadResult, load_file  # noqa: E402
from analysis.scope import Scope, open_scope  # noqa: E402
from analysis.store import Store  # noqa: E402
from bench.generate import COHORTS, DOMAIN, GHOSTS, LEGACY, PEOPLE, SIZES, Size, generate  # noqa: E402

ORGANISATION = "Bench"
ROLLOUT = "MFA"
KINDS = ("roster", "usage", "tickets")  # the order of loading: usage needs the roster's people


class BenchFailed(AssertionError):
    """A load whose counts are not what the generated files imply."""


def new_scope(db_path: str | Path) -> Scope:
    """A new file-backed store at db_path with organisation Bench and its rollout MFA (go-lives
    inside the data, the generator's legacy activities); a scope that may upload there."""
    db = Path(db_path)
    if db.exists():
        raise FileExistsError(f"{db} exists: the benchmark builds a new store (remove it first)")
    store = Store(db, staging_dir=db.parent / f"{db.stem}-staging")
    org_id = orgs.add_organisation(store, OPERATOR, ORGANISATION, email_domains=[DOMAIN])
    scope = open_scope(store, OPERATOR, org_id, "upload")
    orgs.add_rollout(scope, ROLLOUT, COHORTS, legacy=LEGACY)
    return scope


def load(scope: Scope, kind: str, path: Path, progress: Callable[[float, str], None] | None = None) -> LoadResult:
    """Load one generated file through load_file from its path, as the command line does (the file
    is streamed to DuckDB, never held in memory: analysis/ingest/staging.py)."""
    return load_file(scope, kind, path.name, path, rollout=ROLLOUT, progress=progress)


def check(kind: str, result: LoadResult, size: Size, again: bool = False) -> LoadResult:
    """Raise BenchFailed unless the counts reconcile and match the generated file: a first load
    (again=False) or a load of a file already loaded (again=True: nothing new)."""
    parts = result.rows_loaded + result.rows_updated + result.rows_rejected + result.rows_duplicate
    problems = (
        [f"rows_read {result.rows_read:,} != the sum of its parts {parts:,}"] if parts != result.rows_read else []
    )
    expected_read = {"roster": PEOPLE, "usage": size.events, "tickets": size.ticket_rows}[kind]
    rejected = size.bad_counts if kind == "usage" else 0
    if again:
        wanted = {"rows_read": expected_read, "rows_loaded": 0, "rows_updated": 0, "rows_rejected": rejected}
    else:
        wanted = {
            "rows_read": expected_read,
            "rows_loaded": {"roster": PEOPLE, "usage": size.events - rejected, "tickets": size.tickets}[kind],
            "rows_updated": size.ticket_rows - size.tickets if kind == "tickets" else 0,
            "rows_rejected": rejected,
        }
    problems += [
        f"{name} {getattr(result, name):,}, expected {n:,}" for name, n in wanted.items() if getattr(result, name) != n
    ]
    if kind == "usage" and not 0 < result.unknown_people <= GHOSTS:
        problems.append(f"unknown_people {result.unknown_people}, expected 1 to {GHOSTS}")
    if problems:
        raise BenchFailed(f"{kind} load{' again' if again else ''}: " + "; ".join(problems) + f"\n{result.as_json()}")
    return result


def build(db_path: str | Path, size: str, seed: int = 7, data_dir: str | Path | None = None) -> dict[str, LoadResult]:
    """Generate the files of this size and seed (into data_dir, else a temporary directory), build
    a new store at db_path from them and return each kind's checked load result."""
    with tempfile.TemporaryDirectory(prefix="uptake-bench-") as tmp:
        files = generate(size, seed, data_dir or tmp)
        scope = new_scope(db_path)
        try:
            results = {kind: check(kind, load(scope, kind, files.path(kind)), files.size) for kind in KINDS}
            # as the app and the command line end a load (analysis/schedule.py after_load): the red
            # flags evaluated and recorded, their verdicts kept for the reads that follow
            with audit.acting(*audit.SCHEDULE):
                schedule.evaluate_organisation(scope)
            return results
        finally:
            scope.store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--db", type=Path, required=True, help="the store to create (must not exist)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="where to write the generated files (default: a temporary directory)")
    args = parser.parse_args()
    start = time.perf_counter()
    for kind, result in build(args.db, args.size, args.seed, args.data).items():
        print(
            f"{kind:<8} read {result.rows_read:>11,}  loaded {result.rows_loaded:>11,}  "
            f"updated {result.rows_updated:>9,}  rejected {result.rows_rejected:>4,}  unknown people {result.unknown_people}"
        )
    print(f"built {args.db} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
