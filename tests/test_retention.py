"""Retention of raw usage events (analysis/retention.py), worked by hand on the tiny set
(tests/data/tiny: 8 usage rows from 2025-01-03 to 2025-02-10, one load)."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from analysis import retention, uploads
from analysis.api.documents import kpis_document
from analysis.months import months_back
from analysis.uploads import UndoError
from tests.conftest import TINY, counts
from tests.test_comparison import tiny  # noqa: F401 (a fixture: Acme with the tiny roster and usage)
from tests.test_pages import demo  # noqa: F401 (a fixture)

REASON = (
    "dated before 1 Feb 2025: this organisation keeps raw usage events from that day on, so an earlier row "
    "cannot be checked against what is stored (its day is already counted)"
)


def figures(scope, rollout, day):
    found = kpis_document(scope, "Acme", rollout, day, 28, record=False)
    return {k: found[k] for k in ("cohorts", "support", "alerts", "not_computable")}


def test_old_events_go_and_no_figure_moves(tiny, store):  # noqa: F811
    scope, rollout = tiny
    before = {d: figures(scope, rollout, d) for d in (date(2025, 1, 13), date(2025, 2, 10))}
    daily = counts(store, "usage_daily")
    assert retention.remove_old_events(scope, date(2025, 3, 1)) == {"horizon": None, "events_removed": 0, "loads": []}
    assert retention.set_keep_months(scope, 1).startswith("Raw usage events are kept for 1 month;")
    done = retention.remove_old_events(scope, date(2025, 3, 1))
    # one month before 1 March: the events of a (01-03), b (01-07), c (01-20) and f (01-25) go
    assert (done["horizon"], done["events_removed"], len(done["loads"])) == (date(2025, 2, 1), 4, 1)
    assert counts(store, "usage_events") == 4 and counts(store, "usage_daily") == daily
    assert {d: figures(scope, rollout, d) for d in before} == before  # as of a day before and after the horizon
    assert retention.setting(scope) == (1, date(2025, 2, 1))
    # the horizon never moves back: a removal with an earlier "today" keeps it
    retention.remove_old_events(scope, date(2025, 2, 15))
    assert retention.setting(scope) == (1, date(2025, 2, 1))


def test_a_load_that_lost_events_cannot_be_undone(tiny):  # noqa: F811
    scope, _ = tiny
    retention.set_keep_months(scope, 1)
    [load] = retention.remove_old_events(scope, date(2025, 3, 1))["loads"]
    with pytest.raises(UndoError, match="retention setting"):
        uploads.undo(scope, load)


def test_rows_before_the_horizon_are_rejected_and_nothing_counts_twice(tiny, load, store):  # noqa: F811
    scope, _ = tiny
    retention.set_keep_months(scope, 1)
    retention.remove_old_events(scope, date(2025, 3, 1))
    daily = counts(store, "usage_daily")
    again = load(scope, "usage", (TINY / "usage.csv").read_bytes(), name="again.csv")
    # 8 rows: the 4 dated before 02-01 rejected, the 4 after already stored
    assert (again.rows_read, again.rows_loaded, again.rows_rejected, again.rows_duplicate) == (8, 0, 4, 4)
    assert {(r.line, r.column, r.reason) for r in again.rejects} == {(n, "date", REASON) for n in (2, 3, 4, 7)}
    assert counts(store, "usage_daily") == daily
    new = load(scope, "usage", "user_id,date,activity\nd@acme.test,2025-01-31,mfa\nd@acme.test,2025-02-01,mfa\n")
    assert (new.rows_loaded, new.rows_rejected) == (1, 1) and new.rejects[0].line == 2


def test_a_spreadsheet_row_before_the_horizon_is_rejected_too(tiny, load):  # noqa: F811
    """Spreadsheets are read in Python (analysis/ingest/rows.py), CSV in DuckDB: the same rule."""
    scope, _ = tiny
    retention.set_keep_months(scope, 1)
    retention.remove_old_events(scope, date(2025, 3, 1))
    book = Workbook()
    sheet = book.active
    for row in (
        ["user_id", "date", "activity"],
        ["d@acme.test", "2025-01-31", "mfa"],
        ["d@acme.test", "2025-02-02", "mfa"],
    ):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    found = load(scope, "usage", data.getvalue(), name="usage.xlsx")
    assert (found.rows_loaded, found.rows_rejected) == (1, 1)
    assert (found.rejects[0].column, found.rejects[0].reason) == ("date", REASON)


def test_the_command(acme_cli):
    """`org retention` on its own database file: the tiny set loaded there, then kept one month from today."""
    cli = acme_cli
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", str(TINY / "roster.csv"))
    cli("load", "--org", "Acme", "--kind", "usage", str(TINY / "usage.csv"))
    assert cli("org", "retention", "--org", "Acme").stdout == "raw usage events are kept for ever\n"
    done = cli("org", "retention", "--org", "Acme", "--months", "1", "--remove-now")
    horizon = months_back(date.today(), 1)
    assert done.stdout == (
        "Raw usage events are kept for 1 month; the daily summaries and every figure stay.\n"
        f"removed 8 raw usage events dated before {horizon} (from 1 load, which can no longer be undone); "
        "the daily figures stay\n"
    )
    refused = cli("org", "retention", "--org", "Acme", "--months", "-1", ok=False)
    assert (refused.returncode, refused.stderr) == (
        2,
        "uptake: --months is a number of months, or 0 to keep every event\n",
    )


def test_the_settings_page_sets_it(demo, monkeypatch):  # noqa: F811
    from tests.test_pages import app_as, goto

    at = app_as(demo, "account_manager", monkeypatch)
    at.session_state["settings_tab"] = "Organisation"  # only the chosen tab runs (pages/settings.py)
    goto(at, "pages/settings.py")
    [keep] = [n for n in at.number_input if n.label.startswith("Keep raw usage events")]
    keep.set_value(13)
    [button] = [b for b in at.button if b.label == "Save the retention"]
    button.click().run()
    assert not at.exception and not at.error
    assert retention.setting(demo[1]) == (13, None)


def test_the_daily_pass_removes_them(tiny, store):  # noqa: F811
    from datetime import datetime

    from analysis import schedule

    scope, _ = tiny
    retention.set_keep_months(scope, 1)
    schedule.tick(store, now=datetime(2025, 3, 1, 6, 0))
    assert retention.setting(scope) == (1, date(2025, 2, 1)) and counts(store, "usage_events") == 4
