"""Issue 13, items 8, 11 and 14 in AppTest on the demo: the Overview's words and cards, the
Portfolio's rows opening their client, the load history's state column and undo rule, and the
Administration forms keeping what was typed."""

import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis import auth, orgs
from analysis import store as store_module
from analysis.access import OPERATOR
from analysis.seed import ensure_demo
from tests.conftest import shown
from tests.test_app import APP, load_history, open_page

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    return tmp_path_factory.mktemp("polish") / "polish.duckdb"


def signed_in(demo_db, email: str, role: str, orgs_of: list[str] = ()) -> AppTest:
    """An AppTest of app.py signed in as email (made with role on first use), on the demo."""
    handle = store_module.shared_store(str(demo_db))
    ensure_demo(handle, enabled=True)
    ids = [orgs.organisation_id(handle, OPERATOR, name) for name in orgs_of]
    who = auth.account_by_email(handle, email) or auth.add_account(
        handle, OPERATOR, email, role, ids, password=PASSWORD
    )
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["token"] = auth.start_session(handle, who.account_id)
    return at


@pytest.fixture
def fresh(demo_db, monkeypatch):
    monkeypatch.setenv("UPTAKE_DB", str(demo_db))
    monkeypatch.setenv("UPTAKE_DEMO", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    for opened in list(store_module._shared.values()):
        opened.close()
    store_module._shared.clear()


@pytest.fixture
def app(demo_db, fresh):
    return signed_in(demo_db, "admin@provider.test", "admin")


def test_habitual_card_keeps_the_count_out_of_its_label(app):
    at = open_page(app, "pages/overview.py")
    habitual = next(m for m in at.metric if m.label.startswith("Habitual"))
    # the demo: 170 of the 272 licensed people are habitual = 62.5 % -> "62%" ("Habitual (170)" before)
    assert (habitual.label, habitual.value, habitual.proto.delta) == ("Habitual", "62%", "170 people")


def test_overview_dates_are_one_format(app):
    at = open_page(app, "pages/overview.py")
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "go-live 20 Jul 2026" in text and "go-live 17 Aug 2026" in text  # was 2026-07-20
    assert "as of **15 Nov 2026**" in text


def test_a_portfolio_row_opens_that_organisations_overview(app, demo_db):
    at = open_page(app, "pages/portfolio.py")
    assert [t.value for t in at.title] == ["Portfolio"]
    legend = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["legend"]
    assert (legend["yanchor"], legend["y"]) == ("bottom", 1.0)  # above the plot, not over the bar
    at.session_state["portfolio_rows"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Overview"]
    handle = store_module.shared_store(str(demo_db))
    assert at.session_state["org_id"] == orgs.organisation_id(handle, OPERATOR, "Demo Co")


def test_an_uploader_sees_why_there_is_no_undo_for_anothers_load(demo_db, fresh):
    at = signed_in(demo_db, "up@democo.example", "client_uploader", ["Demo Co"])
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    history = load_history(at)
    assert history["state"].tolist() == ["Active"] * len(history)  # the demo's loads, not theirs
    assert "Only the person who loaded it or your provider can undo this load." in [shown(i.value) for i in at.info]
    assert not [b for b in at.button if b.label == "Undo this load"]


def by_label(items, label):
    [found] = [w for w in items if w.label == label]
    return found


def test_add_organisation_keeps_what_was_typed_after_an_error_and_offers_a_zone_list(app):
    at = open_page(app, "pages/admin.py")
    zone = by_label(at.selectbox, "Time zone")
    assert zone.value == "UTC" and "Europe/London" in zone.options  # a list, not free text
    by_label(at.text_input, "Name").input("Demo Co")  # taken: refused
    zone.set_value("Europe/London")
    by_label(at.text_input, "Email domains").input("uni.example")
    by_label(at.button, "Add organisation").click()
    at.run()
    assert any("already exists" in e.value for e in at.error)
    assert (
        by_label(at.text_input, "Name").value,
        by_label(at.selectbox, "Time zone").value,
        by_label(at.text_input, "Email domains").value,
    ) == ("Demo Co", "Europe/London", "uni.example")
    by_label(at.text_input, "Name").input("Uni of Somewhere")
    by_label(at.button, "Add organisation").click()
    at.run()
    assert [s.value for s in at.success] == ["Added Uni of Somewhere."]  # said, then the form is empty
    assert by_label(at.text_input, "Name").value == "" and by_label(at.selectbox, "Time zone").value == "UTC"
    table = next(d.value for d in at.dataframe if "Time zone" in d.value.columns)
    assert table.set_index("Name").loc["Uni of Somewhere", "Time zone"] == "Europe/London"


def test_add_account_has_no_default_role_keeps_its_values_and_refreshes_the_table(app, demo_db):
    at = open_page(app, "pages/admin.py")
    role = by_label(at.selectbox, "Role")
    assert role.value is None and by_label(at.selectbox, "New role").value is None  # both were admin
    demo = orgs.organisation_id(store_module.shared_store(str(demo_db)), OPERATOR, "Demo Co")
    by_label(at.text_input, "Email").input("lead@uni.example")
    role.set_value("client_viewer")
    by_label(at.multiselect, "Organisations").set_value([demo])
    at.text_input(key="add_account_password").input("not my password")
    by_label(at.button, "Add account").click()
    at.run()
    assert [e.value for e in at.error] and "lead@uni.example" not in at.dataframe[0].value["email"].tolist()
    assert (
        by_label(at.text_input, "Email").value,
        by_label(at.selectbox, "Role").value,
        by_label(at.multiselect, "Organisations").value,
    ) == ("lead@uni.example", "client_viewer", [demo])
    at.text_input(key="add_account_password").input(PASSWORD)
    by_label(at.button, "Add account").click()
    at.run()
    assert not at.error and shown(at.success[0].value).startswith("Added lead@uni.example. Their one-time password")
    assert "lead@uni.example" in at.dataframe[0].value["email"].tolist()  # the table read after the add
    # the role as the role box names it, not the code's "client_viewer"
    assert at.dataframe[0].value.set_index("email").loc["lead@uni.example", "role"] == "client viewer"
    assert by_label(at.text_input, "Email").value == "" and by_label(at.selectbox, "Role").value is None
