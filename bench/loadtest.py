"""Load test (issue #12, target 4): many signed-in sessions at once moving through the pages of the
bench organisation "Bench", against the real server on loopback, bounded in time.

Most sessions speak Streamlit's websocket protocol (bench/loadtest_protocol.py: a rerun BackMsg per
page change, timed to script_finished); a few are real headless Chromium sessions
(bench/loadtest_browser.py: a click in the sidebar, timed to the page shown). Browsers on the same
two cores compete with the server, so they are few. The harness makes its own account manager for
the organisation (random password) in a copy of the database before the server starts; each
protocol session is one sign-in whose cookie the server's claim route sets, each browser signs in
through the form. Measured: page-change times, errors, the server's peak resident memory (VmHWM)
and its CPU seconds (utime + stime) over the run per page change, all from /proc.

    .venv/bin/python bench/loadtest.py [--sessions 20] [--browsers 3] [--seconds 60] [--db FILE]

Without --db it builds the bench organisation at --size (bench/build_org.py; small: 100 k events).
Exit status 1 when a page change failed (and 2, with --strict, when another bar is missed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/loadtest.py` from the repo

from analysis import auth, orgs  # noqa: E402
from analysis.access import OPERATOR  # noqa: E402
from analysis.secretbox import key_file  # noqa: E402
from analysis.store import Store  # noqa: E402
from bench import loadtest_profile  # noqa: E402
from bench.build_org import build  # noqa: E402
from bench.generate import SIZES  # noqa: E402
from bench.loadtest_protocol import Change, ProtocolSession  # noqa: E402
from bench.loadtest_server import Server, claimed_cookie, cpu_seconds, memory_bytes, start_server  # noqa: E402

ORGANISATION = "Bench"  # bench/build_org.py's organisation
PAGES = ["Overview", "Adoption", "Support", "Red flags", "Portfolio"]  # an account manager's (app.py)
GIB = 1024**3
BARS = {"p95": 2.0, "memory": 1.5 * GIB, "cpu": 0.05}  # issue #12, target 4


@dataclass
class Prepared:
    """A database copy with the harness's account in it, and one claim code per protocol session."""

    db: Path
    email: str
    password: str
    codes: list[str]


@dataclass
class Outcome:
    changes: list[Change]
    seconds: float  # the run's wall time
    cpu: float  # the server's CPU seconds over the run
    peak_rss: int  # the server's peak resident memory since it started: VmHWM at the end (bytes)
    sampled_rss: int  # the highest VmRSS seen while sampling (bytes)
    protocol: int
    browsers: int
    load: tuple[float, float] = (0.0, 0.0)  # the machine's 1-minute load average as the sessions started and ended
    rss_before: int = 0  # the server's VmRSS as the sessions started (bytes)
    harness_cpu: float = 0.0  # this process's CPU seconds over the run (the protocol sessions; not Chromium's)
    notes: list[str] = field(default_factory=list)


# -- the database and the accounts ----------------------------------------------------------------


def copied_database(source: Path, folder: Path) -> Path:
    """A copy of the database (and its WAL and key file) to load: the harness's accounts and
    sessions never reach the original."""
    target = folder / source.name
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))
    key, new_key = key_file(str(source)), key_file(str(target))
    if key is not None and new_key is not None and key.exists():
        new_key.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(key, new_key)
    return target


def bench_database(source: str | None, size: str, folder: Path) -> Path:
    """A copy of source in folder, or (no source) the bench organisation built there at size."""
    if source:
        return copied_database(Path(source), folder)
    print(f"building the {size} bench organisation (bench/build_org.py)...", file=sys.stderr)
    db = folder / f"bench-{size}.duckdb"
    build(db, size)
    return db


def prepared(db: Path, protocol: int) -> Prepared:
    """An account manager for the bench organisation with a random password, and a sign-in with a
    claim code (valid 60 s: redeem them as soon as the server is up) for each protocol session."""
    store = Store(db)
    try:
        org_id = orgs.organisation_id(store, OPERATOR, ORGANISATION)
        if auth.totp_required_for_providers(store):
            raise RuntimeError("the database requires two-step sign-in for providers: the harness cannot sign in")
        email = f"loadtest-{secrets.token_hex(4)}@provider.test"
        password = secrets.token_urlsafe(24)
        who = auth.add_account(store, OPERATOR, email, "account_manager", [org_id], password=password)
        codes = [auth.claim_code(store, auth.start_session(store, who.account_id)) for _ in range(protocol)]
    finally:
        store.close()
    return Prepared(db, email, password, codes)


# -- the run --------------------------------------------------------------------------------------


async def peak_rss(pid: int, stop: asyncio.Event) -> int:
    """The highest VmRSS of the process, sampled every 0.2 s until stop is set."""
    peak = 0
    while not stop.is_set():
        peak = max(peak, memory_bytes(pid).get("VmRSS", 0))
        try:
            await asyncio.wait_for(stop.wait(), 0.2)
        except TimeoutError:
            pass
    return peak


async def sessions_run(server: Server, ready: Prepared, args: argparse.Namespace) -> Outcome:
    """Every session at once (each starts 0.1 s after the one before), until args.seconds."""
    cookies = [claimed_cookie(server.url, code) for code in ready.codes]
    think = (args.think / 2, args.think * 1.5)
    protocol = [
        ProtocolSession(f"p{n + 1}", server.url, cookie, PAGES, think, args.page_timeout, seed=n, limit=args.changes)
        for n, cookie in enumerate(cookies)
    ]
    load = os.getloadavg()[0]  # the machine is shared: what else ran says how far figures compare
    stop = asyncio.Event()
    sampler = asyncio.create_task(peak_rss(server.pid, stop))
    recorder = loadtest_profile.start(server.pid, Path(args.profile)) if args.profile else None
    cpu_before, start, own_before = cpu_seconds(server.pid), time.monotonic(), time.process_time()
    rss_before = memory_bytes(server.pid).get("VmRSS", 0)
    deadline = start + args.seconds

    async def later(delay: float, work):
        await asyncio.sleep(delay)
        return await work

    tasks = [later(0.1 * n, s.run(deadline)) for n, s in enumerate(protocol)]
    if args.browsers:
        from playwright.async_api import async_playwright

        from bench.loadtest_browser import ARGS, BrowserSession, chromium

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=chromium(), args=ARGS)
            people = [
                BrowserSession(
                    f"b{n + 1}",
                    server.url,
                    ready.email,
                    ready.password,
                    PAGES,
                    think,
                    args.page_timeout,
                    n,
                    args.changes,
                )
                for n in range(args.browsers)
            ]
            offset = len(protocol)
            tasks += [later(0.1 * (offset + n), b.run(browser, deadline)) for n, b in enumerate(people)]
            results = await asyncio.gather(*tasks)
            await browser.close()
    else:
        results = await asyncio.gather(*tasks)
    seconds = time.monotonic() - start
    cpu = cpu_seconds(server.pid) - cpu_before
    load_after = os.getloadavg()[0]
    own = time.process_time() - own_before
    if recorder is not None:
        loadtest_profile.stop(recorder)
    stop.set()
    sampled = await sampler
    changes = [change for found in results for change in found]
    # the kernel updates VmHWM lazily (per-thread counters): it can trail a sample taken just before
    hwm = max(memory_bytes(server.pid).get("VmHWM", 0), sampled)
    return Outcome(
        changes, seconds, cpu, hwm, sampled, len(protocol), args.browsers, (load, load_after), rss_before, own
    )


def run(args: argparse.Namespace) -> Outcome:
    """Prepare a database, start the server, run the sessions, stop the server."""
    with tempfile.TemporaryDirectory(prefix="uptake-load-") as tmp:
        folder = Path(tmp)
        db = bench_database(args.db, args.size, folder)
        ready = prepared(db, args.sessions - args.browsers)
        server = start_server(db, folder, tuple(f"--{option}" for option in args.option))
        try:
            outcome = asyncio.run(sessions_run(server, ready, args))
        finally:
            server.stop()
        if any(c.error for c in outcome.changes):
            outcome.notes.append("server log, last lines:\n" + server.log.read_text()[-1500:])
        return outcome


# -- the report -----------------------------------------------------------------------------------


def quantile(values: list[float], share: float) -> float:
    """The share-quantile by the nearest-rank rule (p95 of 20 values: the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered) - 1e-9) - 1)] if ordered else float("nan")


def bars(outcome: Outcome) -> list[tuple[str, str, str, bool]]:
    """(what, measured, bar, met) for each bar of target 4."""
    good = [c.seconds for c in outcome.changes if not c.error]
    errors = sum(1 for c in outcome.changes if c.error)
    p95 = quantile(good, 0.95)
    per_change = outcome.cpu / len(good) if good else float("inf")
    return [
        ("errors", f"{errors:d} of {len(outcome.changes):d} page changes", "0", errors == 0),
        ("p95 page time", f"{p95:.2f} s", f"<= {BARS['p95']:.0f} s", bool(good) and p95 <= BARS["p95"]),
        (
            "server memory (peak RSS)",
            f"{outcome.peak_rss / GIB:.2f} GiB",
            f"<= {BARS['memory'] / GIB:.1f} GiB",
            outcome.peak_rss <= BARS["memory"],
        ),
        ("server CPU per page change", f"{per_change:.3f} s", f"<= {BARS['cpu']:.2f} s", per_change <= BARS["cpu"]),
    ]


def times_row(name: str, rows: list[tuple[Change, bool]]) -> str:
    """A table row of page-change times: n, median, p95, max, and the medians of the cold and the warm ones."""
    times = [c.seconds for c, _ in rows]
    if not times:
        return f"| {name} | 0 | | | | | |"
    cold, warm = ([c.seconds for c, w in rows if w is want] for want in (False, True))
    medians = [f"{statistics.median(part):.2f}" if part else "" for part in (cold, warm)]
    return (
        f"| {name} | {len(times):d} | {statistics.median(times):.2f} | {quantile(times, 0.95):.2f} | "
        f"{max(times):.2f} | {medians[0]} | {medians[1]} |"
    )


def report(outcome: Outcome, args: argparse.Namespace) -> str:
    good = [c for c in outcome.changes if not c.error]
    cached = list(zip(good, warm(good)))
    lines = [
        f"{outcome.protocol + outcome.browsers:d} sessions for {args.seconds:g} s: {outcome.protocol:d} at "
        "Streamlit's websocket protocol (a rerun BackMsg per page change, timed to script_finished) and "
        f"{outcome.browsers:d} in headless Chromium (a click in the sidebar, timed to the heading shown and "
        f"the script finished); think time {args.think / 2:g}-{args.think * 1.5:g} s; pages {', '.join(PAGES)}.",
        f"run {outcome.seconds:.1f} s, {len(good):d} page changes, server CPU {outcome.cpu:.1f} s "
        f"({outcome.cpu / outcome.seconds:.2f} cores), server peak RSS {outcome.peak_rss / 2**20:,.0f} MiB "
        f"(at the start {outcome.rss_before / 2**20:,.0f} MiB); load average "
        f"{outcome.load[0]:.1f} at the start, {outcome.load[1]:.1f} at the end, on {os.cpu_count()} CPUs; "
        f"the harness's own CPU {outcome.harness_cpu:.1f} s",
        "",
        "| bar | measured | target | met |",
        "| --- | --- | --- | --- |",
        *(f"| {what} | {measured} | {bar} | {'yes' if met else 'NO'} |" for what, measured, bar, met in bars(outcome)),
        "",
        "| page changes (s) | n | median | p95 | max | cold median | warm median |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        times_row("all", cached),
        times_row("protocol sessions", [(c, w) for c, w in cached if c.session.startswith("p")]),
        times_row("browser sessions", [(c, w) for c, w in cached if c.session.startswith("b")]),
        *(times_row(page, [(c, w) for c, w in cached if c.page == page]) for page in PAGES),
        "",
        "cold: started before any session had shown that page (its figures were being computed); warm: after.",
    ]
    if args.option:
        lines.append("\nserver options: " + " ".join(args.option))
    sent = [c.bytes for c in good if c.bytes]
    if sent:
        lines.append(f"\nForwardMsg bytes per protocol page change: median {statistics.median(sent) / 1e3:,.0f} kB")
    errors = [c for c in outcome.changes if c.error]
    for change in errors[:10]:
        lines.append(f"error: {change.session} {change.page} after {change.seconds:.1f} s: {change.error}")
    if len(errors) > 10:
        lines.append(f"... and {len(errors) - 10:d} more errors")
    return "\n".join(lines + outcome.notes)


def warm(changes: list[Change]) -> list[bool]:
    """For each change: whether it started after some session had finished that page (its figures
    were cached by then), rather than while the first computation of the page was under way."""
    first_done: dict[str, float] = {}
    for c in changes:
        first_done[c.page] = min(first_done.get(c.page, float("inf")), c.started + c.seconds)
    return [c.started >= first_done[c.page] for c in changes]


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="sessions in all (default 20)")
    parser.add_argument("--browsers", type=int, default=3, help="of them, headless Chromium ones (default 3)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the sessions run (default 60)")
    parser.add_argument("--db", help="a database with the organisation 'Bench' (copied; default: build a small one)")
    parser.add_argument("--size", choices=SIZES, default="small", help="the size built without --db (default small)")
    parser.add_argument("--changes", type=int, help="stop each session after this many page changes")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between page changes (s)")
    parser.add_argument("--page-timeout", type=float, default=60, help="a page change longer than this is an error")
    parser.add_argument("--profile", metavar="FILE", help="sample the server with py-spy into FILE and summarise")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Streamlit option for the server, e.g. runner.postScriptGC=false (repeatable)",
    )
    parser.add_argument("--json", metavar="FILE", help="write the bars and every page change to FILE")
    parser.add_argument("--strict", action="store_true", help="exit 2 when a bar other than errors is missed")
    args = parser.parse_args(argv)
    if not 0 <= args.browsers <= args.sessions:
        parser.error("--browsers must be between 0 and --sessions")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    outcome = run(args)
    print(report(outcome, args))
    if args.json:
        measured = {what: {"measured": value, "bar": bar, "met": met} for what, value, bar, met in bars(outcome)}
        Path(args.json).write_text(json.dumps({"bars": measured, **asdict(outcome)}, indent=1))
    if args.profile:
        print("\n" + "\n".join(loadtest_profile.summary(Path(args.profile))))
    met = bars(outcome)
    if not met[0][3]:
        return 1
    return 2 if args.strict and not all(m for *_, m in met) else 0


if __name__ == "__main__":
    sys.exit(main())
