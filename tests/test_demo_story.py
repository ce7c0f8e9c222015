"""The demo tells the whole story (issue 14 part 9; analysis/demo_story.py): the recovery phases
with their success measures, the baseline locked before the recovery, the root cause with its
actions, the post-mortem, each figure quoted in the texts checked against the demo's own files."""

import csv
from datetime import date

import pytest

from analysis import demo, demo_story, lessons, orgs, phases, seed
from analysis.access import OPERATOR
from analysis.alerts import actions
from analysis.kpis.baselines import locked_baselines
from analysis.scope import open_scope
from analysis.store import Store

AS_OF = date(2026, 11, 15)
LICENSED = 272  # data/demo/roster.csv: rows with licensed = yes


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    path = tmp_path_factory.mktemp("story")
    store = Store(path / "demo.duckdb", staging_dir=path / "staging")
    seed.ensure_demo(store, enabled=True)
    scope = open_scope(store, OPERATOR, int(orgs.organisations(store, OPERATOR)["org_id"].iloc[0]))
    yield scope, orgs.rollouts(scope)[0]
    store.close()


def tickets_created(first: str, last: str) -> int:
    """Tickets of data/demo/tickets.csv created from first to last (inclusive), counted here by hand."""
    with open(demo.DEMO_DIR / "tickets.csv", encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if first <= row["created_at"][:10] <= last)


def test_the_recovery_follows_the_failed_landing_with_its_success_measures(story):
    scope, rollout = story
    results = {r["phase"].name: r for r in phases.results(scope, rollout, AS_OF)}
    assert list(results) == [
        "plan",
        "champion pilot",
        "wider rollout",
        "stabilise",
        "re-design",
        "re-enable",
        "monitor",
    ]
    wider, stabilise = results["wider rollout"]["phase"], results["stabilise"]["phase"]
    assert (wider.ends, stabilise.starts) == (date(2026, 9, 6), date(2026, 9, 7))  # cut short by the recovery
    # tickets per 100 people in the 7 days to a day: 39 of 272 to 6 Sep, 23 to 20 Sep, 13 to 18 Oct
    assert (tickets_created("2026-08-31", "2026-09-06"), tickets_created("2026-09-14", "2026-09-20")) == (39, 23)
    assert tickets_created("2026-10-12", "2026-10-18") == 13
    readings = {r["kpi"]: r for r in results["stabilise"]["readings"]}
    per_100 = readings["tickets_per_100_users_7d"]
    assert per_100["baseline"] == pytest.approx(39 / LICENSED * 100) and per_100["value"] == pytest.approx(
        23 / LICENSED * 100
    )
    assert (per_100["target"], results["stabilise"]["status"]) == (10.0, "met")  # 8.5 <= 10
    redesign = {r["kpi"]: r for r in results["re-design"]["readings"]}
    assert redesign["tickets_per_100_users_7d"]["value"] == pytest.approx(13 / LICENSED * 100)  # 4.8 <= 6
    assert results["re-design"]["status"] == "met"
    # use did not come back: adoption under 75% at the end of re-enable, under 80% while monitoring
    assert results["re-enable"]["status"] == "not met" and results["monitor"]["status"] == "off track"
    assert results["monitor"]["readings"][0]["kpi"] == "adoption_rate"


def test_the_baseline_before_the_recovery_is_locked_on_the_failed_landing(story):
    scope, rollout = story
    [locked] = [b for b in locked_baselines(scope, rollout) if b.name == demo_story.BASELINE]
    assert (locked.start, locked.end) == (date(2026, 8, 17), date(2026, 9, 6))
    assert locked.figures["support"]["tickets"] == tickets_created("2026-08-17", "2026-09-06") == 163
    assert locked.locked_by == "Jo Reyes (account manager)"


def test_the_root_cause_has_actions_one_done_one_overdue_one_open(story):
    scope, rollout = story
    [cause] = actions.root_causes(scope, rollout).to_dict("records")
    assert cause["rule"] == "NOT_READY" and list(cause["categories"]) == ["people", "process", "technology"]
    assert len(cause["whys"]) == 5
    found = actions.actions(scope, rollout, today=AS_OF)
    assert found[["status", "overdue"]].values.tolist() == [["done", False], ["open", True], ["open", False]]
    assert found["outcome"].iloc[0].startswith("64 people attended; tickets per 100 a week fell from 14.3 to 8.5")
    # overdue on the data's last day and on any later day: due 6 November
    assert actions.overdue_actions(scope, rollout)["owner"].tolist() == ["Dan Okafor (warehouse manager)"]


def test_the_post_mortem_quotes_the_demos_own_figures(story):
    scope, rollout = story
    written = lessons.post_mortem(scope, rollout)
    assert written["went_wrong"].startswith("The wider cohort went live on 17 August")

    def kpi(name: str, day: date) -> float:
        return phases.kpi_value(scope, rollout, name, day, rollout.window_days)

    # each figure the texts quote, as the KPI table computes it, rounded as quoted
    assert f"{kpi('tickets_per_100_users_7d', date(2026, 9, 6)):.1f}" == "14.3"  # 39 of 272
    assert f"{kpi('tickets_per_100_users_7d', date(2026, 8, 16)):.1f}" == "5.9"  # 16 of 272
    assert tickets_created("2026-08-10", "2026-08-16") == 16
    assert f"{kpi('median_resolution_hours', date(2026, 9, 6)):.1f}" == "9.7"
    assert kpi("median_resolution_hours", date(2026, 9, 6)) >= 2 * kpi("median_resolution_hours", date(2026, 8, 16))
    assert f"{kpi('satisfaction', date(2026, 8, 16)):.0%}" == "92%"
    assert f"{kpi('satisfaction', date(2026, 9, 6)):.0%}" == "59%"
    assert f"{kpi('tickets_per_100_users_7d', date(2026, 10, 18)):.1f}" == "4.8"  # 13 of 272
    assert f"{kpi('median_resolution_hours', date(2026, 10, 18)):.1f}" == "5.4"
    assert f"{kpi('adoption_rate', date(2026, 9, 20)):.0%}" == "78%"
    assert f"{kpi('adoption_rate', AS_OF):.0%}" == "65%"
    for quoted in ("14.3", "5.9", "9.7", "92%", "59%"):
        assert quoted in written["went_wrong"]
    for quoted in ("4.8", "5.4", "78%", "65%"):
        assert quoted in written["learned"]
    # the readiness figures: 22 of the 25 champions at the workshop, 64 at the drop-ins, 18 on the floor walk
    with open(demo.DEMO_DIR / "readiness.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows[0]["attendees"].split(";")) == 22 and [r["attendees"] for r in rows[3:]] == ["64", "18"]


def test_the_pack_tells_the_story_with_no_missing_value_printed(story):
    """The pack's pages on phases, actions and the post-mortem (analysis/reports/story.py): an open
    action's outcome is blank, never "nan" (pandas reads a missing text as NaN)."""
    import re

    from analysis.reports.contents import report_contents

    scope, rollout = story
    contents = report_contents(scope, rollout, AS_OF)
    titles = [s.title for s in contents.sections]
    assert {"Phases against their targets", "Root causes and actions", "Post-mortem and lessons"} <= set(titles)
    [actions_page] = [s for s in contents.sections if s.title == "Root causes and actions"]
    assert not re.search(r"\bnan\b", repr(actions_page))
