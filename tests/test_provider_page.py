"""The Administration page's Provider tab (issue 16 part 5): an admin sets the name the report
packs print on their cover, sees the logo they carry; a wrong logo is refused with the reason.
Runs app.py in AppTest, signed in (as tests/test_reauth_pages.py)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from analysis import auth, branding
from analysis.access import OPERATOR
from tests.apptest import acme_store, by_label, open_page, route_through_app, signed_in

PASSWORD = "tr0ub4dor&3 horse"


@pytest.fixture(scope="module")
def handle(tmp_path_factory):
    yield from acme_store(tmp_path_factory, "provider")


@pytest.fixture(autouse=True)
def through_the_router(handle, monkeypatch):
    route_through_app(monkeypatch)
    monkeypatch.setenv("UPTAKE_DB", handle.path)


def admin_page(handle):
    who = auth.add_account(handle, OPERATOR, f"admin{id(object())}@acme.test", "admin", [], password=PASSWORD)
    at = open_page(signed_in(handle, who.account_id), "pages/admin.py")
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_admin_names_the_provider_for_the_packs(handle):
    at = admin_page(handle)
    assert "Provider" in [t.label for t in at.tabs]
    by_label(at.text_input, "Provider name").input("  Northwind   <b>IT</b> ")
    by_label(at.button, "Save the name and logo").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert branding.branding(handle).name == "Northwind <b>IT</b>"
    [notice] = [s.value for s in at.success]
    assert notice == "Saved: the packs' covers say Northwind \\<b\\>IT\\</b\\>."  # the tag escaped: shown as text
    assert by_label(at.text_input, "Provider name").value == "Northwind <b>IT</b>"


def test_the_logo_the_packs_carry_is_shown(handle):
    out = io.BytesIO()
    Image.new("RGB", (200, 60), "navy").save(out, format="PNG")
    branding.set_provider_logo(handle, OPERATOR, out.getvalue())
    at = admin_page(handle)
    [image] = at.get("image")
    assert image.captions == ["The logo on the packs' covers"]
    assert not by_label(at.checkbox, "Remove the logo").disabled
    branding.set_provider_logo(handle, OPERATOR, None)
