"""The load test's harness itself (bench/loadtest.py), small: two protocol sessions for a few
seconds against the real server on a small database, and a session whose cookie does not hold,
which the harness must count as an error (the server shows the sign-in page instead)."""

import asyncio
import time

import pytest

from bench.build_org import build
from bench.loadtest import PAGES, arguments, bars, prepared, quantile, report, sessions_run, warm
from bench.loadtest_protocol import Change, ProtocolSession
from bench.loadtest_server import start_server

pytestmark = pytest.mark.browser  # starts the real server: with the other end-to-end tests


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    folder = tmp_path_factory.mktemp("load")
    build(folder / "bench-small.duckdb", "small")
    ready = prepared(folder / "bench-small.duckdb", protocol=2)
    server = start_server(ready.db, folder)
    yield server, ready
    server.stop()


def test_a_change_is_warm_when_it_started_after_the_page_was_first_shown():
    changes = [
        Change("p1", "Overview", started=0.0, seconds=5.0),  # done at 5: the first Overview shown
        Change("p2", "Overview", started=1.0, seconds=5.0),  # under way meanwhile: cold
        Change("p2", "Overview", started=5.0, seconds=0.5),  # after: warm
        Change("p1", "Adoption", started=6.0, seconds=1.0),  # the first Adoption: cold
    ]
    assert warm(changes) == [False, False, True, False]


def test_nearest_rank_quantiles():
    twenty = [float(n) for n in range(20, 0, -1)]
    assert quantile(twenty, 0.95) == 19.0  # ceil(0.95 * 20) = 19th smallest
    assert quantile(twenty, 0.5) == 10.0
    assert quantile([3.0], 0.95) == 3.0


def test_two_protocol_sessions_move_through_every_page(running):
    server, ready = running
    args = arguments(["--sessions", "2", "--browsers", "0", "--seconds", "30", "--changes", "6", "--think", "0.2"])
    outcome = asyncio.run(sessions_run(server, ready, args))
    assert [c.error for c in outcome.changes if c.error] == []
    assert {c.session for c in outcome.changes} == {"p1", "p2"}
    for session in ("p1", "p2"):  # the cycle of pages and back to the first, unless 30 s were not enough
        pages = [c.page for c in outcome.changes if c.session == session]
        assert pages == [*PAGES, PAGES[0]][: len(pages)] and (len(pages) == 6 or outcome.seconds > 30)
    assert all(0 < c.seconds < 60 and c.bytes > 0 for c in outcome.changes)
    assert outcome.cpu > 0 and outcome.peak_rss >= outcome.sampled_rss > 50 * 2**20  # a server holds more
    assert bars(outcome)[0] == ("errors", f"0 of {len(outcome.changes)} page changes", "0", True)
    assert "| Red flags | " in report(outcome, args)


def test_a_session_whose_cookie_does_not_hold_is_an_error(running):
    server, _ = running
    forged = ProtocolSession("p9", server.url, "uptake_session=not.signed", PAGES, timeout=30)
    changes = asyncio.run(forged.run(time.monotonic() + 5))
    assert len(changes) == 1
    assert changes[0].page == "Overview"
    assert changes[0].error == "asked for Overview, got the page headed ['Sign in to Uptake']"
