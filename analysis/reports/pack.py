"""The report pack, built: its charts drawn as PNG from the app's own Plotly figures
(analysis.charts) by kaleido in Debian's chromium, then written as PowerPoint and PDF; the HTML
pack carries the same figures live (analysis/reports/html.py), so it needs no browser to build.

The command line (`python -m analysis report`) builds the same pack; the Overview page wraps
build_pack() in a progress box.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Late
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go

from analysis.charts import adoption_by_age_chart, snapshot_adoption_chart, tickets_per_100_chart
from analysis.orgs import Rollout
from analysis.reports.contents import Chart, ReportContents, report_contents
from analysis.reports.html import html_bytes
from analysis.reports.pdf import pdf_bytes
from analysis.reports.powerpoint import pptx_bytes
from analysis.scope import Scope

SIZE = (1300, 580)  # pixels, drawn at scale 2: sharp across a 12-inch slide and an A4 page
SECONDS = 90  # the longest the charts may take, browser start included
WRITERS = {"pptx": pptx_bytes, "pdf": pdf_bytes}
LABELS = {"pptx": "PowerPoint", "pdf": "PDF", "html": "HTML page"}
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "html": "text/html",
}


def chart_figure(chart: Chart) -> go.Figure:
    """The figure the app shows for one chart of the pack, sized and lettered for print."""
    o = chart.options
    if chart.name == "adoption":
        fig = adoption_by_age_chart(chart.frame, o["target"], o["target_age"])
    elif chart.name == "snapshot_adoption":
        fig = snapshot_adoption_chart(chart.frame, o["window"], o["markers"])
    else:
        fig = tickets_per_100_chart(chart.frame, o["markers"], o["baseline"], o["go_lives"])
    return fig.update_layout(width=SIZE[0], height=SIZE[1], font=dict(size=17), margin=dict(l=20, r=20, t=50, b=20))


async def _drawn(figures: dict[str, go.Figure]) -> dict[str, bytes]:
    import kaleido

    # One browser for every chart of the pack (starting it is most of the time). mathjax=False: the
    # page would otherwise fetch MathJax from a CDN, and labels from the data are never read as LaTeX.
    async with kaleido.Kaleido(n=1, mathjax=False, timeout=SECONDS) as browser:
        return {
            name: await browser.calc_fig(fig.to_dict(), opts=dict(format="png", width=SIZE[0], height=SIZE[1], scale=2))
            for name, fig in figures.items()
        }


def chart_images(contents: ReportContents) -> tuple[dict[str, bytes], str | None]:
    """PNG bytes per chart of the pack, and None; or no images and a one-line reason when they
    cannot be drawn (no chromium, a browser that fails or hangs): the pack then says so."""
    from kaleido.errors import ChromeNotFoundError  # loaded with the browser, not by every page

    figures = {chart.name: chart_figure(chart) for chart in contents.charts()}
    if not figures:
        return {}, None
    pool = ThreadPoolExecutor(1)  # kaleido runs an event loop: give it a thread of its own
    try:
        return pool.submit(asyncio.run, _drawn(figures)).result(timeout=SECONDS), None
    except Late:
        return {}, f"the browser that draws them did not finish in {SECONDS} s"
    except ChromeNotFoundError:
        return {}, "no Chromium on this server to draw them with (apt-get install chromium)"
    except Exception as exc:  # the pack is still worth having without its pictures
        return {}, f"the browser that draws them failed ({type(exc).__name__})"
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class Pack:
    contents: ReportContents
    files: dict[str, bytes]  # format -> the file
    why_missing: str | None  # why the charts are not in it (None: they are)
    seconds: float


def build_pack(
    scope: Scope,
    rollout: Rollout,
    as_of: date,
    window: int,
    formats: tuple[str, ...] = ("pptx", "pdf", "html"),
    progress: Callable[[str], object] | None = None,
    compare: str | None = None,
) -> Pack:
    """The report pack of the rollout as of a day, in each of formats, saying each step to progress;
    compare (analysis/comparison.py: previous-quarter, ..., baseline:NAME) adds a section of now
    against then."""
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    say("Reading the figures")
    contents = report_contents(scope, rollout, as_of, window, compare=compare)
    images: dict[str, bytes] = {}
    why = None
    if set(formats) & set(WRITERS):  # the HTML pack draws its charts in the reader's browser
        count = len(contents.charts())
        say(f"Drawing {count} chart{'s' if count != 1 else ''}")
        images, why = chart_images(contents)
        if why:
            say(f"The charts are left out of the PowerPoint and the PDF: {why}")
    files = {}
    for kind in formats:
        say(f"Writing the {LABELS[kind]}")
        if kind == "html":
            files[kind] = html_bytes(contents, {chart.name: chart_figure(chart) for chart in contents.charts()})
        else:
            files[kind] = WRITERS[kind](contents, images, why)
    return Pack(contents, files, why, time.perf_counter() - started)
