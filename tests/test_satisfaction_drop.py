"""SATISFACTION_DROP (issue 16 part 4) on hand-checked tickets, through the rule machinery.

The champions go live 2025-03-03, so the baseline window is 02-03 .. 03-02. Baseline tickets are
created 02-03 (the first) and 02-10 and resolved 10 h later, rated 5 (good) or 1 (bad); recent ones
are created 03-20 09:00 and resolved 19:00. As of 03-25 the window (28 days) is 02-26 .. 03-25:
it holds the recent tickets only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from analysis import alerts
from analysis.ingest import load_file
from tests.test_alerts import SPIKE_LIVE, build, day, db, status, team, verdicts  # noqa: F401 (db: the fixture)


def _rated(baseline_good: int, baseline_bad: int, good: int, bad: int, unrated: int = 0) -> bytes:
    lines = ["ticket_id,created_at,status,resolved_at,satisfaction"]

    def add(prefix, n, created, rating):
        for i in range(n):
            lines.append(
                f"{prefix}{i},{created:%Y-%m-%d %H:%M},solved,{created + timedelta(hours=10):%Y-%m-%d %H:%M},{rating}"
            )

    first = datetime(2025, 2, 3, 9)
    add("BG", baseline_good, first, 5)
    add("BB", baseline_bad, datetime(2025, 2, 10, 9), 1)
    recent = datetime(2025, 3, 20, 9)
    add("NG", good, recent, 5)
    add("NB", bad, recent, 1)
    add("NU", unrated, recent, "")
    add("BU", 1 if unrated else 0, first, "")  # an unrated one on the baseline's first day
    return ("\n".join(lines) + "\n").encode()


def _world(store, *counts, **kw):
    scope, rollout = build(store, {"champion": SPIKE_LIVE}, team(30))
    if any(counts) or kw.get("unrated"):
        load_file(scope, "tickets", "tickets.csv", _rated(*counts, **kw), rollout="R")
    return scope, rollout


@pytest.mark.parametrize(
    "case,counts,expected",
    [
        # baseline 16 good of 20 = 80 %; the window 6 of 10 = 60 %: down 20 pts > 10
        ("down 20 pts", (16, 4, 6, 4), ("holds", "medium")),
        # 7 of 10 = 70 %: exactly 10 pts down is not more than 10
        ("down exactly 10 pts", (16, 4, 7, 3), ("clear", None)),
        # 5 of 8 = 62.5 %: down 17.5 pts
        ("down 17.5 pts", (16, 4, 5, 3), ("holds", "medium")),
        ("up", (16, 4, 9, 1), ("clear", None)),
        # 1 good of 4 rated (25 %), 6 unrated: too few rated in the window
        ("4 rated in the window", (16, 4, 1, 3), ("not_enough_data", None)),
        # the baseline's 3 good of 4 rated: too few to compare with
        ("4 rated in the baseline", (3, 1, 0, 10), ("not_enough_data", None)),
        ("no tickets", (0, 0, 0, 0), ("not_enough_data", None)),
        # tickets, none rated (an export without ratings): the rule does not apply, nothing is listed
        ("no rating at all", (0, 0, 0, 0), ("clear", None)),
    ],
)
def test_satisfaction_drop(db, case, counts, expected):  # noqa: F811 (db: the fixture)
    unrated = {"4 rated in the window": 6, "no rating at all": 10}.get(case, 0)
    scope, rollout = _world(db, *counts, unrated=unrated)
    found = verdicts(scope, rollout, "SATISFACTION_DROP", day("2025-03-25"))
    assert status(found) == expected, case
    if case == "down 20 pts":
        f = found[0]
        assert f.evidence["satisfaction"] == 0.6 and f.evidence["baseline_satisfaction"] == 0.8
        assert (f.evidence["rated_tickets"], f.evidence["good_tickets"], f.evidence["baseline_rated_tickets"]) == (
            10,
            6,
            20,
        )
        assert f.evidence["drop_pts"] == pytest.approx(20.0)
        assert f.since == day("2025-03-20")  # the day the badly rated tickets were resolved
        assert f.message == (
            "Satisfaction 60% (6 good of 10 rated tickets resolved in the 28 days to 2025-03-25), down 20.0 pts "
            "from the baseline's 80%."
        )
        assert alerts.RULES["SATISFACTION_DROP"].action in {
            a.action for a in alerts.evaluate_alerts(scope, rollout, day("2025-03-25"))
        }
    if case == "4 rated in the window":
        assert found[0].message == "4 rated tickets were resolved in the 28 days to 2025-03-25: fewer than 5."


def test_its_thresholds_are_rollout_settings(db):  # noqa: F811 (db: the fixture)
    scope, rollout = _world(db, 16, 4, 6, 4)
    alerts.set_threshold(scope, rollout, "SATISFACTION_DROP", "share_drop", 0.25)  # 20 pts is not more
    assert status(verdicts(scope, rollout, "SATISFACTION_DROP", day("2025-03-25"))) == ("clear", None)
    alerts.set_threshold(scope, rollout, "SATISFACTION_DROP", "min_rated", 11)
    assert status(verdicts(scope, rollout, "SATISFACTION_DROP", day("2025-03-25"))) == ("not_enough_data", None)
    with pytest.raises(ValueError, match="share between 0 and 1"):
        alerts.set_threshold(scope, rollout, "SATISFACTION_DROP", "share_drop", 10)
