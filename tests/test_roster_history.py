"""Roster history (docs/metrics.md#roster-history): each roster load is dated, so a figure for a
past day counts the people licensed that day, and figures for past days do not move when a later
roster arrives. Worked by hand on a tiny rollout (conftest's Acme: champion live 2025-01-06,
wider 2025-02-03)."""

import json
from datetime import date, timedelta

import pytest

from analysis import metrics, orgs, support
from analysis.files import FileRefused
from analysis.people import add_to_roster
from analysis.uploads import undo

# dated 1 Jan 2025: a, b, c, d champions; e, f wider
JANUARY = """
user_id,display_name,department,cohort,licensed
a@acme.test,Ann,IT,champion,yes
b@acme.test,Ben,IT,champion,yes
c@acme.test,Cat,IT,champion,yes
d@acme.test,Dan,IT,champion,yes
e@acme.test,Eve,Sales,wider,yes
f@acme.test,Fay,Sales,wider,yes
"""
# dated 1 Mar 2025: d has left, e has moved to the champions, g has joined the wider cohort
MARCH = """
user_id,display_name,department,cohort,licensed
a@acme.test,Ann,IT,champion,yes
b@acme.test,Ben,IT,champion,yes
c@acme.test,Cat,IT,champion,yes
e@acme.test,Eve,Sales,champion,yes
f@acme.test,Fay,Sales,wider,yes
g@acme.test,Gus,Sales,wider,yes
"""
USAGE = """
user_id,date,activity,count
a@acme.test,2025-02-10,teams,1
b@acme.test,2025-02-11,teams,1
e@acme.test,2025-02-12,teams,1
a@acme.test,2025-03-05,teams,1
e@acme.test,2025-03-06,teams,1
f@acme.test,2025-03-10,teams,1
"""
FEBRUARY_DAY = date(2025, 2, 20)  # window of 28 days: 24 Jan .. 20 Feb
MARCH_DAY = date(2025, 3, 15)  # window of 28 days: 16 Feb .. 15 Mar


def _mfa(scope):
    return next(r for r in orgs.rollouts(scope) if r.name == "MFA")


def _counts(scope, day):
    """{cohort: (active, licensed)} as of day with a 28-day window."""
    figures = metrics.cohort_figures(scope, _mfa(scope), day, 28)
    return {c: (f["active_users"], f["licensed_users"]) for c, f in figures.items()}


# February: champions a, b active of a-d (2 of 4); wider e active of e, f (1 of 2); all 3 of 6
FEBRUARY_COUNTS = {"champion": (2, 4), "wider": (1, 2), "all": (3, 6)}
# March with the March roster: champions a, e active (Feb 10-12 fall before the window) of a, b, c, e
# (2 of 4); wider f of f, g (1 of 2); all 3 of 6. d has left: not counted.
MARCH_COUNTS = {"champion": (2, 4), "wider": (1, 2), "all": (3, 6)}
# March with the January roster still in effect: champions a of a-d (1 of 4); wider e, f (2 of 2)
MARCH_ON_JANUARY_ROSTER = {"champion": (1, 4), "wider": (2, 2), "all": (3, 6)}


def test_a_later_roster_leaves_past_figures_alone(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", USAGE)
    assert _counts(acme, FEBRUARY_DAY) == FEBRUARY_COUNTS
    assert _counts(acme, MARCH_DAY) == MARCH_ON_JANUARY_ROSTER
    result = load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    assert result.roster_as_of == "2025-03-01"
    assert result.people_left == 1  # d, against the roster in effect on 1 Mar (January's)
    assert (result.rows_loaded, result.rows_updated, result.rows_duplicate) == (1, 1, 4)  # g; e moved
    assert any("holds from 1 Mar 2025; days before it keep the roster dated 1 Jan 2025" in m for m in result.messages)
    assert _counts(acme, FEBRUARY_DAY) == FEBRUARY_COUNTS  # unchanged
    assert _counts(acme, MARCH_DAY) == MARCH_COUNTS
    # the people behind the March figures: d is gone, e is a champion, g is there
    people = metrics.adoption_people(acme, _mfa(acme), MARCH_DAY, 28)
    assert dict(zip(people["user_id"], people["cohort"], strict=True)) == {
        "a@acme.test": "champion",
        "b@acme.test": "champion",
        "c@acme.test": "champion",
        "e@acme.test": "champion",
        "f@acme.test": "wider",
        "g@acme.test": "wider",
    }


def test_loading_the_rosters_in_either_order_gives_the_same_figures(acme, load):
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    load(acme, "usage", USAGE)
    result = load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))  # a backdated roster, loaded later
    assert any("until the roster dated 1 Mar 2025" in m for m in result.messages)
    assert _counts(acme, FEBRUARY_DAY) == FEBRUARY_COUNTS
    assert _counts(acme, MARCH_DAY) == MARCH_COUNTS
    # the current roster is still March's (the newest date), whatever the order of loading
    current = acme.df("roster_people", rollout_id=_mfa(acme).rollout_id)
    assert sorted(current["user_id"]) == [f"{x}@acme.test" for x in "abcefg"]


def test_days_before_the_first_roster_take_the_first(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 2, 15))  # dated after some of the use it explains
    load(acme, "usage", USAGE)
    assert _counts(acme, FEBRUARY_DAY) == FEBRUARY_COUNTS
    assert _counts(acme, date(2025, 2, 12)) == {"champion": (2, 4), "wider": (1, 2), "all": (3, 6)}


def test_the_day_series_count_each_day_with_its_roster(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", USAGE)
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    rid = _mfa(acme).rollout_id
    series = acme.df("adoption_series", rollout_id=rid, start=FEBRUARY_DAY, end=MARCH_DAY, window_days=28)
    series["day"] = [d.date() if hasattr(d, "date") else d for d in series["day"]]
    per_day = series.groupby(["day", "cohort"])[["active_users", "licensed_users"]].sum()

    def on(day, cohort):
        return tuple(int(x) for x in per_day.loc[(day, cohort)])

    # the same counts as the as-of figures, day by day, across the change of roster
    assert on(FEBRUARY_DAY, "champion") == FEBRUARY_COUNTS["champion"]
    assert on(FEBRUARY_DAY, "wider") == FEBRUARY_COUNTS["wider"]
    assert on(date(2025, 2, 28), "champion") == (2, 4)  # a, b (e is wider until 1 Mar)
    assert on(date(2025, 2, 28), "wider") == (1, 2)  # e
    assert on(date(2025, 3, 1), "champion") == (3, 4)  # a, b, e of a, b, c, e
    assert on(date(2025, 3, 1), "wider") == (0, 2)  # f, g: neither has used it yet
    assert on(MARCH_DAY, "champion") == MARCH_COUNTS["champion"]
    assert on(MARCH_DAY, "wider") == MARCH_COUNTS["wider"]
    # the 7-day rolling curve: on 28 Feb nobody used it in 22-28 Feb; on 6 Mar a (5 Mar) and e
    # (6 Mar, a champion since 1 Mar) of 4 champions
    rolling = metrics.rolling_adoption(acme, _mfa(acme), MARCH_DAY)
    at = {(r.cohort, r.day.date() if hasattr(r.day, "date") else r.day): r for r in rolling.itertuples()}
    assert (at[("champion", date(2025, 2, 14))].active_7d, at[("champion", date(2025, 2, 14))].licensed_users) == (2, 4)
    assert (at[("wider", date(2025, 2, 14))].active_7d, at[("wider", date(2025, 2, 14))].licensed_users) == (1, 2)
    assert (at[("champion", date(2025, 3, 6))].active_7d, at[("champion", date(2025, 3, 6))].licensed_users) == (2, 4)
    assert (at[("wider", date(2025, 3, 6))].active_7d, at[("wider", date(2025, 3, 6))].licensed_users) == (0, 2)


def test_weeks_count_the_people_licensed_that_week(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", USAGE)
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    weekly = metrics.weekly_active_users(acme, _mfa(acme), MARCH_DAY, start=date(2025, 2, 10))
    got = {(r.cohort, str(r.week_start)[:10]): (r.active_users, r.licensed_users) for r in weekly.itertuples()}
    # week of 10 Feb (ends 16 Feb, January's roster): a, b champions of 4; e wider of 2
    assert got[("champion", "2025-02-10")] == (2, 4)
    assert got[("wider", "2025-02-10")] == (1, 2)
    # week of 24 Feb ends 2 Mar: March's roster (e a champion, g in, d out); nobody used it
    assert got[("champion", "2025-02-24")] == (0, 4)
    # week of 3 Mar: a, e champions; nobody of the wider f, g
    assert got[("champion", "2025-03-03")] == (2, 4)
    assert got[("wider", "2025-03-03")] == (0, 2)
    # week of 10 Mar, counted up to 15 Mar: f (10 Mar)
    assert got[("wider", "2025-03-10")] == (1, 2)


TICKETS = """
ticket_id,created_at,requester,status
T1,2025-02-14,e@acme.test,open
T2,2025-03-05,e@acme.test,open
T3,2025-03-05,d@acme.test,open
"""


def test_a_ticket_counts_in_its_requesters_cohort_of_that_day(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "tickets", TICKETS)
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    weekly = support.weekly_tickets(acme, _mfa(acme), MARCH_DAY, start=date(2025, 2, 10))
    got = {(r.cohort, str(r.week_start)[:10]): (r.tickets, r.licensed_users) for r in weekly.itertuples()}
    assert got[("wider", "2025-02-10")] == (1, 2)  # T1: e was in the wider cohort on 14 Feb
    assert got[("champion", "2025-02-10")] == (0, 4)
    # T2: e a champion by 5 Mar; T3: d had left (on no roster that day): in 'all' only
    assert got[("champion", "2025-03-03")] == (1, 4)
    assert got[("all", "2025-03-03")] == (2, 6)
    # tickets per 100 over the 7 days to 7 Mar (1-7 Mar): T2, T3 over the 6 people licensed that day
    kpis = support.support_kpis(acme, _mfa(acme), date(2025, 3, 7), 28)
    assert kpis["licensed_users"] == 6 and kpis["tickets_per_100_users_7d"] == pytest.approx(100 * 2 / 6)


def test_undoing_the_later_roster_brings_the_earlier_back_for_its_days(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", USAGE)
    march = load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    undo(acme, march.upload_id)
    assert _counts(acme, MARCH_DAY) == MARCH_ON_JANUARY_ROSTER
    assert _counts(acme, FEBRUARY_DAY) == FEBRUARY_COUNTS


def test_people_added_on_the_data_page_keep_the_current_rosters_date(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", USAGE + "h@acme.test,2025-02-13,teams,1\n")
    result = add_to_roster(acme, "MFA", [{"user_id": "h@acme.test", "cohort": "wider"}])
    assert result.roster_as_of == "2025-01-01"
    # h counts from the start, as a correction of January's roster: wider e, h active of e, f, h
    assert _counts(acme, FEBRUARY_DAY)["wider"] == (2, 3)


def test_a_leaver_is_not_an_unknown_person(acme, load):
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", "user_id,date,activity,count\nd@acme.test,2025-02-10,teams,1\n")
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    assert acme.df("unknown_people", rollout_id=_mfa(acme).rollout_id).empty


def test_a_roster_dated_in_the_future_is_refused(acme, load):
    with pytest.raises(FileRefused, match="after today"):
        load(acme, "roster", JANUARY, as_of=date.today() + timedelta(days=1))


def test_an_as_of_date_is_for_rosters_only(acme, load):
    with pytest.raises(FileRefused, match="roster load only"):
        load(acme, "usage", USAGE, as_of=date(2025, 1, 1))


def test_a_roster_is_dated_the_day_it_is_loaded_by_default(acme, load):
    result = load(acme, "roster", JANUARY)
    assert result.roster_as_of == date.today().isoformat()
    stored = acme.store.cursor().execute("SELECT roster_as_of FROM uploads WHERE kind = 'roster'").fetchall()
    assert stored == [(date.today(),)]


def test_the_history_lists_each_roster_with_its_joiners_leavers_and_moves(acme, load):
    from analysis import roster_history

    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    table = roster_history.snapshots(acme, _mfa(acme))
    assert [str(d)[:10] for d in table["dated_on"]] == ["2025-01-01", "2025-03-01"]
    first, march = table.iloc[0], table.iloc[1]
    assert (first.licensed, first.champion, first.wider) == (6, 4, 2)
    assert (first.joined, first.left, first.moved) == (0, 0, 0)  # the first has nothing before it
    assert (march.licensed, march.champion, march.wider) == (6, 4, 2)
    assert (march.joined, march.left, march.moved) == (1, 1, 1)  # g; d; e to the champions
    people = roster_history.changes_by_person(acme, _mfa(acme))
    people = people.astype(object).where(people.notna(), None)
    got = {(r.user_id, r.change, r.cohort_before, r.cohort_after) for r in people.itertuples()}
    assert got == {
        ("g@acme.test", "joined", None, "wider"),
        ("d@acme.test", "left", "champion", None),
        ("e@acme.test", "moved", "wider", "champion"),
    }


def test_the_command_line_dates_a_roster_and_lists_the_history(acme_cli, tmp_path):
    january, march = tmp_path / "january.csv", tmp_path / "march.csv"
    january.write_text(JANUARY.lstrip())
    march.write_text(MARCH.lstrip())
    base = ("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster")
    acme_cli(*base, "--as-of", "2025-03-01", str(march))
    loaded = json.loads(acme_cli(*base, "--as-of", "2025-01-01", "--json", str(january)).stdout)
    assert loaded["roster_as_of"] == "2025-01-01"
    found = json.loads(acme_cli("roster-history", "--org", "Acme", "--rollout", "MFA", "--json").stdout)
    assert [s["dated_on"][:10] for s in found["snapshots"]] == ["2025-01-01", "2025-03-01"]
    assert {(c["user_id"], c["change"]) for c in found["changes"]} == {
        ("g@acme.test", "joined"),
        ("d@acme.test", "left"),
        ("e@acme.test", "moved"),
    }
    text = acme_cli("roster-history", "--org", "Acme", "--rollout", "MFA").stdout
    assert "2025-03-01" in text and "moved  e@acme.test  wider/Sales -> champion/Sales" in text
    refused = acme_cli(*base, "--as-of", "1 March", str(march), ok=False)
    assert refused.returncode == 2 and "'1 March' is not a date (YYYY-MM-DD)" in refused.stderr


def test_the_api_dates_a_roster(acme, tmp_path):
    from analysis.access import OPERATOR
    from analysis.api import answers

    path = tmp_path / "march.csv"
    path.write_text(MARCH.lstrip())
    fields = {"kind": "roster", "rollout": "MFA", "as_of": "2025-03-01"}
    loaded = answers.load(acme.store, OPERATOR, "Acme", fields, "march.csv", path)
    assert loaded["roster_as_of"] == "2025-03-01"
    with pytest.raises(answers.ApiError) as refused:
        answers.load(acme.store, OPERATOR, "Acme", {**fields, "as_of": "March"}, "march.csv", path)
    assert refused.value.status == 400


def test_the_chart_holds_each_count_until_the_next_roster_and_the_last_until_today(acme, load):
    from analysis import roster_history
    from analysis.charts.roster import roster_chart

    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    fig = roster_chart(roster_history.snapshots(acme, _mfa(acme)), ["champion", "wider"], date(2025, 6, 30))
    lines = {trace.name: trace for trace in fig.data}
    assert [str(x)[:10] for x in lines["champion"].x] == ["2025-01-01", "2025-03-01", "2025-06-30"]
    assert list(lines["champion"].y) == [4, 4, 4] and list(lines["everyone"].y) == [6, 6, 6]
    assert lines["champion"].line.shape == "hv"  # a step: flat until the next roster
    assert [str(x)[:10] for x in fig.layout.xaxis.range] == ["2025-01-01", "2025-07-01"]


def test_a_single_roster_dated_today_is_drawn_on_a_month_of_days(acme, load):
    """Not as dots on an axis of milliseconds: the axis runs a month back from the day after today."""
    from analysis import roster_history
    from analysis.charts.roster import roster_chart

    load(acme, "roster", JANUARY, as_of=date(2025, 6, 30))
    fig = roster_chart(roster_history.snapshots(acme, _mfa(acme)), ["champion", "wider"], date(2025, 6, 30))
    assert [str(x)[:10] for x in fig.layout.xaxis.range] == ["2025-05-31", "2025-07-01"]
    assert fig.layout.xaxis.tickformat == "%-d %b %Y"


def test_the_figures_say_which_roster_they_count(acme, load):
    from analysis.api.documents import kpis_document
    from ui.cards import freshness_md

    load(acme, "roster", JANUARY, as_of=date(2025, 1, 1))
    load(acme, "usage", USAGE)
    assert kpis_document(acme, "Acme", _mfa(acme), FEBRUARY_DAY, 28)["roster_dated"] == "2025-01-01"
    fresh = metrics.freshness(acme, _mfa(acme))
    # one roster: nothing to tell apart, the caption does not name it
    assert "roster of" not in freshness_md(_mfa(acme), fresh, FEBRUARY_DAY, 28)
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    fresh = metrics.freshness(acme, _mfa(acme))
    assert fresh["roster_dates"] == [date(2025, 1, 1), date(2025, 3, 1)]
    assert "roster of 1 Jan 2025" in freshness_md(_mfa(acme), fresh, FEBRUARY_DAY, 28)
    assert "roster of 1 Mar 2025" in freshness_md(_mfa(acme), fresh, MARCH_DAY, 28)
    assert kpis_document(acme, "Acme", _mfa(acme), MARCH_DAY, 28)["roster_dated"] == "2025-03-01"
    assert kpis_document(acme, "Acme", _mfa(acme), FEBRUARY_DAY, 28)["roster_dated"] == "2025-01-01"
