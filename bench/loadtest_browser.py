"""A signed-in session in headless Chromium (Debian's, through Playwright): it signs in through the
sign-in form as a person does, then clicks through the sidebar's page links. A page change is timed
from the click (on Sign in, for the first Overview) to the page shown: its heading visible and the app's script no longer running
(Streamlit marks its root element with data-test-script-state)."""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass, field

from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError  # its TimeoutError among them

from bench.loadtest_protocol import FIRST_PAGE, Change

ARGS = [  # the working rules' launch arguments (tests/conftest.py)
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium), or use --browsers 0")
    return path


async def shown(tab: Page, title: str, timeout: float) -> None:
    """Wait until the page headed title is drawn and its script has finished."""
    await tab.get_by_role("heading", name=title, exact=True).wait_for(timeout=timeout * 1000)
    await tab.locator(IDLE).wait_for(timeout=timeout * 1000)


async def signed_in_tab(browser: Browser, url: str, cookie: str, height: int = 1000) -> Page:
    """A new tab 1400 px wide in a context holding the sign-in cookie ("name=value", from the app's
    claim route: bench/loadtest_server.py claimed_cookie)."""
    context = await browser.new_context(viewport={"width": 1400, "height": height})
    name, _, value = cookie.partition("=")
    await context.add_cookies([{"name": name, "value": value, "url": url}])
    return await context.new_page()


@dataclass
class BrowserSession:
    name: str
    url: str
    email: str
    password: str
    pages: list[str]
    think: tuple[float, float] = (0.5, 1.5)
    timeout: float = 60.0
    seed: int = 0
    limit: int | None = None  # page changes at most (None: until the deadline)
    changes: list[Change] = field(default_factory=list)

    async def run(self, browser: Browser, deadline: float) -> list[Change]:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            tab = await context.new_page()
            await self._sign_in(tab)
            await self._visit(tab, deadline)
        except PlaywrightError as exc:  # signing in failed, or the browser went away
            self.changes.append(Change(self.name, "(sign-in)", time.monotonic(), 0.0, str(exc)[:200]))
        finally:
            await context.close()
        return self.changes

    async def _sign_in(self, tab: Page) -> None:
        """The sign-in form, then the app's claim of its cookie (a reload after it) back on Overview:
        the first page change, timed from the click on Sign in to Overview shown."""
        await tab.goto(self.url + "/")
        await tab.get_by_label("Email").fill(self.email)
        await tab.get_by_label("Password", exact=True).fill(self.password)
        start = time.monotonic()
        await tab.get_by_role("button", name="Sign in").click()
        deadline = start + self.timeout
        while time.monotonic() < deadline and not await self._has_cookie(tab):
            await tab.wait_for_timeout(200)
        await tab.wait_for_load_state()
        await shown(tab, FIRST_PAGE, max(deadline - time.monotonic(), 1))
        self.changes.append(Change(self.name, FIRST_PAGE, start, time.monotonic() - start))

    @staticmethod
    async def _has_cookie(tab: Page) -> bool:
        return any(c["name"] == "uptake_session" for c in await tab.context.cookies())

    async def _visit(self, tab: Page, deadline: float) -> None:
        rng = random.Random(self.seed)
        nav = tab.get_by_test_id("stSidebarNav")
        step = 1
        while time.monotonic() + (pause := rng.uniform(*self.think)) < deadline and len(self.changes) != self.limit:
            await tab.wait_for_timeout(pause * 1000)
            page = self.pages[step % len(self.pages)]
            start = time.monotonic()
            error = None
            try:
                await nav.get_by_role("link", name=page, exact=True).click(timeout=self.timeout * 1000)
                await shown(tab, page, self.timeout)
                if await tab.get_by_test_id("stException").count():
                    error = "exception: " + (await tab.get_by_test_id("stException").first.inner_text())[:200]
            except PlaywrightError as exc:
                error = "timeout" if "Timeout" in type(exc).__name__ else str(exc)[:200]
            self.changes.append(Change(self.name, page, start, time.monotonic() - start, error))
            if error:
                return
            step += 1
