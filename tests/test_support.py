"""The support metrics of docs/metrics.md#support-metrics on hand-checked tickets (the values worked out in
the comments), plus property tests.

Roster: the tiny set (champion a b c d, wider e f licensed, g "Gus Gale" unlicensed): 6 licensed.
As of 2025-02-10 with w = 28: window 01-14 .. 02-10; the 7 days are 02-04 .. 02-10.

    ticket  created      resolved                   requester             category  notes
    T1      01-10 09:00  01-13 23:00 (before window) a@acme.test           MFA
    T2      01-12 10:00  01-14 00:00 (window's edge) Ben Brook (b, by name) MFA      38 h, reopened, good
    T3      02-03 09:00  02-03 11:00                 e@acme.test           Email     2 h, bad
    T4      02-05 08:00  closed, no time: approx at updated_at 02-06 08:00  MFA  unmatched, good
    T5      02-09 09:00  02-10 21:00                 GUS GALE (g, by name) MFA       36 h, unrated
    T6      02-10 08:00  open                        f@acme.test           (none)
    T7      02-08 12:00  02-11 09:00 (after d)       c@acme.test           Email
    T8      02-11 09:00  (created after d: ignored)  d@acme.test           MFA
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import orgs, support
from analysis.access import OPERATOR
from analysis.ingest import load_file
from analysis.scope import open_scope
from tests.conftest import TINY

D = date(2025, 2, 10)

TICKETS = """\
ticket_id,created_at,requester,subject,status,category,updated_at,first_response_at,resolved_at,reopened,satisfaction
T1,2025-01-10 09:00,a@acme.test,MFA prompt,solved,MFA,,2025-01-10 10:00,2025-01-13 23:00,0,
T2,2025-01-12 10:00,Ben Brook,Authenticator app,solved,MFA,,2025-01-12 11:30,2025-01-14 00:00,1,5
T3,2025-02-03 09:00,e@acme.test,Mailbox full,solved,Email,,2025-02-03 09:30,2025-02-03 11:00,0,2
T4,2025-02-05 08:00,unknown@elsewhere.test,MFA codes,closed,MFA,2025-02-06 08:00,,,0,good
T5,2025-02-09 09:00,GUS GALE,New phone,solved,MFA,,2025-02-09 13:00,2025-02-10 21:00,0,
T6,2025-02-10 08:00,f@acme.test,Question,open,,,2025-02-10 09:00,,0,
T7,2025-02-08 12:00,c@acme.test,Calendar sync,solved,Email,,,2025-02-11 09:00,0,
T8,2025-02-11 09:00,d@acme.test,MFA again,open,MFA,,,,0,
"""


@pytest.fixture
def desk(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "tickets", TICKETS)
    return acme, orgs.rollout(acme, "MFA")


def _set_filter(scope, categories, keywords):
    """The rollout's ticket filter (nothing sets it yet: written to the table)."""
    scope.store.cursor().execute(
        "UPDATE rollouts SET ticket_categories = ?, ticket_keywords = ? WHERE org_id = ? AND name = 'MFA'",
        [categories, keywords, scope.org_id],
    )


def test_support_figures_by_hand(desk):
    scope, rollout = desk
    k = support.support_kpis(scope, rollout, D, 28)
    assert k == {
        # created in 01-14..02-10: T3 T4 T5 T6 T7 (T8 is after d) -> 5; in 02-04..02-10: T4 T5 T6 T7
        "tickets": 5,
        "tickets_7d": 4,
        "licensed_users": 6,
        "tickets_per_100_users_7d": pytest.approx(100 * 4 / 6),
        # resolved in the window: T2 (00:00 on its first day), T3, T4 (approximate), T5; not T1
        # (the day before) nor T7 (after d). Durations: T2 38, T3 2, T5 36 (T4 has none):
        # sorted 2, 36, 38 -> median 36; p90 at position 0.9 x 2 = 1.8 -> 36 + 0.8 x 2 = 37.6
        "resolved_tickets": 4,
        "timed_resolutions": 3,
        "median_resolution_hours": 36.0,
        "p90_resolution_hours": pytest.approx(37.6),
        # open at the end of 02-10: T6 (open), T7 (resolved 02-11); T4's approximate resolution
        # on 02-06 counts as resolved
        "backlog": 2,
        "reopened_tickets": 1,
        "reopen_rate": 0.25,  # T2 of 4 resolved
        # first responded in the window: T3 0.5 h, T5 4 h, T6 1 h -> median 1 (T2's was 01-12)
        "responded_tickets": 3,
        "median_first_response_hours": 1.0,
        # rated among the resolved: T2 good (5), T3 bad (2), T4 good; T5 unrated -> 2/3
        "rated_tickets": 3,
        "satisfaction": pytest.approx(2 / 3),
        # first responses 0.5, 1, 4: p90 at 0.9 x 2 = 1.8 -> 1 + 0.8 x 3 = 3.4
        "p90_first_response_hours": pytest.approx(3.4),
        "resolved_per_opened": 0.8,  # 4 resolved in the window / 5 created in it
        # no SLA or business-hours column in this file: said as None, not 0
        "sla_tickets": 0,
        "sla_met_share": None,
        "business_timed_resolutions": 0,
        "median_business_resolution_hours": None,
    }
    assert [type(k[key]) for key in support.SUPPORT_KEYS[:6]] == [int, float, float, float, int, float]


@pytest.mark.parametrize(
    "as_of,window,resolved,median,p90",
    [
        # window 01-14..02-10: T2, resolved at 00:00 on its first day, is in (see above)
        (date(2025, 2, 10), 28, 4, 36.0, 37.6),
        # 01-15..02-11: T2 out; T7 (02-08 12:00 -> 02-11 09:00 = 69 h) in: 2, 36, 69 -> p90 at 1.8 =
        # 36 + 0.8 x 33 = 62.4
        (date(2025, 2, 11), 28, 4, 36.0, 62.4),
        # 01-14..02-09: T2, T3, T4 -> durations 38 and 2: median 20, p90 at 0.9 = 2 + 0.9 x 36 = 34.4
        (date(2025, 2, 9), 27, 3, 20.0, 34.4),
        # 01-07..01-13: T1, resolved 01-13 23:00, the window's last hour: 01-10 09:00 -> 86 h
        (date(2025, 1, 13), 7, 1, 86.0, 86.0),
    ],
)
def test_a_ticket_resolved_at_the_window_edge(desk, as_of, window, resolved, median, p90):
    scope, rollout = desk
    k = support.support_kpis(scope, rollout, as_of, window)
    assert (k["resolved_tickets"], k["median_resolution_hours"]) == (resolved, median)
    assert k["p90_resolution_hours"] == pytest.approx(p90)


@pytest.mark.parametrize(
    "as_of,backlog",
    [
        (date(2025, 2, 4), 0),  # T1 T2 T3 all resolved by then
        (date(2025, 2, 5), 1),  # T4 created, resolved (approximately) on 02-06
        (date(2025, 2, 6), 0),  # ... counts as resolved from then on
        (date(2025, 2, 11), 2),  # T7 resolved 02-11 09:00 is out; T6 open, T8 created 02-11
    ],
)
def test_backlog_counts_approximate_resolutions_as_resolved(desk, as_of, backlog):
    scope, rollout = desk
    assert support.support_kpis(scope, rollout, as_of, 28)["backlog"] == backlog


def test_approximate_resolution_has_no_duration(desk):
    scope, rollout = desk
    # as of 02-06 with w = 1: only T4 (approximate) was resolved that day -> a resolved ticket
    # for the reopen rate (0 of 1) but no duration
    k = support.support_kpis(scope, rollout, date(2025, 2, 6), 1)
    assert (k["resolved_tickets"], k["timed_resolutions"], k["reopen_rate"]) == (1, 0, 0.0)
    assert (k["median_resolution_hours"], k["p90_resolution_hours"]) == (None, None)


def test_backlog_by_day(desk):
    scope, rollout = desk
    frame = support.backlog_by_day(scope, rollout, date(2025, 2, 4), D)
    # 02-04: 0; 02-05: T4; 02-06: T4 resolved; 02-07: 0; 02-08: T7; 02-09: T7 T5; 02-10: T7 T6
    assert list(frame["backlog"]) == [0, 1, 0, 0, 1, 2, 2]
    assert frame["day"].iloc[0].date() == date(2025, 2, 4)


def test_weekly_tickets_per_100_users_by_requester_cohort(desk):
    scope, rollout = desk
    frame = support.weekly_tickets(scope, rollout, D, start=date(2025, 1, 27))
    got = {
        (r.cohort, r.week_start.date()): (r.tickets, r.licensed_users, r.tickets_per_100_users)
        for r in frame.itertuples()
    }
    w1, w2, w3 = date(2025, 1, 27), date(2025, 2, 3), date(2025, 2, 10)
    assert got[("champion", w1)] == (0, 4, 0.0)
    # week of 02-03: T3 (e, wider), T4 (unmatched: in 'all' only), T5 (g: unlicensed but on the
    # roster, wider), T7 (c, champion) -> champion 100 x 1/4, wider 100 x 2/2, all 100 x 4/6
    assert got[("champion", w2)] == (1, 4, 25.0)
    assert got[("wider", w2)] == (2, 2, 100.0)
    assert got[("all", w2)][:2] == (4, 6) and got[("all", w2)][2] == pytest.approx(400 / 6)
    # week of 02-10 up to d: T6 (f, wider); T8 (02-11) is after d
    assert got[("wider", w3)] == (1, 2, 50.0)
    assert got[("all", w3)][0] == 1
    assert list(frame[frame["cohort"] == "all"]["complete"]) == [True, True, False]
    assert list(dict.fromkeys(frame["cohort"])) == ["champion", "wider", "all"]


def test_requesters_are_matched_by_email_then_unique_display_name(acme, load):
    load(
        acme,
        "roster",
        "user_id,display_name,cohort\na@acme.test,Ann Archer,champion\n"
        "b@acme.test,Sam Smith,champion\ne@acme.test,Sam Smith,wider\n",
    )
    load(
        acme,
        "tickets",
        "ticket_id,created_at,requester\nX1,2025-02-03 09:00,A@ACME.TEST\n"
        "X2,2025-02-03 09:00, ann archer \nX3,2025-02-03 09:00,Sam Smith\nX4,2025-02-03 09:00,\n",
    )
    frame = support.tickets(acme, orgs.rollout(acme, "MFA"), date(2025, 2, 1), D)
    got = {t: None if pd.isna(c) else c for t, c in zip(frame["ticket_id"], frame["requester_cohort"])}
    # X1 by email (stored lower case), X2 by display name ignoring case and spaces, X3 ambiguous
    # (two Sam Smiths in different cohorts: not guessed), X4 no requester
    assert got == {"X1": "champion", "X2": "champion", "X3": None, "X4": None}


@pytest.mark.parametrize(
    "categories,keywords,expected",
    [
        ([], [], ["T1", "T2", "T3", "T4", "T7", "T5", "T6"]),  # no filter: every ticket up to d
        (["mfa"], [], ["T1", "T2", "T4", "T5"]),  # category MFA, any case
        ([], ["AUTHENTICATOR", "calendar"], ["T2", "T7"]),  # inside the subject, any case
        (["Email"], ["new phone"], ["T3", "T7", "T5"]),  # either one lets a ticket through
        (["nothing"], ["nowhere"], []),
    ],
)
def test_ticket_filter(desk, categories, keywords, expected):
    # tickets() lists by creation time: T1 T2 T3 T4 T7 (02-08) T5 (02-09) T6 (02-10)
    scope, rollout = desk
    _set_filter(scope, categories, keywords)
    frame = support.tickets(scope, rollout, date(2025, 1, 1), D)
    assert list(frame["ticket_id"]) == expected
    assert support.support_kpis(scope, rollout, D, 60)["tickets"] == len(expected)


def test_top_categories_before_and_after_a_date(desk):
    scope, rollout = desk
    frame = support.top_categories(scope, rollout, date(2025, 2, 3), D)
    # before 02-03: T1 T2 (MFA 2); from 02-03 to d: T4 T5 MFA, T3 T7 Email, T6 no category
    rows = [(r.category, r.tickets_before, r.tickets_after, r.share_after, r.rank_after) for r in frame.itertuples()]
    assert rows == [("MFA", 2, 2, 0.4, 1), ("Email", 0, 2, 0.4, 1), ("(none)", 0, 1, 0.2, 3)]
    assert list(frame["share_before"]) == [1.0, 0.0, 0.0]
    top = support.top_categories(scope, rollout, date(2025, 2, 3), D, limit=1)
    assert list(top["category"]) == ["MFA", "Email"]  # the top one of either side (a tie)
    # the 10 days before 02-03 (01-24..02-02) hold no ticket
    recent = support.top_categories(scope, rollout, date(2025, 2, 3), D, days=10)
    assert list(recent["tickets_before"]) == [0, 0, 0]


def test_no_tickets(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    rollout = orgs.rollout(acme, "MFA")
    k = support.support_kpis(acme, rollout, D, 28)
    assert {key: k[key] for key in support.SUPPORT_KEYS} == {
        "tickets": 0,
        "tickets_per_100_users_7d": 0.0,
        "median_resolution_hours": None,
        "p90_resolution_hours": None,
        "backlog": 0,
        "reopen_rate": None,
        "median_first_response_hours": None,
        "p90_first_response_hours": None,
        "resolved_per_opened": None,
        "satisfaction": None,
        "rated_tickets": 0,
        "sla_met_share": None,
        "median_business_resolution_hours": None,
    }
    assert list(support.backlog_by_day(acme, rollout, date(2025, 2, 8), D)["backlog"]) == [0, 0, 0]
    assert support.weekly_tickets(acme, rollout, D)["tickets"].sum() == 0
    assert support.top_categories(acme, rollout, date(2025, 2, 3), D).empty


def test_nobody_licensed_gives_null_rate(acme, load):
    load(acme, "tickets", TICKETS)
    k = support.support_kpis(acme, orgs.rollout(acme, "MFA"), D, 28)
    assert (k["tickets"], k["tickets_per_100_users_7d"], k["licensed_users"]) == (5, None, 0)


def test_another_organisations_tickets_stay_out(desk, store, load):
    scope, rollout = desk
    other = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Other"), "upload")
    load(other, "tickets", TICKETS, rollout=None)
    assert support.support_kpis(scope, rollout, D, 28)["tickets"] == 5
    assert support.support_kpis(other, rollout, D, 28)["tickets"] == 0  # Acme's rollout id from Other


# -- properties ---------------------------------------------------------------------------------

ticket = st.tuples(
    st.integers(0, 60 * 24),  # created, hours after 2025-01-01 00:00
    st.sampled_from(["open", "timed", "approx"]),
    st.integers(0, 24 * 20),  # hours to resolution
    st.integers(0, 2),
)  # reopened


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tickets=st.lists(ticket, max_size=25), as_of=st.integers(0, 75), window=st.sampled_from([1, 7, 28]))
def test_support_figures_stay_within_bounds(store, tickets, as_of, window):
    name = f"Org {store.cursor().execute('SELECT count(*) FROM organisations').fetchall()[0][0]}"
    scope = open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, name), "upload")
    orgs.add_rollout(scope, "R", {"champion": date(2025, 1, 6)})
    load_file(scope, "roster", "r.csv", b"user_id,cohort\nu@x.test,champion\n", rollout="R")
    if tickets:
        lines = ["ticket_id,created_at,status,updated_at,resolved_at,reopened"]
        for n, (hour, kind, hours, reopened) in enumerate(tickets):
            created = datetime(2025, 1, 1) + timedelta(hours=hour)
            done = created + timedelta(hours=hours)
            lines.append(
                f"T{n},{created},{'open' if kind == 'open' else 'closed'},{done},"
                f"{done if kind == 'timed' else ''},{reopened}"
            )
        load_file(scope, "tickets", "t.csv", ("\n".join(lines) + "\n").encode())
    rollout = orgs.rollout(scope, "R")
    d = date(2025, 1, 1) + timedelta(days=as_of)
    k = support.support_kpis(scope, rollout, d, window)
    assert k["backlog"] >= 0 and k["tickets"] >= 0
    if k["median_resolution_hours"] is not None:
        assert k["p90_resolution_hours"] >= k["median_resolution_hours"] >= 0
    assert k["reopen_rate"] is None or 0 <= k["reopen_rate"] <= 1
    assert k["timed_resolutions"] <= k["resolved_tickets"]
    days = support.backlog_by_day(scope, rollout, d - timedelta(days=10), d)
    assert (days["backlog"] >= 0).all()
    assert days["backlog"].iloc[-1] == k["backlog"]
    created_by = [
        sum(1 for hour, *_ in tickets if (datetime(2025, 1, 1) + timedelta(hours=hour)).date() <= day.date())
        for day in days["day"]
    ]
    assert (days["backlog"] <= pd.Series(created_by)).all()


def test_the_tiny_set_s_tickets_per_100_champions_in_their_first_28_days(acme, load):
    """tests/data/tiny/tickets.csv on the tiny roster: champions a b c d (4 licensed) live Monday
    2025-01-06, so their first 28 days (01-06 .. 02-02) are the ISO weeks of 01-06, 01-13, 01-20
    and 01-27. Their tickets then: T1 (a, 01-06), T2 (Cat Cole, matched to c by name, 01-08), T3
    (b, 01-20) -> 3; T4 (d, 02-03) is day 29. 100 x 3 / 4 = 75 tickets per 100 licensed champions."""
    for kind in ("roster", "usage", "tickets"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    rollout = orgs.rollout(acme, "MFA")
    weeks = support.weekly_tickets(acme, rollout, date(2025, 2, 10), start=date(2025, 1, 6))
    got = {
        (r.cohort, r.week_start.date()): (r.tickets, r.licensed_users, r.tickets_per_100_users)
        for r in weeks.itertuples()
    }
    first_28 = [got[("champion", date(2025, 1, 6) + timedelta(days=7 * n))] for n in range(4)]
    assert first_28 == [(2, 4, 50.0), (0, 4, 0.0), (1, 4, 25.0), (0, 4, 0.0)]  # 100 x tickets / 4
    assert 100 * sum(t for t, _, _ in first_28) / 4 == 75.0
    # the week of 02-03: T4 (d, champion), T5 (e, wider: 1 of 2 licensed), T6 (x, on no roster:
    # in the total only) -> champion 25.0, wider 50.0, all 100 x 3 / 6 = 50.0
    w = date(2025, 2, 3)
    assert (got[("champion", w)], got[("wider", w)], got[("all", w)]) == ((1, 4, 25.0), (1, 2, 50.0), (3, 6, 50.0))
    # as of 02-10, w = 28 (01-14 .. 02-10): created T3 T4 T5 T6 -> 4; in 02-04 .. 02-10 T5 T6 ->
    # 100 x 2 / 6; resolved in the window T3 (18 h), T4 (168 h), T6 (1 h): median 18, p90 at
    # 0.9 x 2 = 1.8 -> 18 + 0.8 x 150 = 138; T5 open; T3 reopened: 1 of 3
    k = support.support_kpis(acme, rollout, date(2025, 2, 10), 28)
    assert (k["tickets"], k["tickets_7d"], k["licensed_users"]) == (4, 2, 6)
    assert k["tickets_per_100_users_7d"] == pytest.approx(100 * 2 / 6)
    assert (k["resolved_tickets"], k["median_resolution_hours"]) == (3, 18.0)
    assert k["p90_resolution_hours"] == pytest.approx(138.0)
    assert (k["backlog"], k["reopen_rate"]) == (1, pytest.approx(1 / 3))
