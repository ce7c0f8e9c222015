"""The per-person adoption facts kept per data version (analysis/person_facts.py, migration 030): the
recording evaluation keeps them at its as-of day and window; every adoption figure read at the same
key, day and window counts the kept rows and gives what computing gives; a load, a setting, another
day or window, or another organisation never reads them; erasure deletes them; reads never write.

The tiny organisation (tests/data/tiny) as of its newest usage day, 2025-02-10, window 28 (01-14..02-10):
b used it on 01-07 only (lapsed), d never (never used); first uses b 01-07 (1 day after the
champions' go-live), c 01-20 (14), e 02-03 (0, the wider cohort's go-live)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from analysis import alerts, breakdowns, metrics, orgs, person_facts, settings
from analysis.access import OPERATOR
from analysis.care.erasure import erase_person
from analysis.scope import open_scope

D = date(2025, 2, 10)
NOW = datetime(2025, 2, 12, 9)


def record(scope, rollout):
    alerts.evaluate_alerts(scope, rollout, now=NOW, record=True)


def kept_rows(scope) -> int:
    sql = "SELECT count(*) FROM kept_person_facts WHERE org_id = ?"
    return scope.store.cursor().execute(sql, [scope.org_id]).fetchall()[0][0]


def tamper(scope, sql: str) -> None:
    """Change the kept rows (not a product path): a figure that shows the change read them."""
    scope.store.cursor().execute(sql)


def every_figure(scope, rollout, window=28) -> dict:
    return {
        "cohorts": metrics.cohort_figures(scope, rollout, D, window),
        "funnel": metrics.adoption_funnel(scope, rollout, D, window),
        "departments": metrics.department_kpis(scope, rollout, D, window),
        "lapsed": metrics.lapsed_people(scope, rollout, D, window),
        "never": metrics.never_used_people(scope, rollout, D, window),
        "first use": metrics.days_to_first_use(scope, rollout, D),
        "people": metrics.adoption_people(scope, rollout, D, window),
    }


def assert_same(left: dict, right: dict) -> None:
    assert left.keys() == right.keys()
    for name in left:
        if isinstance(left[name], pd.DataFrame):
            pd.testing.assert_frame_equal(left[name], right[name])  # values and dtypes
        else:
            assert left[name] == right[name], name


def test_the_evaluation_keeps_one_row_per_licensed_person(tiny):
    scope, rollout = tiny
    record(scope, rollout)
    assert kept_rows(scope) == 6  # a b c d e f; g is not licensed
    assert person_facts.entry(scope, rollout, D, 28) is not None


def test_every_adoption_figure_read_from_the_kept_rows_is_what_computing_gives(tiny):
    scope, rollout = tiny
    computed = every_figure(scope, rollout)
    record(scope, rollout)
    kept = every_figure(scope, rollout)
    assert_same(kept, computed)
    assert list(kept["lapsed"]["user_id"]) == ["b@acme.test"]
    assert list(kept["never"]["user_id"]) == ["d@acme.test"]
    assert dict(zip(kept["first use"]["user_id"], kept["first use"]["days_to_first_use"])) == {
        "b@acme.test": 1,
        "c@acme.test": 14,
        "e@acme.test": 0,
    }


def test_the_figures_count_the_kept_rows(tiny):
    scope, rollout = tiny
    record(scope, rollout)
    tamper(scope, "UPDATE kept_person_facts SET lapsed = false WHERE user_id = 'b@acme.test'")
    assert metrics.lapsed_people(scope, rollout, D, 28).empty
    assert metrics.cohort_figures(scope, rollout, D, 28)["champion"]["lapsed_users"] == 0
    # another window, or another day, is computed: b is lapsed there (and with 21 days, 01-21..02-10,
    # so is c, whose one use was on 01-20)
    assert list(metrics.lapsed_people(scope, rollout, D, 21)["user_id"]) == ["b@acme.test", "c@acme.test"]
    assert metrics.cohort_figures(scope, rollout, date(2025, 2, 9), 28)["champion"]["lapsed_users"] == 1


def test_a_load_or_a_setting_reads_afresh(tiny, load):
    scope, rollout = tiny
    record(scope, rollout)
    tamper(scope, "UPDATE kept_person_facts SET lapsed = false WHERE user_id = 'b@acme.test'")
    load(scope, "usage", "user_id,date,activity,count\nd@acme.test,2025-02-10,mfa,1\n")
    assert list(metrics.lapsed_people(scope, rollout, D, 28)["user_id"]) == ["b@acme.test"]
    assert metrics.never_used_people(scope, rollout, D, 28).empty  # d used it on 02-10
    record(scope, rollout)
    tamper(scope, "UPDATE kept_person_facts SET lapsed = false WHERE user_id = 'b@acme.test'")
    settings.set_rollout(scope, "MFA", activities=["mfa"])  # a change of settings: the key moves
    assert list(metrics.lapsed_people(scope, orgs.rollout(scope, "MFA"), D, 28)["user_id"]) == ["b@acme.test"]


def test_another_organisation_never_reads_an_entry(tiny, store):
    scope, rollout = tiny
    record(scope, rollout)
    entry = person_facts.entry(scope, rollout, D, 28)
    other_id = orgs.add_organisation(store, OPERATOR, "Globex", email_domains=["globex.test"])
    other = open_scope(store, OPERATOR, other_id)
    # Acme's rollout and entry, asked through Globex's scope: the query binds Globex, so nothing comes back
    rows = other.df("adoption_people", rollout_id=rollout.rollout_id, as_of=D, window_days=28, status=None, kept=entry)
    assert rows.empty
    # and Acme's own entry asked for another day gives nothing rather than the wrong day's people
    wrong_day = scope.df(
        "adoption_people",
        rollout_id=rollout.rollout_id,
        as_of=date(2025, 2, 9),
        window_days=28,
        status=None,
        kept=entry,
    )
    assert wrong_day.empty


def test_the_roster_column_breakdown_reads_them_too(tiny):
    scope, rollout = tiny
    computed = breakdowns.roster_column_kpis(scope, rollout, "department", D, 28)
    record(scope, rollout)
    pd.testing.assert_frame_equal(breakdowns.roster_column_kpis(scope, rollout, "department", D, 28), computed)


def test_erasing_a_person_deletes_the_kept_rows(tiny, store):
    scope, rollout = tiny
    record(scope, rollout)
    erase_person(open_scope(store, OPERATOR, scope.org_id, "manage_organisations"), "b@acme.test")
    assert kept_rows(scope) == 0
    assert "b@acme.test" not in set(metrics.adoption_people(scope, rollout, D, 28)["user_id"])


def entries(scope) -> int:
    return scope.store.cursor().execute("SELECT count(DISTINCT entry_id) FROM kept_person_facts").fetchall()[0][0]


def test_reads_never_write_and_only_the_newest_entries_are_kept(tiny, load):
    scope, rollout = tiny
    every_figure(scope, rollout)
    assert kept_rows(scope) == 0
    record(scope, rollout)
    record(scope, rollout)
    assert entries(scope) == 1  # the same key: the entry is replaced, not added
    for day in range(1, person_facts.KEEP + 2):  # a new data version each time
        load(scope, "usage", f"user_id,date,activity,count\na@acme.test,2025-02-0{day},mfa,1\n")
        record(scope, rollout)
    assert entries(scope) == person_facts.KEEP
    assert kept_rows(scope) == 6 * person_facts.KEEP
