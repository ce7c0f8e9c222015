"""The report pack, complete (issue 16 part 5): the self-contained HTML pack, the provider's name
and logo on the cover of all three formats, and the appendix (the loads behind the figures, what
each figure means), on the tiny hand-checked set of tests/test_reports.py (as of 2025-02-10, 28
days). The browser half of the HTML pack is tests/test_pack_browser.py."""

from __future__ import annotations

import base64
import io
import re
from dataclasses import replace
from datetime import date
from html import unescape
from html.parser import HTMLParser

import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from analysis import branding, orgs, reports, uploads
from analysis.access import OPERATOR, AccessDenied, Principal
from analysis.reports.html import html_bytes
from analysis.reports.pack import chart_figure
from analysis.scope import open_scope
from analysis.store import Store
from analysis.words import plain
from tests.test_exports import CORPUS
from tests.test_reports import NOW, D, contents, pdf_text, slide_tables, table, tiny, tiny_file  # noqa: F401

# tests/test_markup_browser.py's payload (that module skips itself where chromium is absent): a
# tracking image, a fake link, a bare URL, a tag that runs script, emphasis, a www. and an e-mail address
PAYLOAD = (
    "![x](http://127.0.0.1:9/t.png) [Sign in again](http://evil.test) http://evil.test/a "
    '<img src=x onerror=alert(1)> <a href="http://evil.test/p">p</a> **bold** www.evil.test me@evil.test'
)
EXTERNAL = re.compile(r"^\s*(https?:|//|ftp:|ws:|wss:)", re.IGNORECASE)
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "srcset", "poster", "data", "background", "xlink:href"}


class Page(HTMLParser):
    """Each tag with its attributes, the text of <style> and <script>, and the plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        where = self._in[-1] if self._in else ""
        (self.styles if where == "style" else self.scripts if where == "script" else self.text).append(data)


def parsed(data: bytes) -> Page:
    page = Page()
    page.feed(data.decode("utf-8"))
    return page


def external_references(page: Page) -> list[str]:
    """Every way the page could fetch something: an attribute naming a URL, a tag that loads one,
    a style's url() or @import (a data: URI fetches nothing)."""
    found = []
    for tag, attrs in page.tags:
        if tag in {"link", "iframe", "object", "embed", "base", "frame", "audio", "video", "source", "track"}:
            found.append(f"<{tag}>")
        if tag == "script" and "src" in attrs:
            found.append(f"<script src={attrs['src']}>")
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES and value and not value.startswith("data:"):
                found.append(f"{tag} {name}={value}")
            if value and (EXTERNAL.match(value) or "url(" in value.lower()):
                found.append(f"{tag} {name}={value}")
    for style in page.styles:
        found += re.findall(r"url\([^)]*\)|@import[^;]*", style, re.IGNORECASE)
    return found


def html_of(made) -> bytes:
    return html_bytes(made, {chart.name: chart_figure(chart) for chart in made.charts()})


@pytest.fixture(scope="module")
def page_html(contents):  # noqa: F811 (the fixture of tests/test_reports.py)
    return html_of(contents)


def logo(kind: str = "PNG", size: tuple[int, int] = (300, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, format=kind)
    return out.getvalue()


# -- the HTML pack ------------------------------------------------------------------------------------


def test_the_html_pack_fetches_nothing(page_html):
    page = parsed(page_html)
    assert external_references(page) == []
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert len(scripts) == 3 and not any(scripts)  # plotly.js inline, then one per chart: none by src
    assert "Plotly.newPlot" in page.scripts[1] and "Plotly.newPlot" in page.scripts[2]
    assert len(page.scripts[0]) > 3_000_000  # plotly.js itself, inlined
    assert "cdn.plot.ly/plotly" not in page_html.decode()[:20_000]  # not referenced from the head


def test_the_checker_sees_an_external_reference():
    sneaky = (
        b'<html><head><link rel="stylesheet" href="https://cdn.test/x.css"><style>@import "//f.test/a.css";'
        b'body{background:url(http://i.test/b.png)}</style><script src="https://cdn.plot.ly/plotly.js"></script>'
        b'</head><body><img src="http://i.test/t.png"><a href="https://evil.test">x</a></body></html>'
    )
    assert len(external_references(parsed(sneaky))) >= 6


def test_the_html_pack_says_what_the_pdf_says(contents, page_html):  # noqa: F811
    page = parsed(page_html)
    text = " ".join(" ".join(page.text).split())
    headings = re.findall(r"<h2>(.*?)</h2>", page_html.decode())
    assert headings == [s.title for s in contents.sections]
    assert re.search(r"<h1>(.*?)</h1>", page_html.decode()).group(1) == "MFA: adoption report"
    for section in contents.sections:
        for block in section.blocks:
            if isinstance(block, reports.Table):
                for row in block.rows:
                    assert " ".join(" ".join(row).split()) in text, row
    assert "Champion cohort 6 Jan 2025 25% 1 of 4 2 (50%) not yet 1" in text
    assert contents.summary[0] in text and "Acme · MFA · as of 10 Feb 2025 · 28-day window" in text
    # the charts: the app's own figures, live
    assert page_html.decode().count('class="chart"') == 2


def test_text_from_the_data_is_escaped_in_the_html_pack(store, load):
    hostile = [PAYLOAD, "</script><script>alert(1)</script>", *CORPUS[:6]]  # the 8 departments a pack shows
    org_id = orgs.add_organisation(store, OPERATOR, f"Evil {PAYLOAD}", email_domains=["evil.test"])
    scope = open_scope(store, OPERATOR, org_id, "upload")
    orgs.add_rollout(scope, "</title><b>MFA", {"</script><i>x": date(2025, 1, 6)})
    roster = "user_id,display_name,department,cohort\n" + "".join(
        f'p{i}{j}@evil.test,P {i}{j},"{d.replace(chr(34), chr(34) * 2)}",</script><i>x\n'
        for i, d in enumerate(hostile)
        for j in range(5)
    )
    load(scope, "roster", roster, name=f"{PAYLOAD}.csv", rollout="</title><b>MFA")
    load(scope, "usage", "user_id,date,activity\np00@evil.test,2025-02-10,mfa\n", rollout=None)
    made = reports.report_contents(scope, orgs.rollouts(scope)[0], D, 28)
    data = html_of(made)
    page = parsed(data)
    assert external_references(page) == []
    assert {tag for tag, _ in page.tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "script",
        "body",
        "main",
        "header",
        "div",
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "li",
        "section",
        "table",
        "colgroup",
        "col",
        "tr",
        "th",
        "td",
        "footer",
    }  # no <img>, <a>, <b>, <i> from the data
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]  # no event handler
    assert len([s for s in page.scripts if "alert(1)" in s and "newPlot" not in s]) == 0
    text = " ".join(page.text)
    cells = {row[0] for row in table(made.sections[4]).rows}
    assert cells == {plain(d) for d in hostile}
    for cell in cells:
        assert cell in text  # shown as its characters
    assert f"Evil {PAYLOAD}" in text and "</title><b>MFA: adoption report" in text
    assert "'" + CORPUS[0] in text  # a formula stays neutralised, as in the other formats
    # the charts' JSON cannot close its script: every < > & in it is a \u escape
    chart_scripts = [s for s in page.scripts if "Plotly.newPlot" in s]
    assert chart_scripts and not [s for s in chart_scripts if "<" in s or ">" in s]


# -- the appendix ---------------------------------------------------------------------------------------


def test_the_appendix_lists_the_loads_behind_the_figures(contents):  # noqa: F811
    loads, meanings = contents.sections[-2:]
    assert loads.title == "Appendix: the data behind the figures"
    rows = table(loads).rows
    # roster: 7 rows (a..g); usage: 8 rows, 3 Jan .. 10 Feb; tickets: B1 B2 B3 N1, created 9 Dec .. 5 Feb
    assert [r[:2] + r[3:] for r in rows] == [
        ["tickets", "tickets.csv", "4", "4", "0", "9 Dec 2024 to 5 Feb 2025"],
        ["usage", "usage.csv", "8", "8", "0", "3 Jan 2025 to 10 Feb 2025"],
        ["roster", "roster.csv", "7", "7", "0", "none"],
    ]
    assert all(re.fullmatch(r"\d+ \w{3} \d{4} \d\d:\d\d", r[2]) for r in rows)
    assert meanings.title == "Appendix: what the figures mean"


def test_an_undone_load_leaves_the_appendix(tmp_path):
    tiny_file(tmp_path / "u.duckdb")
    store = Store(tmp_path / "u.duckdb", staging_dir=tmp_path / "staging")
    scope = open_scope(store, OPERATOR, 1, "upload")
    tickets = int(uploads.history(scope).query("kind == 'tickets'")["upload_id"].iloc[0])
    uploads.undo(scope, tickets)
    made = reports.report_contents(scope, orgs.rollout(scope, "MFA"), D, 28, now=NOW)
    store.close()
    assert [r[0] for r in table(made.sections[-2]).rows] == ["usage", "roster"]


def test_the_pack_and_the_pages_define_the_figures_alike(contents):  # noqa: F811
    from ui.cards import DEFINITIONS, HELP

    page = [line[2:] for line in DEFINITIONS.split("\n")]
    pack = table(contents.sections[-1]).rows
    assert len(pack) == len(page) == 17
    for (name, meaning), line in zip(pack, page, strict=True):  # the same text, the name before it
        assert line == meaning or line.lower() == f"{name}: {meaning}".lower()
    assert pack[0] == ["Adoption rate", "L" + HELP["adoption"].removeprefix("Adoption rate: l")]
    assert pack[3] == ["Licensed people", HELP["licensed"]]


def test_the_appendix_is_in_the_powerpoint_and_the_pdf(contents):  # noqa: F811
    deck = reports.pptx_bytes(contents, {})
    tables = slide_tables(deck)
    assert ["tickets", "tickets.csv"] == next(t for t in tables if t[0][0] == "Kind")[1][:2]
    assert next(t for t in tables if t[0] == ["Metric", "Definition"])[1][0] == "Adoption rate"
    pages = pdf_text(reports.pdf_bytes(contents, {}))
    assert "9 Dec 2024 to 5 Feb 2025" in pages[-2] and "Never used" in pages[-1]


# -- the provider's name and logo -----------------------------------------------------------------------


def test_the_logo_is_checked_by_its_bytes(store):
    assert branding.check_logo(logo("PNG")) == "image/png"
    assert branding.check_logo(logo("JPEG")) == "image/jpeg"
    for bad, why in [
        (logo("GIF"), "not a PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "cannot be read"),  # PNG's first bytes, no image behind them
        (logo("JPEG")[:200], "cannot be read"),  # cut short
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (200 * 1024), "at most 200 KB"),
    ]:
        with pytest.raises(branding.BrandingError, match=why):
            branding.check_logo(bad)
    # 200 KB is allowed, a byte more is not
    noise = Image.frombytes("RGB", (300, 300), bytes(range(256)) * 1055)
    out = io.BytesIO()
    noise.save(out, format="PNG")
    big = out.getvalue()
    assert len(big) <= 200 * 1024 and branding.check_logo(big) == "image/png"
    with pytest.raises(branding.BrandingError, match="at most 200 KB"):
        branding.check_logo(big + b"\x00" * (200 * 1024 + 1 - len(big)))


def test_only_an_admin_sets_the_provider(store):
    assert branding.branding(store) == branding.Branding("", None, None)
    manager = Principal("am@provider.test", "account_manager", frozenset({1}))
    with pytest.raises(AccessDenied):
        branding.set_provider_name(store, manager, "Northwind IT")
    with pytest.raises(AccessDenied):
        branding.set_provider_logo(store, manager, logo())
    assert branding.set_provider_name(store, OPERATOR, "  Northwind\n IT  ") == "Northwind IT"
    with pytest.raises(branding.BrandingError):
        branding.set_provider_logo(store, OPERATOR, logo("GIF"))
    branding.set_provider_logo(store, OPERATOR, logo("JPEG"))
    assert branding.branding(store) == branding.Branding("Northwind IT", logo("JPEG"), "image/jpeg")
    branding.set_provider_logo(store, OPERATOR, None)
    assert branding.branding(store).logo is None
    with pytest.raises(branding.BrandingError, match="at most 80"):
        branding.set_provider_name(store, OPERATOR, "x" * 81)


def test_the_provider_is_on_the_cover_of_all_three_formats(tmp_path):
    tiny_file(tmp_path / "b.duckdb")
    store = Store(tmp_path / "b.duckdb", staging_dir=tmp_path / "staging")
    branding.set_provider_name(store, OPERATOR, "=Northwind <IT>")
    image = logo("PNG", (600, 120))
    branding.set_provider_logo(store, OPERATOR, image)
    scope = open_scope(store, OPERATOR, 1, "export")
    made = reports.report_contents(scope, orgs.rollout(scope, "MFA"), D, 28, now=NOW)
    store.close()
    assert (made.provider, made.logo) == ("'=Northwind <IT>", image)
    cover = Presentation(io.BytesIO(reports.pptx_bytes(made, {}))).slides[0]
    pictures = [s for s in cover.shapes if s.shape_type == 13]
    assert len(pictures) == 1 and pictures[0].image.blob == image
    assert pictures[0].width.inches == pytest.approx(2.6, abs=0.01)  # 5:1, held within 2.6 x 0.8 in
    assert pictures[0].left.inches + pictures[0].width.inches == pytest.approx(12.7, abs=0.01)
    assert "'=Northwind <IT>" in [s.text_frame.text for s in cover.shapes if s.has_text_frame]
    pdf = PdfReader(io.BytesIO(reports.pdf_bytes(made, {})))
    assert "'=Northwind <IT>" in pdf.pages[0].extract_text() and len(pdf.pages[0].images) == 1
    assert not any(p.images for p in pdf.pages[1:])
    page = html_of(made).decode()
    assert '<div class="provider">&#x27;=Northwind &lt;IT&gt;</div>' in page
    assert f'src="data:image/png;base64,{base64.b64encode(image).decode()}"' in page


# -- the command line -----------------------------------------------------------------------------------


def test_the_report_command_writes_the_html_pack(tmp_path):
    from tests.test_reports import run

    tiny_file(tmp_path / "cli.duckdb")
    where = ["--org", "acme", "--rollout", "mfa", "--as-of", "2025-02-10"]
    done = run(tmp_path / "cli.duckdb", "report", *where, "--format", "HTML", "--out", tmp_path / "pack.html")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        f"wrote {tmp_path / 'pack.html'}: the HTML page of 'MFA' as of 2025-02-10 (28-day window), the cover and 8 sections, "
    )
    assert done.stderr == ""  # no browser needed: the charts are drawn where the file is opened
    data = (tmp_path / "pack.html").read_bytes()
    assert external_references(parsed(data)) == [] and data.count(b"Plotly.newPlot(") == 2


def test_the_formula_corpus_through_the_html_pack(contents):  # noqa: F811
    """Every payload of tests/test_exports.py as the pack writes text from the data (words.plain),
    in an HTML table cell: each reads back neutralised, so a copy into a spreadsheet runs nothing."""
    from analysis.exports import neutralise

    cells = [[plain(p)] for p in CORPUS]
    made = replace(contents, sections=[reports.Section("Corpus", "", [reports.Table(["Payload"], cells, [1.0])])])
    page = html_of(made).decode()
    corpus = page[page.index("<h2>Corpus</h2>") :]
    shown = [unescape(c) for c in re.findall(r"<td>(.*?)</td>", corpus, re.DOTALL)]
    assert len(shown) == len(CORPUS) >= 30
    for text, payload in zip(shown, CORPUS, strict=True):
        assert neutralise(text) == text, (payload, text)  # nothing a spreadsheet would run
        # the payload whole, its white space made one line ("\tcmd|..." is then plain text)
        assert text.removeprefix("'") == " ".join(payload.split())
    assert sum(t.startswith("'") for t in shown) == len(CORPUS) - 1
