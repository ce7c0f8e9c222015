"""person_adoption (analysis/queries/macros/3_adoption.sql), the per-person facts every adoption
figure counts, against the raw rows: a worked example of the 12 habit weeks at their edges, and
random usage compared with a plain Python count of the loaded rows. Plus its plan: the people's
days are read in one pass, never materialised for a second reader (docs/performance.md)."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from analysis import metrics, orgs, uploads

ROSTER = """
user_id,display_name,department,cohort,licensed
a@acme.test,Ann,IT,champion,yes
b@acme.test,Ben,IT,champion,yes
c@acme.test,Cat,Sales,wider,yes
d@acme.test,Dan,Sales,wider,no
"""


def _usage(rows: list[tuple[str, date, str]]) -> str:
    return "user_id,date,activity,count\n" + "".join(f"{u}@acme.test,{d},{a},1\n" for u, d, a in rows)


def test_habit_weeks_at_their_edges(acme, load):
    # as of Wed 2025-04-02: its week starts Mon 03-31; the 12 weeks start Mon 01-13 (03-31 - 77).
    # a: 01-12 (Sun, the week before: not counted), 01-13 and 01-14 (one week), then the weeks of
    # 01-27, 02-03, 02-10, 02-17, 02-24, 03-03, 03-10 and 04-02 -> 9 weeks; 04-03 is after as_of.
    # b: the same without 01-13 and 01-14 -> 8 weeks. Champions are 86 days past go-live (>= 84):
    # a is habitual (>= 9), b is not.
    weeks = ["2025-01-27", "2025-02-03", "2025-02-10", "2025-02-17", "2025-02-24", "2025-03-03", "2025-03-10"]
    a = ["2025-01-12", "2025-01-13", "2025-01-14", *weeks, "2025-04-02", "2025-04-03"]
    b = ["2025-01-12", *weeks, "2025-04-02"]
    rows = [("a", date.fromisoformat(d), "mfa") for d in a] + [("b", date.fromisoformat(d), "mfa") for d in b]
    load(acme, "roster", ROSTER)
    load(acme, "usage", _usage(rows))
    people = metrics.adoption_people(acme, orgs.rollout(acme, "MFA"), date(2025, 4, 2), 28).set_index("user_id")
    assert people.loc["a@acme.test", "active_weeks"] == 9
    assert people.loc["b@acme.test", "active_weeks"] == 8
    assert bool(people.loc["a@acme.test", "habitual"]) is True
    assert bool(people.loc["b@acme.test", "habitual"]) is False
    assert people.loc["c@acme.test", "active_weeks"] == 0  # no use at all


def _expected(rows, as_of: date, w: int, go_live: dict[str, date]) -> dict[str, tuple]:
    """The facts of each licensed person counted from the raw rows in Python."""
    monday = as_of - timedelta(days=as_of.weekday())
    out = {}
    for user, g in go_live.items():
        counting = sorted({d for u, d, a in rows if u == user and a == "mfa" and d <= as_of})
        legacy = {d for u, d, a in rows if u == user and a == "sms" and d <= as_of}
        after = [d for d in counting if d >= g]
        in_window = [d for d in counting if d > as_of - timedelta(days=w)]
        before = [d for d in after if d <= as_of - timedelta(days=w)]
        weeks = {d - timedelta(days=d.weekday()) for d in counting if d >= monday - timedelta(days=77)}
        out[f"{user}@acme.test"] = (
            after[0] if after else None,
            counting[-1] if counting else None,
            len(in_window),
            bool(before) and not in_window,
            any(d > as_of - timedelta(days=14) for d in legacy),
            len(weeks),
            (len(weeks) >= 9) if (as_of - g).days >= 84 else None,
        )
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_person_facts_match_the_raw_rows(acme, load, seed):
    rng = random.Random(seed)
    start = date(2024, 12, 20)
    rows = sorted(
        {
            (u, start + timedelta(days=rng.randrange(150)), rng.choice(["mfa", "mfa", "sms"]))
            for u in "abcd"
            for _ in range(40)
        }
    )
    load(acme, "roster", ROSTER)
    load(acme, "usage", _usage(rows))
    rollout = orgs.rollout(acme, "MFA")
    go_live = {"a": date(2025, 1, 6), "b": date(2025, 1, 6), "c": date(2025, 2, 3)}  # d is not licensed
    cur = acme.store.cursor()
    # the last: every day of use is 26 to 48 weeks before it (past the habit mask's 32 bits)
    for as_of in (
        date(2025, 1, 5),
        date(2025, 2, 12),
        date(2025, 3, 31),
        date(2025, 4, 27),
        date(2025, 5, 14),
        date(2025, 11, 20),
    ):
        for w in (7, 28):
            found = {
                user: facts
                for user, *facts in cur.execute(
                    "SELECT user_id, first_use, last_use, active_days, lapsed, legacy, active_weeks, habitual "
                    "FROM person_adoption(?, ?, ?, ?)",
                    [acme.org_id, rollout.rollout_id, as_of, w],
                ).fetchall()
            }
            found = {user: tuple(facts) for user, facts in found.items()}
            assert found == _expected(rows, as_of, w, go_live), (as_of, w)


def test_the_people_days_are_read_once(acme):
    # a CTE with two readers is materialised whole before either reads it, once the table is large
    # (on the 2 M-event organisation that copy was half the query), so `days` has one reader only
    definition = (
        acme.store.cursor()
        .execute("SELECT macro_definition FROM duckdb_functions() WHERE function_name = 'person_adoption'")
        .fetchall()[0][0]
    )
    assert len(re.findall(r'(?:FROM|JOIN)\s+"?days\b', definition, flags=re.IGNORECASE)) == 1


MARCH = """
user_id,display_name,department,cohort,licensed
a@acme.test,Ann,IT,champion,yes
b@acme.test,Ben,IT,wider,yes
c@acme.test,Cat,Sales,wider,yes
d@acme.test,Dan,Sales,wider,yes
"""


def _rolling_expected(rows, start: date, as_of: date, rosters: list[tuple[date, dict[str, str]]]):
    """(cohort, day) -> (active_7d, licensed_users) from the raw rows: each day counts the people
    the roster in effect that day licenses (the first roster also holds before its date)."""
    out = {}
    day = start
    while day <= as_of:
        roster = [r for dated, r in rosters if dated <= day][-1] if rosters[0][0] <= day else rosters[0][1]
        for cohort in ("champion", "wider"):
            people = [u for u, c in roster.items() if c == cohort]
            active = [
                u
                for u in people
                if any(p == u and a == "mfa" and day - timedelta(days=6) <= d <= day for p, d, a in rows)
            ]
            out[(cohort, day)] = (len(active), len(people))
        day += timedelta(days=1)
    return out


@pytest.mark.parametrize("seed", [4, 5])
def test_rolling_adoption_matches_the_raw_rows_through_a_load_and_an_undo(acme, load, seed):
    # January: a b champions, c wider (d unlicensed); from 1 Mar: b moves to the wider cohort and d
    # is licensed. A second usage load adds days; undoing it must give the first load's figures.
    rng = random.Random(seed)
    start = date(2024, 12, 20)
    first = sorted(
        {
            (u, start + timedelta(days=rng.randrange(120)), rng.choice(["mfa", "mfa", "sms"]))
            for u in "abcd"
            for _ in range(25)
        }
    )
    more = sorted(
        {(u, start + timedelta(days=rng.randrange(120)), "mfa") for u in "abcd" for _ in range(15)} - set(first)
    )
    load(acme, "roster", ROSTER, as_of=date(2025, 1, 1))
    load(acme, "roster", MARCH, as_of=date(2025, 3, 1))
    load(acme, "usage", _usage(first))
    rollout = orgs.rollout(acme, "MFA")
    rosters = [
        (date(2025, 1, 1), {"a": "champion", "b": "champion", "c": "wider"}),
        (date(2025, 3, 1), {"a": "champion", "b": "wider", "c": "wider", "d": "wider"}),
    ]

    def found(as_of):
        frame = metrics.rolling_adoption(acme, rollout, as_of)
        return {
            (r.cohort, r.day.date() if hasattr(r.day, "date") else r.day): (int(r.active_7d), int(r.licensed_users))
            for r in frame.itertuples()
        }

    def check(rows):
        for as_of in (date(2025, 1, 2), date(2025, 2, 20), date(2025, 4, 19)):
            frame = metrics.rolling_adoption(acme, rollout, as_of)
            start_day = min(frame["day"]).date() if len(frame) else as_of
            assert found(as_of) == _rolling_expected(rows, start_day, as_of, rosters), as_of

    check(first)
    second = load(acme, "usage", _usage(more))
    check(first + more)
    uploads.undo(acme, second.upload_id)
    check(first)


def test_a_year_of_history_counts_only_the_last_twelve_habit_weeks(acme, load):
    # A year of history: a's first use, Mon 2024-04-01, is 52 weeks before as_of's week (Mon
    # 2025-03-31), far outside the 12 habit weeks (from Mon 2025-01-13); a week index that large
    # once overflowed the weekly mask. a: that day, then 2025-03-04 and 2025-04-01 -> 2 habit
    # weeks (those of 03-03 and 03-31); the 28-day window (03-06 to 04-02) holds 04-01 only.
    rows = [("a", date(2024, 4, 1), "mfa"), ("a", date(2025, 3, 4), "mfa"), ("a", date(2025, 4, 1), "mfa")]
    load(acme, "roster", ROSTER)
    load(acme, "usage", _usage(rows))
    people = metrics.adoption_people(acme, orgs.rollout(acme, "MFA"), date(2025, 4, 2), 28).set_index("user_id")
    assert people.loc["a@acme.test", "active_weeks"] == 2
    assert people.loc["a@acme.test", "active_days"] == 1
    assert people.loc["a@acme.test", "last_use"].date() == date(2025, 4, 1)
