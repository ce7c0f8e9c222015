"""One home for the baseline window and the charts' start (issue 11): the default window is
analysis.settings.default_baseline_window, the rollout's own (its baseline dates when set) is
analysis.kpis.baseline_window, and what the charts shade is the window the KPIs are measured
against; every weekly series starts at analysis.settings.chart_start."""

import dataclasses
from datetime import date

import pandas as pd

from analysis import kpis, metrics, orgs, reports, settings, support
from tests.conftest import TINY

D = date(2025, 2, 10)
TICKETS = b"""\
ticket_id,created_at,status,resolved_at
B1,2024-12-09 09:00,solved,2024-12-09 13:00
B2,2024-12-16 09:00,solved,2024-12-17 09:00
N1,2025-02-05 09:00,solved,2025-02-05 19:00
"""


def test_the_pack_shades_the_baseline_the_kpis_use_when_the_rollout_sets_its_dates(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    load(acme, "tickets", TICKETS)
    acme.store.cursor().execute(
        "UPDATE rollouts SET baseline_start = ?, baseline_end = ? WHERE org_id = ?",
        [date(2024, 12, 16), date(2025, 1, 5), acme.org_id],
    )
    rollout = orgs.rollout(acme, "MFA")
    # the default would be the 28 days before the first go-live (2025-01-06): 12-09 .. 01-05
    assert settings.default_baseline_window(rollout) == (date(2024, 12, 9), date(2025, 1, 5))
    assert kpis.baseline_window(acme, rollout) == (date(2024, 12, 16), date(2025, 1, 5))
    contents = reports.report_contents(acme, rollout, D)
    [chart] = [c for c in contents.charts() if c.name == "tickets"]
    assert chart.options["baseline"] == (date(2024, 12, 16), date(2025, 1, 5))
    [section] = [s for s in contents.sections if s.title.startswith("Support desk")]
    assert "the baseline (16 Dec 2024 to 5 Jan 2025) is grey" in section.lead


def test_weekly_series_and_the_charts_start_at_one_place(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    load(acme, "tickets", TICKETS)
    rollout = orgs.rollout(acme, "MFA")
    # first go-live 2025-01-06: 28 days before is 2024-12-09, a Monday
    assert settings.chart_start(rollout, D) == date(2024, 12, 9)
    assert support.weekly_tickets(acme, rollout, D)["week_start"].min() == pd.Timestamp(2024, 12, 9)
    weekly = metrics.weekly_active_users(acme, rollout, D)
    assert weekly["week_start"].min() == pd.Timestamp(2024, 12, 9)
    # a rollout with no cohort yet: the 28 days before the as-of date (not an empty period)
    bare = dataclasses.replace(rollout, cohorts={})
    assert settings.default_baseline_window(bare) is None
    assert settings.chart_start(bare, D) == date(2025, 1, 13)
