"""The Adoption page's "Break down by" choice (ui/breakdowns.py): a roster column the client sent,
and the activities, with small groups folded for client leadership."""

import io

import pandas as pd
import pytest

from analysis import demo as demo_data
from analysis import orgs
from analysis.access import OPERATOR
from analysis.ingest import load_file
from analysis.scope import open_scope
from tests.apptest import through_the_router  # noqa: F401 (fixture)
from tests.test_pages import app_as, demo, goto  # noqa: F401 (demo is a fixture)


@pytest.fixture(scope="module")
def with_location(demo):  # noqa: F811
    """The demo's MFA roster loaded again with a Location column: three licensed people in Hull,
    everyone else in Leeds."""
    handle, scope, _ = demo
    rollout = orgs.rollout(scope, "MFA rollout")
    roster = pd.DataFrame(
        handle.cursor()
        .execute(
            "SELECT user_id, display_name, department, cohort, licensed FROM current_roster(?, ?) ORDER BY user_id",
            [scope.org_id, rollout.rollout_id],
        )
        .fetchall(),
        columns=["user_id", "display_name", "department", "cohort", "licensed"],
    )
    hull = roster[roster["licensed"]].index[:3]
    roster["Location"] = "Leeds"
    roster.loc[hull, "Location"] = "Hull"
    out = io.StringIO()
    roster.to_csv(out, index=False)
    upload = open_scope(handle, OPERATOR, scope.org_id, "upload")
    # dated as the demo's roster (the plan's start), which it corrects: it holds on every day shown
    load_file(
        upload,
        "roster",
        "roster-with-location.csv",
        out.getvalue().encode(),
        rollout=rollout.rollout_id,
        as_of=demo_data.START,
    )
    return demo


def _choose(at, value: str):
    [picker] = [s for s in at.selectbox if s.label == "Break down by"]
    assert picker.options[:2] == ["Department", "Activity"] and "Location" in picker.options
    picker.set_value(value).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at, first: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if first in df.value.columns)


def test_location_for_the_account_manager_and_folded_for_the_client(with_location, monkeypatch):
    at = _choose(goto(app_as(with_location, "account_manager", monkeypatch), "pages/adoption.py"), "Location")
    table = _table(at, "value")
    assert sorted(table["value"]) == ["Hull", "Leeds"]
    assert table.set_index("value").loc["Hull", "licensed_users"] == 3
    client = _choose(goto(app_as(with_location, "client_viewer", monkeypatch), "pages/adoption.py"), "Location")
    # Hull's 3 people fold into "Other (small groups)", itself under 5: not shown
    assert _table(client, "value")["value"].tolist() == ["Leeds"]


def test_activity_breakdown(with_location, monkeypatch):
    at = _choose(goto(app_as(with_location, "account_manager", monkeypatch), "pages/adoption.py"), "Activity")
    table = _table(at, "activity")
    assert len(table) >= 1 and table["adoption_rate"].between(0, 1).all()
    assert any("not per activity" in c.value for c in at.caption)
