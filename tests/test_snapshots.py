"""Figures from Microsoft 365 snapshot exports (docs/metrics.md#figures-from-snapshot-exports): a figure whose
period is shorter than the spacing of the snapshots behind it says "not computable from this
data" (weekly active people, 7-day adoption, habitual use, DECLINING_USAGE, stickiness), never 0.

The snapshots are built from the documented active-users report header (tests/data/formats)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analysis import alerts, metrics, orgs, uploads
from analysis.__main__ import main
from tests.conftest import ROOT, shown

HEADER = (
    (ROOT / "tests" / "data" / "formats" / "m365_active_users_2025-07-13.csv")
    .read_text(encoding="utf-8-sig")
    .splitlines()[0]
)
PRODUCTS = ("exchange", "onedrive", "sharepoint", "skype", "yammer", "teams")
PEOPLE = {"ann@acme.test": "Ann", "ben@acme.test": "Ben", "cat@acme.test": "Cat"}
EVERY_FIGURE = set(metrics.SNAPSHOT_PERIODS)
ROSTER = """\
    user_id,display_name,department,cohort,licensed
    ann@acme.test,Ann,IT,champion,yes
    ben@acme.test,Ben,IT,champion,yes
    cat@acme.test,Cat,Sales,champion,yes
    """


def report(refresh: str, last: dict[str, dict[str, str]]) -> bytes:
    """An active-users report refreshed on `refresh`: person -> {product: last activity date}."""
    lines = [HEADER]
    for user, name in PEOPLE.items():
        dates = [last.get(user, {}).get(p, "") for p in PRODUCTS]
        lines.append(
            ",".join([refresh, user, name, "False", "", *["True"] * 6, *dates, *["2025-01-02"] * 6, "MICROSOFT 365 E3"])
        )
    return ("\n".join(lines) + "\n").encode()


# monthly: refreshed 05-31, 06-30, 07-31, i.e. 30 and 31 days apart
MONTHLY = [
    (
        "2025-05-31",
        {
            "ann@acme.test": {"exchange": "2025-05-30", "teams": "2025-05-20"},
            "ben@acme.test": {"exchange": "2025-05-02"},
        },
    ),
    (
        "2025-06-30",
        {
            "ann@acme.test": {"exchange": "2025-06-29"},
            "ben@acme.test": {"exchange": "2025-05-02"},
            "cat@acme.test": {"teams": "2025-06-15"},
        },
    ),
    (
        "2025-07-31",
        {
            "ann@acme.test": {"exchange": "2025-07-30"},
            "ben@acme.test": {"exchange": "2025-07-01"},
            "cat@acme.test": {"teams": "2025-06-15"},
        },
    ),
]


@pytest.fixture
def monthly(acme, load):
    load(acme, "roster", ROSTER)
    for refresh, last in MONTHLY:
        load(acme, "usage", report(refresh, last), name=f"active-users-{refresh}.csv", rollout=None)
    return acme


def test_monthly_snapshots_make_weekly_habit_and_daily_figures_not_computable(monthly):
    mfa = orgs.rollout(monthly, "MFA")
    assert metrics.usage_snapshots(monthly, mfa) == [date(2025, 5, 31), date(2025, 6, 30), date(2025, 7, 31)]
    why = metrics.not_computable(monthly, mfa)
    assert set(why) == EVERY_FIGURE
    assert why["weekly_active_users"] == (
        "Not computable from this data: the usage behind weekly active people comes from 3 snapshots "
        "(31 May 2025 to 31 Jul 2025) up to 31 days apart; it needs snapshots at most 7 days apart or "
        "event-level data."
    )
    assert "at most 1 day apart" in why["stickiness"]
    champion = metrics.cohort_figures(monthly, mfa, date(2025, 7, 31), 28)["champion"]
    # the 28-day window 07-04..07-31 at a refresh date is known exactly: ann (07-30) of 3; ben's 07-01 is outside
    assert (champion["active_users"], champion["adoption_rate"]) == (1, pytest.approx(1 / 3))
    # 206 days past go-live, so habit would be judged on event data: here it is null, as is stickiness
    assert champion["habitual_users"] is None and champion["stickiness"] is None


def test_declining_usage_says_why_it_cannot_judge_monthly_snapshots(monthly):
    found = alerts.evaluate_alerts(monthly, orgs.rollout(monthly, "MFA"), date(2025, 7, 31), record=False)
    [declining] = [a for a in found if a.rule == "DECLINING_USAGE" and a.cohort == "champion"]
    assert declining.state == "not_enough_data"
    assert declining.message.startswith("Not computable from this data: the usage behind declining weekly use")
    assert "up to 31 days apart" in declining.message


@pytest.mark.file_db  # the command line opens the file again
def test_kpis_json_says_which_figures_are_not_computable(monthly, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("UPTAKE_DB", monthly.store.path)
    monthly.store.close()
    assert main(["kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-07-31", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["cohorts"]["champion"]["habitual_users"] is None and got["cohorts"]["all"]["habitual_users"] is None
    assert got["cohorts"]["champion"]["adoption_rate"] == pytest.approx(1 / 3)
    assert set(got["not_computable"]) == EVERY_FIGURE
    assert "up to 31 days apart" in got["not_computable"]["habitual_users"]


def test_weekly_snapshots_leave_only_daily_figures_not_computable(acme, load):
    load(acme, "roster", ROSTER)
    for refresh in ("2025-07-13", "2025-07-20"):
        load(
            acme,
            "usage",
            (ROOT / "tests" / "data" / "formats" / f"m365_active_users_{refresh}.csv").read_bytes(),
            rollout=None,
        )
    mfa = orgs.rollout(acme, "MFA")
    assert list(metrics.not_computable(acme, mfa)) == ["stickiness"]
    figures = metrics.cohort_figures(acme, mfa, date(2025, 7, 20), 28)["champion"]
    # weekly figures are computable: ann has two active weeks (07-07, 07-14) of the 12, under 9 -> 0 habitual
    assert figures["habitual_users"] == 0 and figures["stickiness"] is None


def test_a_quiet_week_still_counts_as_a_snapshot(acme, load):
    """A weekly snapshot in which nobody did anything new stores no event (every row is a
    duplicate) yet still shows the snapshots are a week apart."""
    load(acme, "roster", ROSTER)
    week = {"ann@acme.test": {"exchange": "2025-07-12"}}
    load(acme, "usage", report("2025-07-13", week), name="w1.csv", rollout=None)
    quiet = load(acme, "usage", report("2025-07-20", week), name="w2.csv", rollout=None)
    assert (quiet.rows_loaded, quiet.rows_duplicate) == (0, 1)
    mfa = orgs.rollout(acme, "MFA")
    assert metrics.usage_snapshots(acme, mfa) == [date(2025, 7, 13), date(2025, 7, 20)]
    assert list(metrics.not_computable(acme, mfa)) == ["stickiness"]


def test_a_single_snapshot_has_no_history_and_undoing_it_clears_the_verdict(acme, load):
    load(acme, "roster", ROSTER)
    only = load(acme, "usage", report("2025-07-13", {"ann@acme.test": {"teams": "2025-07-12"}}), rollout=None)
    mfa = orgs.rollout(acme, "MFA")
    why = metrics.not_computable(acme, mfa)
    assert set(why) == EVERY_FIGURE
    assert (
        "a single snapshot (refreshed 13 Jul 2025), which gives each person's last activity date, "
        "not a history" in why["habitual_users"]
    )
    uploads.undo(acme, only.upload_id)
    assert metrics.not_computable(acme, mfa) == {}


def test_only_the_snapshots_behind_the_rollouts_counting_activities_matter(acme, load):
    load(acme, "roster", ROSTER)
    for refresh, last in MONTHLY:
        load(acme, "usage", report(refresh, last), name=f"active-users-{refresh}.csv", rollout=None)
    load(
        acme,
        "usage",
        """\
        user_id,date,activity,count
        ann@acme.test,2025-07-28,crm,1
        """,
        rollout=None,
    )
    crm = orgs.rollout(acme, orgs.add_rollout(acme, "CRM", {"champion": date(2025, 7, 1)}, activities=["crm"]))
    teams = orgs.rollout(acme, orgs.add_rollout(acme, "Teams", {"champion": date(2025, 5, 1)}, activities=["teams"]))
    assert metrics.not_computable(acme, crm) == {}  # event-level data only
    # every monthly report had a Teams date (ann 05-20; cat 06-15, repeated on 07-31)
    assert metrics.usage_snapshots(acme, teams) == [date(2025, 5, 31), date(2025, 6, 30), date(2025, 7, 31)]
    assert (
        "3 snapshots (31 May 2025 to 31 Jul 2025) up to 31 days apart"
        in metrics.not_computable(acme, teams)["weekly_active_users"]
    )


def test_event_level_usage_is_computable(acme, load):
    load(acme, "roster", ROSTER)
    load(
        acme,
        "usage",
        """\
        user_id,date,activity,count
        ann@acme.test,2025-07-28,mfa,1
        """,
        rollout=None,
    )
    mfa = orgs.rollout(acme, "MFA")
    assert metrics.usage_snapshots(acme, mfa) == [] and metrics.not_computable(acme, mfa) == {}
    assert metrics.cohort_figures(acme, mfa, date(2025, 7, 31), 28)["champion"]["stickiness"] == pytest.approx(
        1 / 28
    )  # one person-day over 28 days for 1 active person


# -- on the pages (AppTest, through the router as on the server) ------------------------------------


@pytest.fixture
def snapshot_app(tmp_path, monkeypatch):
    from analysis import auth
    from analysis import store as store_module
    from analysis.access import OPERATOR
    from analysis.ingest import load_file
    from analysis.scope import open_scope
    from tests.apptest import reset_streamlit
    from tests.test_pages import PASSWORD

    monkeypatch.setenv("UPTAKE_DB", str(tmp_path / "app.duckdb"))
    monkeypatch.setenv("UPTAKE_DEMO", "0")
    reset_streamlit()
    handle = store_module.shared_store(str(tmp_path / "app.duckdb"))
    org = orgs.add_organisation(handle, OPERATOR, "Acme", email_domains=["acme.test"])
    scope = open_scope(handle, OPERATOR, org, "upload")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6)})
    load_file(scope, "roster", "roster.csv", ROSTER.replace("    ", "").encode(), rollout="MFA")
    for refresh, last in MONTHLY:
        load_file(scope, "usage", f"active-users-{refresh}.csv", report(refresh, last))
    admin = auth.add_account(handle, OPERATOR, "am@provider.test", "admin", [], password=PASSWORD)
    yield handle, scope, {"admin": admin}
    reset_streamlit()


def test_pages_say_not_computable_and_show_adoption_at_each_snapshot(snapshot_app, monkeypatch):
    from tests.apptest import through_the_router  # noqa: F401 (the router fixture)
    from tests.test_pages import app_as, charts, goto, values

    at = goto(app_as(snapshot_app, "admin", monkeypatch), "pages/adoption.py")
    said = [shown(i.value) for i in at.info]
    # by age, weekly, stickiness, departments
    assert sum(s.startswith("Not computable from this data") for s in said) == 4
    assert any("weekly active people comes from 3 snapshots" in s for s in said)
    # adoption at each refresh date instead, 28 days: 05-04..05-31 ann (ben's 05-02 is before) = 1/3;
    # 06-03..06-30 ann, cat = 2/3; 07-04..07-31 ann (ben 07-01, cat 06-15 before) = 1/3
    [snap] = [c for c in charts(at) if c["layout"]["xaxis"]["title"]["text"] == "snapshot refresh date"]
    champion = next(t for t in snap["data"] if t["name"] == "Champion")
    assert champion["x"][:3] == ["2025-05-31", "2025-06-30", "2025-07-31"]
    assert values(champion["y"]).round(4).tolist() == [round(1 / 3, 4), round(2 / 3, 4), round(1 / 3, 4)]
    assert not any(c["data"][0]["type"] == "heatmap" for c in charts(at))
    assert any("From snapshot exports a first use is the last activity date" in shown(c.value) for c in at.caption)
    at = goto(at, "pages/overview.py")
    [habit] = [m for m in at.metric if m.label == "Habitual"]
    assert habit.value == "—" and "3 snapshots (31 May 2025 to 31 Jul 2025)" in shown(habit.proto.help)
    cards = {m.label: m.value for m in at.metric}
    assert (cards["Tickets per 100"], cards["Median resolution"], cards["Backlog"]) == ("n/a", "n/a", "n/a")
    assert any("Habitual people are not computable from this data" in shown(c.value) for c in at.caption)


def test_weekly_totals_of_a_viva_person_query_leave_only_stickiness_not_computable(acme, load):
    load(
        acme,
        "usage",
        """\
        PersonId,MetricDate,Total_Copilot_actions_taken,Organization
        A1,2024-09-01,6,IT
        A1,2024-09-08,3,IT
        B2,2024-09-08,1,HR
        """,
        rollout=None,
    )
    mfa = orgs.rollout(acme, "MFA")
    assert metrics.usage_snapshots(acme, mfa) == [date(2024, 9, 7), date(2024, 9, 14)]  # each week's last day
    assert list(metrics.not_computable(acme, mfa)) == ["stickiness"]


def test_the_kpi_table_says_habit_is_not_computable(monthly):
    from analysis import kpis

    rows = kpis.kpi_rows(monthly, orgs.rollout(monthly, "MFA"), date(2025, 7, 31))
    habit = [r for r in rows if r.kpi == "habitual_share"]
    assert [(r.cohort, r.baseline, r.current) for r in habit] == [
        ("champion", None, None),
        ("wider", None, None),
        ("all", None, None),
    ]
    assert all(r.note.endswith("not computable from this data (snapshot exports too far apart)") for r in habit)
    # and no ticket is loaded: the support KPIs have no figures rather than zeros
    support = [r for r in rows if r.cohort is None]
    assert [(r.baseline, r.current, r.note) for r in support] == [(None, None, "no tickets loaded")] * 5
