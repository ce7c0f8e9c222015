"""The adoption figures of docs/metrics.md#adoption-metrics beyond the KPI cards, on data small enough to
check by hand (expected values written out, the hand count in comments), plus property tests and
a check of `kpis --json` against a plain pandas computation of the same generated data.

The tiny set (tests/data/tiny): champion a b c d (go-live Mon 2025-01-06); wider e f, and g
unlicensed (go-live Mon 2025-02-03). Departments: IT a b; Sales c d e; Finance f g.
Usage (mfa counts, sms is legacy): a 01-03; b 01-07; c 01-20; e 02-03, 02-10; f 01-25 (mfa),
02-05 (sms); g 02-04. As of 2025-02-10 with w = 28 the window is 01-14 .. 02-10 (d - w = 01-13).
"""

from __future__ import annotations

import json
import random
import statistics
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import metrics, orgs, support
from analysis.access import OPERATOR
from analysis.ingest import load_file
from analysis.scope import open_scope
from tests.cli_run import run_in_process
from tests.conftest import TINY

D = date(2025, 2, 10)


@pytest.fixture
def tiny(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


def _figures(k, *keys):
    return {cohort: tuple(f[key] for key in keys) for cohort, f in k.items()}


# -- the COHORT block ---------------------------------------------------------------------------


def test_cohort_figures_of_the_tiny_set(tiny):
    scope, rollout = tiny
    k = metrics.cohort_figures(scope, rollout, D, 28)
    assert list(k) == ["champion", "wider", "all"]
    assert set(metrics.COHORT_KEYS) <= set(k["all"])
    # lapsed: a use in [g, 01-13] and none in the window. champion: b (01-07) only; a's 01-03 use
    # came before go-live. wider: g = 02-03 is after 01-13, so nobody can have lapsed.
    # legacy in [01-28, 02-10]: f's sms on 02-05. never used: d (f used mfa on 01-25, so not f).
    # habitual: every cohort is under 84 days old (35 and 7 days) -> None, and so is 'all'.
    assert _figures(k, "lapsed_users", "legacy_users", "never_used", "habitual_users") == {
        "champion": (1, 0, 1, None),
        "wider": (0, 1, 0, None),
        "all": (1, 1, 1, None),
    }
    # stickiness = person-days active in the window / 28 / active people:
    # champion {c}: 1 day (01-20) -> 1/28; wider {e, f}: e 02-03 and 02-10, f 01-25 -> 3/28/2;
    # all {c, e, f}: 4 days -> 4/28/3.
    assert k["champion"]["stickiness"] == pytest.approx(1 / 28)
    assert k["wider"]["stickiness"] == pytest.approx(3 / 56)
    assert k["all"]["stickiness"] == pytest.approx(4 / 84)


def test_cohort_kpis_keeps_the_card_keys(tiny):
    scope, rollout = tiny
    k = metrics.cohort_kpis(scope, rollout, D, 28)
    assert list(k["all"]) == list(metrics.CARD_KEYS)
    assert k["champion"]["adoption_rate"] == 0.25


@pytest.mark.parametrize(
    "as_of,window,lapsed",
    [
        # champion b's only use is on 01-07 (go-live 01-06); c's on 01-20.
        (date(2025, 1, 14), 7, 1),  # window 01-08..01-14: 01-07 = d - w, the day before it -> b lapsed
        (date(2025, 1, 13), 7, 0),  # window 01-07..01-13: 01-07 is its first day -> b active
        (date(2025, 2, 4), 28, 1),  # window 01-08..02-04: b lapsed (01-07 = d - w), c active
        (date(2025, 2, 3), 28, 0),  # window 01-07..02-03: b and c active
    ],
)
def test_lapsed_at_the_window_edge(tiny, as_of, window, lapsed):
    scope, rollout = tiny
    assert metrics.cohort_figures(scope, rollout, as_of, window)["champion"]["lapsed_users"] == lapsed


@pytest.mark.parametrize(
    "as_of,legacy",
    [
        (date(2025, 2, 18), 1),  # d - 13 = 02-05: f's sms use on 02-05 is the first day of the 14
        (date(2025, 2, 19), 0),  # d - 13 = 02-06: out
        (date(2025, 2, 4), 0),  # before the sms use (events after d are ignored)
    ],
)
def test_legacy_users_look_back_fourteen_days(tiny, as_of, legacy):
    scope, rollout = tiny
    assert metrics.cohort_figures(scope, rollout, as_of, 28)["wider"]["legacy_users"] == legacy


def test_never_used_ignores_events_after_as_of(tiny):
    scope, rollout = tiny
    # as of 01-06: only a (01-03) has used it -> champion never used b, c, d = 3; wider e, f = 2
    k = metrics.cohort_figures(scope, rollout, date(2025, 1, 6), 28)
    assert _figures(k, "never_used") == {"champion": (3,), "wider": (2,), "all": (5,)}


# -- habitual users -----------------------------------------------------------------------------

MONDAYS = [date(2025, 1, 13) + timedelta(weeks=i) for i in range(9)]  # 01-13 .. 03-10


@pytest.fixture
def habit(acme, load):
    """Rollout Habit: champion live Mon 2025-01-06, wider Tue 01-07, wave 2 (nobody) 2025-01-01.

    Champions: p9 uses it on the 9 Mondays 01-13 .. 03-10 (and a second activity, push, on
    03-10: one day all the same); p8 on the first 8 of them (01-13 .. 03-03); pedge on those 8
    and on Mon 03-31; pafter on those 8 and on Tue 04-01; pold on 01-06 and the 8 (01-06 lies in
    the week before the 12 weeks), plus sms (legacy) on 03-19. Wider: w9 on the 9 Tuesdays
    01-14 .. 03-11, w8 on the first 8.
    """
    orgs.add_rollout(
        acme,
        "Habit",
        {"champion": date(2025, 1, 6), "wider": date(2025, 1, 7), "wave 2": date(2025, 1, 1)},
        legacy=["sms"],
    )
    load(
        acme,
        "roster",
        "user_id,display_name,department,cohort\n"
        "p9@acme.test,P Nine,IT,champion\np8@acme.test,P Eight,IT,champion\n"
        "pedge@acme.test,P Edge,IT,champion\npafter@acme.test,P After,Sales,champion\n"
        "pold@acme.test,P Old,Sales,champion\nw9@acme.test,W Nine,Sales,wider\n"
        "w8@acme.test,W Eight,Sales,wider\n",
        rollout="Habit",
    )
    rows = ["user_id,date,activity"]
    eight = MONDAYS[:8]
    plan = {
        "p9": MONDAYS,
        "p8": eight,
        "pedge": eight + [date(2025, 3, 31)],
        "pafter": eight + [date(2025, 4, 1)],
        "pold": [date(2025, 1, 6)] + eight,
        "w9": [m + timedelta(days=1) for m in MONDAYS],
        "w8": [m + timedelta(days=1) for m in eight],
    }
    for person, days in plan.items():
        rows += [f"{person}@acme.test,{day},mfa" for day in days]
    rows += ["p9@acme.test,2025-03-10,push", "pold@acme.test,2025-03-19,sms"]
    load(acme, "usage", "\n".join(rows) + "\n", rollout="Habit")
    return acme, orgs.rollout(acme, "Habit")


@pytest.mark.parametrize(
    "as_of,champion,wider,all_",
    [
        # 03-30: champion 83 days past go-live -> None; wider 82 -> None; so 'all' None.
        (date(2025, 3, 30), None, None, None),
        # 03-31 (Mon): champion exactly 84 days -> computed over the weeks of 01-13 .. 03-31: p9 (9
        # weeks), pedge (8 + the week of 03-31, counting up to d); not p8 (8), not pafter (its 04-01 is
        # after d), not pold (01-06 is outside the 12 weeks) -> 2. Wider 83 days -> None, 'all' None.
        (date(2025, 3, 31), 2, None, None),
        # 04-01: pafter's 04-01 now counts -> champion 3; wider 84 days: w9 (9) not w8 (8) -> 1;
        # every cohort >= 84 days (wave 2: 90, nobody in it -> 0) -> 'all' = 3 + 1 + 0 = 4.
        (date(2025, 4, 1), 3, 1, 4),
    ],
)
def test_habitual_users_from_84_days(habit, as_of, champion, wider, all_):
    scope, rollout = habit
    k = metrics.cohort_figures(scope, rollout, as_of, 28)
    assert [k[c]["habitual_users"] for c in ("champion", "wider", "all")] == [champion, wider, all_]
    assert k["wave 2"]["habitual_users"] == (None if as_of < date(2025, 3, 26) else 0)


def test_an_empty_cohort(habit):
    scope, rollout = habit
    k = metrics.cohort_figures(scope, rollout, date(2025, 4, 1), 28)
    assert list(k) == ["champion", "wave 2", "wider", "all"]  # champion, then by go-live
    assert k["wave 2"] == {
        "go_live": "2025-01-01",
        "licensed_users": 0,
        "active_users": 0,
        "adoption_rate": None,
        "activated_users": 0,
        "activation_rate": None,
        "median_days_to_first_use": None,
        "lapsed_users": 0,
        "legacy_users": 0,
        "never_used": 0,
        "habitual_users": 0,
        "stickiness": None,
    }


def test_habit_rollout_figures_and_funnel(habit):
    scope, rollout = habit
    k = metrics.cohort_figures(scope, rollout, date(2025, 4, 1), 28)
    # window 03-05 .. 04-01: champion active p9 (03-10), pedge (03-31), pafter (04-01); p8 and
    # pold last used it on 03-03 (>= go-live) -> lapsed 2. Legacy in 03-19..04-01: pold's sms.
    # Stickiness: one active day each (p9's two activities on 03-10 are one day) -> 3/28/3.
    c = k["champion"]
    assert (c["active_users"], c["lapsed_users"], c["legacy_users"], c["never_used"]) == (3, 2, 1, 0)
    assert c["stickiness"] == pytest.approx(1 / 28)
    # days to first use: p9 p8 pedge pafter 7 (01-13), pold 0 (01-06) -> median 7
    assert c["median_days_to_first_use"] == 7.0
    funnel = metrics.adoption_funnel(scope, rollout, date(2025, 4, 1), 28)
    champion = funnel[funnel["cohort"] == "champion"]
    assert list(champion["stage"]) == ["licensed", "activated", "active", "habitual"]
    assert list(champion["people"]) == [5, 5, 3, 3]
    assert list(champion["share_of_licensed"]) == [1.0, 1.0, 0.6, 0.6]
    everyone = funnel[funnel["cohort"] == "all"]
    # wider: w9 (last use 03-11) is active in 03-05..04-01, w8 (last 03-04) is not -> all active
    # 3 + 1 = 4; habitual and active: p9, pedge, pafter, w9 -> 4 (= habitual_users of 'all')
    assert list(everyone["people"]) == [7, 7, 4, 4]
    assert k["all"]["habitual_users"] == 4


@pytest.mark.parametrize("as_of,legacy", [(date(2025, 4, 1), 1), (date(2025, 4, 2), 0)])
def test_legacy_window_edge_on_habit_data(habit, as_of, legacy):
    scope, rollout = habit  # pold's sms on 03-19: d - 13 = 03-19 on 04-01, 03-20 on 04-02
    assert metrics.cohort_figures(scope, rollout, as_of, 28)["champion"]["legacy_users"] == legacy


# -- weekly, department and per-person tables ---------------------------------------------------


def test_weekly_active_users(tiny):
    scope, rollout = tiny
    frame = metrics.weekly_active_users(scope, rollout, D)
    weeks = sorted(frame["week_start"].dt.date.unique())
    # from the week of 01-06 - 28 days = Mon 2024-12-09 to the week of 02-10: 10 weeks
    assert (weeks[0], weeks[-1], len(weeks)) == (date(2024, 12, 9), date(2025, 2, 10), 10)
    series = {c: list(g["active_users"]) for c, g in frame.groupby("cohort", sort=False)}
    # champion: a 01-03 (week of 12-30), b 01-07 (01-06), c 01-20 (01-20)
    assert series["champion"] == [0, 0, 0, 1, 1, 0, 1, 0, 0, 0]
    # wider: f 01-25 (week of 01-20; use before go-live counts as for active_users), e 02-03
    # and 02-10; f's 02-05 is sms and g is unlicensed
    assert series["wider"] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 1]
    assert series["all"] == [0, 0, 0, 1, 1, 0, 2, 0, 1, 1]
    last = frame[(frame["cohort"] == "wider")].iloc[-1]
    assert (bool(last["complete"]), last["licensed_users"], last["active_share"]) == (False, 2, 0.5)


def test_weekly_active_users_counts_a_person_once_a_week(habit):
    scope, rollout = habit
    frame = metrics.weekly_active_users(scope, rollout, date(2025, 3, 16), start=date(2025, 3, 10))
    champion = frame[frame["cohort"] == "champion"]
    # week of 03-10: p9 on 03-10 with two activities -> 1 person
    assert list(champion["active_users"]) == [1]


def test_department_kpis(tiny):
    scope, rollout = tiny
    frame = metrics.department_kpis(scope, rollout, D, 28)
    got = {
        (r.department, r.cohort): (
            r.licensed_users,
            r.active_users,
            r.activated_users,
            r.lapsed_users,
            r.never_used,
            round(r.adoption_rate, 4),
            r.activation_rate,
        )
        for r in frame.itertuples()
    }
    assert got == {
        # IT = a, b: nobody active; b activated (01-07) then lapsed; a used it before go-live only
        ("IT", "champion"): (2, 0, 1, 1, 0, 0.0, 0.5),
        ("IT", "all"): (2, 0, 1, 1, 0, 0.0, 0.5),
        # Sales = c, d (champion) and e (wider): c and e active and activated, d never used
        ("Sales", "champion"): (2, 1, 1, 0, 1, 0.5, 0.5),
        ("Sales", "wider"): (1, 1, 1, 0, 0, 1.0, 1.0),
        ("Sales", "all"): (3, 2, 2, 0, 1, 0.6667, 2 / 3),
        # Finance = f (g unlicensed): active on 01-25, before the wider go-live -> not activated
        ("Finance", "wider"): (1, 1, 0, 0, 0, 1.0, 0.0),
        ("Finance", "all"): (1, 1, 0, 0, 0, 1.0, 0.0),
    }


def test_department_weekly_adoption(tiny):
    scope, rollout = tiny
    frame = metrics.department_weekly_adoption(scope, rollout, D, start=date(2024, 12, 30))
    cell = {
        (r.department, r.week_start.date()): (r.active_users, r.licensed_users, r.adoption) for r in frame.itertuples()
    }
    assert len(cell) == 3 * 7  # 3 departments x weeks 12-30 .. 02-10
    assert cell[("IT", date(2024, 12, 30))] == (1, 2, 0.5)  # a on 01-03
    assert cell[("IT", date(2025, 1, 6))] == (1, 2, 0.5)  # b on 01-07
    assert cell[("Sales", date(2025, 1, 20))] == (1, 3, 1 / 3)  # c on 01-20 of c, d, e
    assert cell[("Sales", date(2025, 2, 3))] == (1, 3, 1 / 3)  # e on 02-03
    assert cell[("Finance", date(2025, 1, 20))] == (1, 1, 1.0)  # f on 01-25; g unlicensed
    assert cell[("Finance", date(2025, 2, 3))] == (0, 1, 0.0)  # f's sms does not count
    champions = metrics.department_weekly_adoption(scope, rollout, D, start=date(2025, 1, 20), cohort="champion")
    assert set(champions["department"]) == {"IT", "Sales"}
    sales = champions[champions["department"] == "Sales"]
    assert list(sales["adoption"]) == [0.5, 0.0, 0.0, 0.0]  # c of c, d in the week of 01-20


def test_funnel_of_the_tiny_set(tiny):
    scope, rollout = tiny
    frame = metrics.adoption_funnel(scope, rollout, D, 28)
    people = {c: list(g["people"]) for c, g in frame.groupby("cohort", sort=False)}
    # champion: 4 licensed, b c activated, c active; wider: e f, e activated and active;
    # habitual None everywhere (under 84 days)
    assert [list(map(lambda v: None if pd.isna(v) else int(v), p)) for p in people.values()] == [
        [4, 2, 1, None],
        [2, 1, 1, None],
        [6, 3, 2, None],
    ]
    assert list(people) == ["champion", "wider", "all"]


def test_named_lists_and_days_to_first_use(tiny):
    scope, rollout = tiny
    lapsed = metrics.lapsed_people(scope, rollout, D, 28)
    assert lapsed.to_dict("records") == [
        {
            "user_id": "b@acme.test",
            "display_name": "Ben Brook",
            "department": "IT",
            "cohort": "champion",
            "last_use": pd.Timestamp("2025-01-07"),
        }
    ]
    never = metrics.never_used_people(scope, rollout, D, 28)
    assert list(never.columns) == metrics.PEOPLE_LIST_COLUMNS
    assert (list(never["user_id"]), bool(never["last_use"].isna().all())) == (["d@acme.test"], True)
    days = metrics.days_to_first_use(scope, rollout, D)
    # b 01-07 - 01-06 = 1, c 01-20 - 01-06 = 14, e 02-03 - 02-03 = 0
    assert dict(zip(days["user_id"], days["days_to_first_use"])) == {
        "b@acme.test": 1,
        "c@acme.test": 14,
        "e@acme.test": 0,
    }
    with pytest.raises(ValueError):
        metrics.adoption_people(scope, rollout, D, 28, status="everyone'; --")


def test_other_organisations_rollout_id_gives_nothing(tiny, store):
    scope, rollout = tiny
    other = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Other"), "upload")
    k = metrics.cohort_figures(other, rollout, D, 28)  # Acme's rollout id through Other's scope
    assert k == {
        "all": {
            "go_live": None,
            "licensed_users": 0,
            "active_users": 0,
            "adoption_rate": None,
            "activated_users": 0,
            "activation_rate": None,
            "median_days_to_first_use": None,
            "lapsed_users": 0,
            "legacy_users": 0,
            "never_used": 0,
            "habitual_users": None,
            "stickiness": None,
        }
    }


# -- properties ---------------------------------------------------------------------------------

people = st.lists(st.tuples(st.sampled_from(["champion", "wider"]), st.booleans()), min_size=1, max_size=8)
uses = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 130), st.sampled_from(["mfa", "sms"]), st.integers(0, 3)), max_size=60
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=people, uses=uses, as_of=st.integers(0, 140), window=st.sampled_from([7, 28]))
def test_adoption_figures_stay_within_bounds(store, people, uses, as_of, window):
    name = f"Org {store.cursor().execute('SELECT count(*) FROM organisations').fetchall()[0][0]}"
    scope = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, name), "upload")
    orgs.add_rollout(scope, "R", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    roster = "user_id,cohort,licensed\n" + "".join(
        f"u{i}@x.test,{c},{'yes' if lic else 'no'}\n" for i, (c, lic) in enumerate(people)
    )
    load_file(scope, "roster", "r.csv", roster.encode(), rollout="R")
    if uses:
        usage = "user_id,date,activity,count\n" + "".join(
            f"u{u}@x.test,{date(2025, 1, 1) + timedelta(days=d)},{a},{n}\n" for u, d, a, n in uses
        )
        try:
            load_file(scope, "usage", "u.csv", usage.encode(), rollout="R")
        except ValueError:
            pass  # refused (more than half of the rows rejected): nothing to check
    rollout = orgs.rollout(scope, "R")
    as_of_day = date(2025, 1, 1) + timedelta(days=as_of)
    k = metrics.cohort_figures(scope, rollout, as_of_day, window)
    for f in k.values():
        assert 0 <= f["active_users"] <= f["licensed_users"]
        assert f["activated_users"] + f["never_used"] <= f["licensed_users"]
        assert f["lapsed_users"] <= f["activated_users"]
        assert f["lapsed_users"] + f["active_users"] <= f["licensed_users"]
        assert 0 <= f["legacy_users"] <= f["licensed_users"]
        assert f["habitual_users"] is None or 0 <= f["habitual_users"] <= f["licensed_users"]
        for rate in (f["adoption_rate"], f["activation_rate"], f["stickiness"]):
            assert rate is None or 0 <= rate <= 1
    for key in ("licensed_users", "active_users", "activated_users", "lapsed_users", "legacy_users", "never_used"):
        assert k["all"][key] == k["champion"][key] + k["wider"][key]
    funnel = metrics.adoption_funnel(scope, rollout, as_of_day, window)
    for _, steps in funnel.groupby("cohort"):
        counts = [v for v in steps["people"] if not pd.isna(v)]
        assert counts == sorted(counts, reverse=True)  # each step holds at most the one before
    weekly = metrics.weekly_active_users(scope, rollout, as_of_day)
    assert (weekly["active_users"] <= weekly["licensed_users"]).all()


# -- kpis --json against plain pandas -----------------------------------------------------------

COHORTS = {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3), "wave 2": date(2025, 3, 3)}
COUNTING, LEGACY = {"mfa", "push"}, {"sms"}


def _generate(rng: random.Random):
    """A roster of 45 (some unlicensed), usage of 4 activities (vpn neither counts nor is legacy)
    with zero counts and a person on no roster, and 150 tickets: open, resolved, resolved with no
    time (approximate), reopened, rated, raised by email, by display name in any case, or by
    strangers."""
    people = []
    for i in range(45):
        people.append(
            {
                "user_id": f"u{i}@acme.test",
                "display_name": f"Person {i}",
                "department": rng.choice(["IT", "Sales", "Finance"]),
                "cohort": rng.choice(list(COHORTS)),
                "licensed": rng.choice(["yes", "", "yes", "no"]),
            }
        )
    usage = []
    start = date(2024, 12, 1)
    for p in people + [{"user_id": "stranger@acme.test"}]:
        keen = rng.random()
        for n in range(190):
            if rng.random() < keen * 0.35:
                usage.append(
                    {
                        "user_id": p["user_id"],
                        "date": start + timedelta(days=n),
                        "activity": rng.choice(["mfa", "mfa", "push", "sms", "vpn"]),
                        "count": rng.choice([0, 1, 1, 2, 3]),
                    }
                )
    tickets = []
    for n in range(150):
        created = datetime(2024, 12, 1, 8) + timedelta(minutes=rng.randrange(190 * 24 * 60))
        kind = rng.choice(["open", "resolved", "resolved", "resolved", "approx"])
        done = created + timedelta(seconds=rng.randrange(360, 240 * 3600))
        who = rng.choice(people)
        requester = rng.choice(
            [who["user_id"], who["display_name"].upper(), who["display_name"].lower(), "visitor@elsewhere.test"]
        )
        tickets.append(
            {
                "ticket_id": f"T{n}",
                "created_at": created,
                "requester": requester,
                "subject": rng.choice(["MFA prompt", "Printer", "Password"]),
                "status": {"open": "open", "resolved": "solved", "approx": "closed"}[kind],
                "category": rng.choice(["MFA", "Hardware", "Access"]),
                "updated_at": done,
                "first_response_at": created + timedelta(minutes=rng.randrange(1, 600)) if rng.random() < 0.8 else None,
                "resolved_at": done if kind == "resolved" else None,
                "approx_at": done if kind == "approx" else None,
                "reopened": rng.choice([0, 0, 0, 1, 2]),
                "satisfaction": rng.choice(["", "1", "2", "3", "4", "5", "good", "bad"]),
            }
        )
    return pd.DataFrame(people), pd.DataFrame(usage), pd.DataFrame(tickets)


def _reference(roster: pd.DataFrame, usage: pd.DataFrame, tickets: pd.DataFrame, d: date, w: int) -> dict:
    """The kpis --json figures, computed from the generated frames in plain pandas."""
    lic = roster[roster["licensed"] != "no"]
    used = usage[(usage["count"] > 0) & (usage["date"] <= d)]
    counting = used[used["activity"].isin(COUNTING)].groupby("user_id")["date"].agg(set)
    legacy = used[used["activity"].isin(LEGACY)].groupby("user_id")["date"].agg(set)
    start, habit_start = d - timedelta(days=w - 1), d - timedelta(days=d.weekday() + 77)
    rows = []
    for p in lic.itertuples():
        g, days = COHORTS[p.cohort], counting.get(p.user_id, set())
        after = [x for x in days if x >= g]
        weeks = {x - timedelta(days=x.weekday()) for x in days if x >= habit_start}
        rows.append(
            {
                "cohort": p.cohort,
                "active": any(x >= start for x in days),
                "first": (min(after) - g).days if after else None,
                "lapsed": any(g <= x < start for x in days) and not any(x >= start for x in days),
                "legacy": any(x >= d - timedelta(days=13) for x in legacy.get(p.user_id, set())),
                "never": not days,
                "habitual": len(weeks) >= 9,
            }
        )
    per = pd.DataFrame(rows)

    def block(frame, go_live, habit_ok):
        n = len(frame)
        active = int(frame["active"].sum()) if n else 0
        firsts = [x for x in frame["first"] if x is not None and not pd.isna(x)] if n else []
        return {
            "go_live": go_live.isoformat() if go_live else None,
            "licensed_users": n,
            "active_users": active,
            "adoption_rate": active / n if n else None,
            "activated_users": len(firsts),
            "activation_rate": len(firsts) / n if n else None,
            "median_days_to_first_use": float(statistics.median(firsts)) if firsts else None,
            "lapsed_users": int(frame["lapsed"].sum()) if n else 0,
            "legacy_users": int(frame["legacy"].sum()) if n else 0,
            "never_used": int(frame["never"].sum()) if n else 0,
            "habitual_users": (int(frame["habitual"].sum()) if n else 0) if habit_ok else None,
        }

    cohorts = {c: block(per[per["cohort"] == c], g, (d - g).days >= 84) for c, g in COHORTS.items()}
    cohorts["all"] = block(per, None, all((d - g).days >= 84 for g in COHORTS.values()))

    t = tickets[tickets["created_at"].dt.date <= d].copy()
    t["resolved"] = t["resolved_at"].fillna(t["approx_at"])
    done = t[t["resolved"].notna() & (t["resolved"].dt.date >= start) & (t["resolved"].dt.date <= d)]
    hours = ((done["resolved_at"] - done["created_at"]).dt.total_seconds() / 3600).dropna()
    recent = t[t["created_at"].dt.date >= d - timedelta(days=6)]
    answered = t[t["first_response_at"].notna()]
    answered = answered[(answered["first_response_at"].dt.date >= start) & (answered["first_response_at"].dt.date <= d)]
    first = (answered["first_response_at"] - answered["created_at"]).dt.total_seconds() / 3600
    opened = int((t["created_at"].dt.date >= start).sum())
    rating = done["satisfaction"].astype(str).str.lower()
    rated = rating.isin(["1", "2", "3", "4", "5", "good", "bad"])
    good = rating.isin(["4", "5", "good"])
    return {
        "cohorts": cohorts,
        "support": {
            "tickets": int((t["created_at"].dt.date >= start).sum()),
            "tickets_per_100_users_7d": 100 * len(recent) / len(lic) if len(lic) else None,
            "median_resolution_hours": float(np.quantile(hours, 0.5)) if len(hours) else None,
            "p90_resolution_hours": float(np.quantile(hours, 0.9)) if len(hours) else None,
            "backlog": int((t["resolved"].isna() | (t["resolved"].dt.date > d)).sum()),
            "reopen_rate": float((done["reopened"] > 0).mean()) if len(done) else None,
            "median_first_response_hours": float(np.quantile(first, 0.5)) if len(first) else None,
            "p90_first_response_hours": float(np.quantile(first, 0.9)) if len(first) else None,
            "resolved_per_opened": len(done) / opened if opened else None,
            "satisfaction": float(good.sum() / rated.sum()) if rated.sum() else None,
            "rated_tickets": int(rated.sum()),
            "sla_met_share": None,  # the generated export carries no SLA or business-hours column
            "median_business_resolution_hours": None,
        },
    }


def _same(got, want, where=""):
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for key in want:
            _same(got[key], want[key], f"{where}.{key}")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9), where
    else:
        assert got == want and type(got) is type(want), where


def test_kpis_json_matches_a_pandas_computation(tmp_path):
    roster, usage, tickets = _generate(random.Random(20250106))
    roster.to_csv(tmp_path / "roster.csv", index=False)
    usage.to_csv(tmp_path / "usage.csv", index=False)
    out = tickets.drop(columns=["approx_at"]).copy()
    for col in ("created_at", "updated_at", "first_response_at", "resolved_at"):
        out[col] = out[col].dt.strftime("%Y-%m-%d %H:%M:%S")
    out.to_csv(tmp_path / "tickets.csv", index=False)

    def cli(*args):  # in this process (tests/cli_run.py)
        done = run_in_process(tmp_path / "cli.duckdb", *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("org", "add", "Acme", "--domain", "acme.test")
    cli(
        "rollout",
        "add",
        "--org",
        "Acme",
        "--name",
        "MFA",
        "--activities",
        "mfa,push",
        "--legacy",
        "sms",
        *[f"--cohort={c}={g}" for c, g in COHORTS.items()],
    )
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", tmp_path / "roster.csv")
    cli("load", "--org", "Acme", "--kind", "usage", tmp_path / "usage.csv")
    cli("load", "--org", "Acme", "--kind", "tickets", tmp_path / "tickets.csv")
    # 06-01: every cohort >= 84 days; 05-25: wave 2 at 83 days; 02-20: wider 17 days old
    wants = {}
    for as_of, window in ((date(2025, 6, 1), 28), (date(2025, 5, 25), 7), (date(2025, 2, 20), 28)):
        got = json.loads(
            cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", as_of, "--window", window, "--json")
        )
        want = wants[as_of] = _reference(roster, usage, tickets, as_of, window)
        assert list(got) == [
            "org",
            "rollout",
            "as_of",
            "window_days",
            "cohorts",
            "support",
            "alerts",
            "not_computable",
            "actions",
            "lessons",
            "phases",
            "readiness",
            "feedback",
            "custom_kpis",
            "breakdowns",
            "roster_dated",
        ]
        assert got["roster_dated"] == date.today().isoformat()  # the one roster, loaded (so dated) today
        assert got["actions"] == {"root_causes": [], "actions": []} and got["lessons"] is None  # none recorded yet
        assert (got["readiness"], got["feedback"], got["custom_kpis"]) == (None, None, [])  # none loaded
        assert got["not_computable"] == {}  # event-level usage: every figure can be computed
        assert list(got["cohorts"]) == ["champion", "wider", "wave 2", "all"]
        assert all(list(f) == list(metrics.COHORT_KEYS) for f in got["cohorts"].values())
        assert list(got["support"]) == list(support.SUPPORT_KEYS)
        _same(got["cohorts"], {c: want["cohorts"][c] for c in got["cohorts"]}, f"{as_of} cohorts")
        _same(got["support"], want["support"], f"{as_of} support")
    # the generated data reaches the interesting cases: habitual people, null habitual figures,
    # lapsed people, resolved tickets with and without durations
    assert wants[date(2025, 6, 1)]["cohorts"]["all"]["habitual_users"] > 0
    assert wants[date(2025, 5, 25)]["cohorts"]["all"]["habitual_users"] is None
    assert wants[date(2025, 6, 1)]["cohorts"]["all"]["lapsed_users"] > 0
    assert wants[date(2025, 6, 1)]["support"]["reopen_rate"] > 0
    assert (tickets["approx_at"].notna() & (tickets["approx_at"] >= datetime(2025, 5, 5))).any()
