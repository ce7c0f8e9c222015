"""Load benchmark: time the one ingest path, undo and the adoption queries on synthetic data.

Generates seeded canonical files (roster, usage, tickets) in a temporary directory, loads them
into a fresh file-backed Store, checks that every load's counts reconcile, and prints seconds and
rows per second per step, the time per load phase, and peak RSS.

    .venv/bin/python bench/load_bench.py [--rows 200000] [--seed 7] [--profile usage]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/load_bench.py` from the repo

from analysis import metrics, orgs  # noqa: E402
from analysis.access import OPERATOR  # noqa: E402
from analysis.ingest import LoadResult, load_file  # noqa: E402
from analysis.scope import Scope, open_scope  # noqa: E402
from analysis.store import Store  # noqa: E402
from analysis.uploads import undo  # noqa: E402

DOMAIN = "bench.test"
ROLLOUT = "MFA"
COHORTS = {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}
COHORT_SIZES = {"champion": 200, "wider": 1_800}
START = np.datetime64("2024-12-09")  # the 28 days before the first go-live: the baseline
ACTIVITIES = np.array(["mfa_approval", "authenticator_setup", "sms_code"])
LEGACY = ["sms_code"]
DEPARTMENTS = np.array(["IT", "Finance", "Sales", "Operations", "Warehouse", "HR", "Legal"])
GHOSTS = 20  # people in usage on no roster: ~1% of people and rows
BAD_COUNTS = 36  # usage rows with text in count
UNLICENSED_SHARE = 0.03
TICKET_ROWS = 20_000
FOLLOW_UPS = 1_000  # ticket rows that update a ticket seen earlier in the file
RUNS = 5  # metrics queries: median of this many runs
PHASES = ("read", "check", "merge", "record")  # load_file's progress steps, in order
BAR = "{desc}: {percentage:3.0f}%|{bar:20}| {elapsed} {postfix}"
STEPS = (
    "roster",
    "usage",
    "tickets",
    "usage again",
    "undo usage",
    "usage after undo",
    "cohort_kpis",
    "rolling_adoption",
)


# -- synthetic files ------------------------------------------------------------------------------


def people(rng: np.random.Generator) -> pd.DataFrame:
    """The roster as a frame: user_id, display_name, department, cohort, licensed."""
    cohorts = np.repeat(list(COHORT_SIZES), list(COHORT_SIZES.values()))
    n = len(cohorts)
    return pd.DataFrame(
        {
            "user_id": [f"person{i:05d}@{DOMAIN}" for i in range(1, n + 1)],
            "display_name": [f"Person {i}" for i in range(1, n + 1)],
            "department": rng.choice(DEPARTMENTS, n),
            "cohort": cohorts,
            "licensed": np.where(rng.random(n) < UNLICENSED_SHARE, "no", "yes"),
        }
    )


def usage_csv(rng: np.random.Generator, roster: pd.DataFrame, rows: int) -> bytes:
    """rows distinct (user, date, activity) rows, BAD_COUNTS of them with text in count."""
    users = np.array([*roster["user_id"], *(f"ghost{n:03d}@{DOMAIN}" for n in range(1, GHOSTS + 1))])
    per_day = len(users) * len(ACTIVITIES)
    days = max(140, -(-2 * rows // per_day))  # keep the key space at least twice the row count
    keys = rng.choice(days * per_day, size=rows, replace=False)
    day, rest = np.divmod(keys, per_day)
    user, activity = np.divmod(rest, len(ACTIVITIES))
    count = rng.integers(1, 12, rows).astype(str).astype(object)
    count[rng.choice(rows, BAD_COUNTS, replace=False)] = "several"
    frame = pd.DataFrame(
        {"user_id": users[user], "date": (START + day).astype(str), "activity": ACTIVITIES[activity], "count": count}
    )
    return frame.to_csv(index=False).encode()


def tickets_csv(rng: np.random.Generator, roster: pd.DataFrame) -> bytes:
    """TICKET_ROWS rows: distinct tickets, then FOLLOW_UPS rows resolving some of the open ones."""
    n = TICKET_ROWS - FOLLOW_UPS
    created = pd.Timestamp(str(START)) + pd.to_timedelta(rng.integers(0, 140 * 86_400, n), unit="s")
    status = rng.choice(["Open", "In progress", "Resolved", "Closed"], n, p=[0.2, 0.1, 0.5, 0.2])
    done = np.isin(status, ["Resolved", "Closed"])
    resolved = created + pd.to_timedelta(rng.exponential(20, n), unit="h")
    first_response = created + pd.to_timedelta(rng.exponential(2, n), unit="h")
    frame = pd.DataFrame(
        {
            "ticket_id": [f"T{i:06d}" for i in range(1, n + 1)],
            "created_at": created,
            "requester": rng.choice(roster["user_id"].to_numpy(), n),
            "subject": rng.choice(
                ["Authenticator not receiving push", "Lost phone", "Password expired", "Printer offline", "VPN access"],
                n,
            ),
            "status": status,
            "priority": rng.choice(["low", "normal", "high"], n),
            "category": rng.choice(["MFA", "Password reset", "Hardware", "Access request"], n),
            "updated_at": np.where(done, resolved, first_response),
            "first_response_at": first_response,
            "resolved_at": pd.Series(resolved).where(done),
            "satisfaction": rng.choice(["", "1", "3", "4", "5", "good"], n),
        }
    )
    later = frame[~done].sample(FOLLOW_UPS, random_state=rng).copy()
    later["updated_at"] = later["updated_at"] + pd.to_timedelta(rng.exponential(30, FOLLOW_UPS), unit="h")
    later["resolved_at"] = later["updated_at"]
    later["status"] = "Resolved"
    stamps = ["created_at", "updated_at", "first_response_at", "resolved_at"]
    both = pd.concat([frame, later], ignore_index=True)
    both[stamps] = both[stamps].apply(lambda col: pd.to_datetime(col).dt.strftime("%Y-%m-%d %H:%M:%S"))
    return both.to_csv(index=False).encode()


def synthetic_files(seed: int, rows: int) -> tuple[dict[str, bytes], int]:
    """kind -> CSV bytes, and the number of licensed people on the roster."""
    rng = np.random.default_rng(seed)
    roster = people(rng)
    makers = {
        "roster": lambda: roster.to_csv(index=False).encode(),
        "usage": lambda: usage_csv(rng, roster, rows),
        "tickets": lambda: tickets_csv(rng, roster),
    }
    files = {}
    for kind in tqdm(makers, desc="generating", unit="file", file=sys.stderr):
        files[kind] = makers[kind]()
    return files, int((roster["licensed"] == "yes").sum())


# -- measuring ------------------------------------------------------------------------------------


@dataclass
class Step:
    name: str
    rows: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)  # loads only: seconds per load phase


class Profiler:
    """Profiles the one step named at the command line; prints its top functions afterwards."""

    def __init__(self, step: str | None):
        self.step, self.stats = step, None

    def run(self, name: str, fn: Callable):
        if name != self.step:
            return fn()
        profile = cProfile.Profile()
        try:
            return profile.runcall(fn)
        finally:
            self.stats = pstats.Stats(profile, stream=sys.stdout)

    def report(self) -> None:
        if self.stats is not None:
            print(f"\nProfile of '{self.step}' (cProfile inflates its time), top 10 by cumulative time:")
            self.stats.sort_stats("cumulative").print_stats(10)


def check_counts(result: LoadResult) -> LoadResult:
    parts = result.rows_loaded + result.rows_updated + result.rows_rejected + result.rows_duplicate
    assert result.rows_read == parts, f"counts do not reconcile: {result}"
    return result


def timed_load(scope: Scope, kind: str, data: bytes, name: str, profiler: Profiler) -> tuple[LoadResult, Step]:
    """Load data through load_file with a progress bar; the Step records the time of each phase."""
    marks: list[float] = []
    with tqdm(total=100, desc=name, leave=False, file=sys.stderr, bar_format=BAR) as bar:

        def progress(fraction: float, text: str) -> None:
            marks.append(time.perf_counter())
            bar.set_postfix_str(text)
            bar.update(round(fraction * 100) - bar.n)

        start = time.perf_counter()
        result = profiler.run(
            name, lambda: load_file(scope, kind, f"{kind}.csv", data, rollout=ROLLOUT, progress=progress)
        )
        seconds = time.perf_counter() - start
    phases = dict(zip(PHASES, np.diff(marks))) if len(marks) == len(PHASES) + 1 else {}
    return check_counts(result), Step(name, result.rows_read, seconds, phases)


def timed_undo(scope: Scope, upload_id: int, profiler: Profiler) -> Step:
    start = time.perf_counter()
    done = profiler.run("undo usage", lambda: undo(scope, upload_id))
    return Step("undo usage", done["rows_removed_or_restored"], time.perf_counter() - start)


def timed_query(name: str, fn: Callable, rows: int, profiler: Profiler) -> Step:
    """The median of RUNS runs of fn, after one warm-up run (the profiled one, when asked)."""
    profiler.run(name, fn)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Step(name, rows, statistics.median(times))


def count_rows(scope: Scope, table: str) -> int:
    # table is one of this script's own table names (never input); the organisation is bound
    return (
        scope.store.cursor()
        .execute(
            f"SELECT count(*) FROM {table} WHERE org_id = ?",  # noqa: S608
            [scope.org_id],
        )
        .fetchall()[0][0]
    )


def bench_scope(directory: Path) -> Scope:
    """A fresh file-backed store with one organisation and its rollout."""
    store = Store(directory / "bench.duckdb", staging_dir=directory / "staging")
    org_id = orgs.add_organisation(store, OPERATOR, "Bench", email_domains=[DOMAIN])
    scope = open_scope(store, OPERATOR, org_id, "upload")
    orgs.add_rollout(scope, ROLLOUT, COHORTS, legacy=LEGACY)
    return scope


# -- the run --------------------------------------------------------------------------------------


def run_steps(scope: Scope, files: dict[str, bytes], rows: int, licensed: int, profiler: Profiler) -> list[Step]:
    steps = []
    roster, step = timed_load(scope, "roster", files["roster"], "roster", profiler)
    assert roster.rows_loaded == sum(COHORT_SIZES.values()), roster
    steps.append(step)

    usage, step = timed_load(scope, "usage", files["usage"], "usage", profiler)
    assert (usage.rows_loaded, usage.rows_rejected) == (rows - BAD_COUNTS, BAD_COUNTS), usage
    assert 0 < usage.unknown_people <= GHOSTS, usage
    steps.append(step)

    tickets, step = timed_load(scope, "tickets", files["tickets"], "tickets", profiler)
    assert (tickets.rows_loaded, tickets.rows_updated) == (TICKET_ROWS - FOLLOW_UPS, FOLLOW_UPS), tickets
    steps.append(step)

    again, step = timed_load(scope, "usage", files["usage"], "usage again", profiler)
    assert again.rows_loaded == 0 and again.rows_duplicate + again.rows_rejected == again.rows_read, again
    steps.append(step)

    steps.append(timed_undo(scope, usage.upload_id, profiler))
    assert count_rows(scope, "usage_events") == count_rows(scope, "usage_daily") == 0

    reloaded, step = timed_load(scope, "usage", files["usage"], "usage after undo", profiler)
    assert reloaded.rows_loaded == usage.rows_loaded, reloaded
    steps.append(step)

    rollout = orgs.rollout(scope, ROLLOUT)
    as_of = metrics.default_as_of(scope, rollout)
    daily = count_rows(scope, "usage_daily")
    kpis = metrics.cohort_kpis(scope, rollout, as_of)
    assert kpis["all"]["licensed_users"] == licensed, kpis["all"]
    steps.append(timed_query("cohort_kpis", lambda: metrics.cohort_kpis(scope, rollout, as_of), daily, profiler))
    steps.append(
        timed_query("rolling_adoption", lambda: metrics.rolling_adoption(scope, rollout, as_of), daily, profiler)
    )
    return steps


def report(steps: list[Step], files: dict[str, bytes]) -> None:
    sizes = ", ".join(f"{kind} {len(data) / 1e6:.1f} MB" for kind, data in files.items())
    print(f"files: {sizes}\n")
    print(f"{'step':<18} {'rows':>9} {'seconds':>8} {'rows/s':>10}")
    for s in steps:
        print(f"{s.name:<18} {s.rows:>9,} {s.seconds:>8.2f} {s.rows / s.seconds:>10,.0f}")
    print(f"\n{'load phases (s)':<18}" + "".join(f"{p:>8}" for p in PHASES))
    for s in steps:
        if s.phases:
            print(f"{s.name:<18}" + "".join(f"{s.phases[p]:>8.2f}" for p in PHASES))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\npeak RSS: {peak_mb:,.0f} MB   total: {sum(s.seconds for s in steps):.1f} s")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="usage rows (default 200,000)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic data")
    parser.add_argument("--profile", choices=STEPS, help="profile one step with cProfile")
    args = parser.parse_args()
    if args.rows < 2 * BAD_COUNTS:
        parser.error(f"--rows must be at least {2 * BAD_COUNTS}")
    return args


def main() -> None:
    args = arguments()
    profiler = Profiler(args.profile)
    with tempfile.TemporaryDirectory(prefix="uptake-bench-") as tmp:
        files, licensed = synthetic_files(args.seed, args.rows)
        scope = bench_scope(Path(tmp))
        try:
            steps = run_steps(scope, files, args.rows, licensed, profiler)
        finally:
            scope.store.close()
    report(steps, files)
    profiler.report()


if __name__ == "__main__":
    main()
