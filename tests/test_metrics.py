"""Cohort figures on the tiny hand-checked data set (tests/data/tiny), values worked out by hand.

Roster: champion a b c d (go-live 2025-01-06); wider e f, and g unlicensed (go-live 2025-02-03).
Usage (mfa counts, sms is legacy): a 01-03; b 01-07; c 01-20; e 02-03, 02-10; f 01-25 (mfa),
02-05 (sms); g 02-04. As of 2025-02-10 with a 28-day window the window is 01-14 .. 02-10.
"""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import metrics, orgs
from tests.conftest import TINY


@pytest.fixture
def tiny(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


def test_cohort_figures_match_hand_count(tiny):
    scope, rollout = tiny
    k = metrics.cohort_kpis(scope, rollout, date(2025, 2, 10), 28)
    assert list(k) == ["champion", "wider", "all"]
    # champion: only c used it in the window; b and c used it on or after go-live (a only before).
    assert k["champion"] == {
        "go_live": "2025-01-06",
        "licensed_users": 4,
        "active_users": 1,
        "adoption_rate": 0.25,
        "activated_users": 2,
        "activation_rate": 0.5,
        "median_days_to_first_use": 7.5,
    }
    # wider: e and f active (f's 01-25 use counts though before go-live); only e activated; g unlicensed.
    assert k["wider"] == {
        "go_live": "2025-02-03",
        "licensed_users": 2,
        "active_users": 2,
        "adoption_rate": 1.0,
        "activated_users": 1,
        "activation_rate": 0.5,
        "median_days_to_first_use": 0.0,
    }
    assert k["all"] == {
        "go_live": None,
        "licensed_users": 6,
        "active_users": 3,
        "adoption_rate": 0.5,
        "activated_users": 3,
        "activation_rate": 0.5,
        "median_days_to_first_use": 1.0,
    }


def test_seven_day_window_and_events_after_as_of_ignored(tiny):
    scope, rollout = tiny
    k = metrics.cohort_kpis(scope, rollout, date(2025, 2, 4), 7)  # window 01-29 .. 02-04
    assert (k["wider"]["active_users"], k["wider"]["activated_users"]) == (1, 1)  # e on 02-03
    assert (k["champion"]["active_users"], k["champion"]["activated_users"]) == (0, 2)


def test_empty_cohort_has_null_rates(acme, load):
    load(acme, "roster", "user_id,cohort\na@acme.test,champion\n")
    k = metrics.cohort_kpis(acme, orgs.rollout(acme, "MFA"), date(2025, 2, 10), 28)
    assert k["wider"]["licensed_users"] == 0
    assert k["wider"]["adoption_rate"] is None and k["wider"]["activation_rate"] is None


def test_adoption_by_age_is_a_seven_day_rolling_share_from_go_live(tiny):
    scope, rollout = tiny
    frame = metrics.adoption_by_age(scope, rollout, date(2025, 2, 10))
    champion = frame[frame["cohort"] == "champion"].set_index("age_days")["adoption"]
    # age 0 = 01-06: window 12-31..01-06 holds a (01-03) -> 1/4; age 1 adds b -> 2/4;
    # age 4 (01-10): window 01-04..01-10 holds b only -> 1/4; age 8: 01-08..01-14 nobody -> 0;
    # age 14 (01-20): c -> 1/4.
    assert [champion[k] for k in (0, 1, 3, 4, 7, 8, 14, 20, 21)] == [0.25, 0.5, 0.5, 0.25, 0.25, 0.0, 0.25, 0.25, 0.0]
    wider = frame[frame["cohort"] == "wider"].set_index("age_days")["adoption"]
    assert len(wider) == 8  # ages 0..7 (02-03 .. 02-10)
    # age 0 (02-03): e (02-03) and f (01-28..02-03 holds nothing for f: 01-25 is outside) -> 1/2
    assert [wider[k] for k in (0, 6, 7)] == [0.5, 0.5, 0.5]


def test_default_as_of_is_newest_counting_or_legacy_day(tiny):
    scope, rollout = tiny
    assert metrics.default_as_of(scope, rollout) == date(2025, 2, 10)


people = st.lists(st.tuples(st.sampled_from(["champion", "wider"]), st.booleans()), min_size=1, max_size=8)
uses = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 60), st.sampled_from(["mfa", "sms"]), st.integers(0, 3)), max_size=40
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=people, uses=uses, as_of=st.integers(0, 70), window=st.sampled_from([7, 28]))
def test_rates_stay_within_bounds(store, people, uses, as_of, window):
    from analysis.access import OPERATOR
    from analysis.ingest import load_file
    from analysis.scope import open_scope

    name = f"Org {store.cursor().execute('SELECT count(*) FROM organisations').fetchall()[0][0]}"
    scope = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, name), "upload")
    orgs.add_rollout(scope, "R", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    roster = "user_id,cohort,licensed\n" + "".join(
        f"u{i}@x.test,{c},{'yes' if lic else 'no'}\n" for i, (c, lic) in enumerate(people)
    )
    load_file(scope, "roster", "r.csv", roster.encode(), rollout="R")
    if uses:
        usage = "user_id,date,activity,count\n" + "".join(
            f"u{u}@x.test,{date.fromordinal(date(2025, 1, 1).toordinal() + d)},{a},{n}\n" for u, d, a, n in uses
        )
        try:
            load_file(scope, "usage", "u.csv", usage.encode(), rollout="R")
        except ValueError:
            pass  # refused (more than half of the rows name unknown formats): nothing to check
    as_of_day = date.fromordinal(date(2025, 1, 1).toordinal() + as_of)
    for figures in metrics.cohort_kpis(scope, orgs.rollout(scope, "R"), as_of_day, window).values():
        assert 0 <= figures["active_users"] <= figures["licensed_users"]
        assert 0 <= figures["activated_users"] <= figures["licensed_users"]
        for rate in (figures["adoption_rate"], figures["activation_rate"]):
            assert rate is None or 0 <= rate <= 1
