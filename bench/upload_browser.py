"""Issue #12, target 1's browser part: a ~200 MB usage CSV (4.6 M events) uploaded on the Data page
in one headless Chromium against the real server (bench/loadtest_server.py), into a new bench
organisation that holds its roster. The preview (the whole load, rolled back) is timed from the file
chosen to the Load button shown, the load from the click to its result shown; the server's RSS is
sampled every 0.2 s, and read once more when the server is idle after the load, the tab still open
(what the session goes on holding); the progress bar is shot during the load. The peer is DuckDB's bare CTAS of
the same file (median of 3).

    .venv/bin/python bench/upload_browser.py [--out DIR]

Prints a JSON object; writes the file, the screenshots and the RSS samples under DIR. A run is in
docs/performance.md (a 200 MB file uploaded in the browser).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/upload_browser.py` from the repo

from playwright.async_api import Page, async_playwright  # noqa: E402

from bench import peers  # noqa: E402
from bench.build_org import load, new_scope  # noqa: E402
from bench.generate import Size, generate  # noqa: E402
from bench.loadtest import prepared  # noqa: E402
from bench.loadtest_browser import ARGS, chromium, shown, signed_in_tab  # noqa: E402
from bench.loadtest_server import claimed_cookie, memory_bytes, start_server  # noqa: E402
from bench.views import idle  # noqa: E402

EVENTS = 4_600_000  # about 200 MB in the generator's columns
MAIN = '[data-testid="stMain"]'
STORED = re.compile(r"stored [\d,]+ new rows")


class Sampler(threading.Thread):
    """The process's resident set size every 0.2 s until stopped: (seconds, MiB) pairs."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.samples, self.stopped = pid, [], threading.Event()

    def run(self) -> None:
        start = time.monotonic()
        while not self.stopped.is_set():
            self.samples.append((round(time.monotonic() - start, 1), memory_bytes(self.pid).get("VmRSS", 0) // 2**20))
            time.sleep(0.2)


async def shoot_until(tab: Page, done, shots: Path, name: str, every: float) -> float:
    """Seconds until done() is true, with a screenshot of the page's end every `every` seconds (4 at most)."""
    start, taken = time.monotonic(), 0
    while not await done():
        await tab.wait_for_timeout(250)
        if taken < 4 and time.monotonic() - start > every * (taken + 1):
            await tab.locator(MAIN).evaluate("e => e.scrollTo(0, e.scrollHeight)")
            await tab.screenshot(path=str(shots / f"{name}-{taken}.png"))
            taken += 1
    return time.monotonic() - start


async def upload(url: str, cookie: str, usage: Path, shots: Path, pid: int) -> dict:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium(), args=ARGS)
        tab = await signed_in_tab(browser, url, cookie, height=1400)
        await tab.goto(url + "/data")
        await shown(tab, "Data", 120)
        await tab.locator('input[type="file"]').set_input_files(str(usage))
        button = tab.get_by_role("button", name="Load 1 file")
        preview = await shoot_until(tab, lambda: button.count(), shots, "preview", 3)
        await shown(tab, "Data", 600)
        await button.click()
        result = tab.get_by_text(STORED)
        loaded = await shoot_until(tab, lambda: result.count(), shots, "loading", 1.5)
        text = await result.first.inner_text()
        await tab.locator(MAIN).evaluate("e => e.scrollTo(0, 0)")
        await tab.screenshot(path=str(shots / "loaded.png"))
        idle(pid)  # the red flags and the warm-up after the load done
        after = memory_bytes(pid).get("VmRSS", 0) // 2**20
        await browser.close()
    return {
        "preview_seconds": round(preview, 1),
        "load_seconds": round(loaded, 1),
        "result": text,
        "rss_after_mib": after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/uptake-upload-browser"))
    args = parser.parse_args()
    shots = args.out / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    files = generate(Size(EVENTS, 1_000), 7, args.out / "data")
    with tempfile.TemporaryDirectory(prefix="uptake-upload-") as tmp:
        folder = Path(tmp)
        db = folder / "bench.duckdb"
        scope = new_scope(db)
        load(scope, "roster", files.roster)
        scope.store.close()
        ctas = statistics.median(
            peers.ctas(str(folder / f"ctas{i}.duckdb"), str(files.usage))["seconds"] for i in range(3)
        )
        ready = prepared(db, 1)
        server = start_server(db, folder)
        try:
            cookie = claimed_cookie(server.url, ready.codes[0])
            idle(server.pid)
            sampler = Sampler(server.pid)
            sampler.start()
            found = asyncio.run(upload(server.url, cookie, files.usage, shots, server.pid))
            sampler.stopped.set()
            sampler.join()
        finally:
            server.stop()
    (args.out / "rss.json").write_text(json.dumps(sampler.samples))
    megabytes = files.usage.stat().st_size / 1e6
    found |= {
        "file_mb": round(megabytes, 1),
        "ctas_seconds": round(ctas, 2),
        "load_vs_ctas": round(found["load_seconds"] / ctas, 1),
        "rss_idle_mib": sampler.samples[0][1],
        "rss_peak_mib": max(mib for _, mib in sampler.samples),
    }
    print(json.dumps(found, indent=1))


if __name__ == "__main__":
    main()
