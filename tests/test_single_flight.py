"""Concurrent sessions do not compute the same uncached figure at once (issue 12): st.cache_data
(Streamlit 1.67, streamlit/runtime/caching/cache_utils.py) holds a lock per value key while it
computes, and looks the key up again once it has the lock, so the others wait for the one
computation and read its result. ui/cached.py relies on that; this test pins it."""

from __future__ import annotations

import threading
import time
from datetime import date

from analysis import orgs
from ui import cached


def test_two_sessions_asking_for_one_uncached_figure_compute_it_once(acme, monkeypatch):
    rollout = orgs.rollout(acme, "MFA")
    computed: list[str] = []

    def slow(scope, rollout, as_of, window, option):
        computed.append(threading.current_thread().name)
        time.sleep(0.5)  # long enough for the second session to ask while the first computes
        return {"as_of": as_of}

    monkeypatch.setitem(cached.FIGURES, "single_flight_probe", slow)
    cached.figure.clear()
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def session(name: str) -> None:
        start.wait()
        results[name] = cached.figure(
            acme, acme.org_id, (1, 1), rollout, rollout.rollout_id, "single_flight_probe", date(2025, 2, 10), 28
        )

    threads = [threading.Thread(target=session, args=(n,), name=n) for n in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(computed) == 1  # one computation; the other session waited for it
    assert results == {"one": {"as_of": date(2025, 2, 10)}, "two": {"as_of": date(2025, 2, 10)}}
    # a different key (another as-of day) is computed on its own
    cached.figure(acme, acme.org_id, (1, 1), rollout, rollout.rollout_id, "single_flight_probe", date(2025, 2, 11), 28)
    assert len(computed) == 2
