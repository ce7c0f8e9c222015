"""The Data page's roster date and Roster history tab (ui/roster_history.py) in AppTest, on the demo:
a roster dated by the person loading it, and the history it makes."""

from datetime import date

import pytest

from tests.conftest import shown
from tests.test_app import app, demo_db, open_page  # noqa: F401  (app: signed in as an admin, on the demo)


@pytest.fixture
def page(request):
    return open_page(request.getfixturevalue("app"), "pages/data.py")


# one new person from 1 Oct 2026; everyone of the demo's roster leaves
ROSTER = b"user_id,display_name,department,cohort,licensed\nnew.joiner@demo.test,New Joiner,IT,wider,yes\n"


def test_a_roster_is_loaded_with_the_date_it_holds_from(page):
    at = page
    next(s for s in at.selectbox if s.label == "What is in the files?").set_value("roster")
    at.run()
    held = next(d for d in at.date_input if d.label == "A roster holds from")
    assert held.value == date.today()  # by default the day it is loaded
    held.set_value(date(2026, 10, 1))
    at.file_uploader[0].set_value(("october.csv", ROSTER, "text/csv"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = " ".join(shown(c.value) for c in at.caption)
    # the demo's roster is dated at the plan's start, 22 Jun 2026
    assert "This roster holds from 1 Oct 2026; days before it keep the roster dated 22 Jun 2026" in captions
    next(b for b in at.button if b.label == "Load 1 file").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.session_state["data_tab"] = "Roster history"  # only the chosen tab runs (pages/data.py)
    at.run()
    tables = [t.value for t in at.dataframe]
    history = next(t for t in tables if "Holds from" in t.columns or "dated_on" in t.columns)
    dated = list(history["dated_on"] if "dated_on" in history else history["Holds from"])
    assert dated == ["22 Jun 2026", "1 Oct 2026"]
    assert list(history["joined"] if "joined" in history else history["Joined"]) == [0, 1]
    # the demo's 272 licensed people (data/demo/roster.csv, licensed = yes) are not on it: they left
    assert list(history["left"] if "left" in history else history["Left"]) == [0, 272]
