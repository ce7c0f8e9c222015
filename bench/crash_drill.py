"""The crash drill (issue 17 part 1): loads killed with SIGKILL at random points, then checked.

Each round loads one file, synthetic (usage, tickets or a roster, new rows and updates each
round) or real (/work/shared/realdata, into a new organisation each round), through the command
line (`python -m analysis load`) or the inbox (analysis/inbox.py), in a child process killed
after a random delay. The database is then reopened here and must:
- open (a crash never leaves it unreadable);
- hold the file's rows all or none: every table's rows and checksum (analysis/care/checksums.py,
  timestamps left out, as two runs of one load differ only there) equal either those before the
  round or those of the same load run to its end on a copy of the database as it was before;
- keep every load committed before (their upload ids are all there);
- say which loads never finished: a load cut off before it committed is listed by
  analysis.care.attempts.never_finished (or was cut off before it was even written down, then
  nothing of it exists), and a committed one is marked finished with its upload id.

`make drill` runs 50 kills: `.venv/bin/python bench/crash_drill.py --kills 50`;
tests/test_crash_drill.py runs a few in `make test`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analysis import orgs  # noqa: E402
from analysis.access import OPERATOR  # noqa: E402
from analysis.care import attempts  # noqa: E402
from analysis.care.checksums import table_checksums  # noqa: E402
from analysis.scope import open_scope  # noqa: E402
from analysis.store import Store  # noqa: E402

REALDATA = ROOT.parent / "shared" / "realdata"
# real exports the loader recognises by their header (tests/test_realdata.py): (kind, path)
REAL_FILES = (
    ("tickets", "zendesk-tickets-plum/zendesk_tickets_export.csv"),
    ("tickets", "servicenow-incident-eventlog-uci/incident_event_log_sample.csv"),
    ("usage", "viva-insights-copilot-person-query/pq_data.csv"),
    ("usage", "moodle-logs-edify/moodle_module1_SP19.csv"),
    ("tickets", "servicenow-pdi-exports/incident_list_export.csv"),
)
SYNTHETIC = ("usage", "tickets", "roster")
TIMES = frozenset({"TIMESTAMP", "TIMESTAMP WITH TIME ZONE"})
INBOX_CHILD = (
    "import sys; from pathlib import Path; from analysis.inbox import process_inbox; "
    "from analysis.store import Store; process_inbox(Store(), Path(sys.argv[1]))"
)
ORG, ROLLOUT = "drill", "MFA"
OUTCOMES = {
    "unwritten": "killed before the load was written down: nothing of it exists",
    "cut off": "killed while loading: never finished, nothing stored, listed as never finished",
    "committed": "killed after the load committed: all of it there, marked finished",
    "finished": "the load ended before the kill: all of it there, marked finished",
}

# Not part of a load's all-or-nothing: the attempts ledger, and what the red-flag evaluation run
# after a committed load writes in its own transaction (analysis/schedule.py: alert states, their
# history, the verdicts, the computed baseline, the person facts and the default view's figures it keeps, its run marks and queued notifications, and its audit entry), which the daily pass
# writes again anyway. A load's own audit entry is in its transaction (tests/test_audit.py).
NOT_THE_LOADS = frozenset(
    {
        "load_attempts",
        "alerts",
        "alert_events",
        "alert_verdicts",
        "kept_baselines",
        "kept_person_facts",
        "kept_figures",
        "scheduled_runs",
        "outbox",
        "audit_log",
    }
)


@dataclass
class Round:
    kind: str
    source: str  # "synthetic" or the real file's path
    via: str  # "command line" or "inbox"
    org: str
    file: Path


@dataclass
class Report:
    outcomes: Counter = field(default_factory=Counter)
    by_way: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def kills(self) -> int:
        """Rounds whose load was killed (in the others it ended before the kill came)."""
        return sum(self.outcomes.values()) - self.outcomes["finished"]

    def lines(self) -> list[str]:
        rounds = sum(self.outcomes.values())
        out = [f"{self.kills} kills in {rounds} rounds, {self.seconds:.0f} s; {len(self.failures)} failed checks"]
        out += [f"  {self.outcomes[k]:3d} {text}" for k, text in OUTCOMES.items()]
        out += [f"  {n:3d} {way}" for way, n in sorted(self.by_way.items())]
        out += [f"  FAILED: {f}" for f in self.failures]
        return out


def synthetic_file(folder: Path, kind: str, n: int, size: int) -> Path:
    """Round n's file of kind: each round adds days (usage), new and changed tickets, or a roster
    that licenses other people, so every load stores something."""
    path = folder / f"{kind}-{n}.csv"
    people = max(size // 20, 10)
    lines = []
    if kind == "usage":
        lines.append("user_id,date,activity,count")
        first = date(2025, 1, 1) + timedelta(days=3 * n)
        lines += [
            f"p{i % people}@drill.test,{first + timedelta(days=i // people)},mfa,{1 + (i + n) % 4}" for i in range(size)
        ]
    elif kind == "tickets":
        lines.append("ticket_id,created_at,requester,subject,status,category,resolved_at,reopened")
        start = n * size // 2  # half the tickets are the last round's, changed
        for i in range(start, start + size):
            day = date(2025, 1, 1) + timedelta(days=i % 90)
            status = "solved" if (i + n) % 3 else "open"
            resolved = f"{day + timedelta(days=1)} 10:00" if status == "solved" else ""
            lines.append(f"T{i},{day} 09:00,p{i % people}@drill.test,MFA prompt {i},{status},MFA,{resolved},0")
    else:
        lines.append("user_id,display_name,department,cohort,licensed")
        lines += [
            f"p{i}@drill.test,Person {i} ({n}),Dept {i % 7},champion,{'yes' if (i + n) % 5 else 'no'}"
            for i in range(people)
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


class Drill:
    def __init__(self, folder: Path, seed: int, size: int, real: bool, real_files: tuple = REAL_FILES):
        self.folder = folder
        self.db = folder / "drill.duckdb"
        self.rng = random.Random(seed)
        self.size = size
        self.real = real and REALDATA.is_dir()
        self.real_files = real_files
        self.env = {
            **os.environ,
            "UPTAKE_DB": str(self.db),
            "UPTAKE_DEMO": "0",
            "PYTHONPATH": str(ROOT),
        }
        self.estimate: dict[str, float] = {}  # seconds a whole run of a round's kind of load takes
        store = Store(self.db)
        try:
            scope = open_scope(
                store, OPERATOR, orgs.add_organisation(store, OPERATOR, ORG, email_domains=["drill.test"]), "upload"
            )
            orgs.add_rollout(scope, ROLLOUT, {"champion": date(2025, 1, 6)})
        finally:
            store.close()

    # -- one round --------------------------------------------------------------------------------
    def next_round(self, n: int) -> Round:
        via = "inbox" if (n + n // 4) % 2 else "command line"  # so real rounds (every fourth) take both ways
        if self.real and n % 4 == 3:
            kind, path = self.real_files[(n // 4) % len(self.real_files)]
            return Round(kind, path, via, f"real-{n}", REALDATA / path)
        kind = SYNTHETIC[n % len(SYNTHETIC)]
        return Round(kind, "synthetic", via, ORG, synthetic_file(self.folder, kind, n, self.size))

    def command(self, r: Round, db: Path) -> tuple[list[str], dict]:
        env = {**self.env, "UPTAKE_DB": str(db)}
        if r.via == "command line":
            rollout = ["--rollout", ROLLOUT] if r.org == ORG else []
            return [
                sys.executable,
                "-m",
                "analysis",
                "load",
                "--org",
                r.org,
                "--kind",
                r.kind,
                *rollout,
                str(r.file),
            ], env
        inbox = db.parent / f"{db.stem}-inbox"
        shutil.rmtree(inbox, ignore_errors=True)  # a file left by a killed pass is not retried here
        target = inbox / r.org / r.kind / (ROLLOUT if r.org == ORG else "")
        target.mkdir(parents=True)
        placed = target / r.file.name
        shutil.copyfile(r.file, placed)
        past = time.time() - 60  # settled: the inbox waits for files still being written
        os.utime(placed, (past, past))
        return [sys.executable, "-c", INBOX_CHILD, str(inbox)], env

    def state(self, r: Round | None = None) -> tuple[dict, set[int], int]:
        """(every table's rows and checksum but load_attempts', the upload ids, the newest attempt
        id), opening the database as the app would; adds round r's organisation first."""
        store = Store(self.db)
        try:
            if r is not None and r.org != ORG:
                orgs.add_organisation(store, OPERATOR, r.org)
            cur = store.cursor()
            sums = table_checksums(cur, skip_tables=NOT_THE_LOADS, skip_types=TIMES)
            ids = {u for (u,) in cur.execute("SELECT upload_id FROM uploads").fetchall()}
            newest = cur.execute("SELECT coalesce(max(attempt_id), 0) FROM load_attempts").fetchall()[0][0]
            return sums, ids, newest
        finally:
            store.close()

    def run_round(self, n: int, report: Report) -> None:
        r = self.next_round(n)
        before, ids_before, newest_before = self.state(r)
        copy = self.folder / "before.duckdb"
        copy_database(self.db, copy)
        key = f"{r.kind} {r.source} via {r.via}"
        # the kill lands anywhere in the run: the interpreter's start and imports (about a second),
        # reading and checking the file, the transaction, the commit, the inbox moving the file.
        # The run's length is measured first (the reference run) for a kind of file not seen yet.
        reference = None if f"{r.kind} {r.source}" in self.estimate else self.reference(r, copy)
        # (weighted towards the end, where the transaction and the commit are)
        delay = (0.15 + 0.9 * self.rng.random() ** 0.4) * self.estimate[f"{r.kind} {r.source}"]
        argv, env = self.command(r, self.db)
        began = time.monotonic()
        child = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            child.wait(timeout=delay)
            ended = True
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
            ended = False
        if ended and child.returncode != 0:
            report.failures.append(f"round {n} ({key}): the load failed on its own: {child.stderr.read()[-300:]!r}")
        child.stderr.close()
        if ended:
            self.measured(r, time.monotonic() - began)
        where = f"round {n} ({key}, killed after {delay:.2f} s)"
        try:
            after, ids_after, _ = self.state()
        except Exception as exc:  # noqa: BLE001 - the drill reports any failure to reopen
            report.failures.append(f"{where}: the database did not open: {type(exc).__name__}: {exc}")
            return
        if not ids_before <= ids_after:
            report.failures.append(f"{where}: committed loads are missing: {sorted(ids_before - ids_after)}")
        new_attempts = self.attempts_since(newest_before, r.org)
        if after == before and not ended:
            outcome = "unwritten" if not new_attempts else "cut off"
            # cut off while loading: listed as never finished; or cut off after a load that found
            # nothing new to store (it said so) but before the process ended
            if not all((a[3] is None and a[5]) or a[3] == "nothing new" for a in new_attempts):
                report.failures.append(f"{where}: nothing stored, but the attempt is not shown as never finished")
        else:
            outcome = "finished" if ended else "committed"
            reference = reference or self.reference(r, copy)
            if after != reference:
                diff = sorted(t for t in after if after[t] != reference.get(t))
                report.failures.append(f"{where}: the rows are neither all there nor none (tables {diff})")
            if not any(a[3] == "loaded" and a[4] in ids_after for a in new_attempts):
                report.failures.append(f"{where}: the committed load is not marked finished: {new_attempts}")
        report.outcomes[outcome] += 1
        report.by_way[key] += 1

    def attempts_since(self, newest: int, org: str) -> list[tuple]:
        """(attempt_id, kind, file_name, outcome, upload_id, listed as never finished) of the attempts after newest."""
        store = Store(self.db)
        try:
            scope = open_scope(store, OPERATOR, orgs.organisation_id(store, OPERATOR, org))
            cut = set(attempts.never_finished(scope)["attempt_id"])
            rows = (
                store.cursor()
                .execute(
                    "SELECT attempt_id, kind, file_name, outcome, upload_id FROM load_attempts WHERE attempt_id > ?",
                    [newest],
                )
                .fetchall()
            )
            return [(*row, row[0] in cut) for row in rows]
        finally:
            store.close()

    def measured(self, r: Round, seconds: float) -> None:
        """The whole runs seen of this kind of file, averaged (the last counting for a half)."""
        key = f"{r.kind} {r.source}"
        self.estimate[key] = (self.estimate.get(key, seconds) + seconds) / 2

    def reference(self, r: Round, copy: Path) -> dict:
        """The tables after the same load run to its end on the copy taken before the round."""
        ref = self.folder / "reference.duckdb"
        copy_database(copy, ref)
        argv, env = self.command(r, ref)
        began = time.monotonic()
        subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=True, timeout=600)
        self.measured(r, time.monotonic() - began)
        store = Store(ref)
        try:
            return table_checksums(store.cursor(), skip_tables=NOT_THE_LOADS, skip_types=TIMES)
        finally:
            store.close()


def copy_database(source: Path, target: Path) -> None:
    """A closed database file and its write-ahead log, copied (the drill's processes are all done)."""
    for suffix in ("", ".wal"):
        src, dst = Path(f"{source}{suffix}"), Path(f"{target}{suffix}")
        dst.unlink(missing_ok=True)
        if src.exists():
            shutil.copyfile(src, dst)


def run_drill(
    folder: Path,
    kills: int,
    seed: int = 17,
    size: int = 200_000,
    real: bool = True,
    first: int = 0,
    step: int = 1,
    real_files: tuple = REAL_FILES,
    rounds: int = 0,
) -> Report:
    """Rounds first, first + step, ... (every fourth is a real file) in folder (a fresh one) until
    kills loads were killed (a round whose load ends before its kill is checked too, but is not a
    kill; at most rounds, by default 3 x kills); the report says what each kill hit and every failed
    check."""
    began = time.monotonic()
    drill = Drill(folder, seed, size, real, real_files)
    report = Report()
    n = first
    while report.kills < kills and sum(report.outcomes.values()) < (rounds or 3 * kills):
        drill.run_round(n, report)
        n += step
    report.seconds = time.monotonic() - began
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--rows", type=int, default=200_000, help="rows in each synthetic usage or tickets file")
    parser.add_argument("--no-real", action="store_true", help="synthetic files only")
    parser.add_argument("--folder", type=Path, help="where the drill's database goes (default: a new temp folder)")
    args = parser.parse_args()
    import tempfile

    folder = args.folder or Path(tempfile.mkdtemp(prefix="uptake-drill-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not args.no_real and not REALDATA.is_dir():
        print(f"the real files are not here ({REALDATA}): synthetic files only")
    report = run_drill(folder, args.kills, args.seed, args.rows, real=not args.no_real)
    print("\n".join(report.lines()))
    if not args.folder:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
