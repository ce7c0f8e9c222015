"""The pack as one self-contained HTML file: the same sections as the PowerPoint and the PDF, with
the app's own Plotly charts live (hover, zoom, legend), opened offline in any browser.

Self-contained: plotly.js is inlined, the logo is a data: URI, the styles are inline and name
only system fonts; nothing is fetched (no CDN, no web font, no image by URL), so the file opens
with no network and tells no server it was opened. Every text from the data is escaped for HTML
(html.escape) and the charts' labels went through analysis.words.label; the figures' JSON is
written with <, > and & as \\u escapes, so no text can close the script it sits in."""

from __future__ import annotations

import base64
import json
from html import escape

import plotly.graph_objects as go

from analysis.reports.model import ReportContents, Table
from analysis.reports.style import BANNER, HEAD_FILL, INK, MUTED, RULE, STRIPE, SYNTHETIC, cover_table, tone_of
from analysis.words import day

CHART_HEIGHT = 520  # pixels; the width follows the page
# plotly's own buttons only: no logo linking to plotly.com, no "edit in Chart Studio"
CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "showSendToCloud": False}
_JS_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})

STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #{INK}; margin: 0;
  background: #fff; line-height: 1.4; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }}
section {{ border-top: 1px solid #{RULE}; padding-top: 12px; margin-top: 28px; page-break-before: always; }}
h1 {{ font-size: 30px; margin: 6px 0; }} h2 {{ font-size: 22px; margin: 4px 0; }}
.muted {{ color: #{MUTED}; }} .provider {{ font-weight: bold; color: #{MUTED}; }}
.cover-head {{ display: flex; justify-content: space-between; align-items: flex-start; gap: 24px; }}
.logo {{ max-width: 240px; max-height: 80px; }}
.banner {{ background: #{BANNER}; font-weight: bold; padding: 8px 12px; }}
table {{ border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }}
th {{ background: #{HEAD_FILL}; text-align: left; }}
th, td {{ padding: 5px 8px; border-bottom: 1px solid #{RULE}; vertical-align: top; }}
tr:nth-child(even) td {{ background: #{STRIPE}; }}
td.key {{ font-weight: bold; width: 18%; }}
.chart {{ width: 100%; height: {CHART_HEIGHT}px; }}
.missing {{ background: #f1f5f9; color: #{MUTED}; padding: 12px; }}
footer {{ color: #{MUTED}; font-size: 12px; margin-top: 40px; }}
"""


def html_bytes(contents: ReportContents, figures: dict[str, go.Figure]) -> bytes:
    """The pack as HTML: the cover, then a section per section; figures: chart name -> the
    figure (analysis.reports.pack.chart_figure)."""
    import plotly.offline

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(contents.title)}</title>",
        f"<style>{STYLE}</style>",
        # plotly.js itself, inline: the file needs nothing from anywhere
        f"<script>{plotly.offline.get_plotlyjs()}</script>",
        "</head><body><main>",
        _cover(contents),
    ]
    charts = 0
    for section in contents.sections:
        parts.append(f'<section><h2>{escape(section.title)}</h2><p class="muted">{escape(section.lead)}</p>')
        for block in section.blocks:
            if isinstance(block, str):
                parts.append(f"<p>{escape(block)}</p>")
            elif isinstance(block, Table):
                parts.append(_table(block))
            else:
                charts += 1
                parts.append(_chart(figures.get(block.name), f"chart-{charts}"))
        parts.append("</section>")
    parts.append(f"<footer>{escape(contents.footer)}</footer></main></body></html>")
    return "\n".join(parts).encode("utf-8")


def _cover(contents: ReportContents) -> str:
    head = []
    if contents.provider:
        head.append(f'<div class="provider">{escape(contents.provider)}</div>')
    head.append(f"<h1>{escape(contents.title)}</h1>")
    head.append(
        f'<div class="muted">{escape(contents.organisation)} · as of {escape(day(contents.as_of))} · '
        f"{contents.window_days:d}-day window</div>"
    )
    logo = ""
    if contents.logo:
        kind = "image/png" if contents.logo.startswith(b"\x89PNG") else "image/jpeg"
        logo = f'<img class="logo" alt="" src="data:{kind};base64,{base64.b64encode(contents.logo).decode("ascii")}">'
    parts = [f'<header class="cover-head"><div>{"".join(head)}</div>{logo}</header>']
    if contents.synthetic:
        parts.append(f'<p class="banner">{escape(SYNTHETIC)}</p>')
    if contents.summary:
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in contents.summary) + "</ul>")
    parts.append("<h3>What the figures are of</h3>")
    parts.append(_table(cover_table(contents)))
    return "\n".join(parts)


def _table(table: Table) -> str:
    rows = []
    if table.headings:
        rows.append("<tr>" + "".join(f"<th>{escape(c)}</th>" for c in table.columns) + "</tr>")
    body = table.rows if table.headings else [table.columns, *table.rows]
    for row in body:
        cells = []
        for i, text in enumerate(row):
            tone = tone_of(text)
            attrs = ' class="key"' if not table.headings and i == 0 else ""
            if tone:
                attrs += f' style="color:#{tone};font-weight:bold"'
            cells.append(f"<td{attrs}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    total = sum(table.widths) or 1
    widths = "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
    return f"<table><colgroup>{widths}</colgroup>" + "".join(rows) + "</table>"


def _chart(figure: go.Figure | None, element_id: str) -> str:
    if figure is None:
        return '<p class="missing">The chart could not be drawn. The same figures are on the app\'s pages.</p>'
    shown = go.Figure(figure).update_layout(width=None, height=CHART_HEIGHT, autosize=True, font=dict(size=14))
    spec = json.loads(shown.to_json())
    data = json.dumps(spec.get("data", []), separators=(",", ":")).translate(_JS_SAFE)
    layout = json.dumps(spec.get("layout", {}), separators=(",", ":")).translate(_JS_SAFE)
    config = json.dumps(CONFIG)
    return (
        f'<div class="chart" id="{element_id}"></div>'
        f'<script>Plotly.newPlot("{element_id}", {data}, {layout}, {config});</script>'
    )
