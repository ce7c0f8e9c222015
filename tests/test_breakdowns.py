"""Breakdowns (analysis/breakdowns.py): the roster keeps its extra columns (migration 024), and
adoption by a roster column and by activity, worked by hand on a tiny rollout."""

from datetime import date

import pandas as pd

from analysis import breakdowns, orgs
from analysis.access import OPERATOR
from analysis.care.erasure import erase_person
from analysis.privacy import OTHER, fold_small_groups
from analysis.scope import open_scope
from analysis.uploads import undo

# champion live 2025-01-06 (55 days old on 2025-03-02), wider 2025-02-03 (27 days): g is unlicensed
ROSTER = """
user_id,display_name,department,cohort,licensed,Location, Manager
a@acme.test,Ann Archer,IT,champion,yes,Leeds,Zoe
b@acme.test,Ben Brook,IT,champion,yes,Leeds,Zoe
c@acme.test,Cat Cole,Sales,champion,yes,Leeds,
d@acme.test,Dan Dale,Sales,champion,yes,York,Zoe
e@acme.test,Eve East,Sales,wider,yes,York,Yan
f@acme.test,Fay Fox,Finance,wider,yes,,Yan
g@acme.test,Gus Gale,Finance,wider,no,York,Yan
"""
# the window of 28 days to 2025-03-02 is 2025-02-03 .. 2025-03-02: c's use is before it
USAGE = """
user_id,date,activity,count
a@acme.test,2025-02-10,teams,1
a@acme.test,2025-02-11,word,2
b@acme.test,2025-02-12,teams,1
c@acme.test,2025-01-20,teams,1
e@acme.test,2025-02-20,word,1
"""
AS_OF = date(2025, 3, 2)


def _rollout(scope):
    return next(r for r in orgs.rollouts(scope) if r.name == "MFA")


def _attributes(scope) -> set:
    rows = scope.store.cursor().execute("SELECT user_id, name, value FROM roster_attributes").fetchall()
    return set(rows)


def test_roster_keeps_its_extra_columns(acme, load):
    load(acme, "roster", ROSTER)
    attrs = _attributes(acme)
    # 7 people: 6 Locations (f has none) and 6 Managers (c has none); header " Manager" trimmed
    assert len(attrs) == 12
    assert ("a@acme.test", "Location", "Leeds") in attrs and ("g@acme.test", "Manager", "Yan") in attrs
    assert not any(u == "f@acme.test" and n == "Location" for u, n, _ in attrs)
    assert breakdowns.roster_columns(acme, _rollout(acme)) == ["Location", "Manager"]


def test_a_column_of_one_value_per_person_is_kept_but_not_offered(acme, load):
    lines = ROSTER.strip().splitlines()
    with_email = [lines[0] + ",Email"] + [f"{line},{line.split(',')[0]}" for line in lines[1:]]
    load(acme, "roster", "\n".join(with_email) + "\n")
    assert ("a@acme.test", "Email", "a@acme.test") in _attributes(acme)
    assert breakdowns.roster_columns(acme, _rollout(acme)) == ["Location", "Manager"]


def test_breakdown_by_location_hand_counted(acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    table = breakdowns.roster_column_kpis(acme, _rollout(acme), "Location", AS_OF, 28)
    got = {
        (r.value, r.cohort): (r.licensed_users, r.active_users, r.eligible_users, r.eligible_active)
        for r in table.itertuples()
    }
    # Leeds: a, b, c licensed, a and b active (c's use predates the window); all champions (past
    # the 30-day target age). York: d (champion) and e (wider, 27 days: not judged yet); g unlicensed.
    assert got[("Leeds", "all")] == (3, 2, 3, 2)
    assert got[("York", "all")] == (2, 1, 1, 0)
    assert got[("(not given)", "all")] == (1, 0, 0, 0)  # f
    assert got[("York", "wider")] == (1, 1, 0, 0)
    assert got[("York", "champion")] == (1, 0, 1, 0)
    leeds = table[(table["value"] == "Leeds") & (table["cohort"] == "all")]["adoption_rate"].iloc[0]
    assert abs(leeds - 2 / 3) < 1e-9


def test_breakdown_by_activity_hand_counted(acme, load):
    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    table = breakdowns.activity_kpis(acme, _rollout(acme), AS_OF, 28)
    got = {(r.activity, r.cohort): (r.active_users, r.licensed_users) for r in table.itertuples()}
    # all 6 licensed: teams a, b; word a, e. Champions (4): teams a, b; word a. Wider (2): word e.
    assert got == {
        ("teams", "all"): (2, 6),
        ("word", "all"): (2, 6),
        ("teams", "champion"): (2, 4),
        ("word", "champion"): (1, 4),
        ("teams", "wider"): (0, 2),
        ("word", "wider"): (1, 2),
    }
    assert table["counted"].all()


def test_client_view_folds_a_group_of_three():
    # Leeds 3 people is folded with (not given) 1 and York 2: 6 people, 3 active
    frame = pd.DataFrame(
        {"value": ["Leeds", "York", "Big", "(not given)"], "licensed_users": [3, 2, 9, 1], "active_users": [2, 1, 4, 0]}
    )
    frame["adoption_rate"] = frame["active_users"] / frame["licensed_users"]
    folded = fold_small_groups(
        frame, "value", "licensed_users", ratios={"adoption_rate": ("active_users", "licensed_users")}
    )
    assert folded["value"].tolist() == ["Big", OTHER]
    assert folded.iloc[1][["licensed_users", "active_users", "adoption_rate"]].tolist() == [6, 3, 0.5]


def test_under_target_judges_groups_of_five(acme, load):
    load(acme, "roster", ROSTER)
    table = pd.DataFrame(
        {"value": ["Leeds", "York", "Hull"], "eligible_users": [5, 10, 4], "eligible_active": [3, 9, 0]}
    )
    flagged = breakdowns.under_target(acme, _rollout(acme), table)
    # target 80 %: Leeds 3/5 = 60 % under; York 90 % not; Hull 4 people not judged
    assert flagged["value"].tolist() == ["Leeds"] and flagged["adoption_rate"].tolist() == [0.6]


def test_undo_brings_back_the_previous_columns(acme, load):
    load(acme, "roster", ROSTER)
    moved = ROSTER.replace(
        "a@acme.test,Ann Archer,IT,champion,yes,Leeds", "a@acme.test,Ann Archer,IT,champion,yes,Hull"
    )
    second = load(acme, "roster", moved)
    assert second.rows_updated == 1  # only a's Location changed
    rollout = _rollout(acme)
    values = lambda: dict(  # noqa: E731
        acme.store.cursor()
        .execute(
            "SELECT user_id, value FROM current_roster_attributes(?, ?) WHERE name = 'Location'",
            [acme.org_id, rollout.rollout_id],
        )
        .fetchall()
    )
    assert values()["a@acme.test"] == "Hull"
    undo(acme, second.upload_id)
    assert values()["a@acme.test"] == "Leeds"


def test_erase_person_removes_their_columns_and_mentions(acme, load):
    load(acme, "roster", ROSTER)
    admin = open_scope(acme.store, OPERATOR, acme.org_id, "manage_organisations")
    erase_person(admin, "a@acme.test")
    assert not any(u == "a@acme.test" for u, _, _ in _attributes(acme))
    load_names = {v for _, n, v in _attributes(acme) if n == "Manager"}
    assert load_names == {"Zoe", "Yan"}
    erase_person(admin, "Zoe")  # a manager named in other people's rows: the mention is replaced
    assert {v for _, n, v in _attributes(acme) if n == "Manager"} == {"[erased]", "Yan"}


def test_adding_people_to_the_roster_keeps_the_columns(acme, load):
    from analysis.people import add_to_roster

    load(acme, "roster", ROSTER)
    config = open_scope(acme.store, OPERATOR, acme.org_id, "configure")
    added = add_to_roster(config, "MFA", [{"user_id": "h@acme.test", "cohort": "wider"}])
    assert (added.rows_loaded, added.rows_updated, added.rows_duplicate) == (1, 0, 7)  # nobody else changed
    rollout = _rollout(acme)
    kept = (
        acme.store.cursor()
        .execute("SELECT count(*) FROM current_roster_attributes(?, ?)", [acme.org_id, rollout.rollout_id])
        .fetchall()[0][0]
    )
    assert kept == 12  # the 12 values of the first load; h has none


def test_kpis_json_breakdowns(acme, load):
    import json

    from analysis.access import Principal
    from analysis.api.documents import kpis_document
    from analysis.scope import Scope

    load(acme, "roster", ROSTER)
    load(acme, "usage", USAGE)
    rollout = _rollout(acme)
    got = json.loads(json.dumps(kpis_document(acme, "Acme", rollout, AS_OF, 28, record=False)["breakdowns"]))
    teams = [r for r in got["activities"] if r["activity"] == "teams" and r["cohort"] == "all"]
    assert teams == [
        {
            "activity": "teams",
            "cohort": "all",
            "counted": True,
            "legacy": False,
            "licensed_users": 6,
            "active_users": 2,
            "adoption_rate": 2 / 6,
        }
    ]
    location = {(r["value"], r["cohort"]): r["licensed_users"] for r in got["roster_columns"]["Location"]}
    assert location[("Leeds", "all")] == 3 and location[("(not given)", "all")] == 1
    viewer = Scope(acme.store, Principal("viewer", "client_viewer", frozenset({acme.org_id})), acme.org_id)
    folded = kpis_document(viewer, "Acme", rollout, AS_OF, 28, record=False)["breakdowns"]["roster_columns"]
    # every place is under 5 people: Leeds 3 + York 2 + (not given) 1 = 6 fold into one group (all
    # cohorts); per cohort champions Leeds 3 + York 1 = 4 and wider 2 stay hidden
    assert [(r["value"], r["cohort"], r["licensed_users"]) for r in folded["Location"]] == [(OTHER, "all", 6)]


def test_activity_kpis_classify_each_activity_once_with_the_same_table(acme, load):
    """The query classifies each activity once and groups only the window's rows per person: the
    same table as the per-row formulation (tests/data/activity_kpis_by_rows.sql), with the edge
    cases spelled out: sms is the legacy activity; excel only the unlicensed g used; onenote only
    with count 0; ppt only after the as-of day; visio only c, before the window; the ghost z (on
    no roster) used teams in the window."""
    from pathlib import Path

    load(acme, "roster", ROSTER)
    load(
        acme,
        "usage",
        USAGE
        + "a@acme.test,2025-02-15,sms,1\n"
        + "g@acme.test,2025-02-15,excel,1\n"
        + "d@acme.test,2025-02-16,onenote,0\n"
        + "d@acme.test,2025-03-05,ppt,1\n"
        + "c@acme.test,2025-01-21,visio,1\n"
        + "z@acme.test,2025-02-20,teams,1\n",
    )
    by_rows = (Path(__file__).parent / "data" / "activity_kpis_by_rows.sql").read_text()

    def both():
        rollout = _rollout(acme)
        params = {"org_id": acme.org_id, "rollout_id": rollout.rollout_id, "as_of": AS_OF, "window_days": 28}
        oracle = acme.store.cursor().execute(by_rows, params).df()
        table = breakdowns.activity_kpis(acme, rollout, AS_OF, 28)
        pd.testing.assert_frame_equal(table, oracle)
        return {(r.activity, r.cohort): (r.active_users, r.counted, r.legacy) for r in table.itertuples()}

    got = both()
    assert {a for a, _ in got} == {"teams", "word", "sms", "visio"}
    assert got[("teams", "all")] == (2, True, False)  # a and b; not z
    assert got[("sms", "all")] == (1, False, True)
    assert got[("visio", "all")] == (0, True, False)
    from analysis import settings

    settings.set_rollout(acme, "MFA", activities=["teams"])  # only teams counts now
    got = both()
    assert got[("teams", "all")][1:] == (True, False) and got[("word", "all")][1:] == (False, False)
    assert got[("sms", "all")][1:] == (False, True)
