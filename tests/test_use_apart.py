"""A few days of use long after the rest (analysis.metrics.use_apart, from data_freshness.sql): the
default as-of date follows them, so the pages say so and name the day the rest of the use ends."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from analysis import metrics, orgs
from analysis.reports.contents import report_contents
from analysis.reports.model import ReportContents
from analysis.reports.powerpoint import pptx_bytes

START = date(2025, 1, 1)
BULK = [START + timedelta(days=i) for i in range(100)]  # 1 Jan to 10 Apr 2025


def _usage(rows: list[tuple[str, date]]) -> str:
    return "user_id,date,activity,count\n" + "".join(f"{u}@acme.test,{d},mfa,1\n" for u, d in rows)


def _apart(acme, load, late: list[tuple[str, date]]):
    rows = [(u, d) for d in BULK for u in "ab"] + late  # 200 person-days, then the late ones
    load(acme, "usage", _usage(rows))
    rollout = orgs.rollout(acme, "MFA")
    fresh = metrics.freshness(acme, rollout)
    return fresh, metrics.use_apart(fresh, fresh["newest_usage_day"])


def test_one_day_91_days_after_the_rest_stands_apart(acme, load):
    # 10 Apr -> 10 Jul 2025 is 91 days; 1 person-day of 201 is 0.5 %, under 1 %
    fresh, apart = _apart(acme, load, [("a", date(2025, 7, 10))])
    assert fresh["newest_usage_day"] == date(2025, 7, 10)
    assert apart == {"from": date(2025, 7, 10), "before": date(2025, 4, 10), "gap": 91, "person_days": 1, "of": 201}
    # as of the day the rest ends, or any day before the late use, there is nothing to say
    assert metrics.use_apart(fresh, date(2025, 4, 10)) is None
    assert metrics.use_apart(fresh, date(2025, 7, 9)) is None


def test_two_stray_clusters_stand_apart_from_the_first_long_gap(acme, load):
    # 1 Sep 2025 (144 days after 10 Apr) and 1 Mar 2026 (181 after that): the earliest gap after
    # which under 1 % remains is the first (2 of 202 person-days), so the rest ends on 10 Apr 2025
    fresh, apart = _apart(acme, load, [("a", date(2025, 9, 1)), ("b", date(2026, 3, 1))])
    assert apart == {"from": date(2025, 9, 1), "before": date(2025, 4, 10), "gap": 144, "person_days": 2, "of": 202}


@pytest.mark.parametrize(
    "late",
    [
        [("a", date(2025, 7, 9))],  # 90 days after: not more than 90
        # 2 people on 10 and 11 Jul: 4 person-days of 204 is 2 %, not a stray few
        [(u, d) for u in "ab" for d in (date(2025, 7, 10), date(2025, 7, 11))],
    ],
)
def test_a_gap_of_90_days_or_1_percent_of_the_use_is_not_apart(acme, load, late):
    fresh, apart = _apart(acme, load, late)
    assert apart is None


def test_use_without_a_long_gap_is_not_apart(acme, load):
    fresh, apart = _apart(acme, load, [])
    assert fresh["apart_from_day"] is None and apart is None
    assert fresh["usage_person_days"] == 200


def test_the_pack_cover_says_the_figures_follow_days_apart(acme, load):
    """A report pack as of the stray day says so on its cover, in the pages' words; one as of the
    day the rest ends says nothing of it (analysis/reports/cover.py)."""
    fresh, apart = _apart(acme, load, [("a", date(2025, 7, 10))])
    rollout = orgs.rollout(acme, "MFA")
    cover = dict(report_contents(acme, rollout, date(2025, 7, 10)).cover)
    assert cover["Note"] == (
        "The newest use stands apart from the rest: 1 person-day of 201 from 10 Jul 2025 to 10 Jul 2025, "
        "after 91 days with no use at all; the rest ends on 10 Apr 2025. The figures follow the newest day."
    )
    assert "Note" not in dict(report_contents(acme, rollout, date(2025, 4, 10)).cover)


def _cover_table_on_the_slide(contents) -> tuple[float, float]:
    """The cover slide's table: its bottom in inches and its text's size in points."""
    from pptx import Presentation
    from pptx.util import Emu

    slide = Presentation(io.BytesIO(pptx_bytes(contents, {}))).slides[0]
    (table,) = [shape for shape in slide.shapes if shape.has_table]
    size = table.table.cell(0, 0).text_frame.paragraphs[0].runs[0].font.size.pt
    return Emu(table.top + table.height).inches, size


def test_a_crowded_cover_shrinks_its_table_to_stay_clear_of_the_footer():
    """The demo's banner, six summary lines and the note: the cover's table at 10 points would run
    to 7.5 in (from 4.4 in: ten rows of 0.27 in and the note's two lines, 0.43 in), past the footer
    at 7.0 in; it is set smaller until it ends by 6.9 in."""
    note = "The newest use stands apart from the rest: " + "x" * 180
    rows = [("As of", "10 Jul 2025 (end of day)"), *((f"Row {i}", "a value") for i in range(9)), ("Note", note)]
    contents = ReportContents(
        "Acme",
        "MFA",
        date(2025, 7, 10),
        28,
        True,
        "am",
        datetime(2025, 7, 11),
        rows,
        [],
        {},
        summary=[f"A summary sentence number {i}." for i in range(6)],
    )
    bottom, size = _cover_table_on_the_slide(contents)
    assert bottom <= 6.9 and size < 10
    plain = replace(contents, synthetic=False, cover=rows[:-1], summary=[])
    bottom, size = _cover_table_on_the_slide(plain)
    assert bottom <= 6.9 and size == 10
