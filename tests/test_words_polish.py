"""Issue 13, item 14: one date format for people, marker labels cut at a word's end, KPI changes
between two shares in percentage points."""

from datetime import date, datetime
from types import SimpleNamespace

import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis.charts import add_markers, marker_text
from analysis.charts.base import fit_period
from analysis.reports import kpi_line
from analysis.words import day, moment, plural


def test_one_date_format_for_people():
    assert day(date(2026, 12, 4)) == "4 Dec 2026"  # no leading zero, no ISO
    assert day(pd.Timestamp("2026-11-15 13:00")) == "15 Nov 2026"
    assert day(None) == "none" and day(pd.NaT) == "none"
    assert moment(datetime(2026, 12, 4, 7, 20)) == "4 Dec 2026 07:20"


def test_a_count_says_its_noun_in_the_singular_for_one():
    # the Overview said "1 open red flags"; the load messages say "1 row repeated within this file"
    assert plural(1, "open red flag") == "1 open red flag"
    assert plural(2, "open red flag") == "2 open red flags"
    assert plural(2_067, "row") == "2,067 rows" and plural(0, "row") == "0 rows"
    assert plural(3, "person", "people") == "3 people" and plural(1, "person", "people") == "1 person"


def test_marker_labels_are_cut_at_a_word_and_say_their_rule():
    note = {"day": date(2026, 9, 1), "kind": "training", "label": "Training session: drop-in clinic for Warehouse"}
    assert marker_text(note, 24) == "Training session…"
    assert marker_text({**note, "label": "WORKAROUNDSWORKAROUNDSWORKAROUNDS"}, 10) == "WORKAROUN…"
    flag = {
        "day": date(2026, 9, 16),
        "kind": "red flag",
        "cohort": None,
        "short": "red flag: workarounds",
        "label": "red flag workarounds from here: Warehouse, HR",
    }
    fig = add_markers(go.Figure(), [flag])
    [shown] = fig.layout.annotations
    assert (shown.text, shown.hovertext) == ("red flag: workarounds", "red flag workarounds from here: Warehouse, HR")


def row(unit, baseline, current):
    change = current - baseline
    return SimpleNamespace(
        label="x",
        cohort="all",
        unit=unit,
        baseline=baseline,
        current=current,
        target=None,
        change=change,
        change_pct=change / baseline,
        status="no target",
        note="",
    )


def test_a_change_between_two_rates_is_in_points():
    # 62 % -> 66 %: four points, not "+4%" (which reads as 4 % of 62 %) nor "+6%" of the baseline
    assert kpi_line(row("share", 0.62, 0.66))["Change"] == "up 4.0 pts"
    assert kpi_line(row("share", 0.92, 0.63))["Change"] == "down 29.0 pts"
    # 2.3 -> 6.3 tickets per 100: the change and its share of the baseline
    assert kpi_line(row("per_100", 2.3, 6.3))["Change"] == "up 4.0 (+174%)"


def test_people_lists_name_everyone_and_drop_rows_naming_nobody():
    from analysis.people_lists import shown_people

    frame = pd.DataFrame(
        {
            "user_id": ["a@x.test", "b@x.test", None, "  "],
            "display_name": ["Ann", None, None, ""],
            "department": ["HR", " ", "IT", None],
            "cohort": ["wider"] * 4,
            "last_use": [pd.NaT] * 4,
        }
    )
    shown = shown_people(frame)
    assert shown[["display_name", "department"]].values.tolist() == [["Ann", "HR"], ["b@x.test", "(no department)"]]


PHASES = [  # the Moodle walk's plan: 4 weeks, 2, 4 and 4 (analysis/phases.py's markers)
    ("Plan", date(2019, 2, 4), date(2019, 3, 3)),
    ("Champion pilot", date(2019, 3, 4), date(2019, 3, 17)),
    ("Wider rollout", date(2019, 3, 18), date(2019, 4, 14)),
    ("Hypercare <1>", date(2019, 4, 15), date(2019, 5, 12)),
]


@pytest.mark.parametrize(
    "end, names",
    [
        # 117 days on 850 px: a 28-day phase has 28 / 117 * 850 = 203 px, the 14-day one 101 px: all fit
        (date(2019, 6, 1), ["Plan", "Champion pilot", "Wider rollout", "Hypercare &lt;1&gt;"]),
        # 364 days: 28 days are 65 px (10 characters of 6 px, less one), 14 days 32 px (4): cut at a word
        (date(2020, 2, 3), ["Plan", "Cha…", "Wider…", "Hypercare &lt;1&gt;"]),
        # 986 days: 24 px and 12 px are too narrow for any name; the last runs to the period's end
        (date(2021, 10, 17), ["", "", "", "Hypercare &lt;1&gt;"]),
    ],
)
def test_phase_names_are_cut_to_their_band_on_a_long_period(end, names):
    markers = [
        {"day": s, "end": e, "kind": "phase", "label": n, "cohort": None, "index": i}
        for i, (n, s, e) in enumerate(PHASES)
    ]
    fig = fit_period(add_markers(go.Figure(), markers), (date(2019, 2, 4), end))
    assert [a.text for a in fig.layout.annotations] == names
    assert [a.hovertext for a in fig.layout.annotations][3] == "Hypercare &lt;1&gt;"  # the full name on hover
