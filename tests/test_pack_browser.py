"""The HTML report pack opened from a file in Debian's Chromium with the network blocked: both
charts drawn (plotly.js is inline), nothing asked for from anywhere, and hostile text from the
data shown as its characters (no script runs, no tag from the data).

Skipped where chromium is absent (as tests/test_browser.py; CI sets UPTAKE_REQUIRE_BROWSER=1).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

import pytest

from tests.test_pack import PAYLOAD, html_of
from tests.test_reports import contents, tiny  # noqa: F401 (their fixtures)

pytestmark = pytest.mark.browser
if shutil.which("chromium") is None:
    if os.environ.get("UPTAKE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("chromium is required here (UPTAKE_REQUIRE_BROWSER=1)")
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def test_the_html_pack_opens_offline_with_its_charts(contents, browser, tmp_path):  # noqa: F811
    hostile = f"Acme {PAYLOAD} </script><script>alert(2)</script>"
    path = tmp_path / "pack.html"
    path.write_bytes(html_of(replace(contents, organisation=hostile, provider=f"Northwind {PAYLOAD}")))
    context = browser.new_context()
    asked: list[str] = []

    def only_the_file(route) -> None:
        if route.request.url.startswith("file://") and route.request.url.endswith("/pack.html"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_file)
    context.set_offline(True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=60_000)
    # both charts drawn with their lines: adoption by age (2 cohorts and the target), tickets per week
    assert page.locator(".js-plotly-plot").count() == 2
    assert page.locator("#chart-1 .scatterlayer .trace").count() >= 2
    assert page.locator("#chart-2 .scatterlayer .trace").count() >= 3
    legend = page.locator("#chart-1 .legend").text_content()  # an SVG group
    assert "Champion" in legend and "Wider" in legend
    # the data's text as its characters: no link, image or script from it
    assert page.locator(".muted").first.inner_text().startswith(f"Acme {PAYLOAD} </script>")
    assert page.locator(".provider").inner_text() == f"Northwind {PAYLOAD}"
    assert page.locator("a").count() == 0 and page.locator("img").count() == 0
    assert dialogs == [] and errors == []
    assert asked == []  # nothing fetched, not even refused: the file needs nothing
    context.close()
