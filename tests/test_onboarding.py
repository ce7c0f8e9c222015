"""A first week with a real client (issue 13, items 1-5), in AppTest and on hand-worked data:
the chosen organisation stays chosen on every page, Settings shows and saves the chosen
organisation's own values, one stray event does not set the default as-of date, a marker years
away does not stretch the charts, and old data can be looked at."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from analysis import annotations, auth, metrics, orgs, people, settings
from analysis import store as store_module
from analysis.access import OPERATOR
from analysis.scope import open_scope
from analysis.seed import ensure_demo
from tests.apptest import reset_streamlit as _reset
from tests.apptest import through_the_router  # noqa: F401 (an autouse fixture)
from tests.conftest import ROOT, TINY
from ui.text import literal

APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery staple"
TITLES = {
    "pages/overview.py": "Overview",
    "pages/adoption.py": "Adoption",
    "pages/support.py": "Support",
    "pages/red_flags.py": "Red flags",
    "pages/settings.py": "Settings",
    "pages/data.py": "Data",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The demo (Demo Co, listed first) and Zephyr University (listed after it) with a rollout of
    its own on the tiny data set, its own time zone and e-mail domain; an admin and a client
    viewer of Zephyr."""
    path = str(tmp_path_factory.mktemp("onboarding") / "onboarding.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UPTAKE_DB", path)
        _reset()
        handle = store_module.shared_store(path)
        ensure_demo(handle, enabled=True)
        demo = orgs.organisation_id(handle, OPERATOR, "Demo Co")
        zephyr = orgs.add_organisation(handle, OPERATOR, "Zephyr University", "Pacific/Auckland", ["zephyr.test"])
        scope = open_scope(handle, OPERATOR, zephyr, "upload")
        orgs.add_rollout(scope, "Moodle", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
        from analysis.ingest import load_file

        for kind in ("roster", "usage"):
            load_file(
                scope,
                kind,
                f"{kind}.csv",
                (TINY / f"{kind}.csv").read_bytes().replace(b"acme.test", b"zephyr.test"),
                rollout="Moodle",
            )
        accounts = {
            "admin": auth.add_account(handle, OPERATOR, "admin@onboarding.test", "admin", password=PASSWORD),
            "viewer": auth.add_account(
                handle, OPERATOR, "viewer@zephyr.test", "client_viewer", [zephyr], password=PASSWORD
            ),
        }
        yield handle, {"demo": demo, "zephyr": zephyr}, accounts
        _reset()


def app_as(world, who: str, monkeypatch, org: str | None = None) -> AppTest:
    handle, _, accounts = world
    monkeypatch.setenv("UPTAKE_DB", handle.path)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["token"] = auth.start_session(handle, accounts[who].account_id)
    if org is not None:
        at.query_params["org"] = org
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [TITLES[page]]
    return at


def picker(at: AppTest, label: str):
    [found] = [s for s in at.sidebar.selectbox if s.label == label]
    return found


def widget(elements, label: str):
    [found] = [e for e in elements if e.label == label]
    return found


# -- 1. the chosen organisation stays chosen -------------------------------------------------------


def test_the_chosen_organisation_stays_chosen_on_every_page(world, monkeypatch):
    _, ids, _ = world
    at = app_as(world, "admin", monkeypatch)
    assert picker(at, "Organisation").value == ids["demo"]  # the first, by name
    picker(at, "Organisation").set_value(ids["zephyr"]).run()
    assert at.query_params["org"] == str(ids["zephyr"])  # and in the URL
    for page in TITLES:
        goto(at, page)
        assert picker(at, "Organisation").value == ids["zephyr"], page
        assert picker(at, "Rollout").value == "Moodle", page
        shown = " ".join(e.value for e in [*at.caption, *at.info, *at.markdown] if isinstance(e.value, str))
        assert "Demo Co" not in shown and "MFA rollout" not in shown, page
        if page in ("pages/overview.py", "pages/adoption.py", "pages/support.py"):
            assert at.caption[0].value.startswith("Moodle · "), page


def test_the_data_page_names_the_organisation_files_load_into(world, monkeypatch):
    _, ids, _ = world
    at = goto(app_as(world, "admin", monkeypatch), "pages/data.py")
    assert any("Files load into the organisation **Demo Co**, rollout **MFA rollout**" in i.value for i in at.info)
    picker(at, "Organisation").set_value(ids["zephyr"]).run()
    assert any("Files load into the organisation **Zephyr University**, rollout **Moodle**" in i.value for i in at.info)


def test_the_url_opens_a_permitted_organisation_and_ignores_any_other(world, monkeypatch):
    _, ids, _ = world
    at = app_as(world, "admin", monkeypatch, org=str(ids["zephyr"]))  # a reload, a new tab, a shared link
    assert picker(at, "Organisation").value == ids["zephyr"]
    for asked in (str(ids["demo"]), "0", "1 OR 1=1", "-1", "x"):  # a client viewer of Zephyr only
        at = app_as(world, "viewer", monkeypatch, org=asked)
        assert picker(at, "Organisation").options == ["Zephyr University"]
        assert at.caption[0].value.startswith("Moodle · ") and not at.error
        assert at.query_params["org"] == str(ids["zephyr"])


# -- 2. Settings shows and saves the chosen organisation's values ----------------------------------


def organisation_form(at: AppTest) -> tuple[str, str, bool]:
    return (
        widget(at.selectbox, "Time zone").value,
        widget(at.text_input, "Email domains of its people (comma-separated)").value,
        widget(at.checkbox, "Client views may list lapsed and never-used people by name").value,
    )


def test_settings_show_and_save_the_chosen_organisation_s_own_values(world, monkeypatch):
    handle, ids, _ = world
    scope = {name: open_scope(handle, OPERATOR, org_id, "configure") for name, org_id in ids.items()}
    before = {name: settings.organisation_settings(s) for name, s in scope.items()}
    at = app_as(world, "admin", monkeypatch)
    at.session_state["settings_tab"] = "Organisation"  # only the chosen tab runs (pages/settings.py)
    goto(at, "pages/settings.py")
    assert organisation_form(at) == ("Europe/London", "democo.example", False)
    picker(at, "Organisation").set_value(ids["zephyr"]).run()
    assert not at.exception
    assert organisation_form(at) == ("Pacific/Auckland", "zephyr.test", False)  # Zephyr's, not Demo Co's
    try:
        widget(at.text_input, "Email domains of its people (comma-separated)").input("zephyr.test, staff.zephyr.test")
        widget(at.button, "Save the organisation's settings").click().run()
        assert not at.exception and not at.error
        assert settings.organisation_settings(scope["zephyr"]) == settings.OrganisationSettings(
            "Pacific/Auckland", ("staff.zephyr.test", "zephyr.test"), False
        )
        assert settings.organisation_settings(scope["demo"]) == before["demo"]  # Demo Co unchanged
        picker(at, "Organisation").set_value(ids["demo"]).run()  # and back: Demo Co's own
        assert organisation_form(at) == ("Europe/London", "democo.example", False)
    finally:
        settings.set_organisation(scope["zephyr"], email_domains=list(before["zephyr"].email_domains))


# -- 3. one stray event does not set the default as-of date ---------------------------------------
# tests/data/tiny: roster a..g of acme.test; their newest counting or legacy day is 2025-02-10 (e).

STRAY = "admin@acme.test,2026-06-01,mfa,1\n"  # long after the rollout, before today


def test_a_stray_late_event_of_someone_not_on_the_roster_does_not_set_the_default_as_of(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes() + STRAY.encode())
    rollout = orgs.rollout(acme, "MFA")
    assert metrics.default_as_of(acme, rollout) == date(2025, 2, 10)  # not 2026-06-01
    fresh = metrics.freshness(acme, rollout)
    assert metrics.default_day(fresh) == date(2025, 2, 10)
    assert metrics.as_of_range(fresh) == (date(2025, 1, 3), date(2026, 6, 1))  # still there to be looked at


def test_before_a_roster_marking_a_person_not_in_scope_moves_the_default_as_of(acme, load):
    load(
        acme,
        "usage",
        "user_id,date,activity,count\na@acme.test,2025-01-03,mfa,1\nb@acme.test,2025-01-07,sms,2\n" + STRAY,
    )
    rollout = orgs.rollout(acme, "MFA")
    assert metrics.default_as_of(acme, rollout) == date(2026, 6, 1)  # no roster yet: everyone's usage
    people.mark_out_of_scope(acme, "MFA", ["admin@acme.test"])
    assert metrics.default_as_of(acme, rollout) == date(2025, 1, 7)  # b's legacy use is the newest


def test_an_out_of_scope_person_on_no_roster_never_sets_it_and_tickets_stand_in_for_no_usage(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    rollout = orgs.rollout(acme, "MFA")
    load(acme, "tickets", "ticket_id,created_at,status\nT-1,2025-03-01 09:00,open\n")
    assert metrics.default_as_of(acme, rollout) is None  # no usage of the roster's people
    assert metrics.default_day(metrics.freshness(acme, rollout)) == date(2025, 3, 1)
    load(acme, "usage", "user_id,date,activity,count\n" + STRAY)
    assert metrics.default_day(metrics.freshness(acme, rollout)) == date(2025, 3, 1)  # the stray event is not it


# -- 4. markers outside the rollout's period do not stretch the charts -----------------------------


def test_a_marker_years_before_the_rollout_is_not_drawn_and_the_charts_keep_its_period(world, monkeypatch):
    handle, ids, _ = world
    scope = open_scope(handle, OPERATOR, ids["demo"], "configure")
    rollout = orgs.rollout(scope, "MFA rollout")
    as_of = metrics.default_as_of(scope, rollout)
    start = settings.chart_start(rollout, as_of)  # 28 days before the first go-live
    assert start == rollout.first_go_live - timedelta(days=28)
    monday = start - timedelta(days=start.weekday())
    week_end = as_of - timedelta(days=as_of.weekday()) + timedelta(days=7)
    old = annotations.add_annotation(scope, "MFA rollout", date(2017, 3, 1), "communication", "Old intranet notice")
    try:
        at = app_as(world, "admin", monkeypatch)
        # the Overview: the adoption calendar and the demo's uptime series (analysis/demo_record.py)
        for page, count in (("pages/overview.py", 2), ("pages/adoption.py", 2), ("pages/support.py", 2)):
            goto(at, page)
            calendar = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
            calendar = [c for c in calendar if isinstance(c["layout"].get("xaxis", {}).get("range", [0])[0], str)]
            assert len(calendar) == count, page  # every calendar chart has its range set
            for chart in calendar:
                low, high = chart["layout"]["xaxis"]["range"]
                assert (low, high) in ((f"{start}", f"{as_of}"), (f"{monday}", f"{week_end}")), (page, low, high)
                hover = {a.get("hovertext") for a in chart["layout"].get("annotations", [])}
                assert not any("Old intranet notice" in str(h) for h in hover), page
            said = "Not drawn, outside it: " + literal("Communication: Old intranet notice (1 Mar 2017)") + "."
            assert any(said in c.value for c in at.caption), page
    finally:
        annotations.remove_annotation(scope, old)


# -- 5. old data can be analysed ------------------------------------------------------------------


def test_the_rollout_date_pickers_reach_back_to_1990(world, monkeypatch):
    at = app_as(world, "admin", monkeypatch)
    latest = f"{date.today().year + 5}-12-31"
    for tab, labels in (  # only the chosen tab runs (pages/settings.py); Add a rollout is above the tabs
        ("Rollout", ("Champion group goes live", "Wider rollout goes live", "Its go-live")),
        ("Annotations", ("Date",)),
        ("Baselines and targets", ("From", "To")),
    ):
        at.session_state["settings_tab"] = tab
        if tab == "Rollout":  # "Add a rollout" is folded when there is a rollout: open it (ui/lazy.py)
            at.session_state[f"open_add_rollout_{at.session_state['org_id']}"] = True
        goto(at, "pages/settings.py")
        for label in labels:
            found = widget(at.date_input, label)
            assert (found.proto.min, found.proto.max) == ("1990-01-01", latest), label


def test_the_as_of_picker_covers_the_organisation_s_tickets_as_well_as_its_usage(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    load(acme, "tickets", "ticket_id,created_at,status\nOLD-1,2012-03-05 10:00,closed\nNEW-1,2025-03-01 09:00,open\n")
    fresh = metrics.freshness(acme, orgs.rollout(acme, "MFA"))
    assert (fresh["oldest_ticket_day"], fresh["newest_ticket_day"]) == (date(2012, 3, 5), date(2025, 3, 1))
    assert metrics.default_day(fresh) == date(2025, 2, 10)  # usage first
    assert metrics.as_of_range(fresh) == (date(2012, 3, 5), date(2025, 3, 1))


def test_the_as_of_picker_on_the_page_reaches_the_old_tickets(world, monkeypatch):
    handle, ids, _ = world
    scope = open_scope(handle, OPERATOR, ids["zephyr"], "upload")
    from analysis.ingest import load_file

    done = load_file(
        scope, "tickets", "old.csv", b"ticket_id,created_at,status\nOLD-1,2012-03-05 10:00,closed\n", rollout="Moodle"
    )
    try:
        at = app_as(world, "admin", monkeypatch, org=str(ids["zephyr"]))
        day = widget(at.sidebar.date_input, "As of")
        assert (day.proto.min, day.proto.max) == ("2012-03-05", "2025-02-10") and day.value == date(2025, 2, 10)
        day.set_value(date(2012, 3, 31)).run()
        assert not at.exception and widget(at.sidebar.date_input, "As of").value == date(2012, 3, 31)
    finally:
        from analysis.uploads import undo

        undo(scope, done.upload_id)
