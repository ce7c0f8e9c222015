"""The pack as a 16:9 PowerPoint (python-pptx, imported only when a file is written: it takes
about 0.4 s to load)."""

from __future__ import annotations

import io
import math
from dataclasses import replace

from analysis.reports.model import ReportContents, Section, Table
from analysis.reports.style import (
    BANNER,
    HEAD_FILL,
    INK,
    MUTED,
    STRIPE,
    SYNTHETIC,
    cover_table,
    fitted_size,
    missing_chart,
    tone_of,
)
from analysis.words import day


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour)


LEFT, WIDTH, BOTTOM = 0.6, 12.1, 6.9  # inches: the content area of a slide, above the footer


def pptx_bytes(contents: ReportContents, images: dict[str, bytes], why_missing: str | None = None) -> bytes:
    """The pack as a 16:9 PowerPoint: a cover slide, then a slide per section (and a continuation
    slide where a section does not fit one)."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    deck.core_properties.title = contents.title
    deck.core_properties.author = contents.prepared_by
    _cover_slide(deck.slides.add_slide(deck.slide_layouts[6]), contents)
    for section in contents.sections:
        _section_slides(deck, section, images, why_missing)
    for page, slide in enumerate(deck.slides, start=1):
        _footer(slide, contents, page, len(deck.slides))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _section_slides(deck, section: Section, images: dict[str, bytes], why_missing: str | None) -> None:
    """A section's blocks, top to bottom; what does not fit goes on to a "(continued)" slide."""
    slide, top = _titled_slide(deck, section.title, section.lead)
    for block in section.blocks:
        if isinstance(block, Table):
            rows = block.rows
            while True:
                heights = _row_heights(block)
                fit = _rows_fitting(heights[0], heights[1 + len(block.rows) - len(rows) :], BOTTOM - top)
                if fit == 0 and top > 2.0:  # not even one row: start a new slide rather than squeeze
                    slide, top = _titled_slide(deck, f"{section.title} (continued)", section.lead)
                    continue
                part = replace(block, rows=rows[: max(fit, 1)])
                top = _slide_table(slide, part, top) + 0.15
                rows = rows[len(part.rows) :]
                if not rows:
                    break
                slide, top = _titled_slide(deck, f"{section.title} (continued)", section.lead)
        else:
            if top + _block_height(block, images) > BOTTOM and top > 2.0:
                slide, top = _titled_slide(deck, f"{section.title} (continued)", section.lead)
            top = _slide_block(slide, block, top, images, why_missing) + 0.15


def _titled_slide(deck, title: str, lead: str):
    """A new slide with its title and lead; returns it and where its content starts (inches)."""
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    _text_box(slide, LEFT, 0.35, WIDTH, 0.65, title, 26, bold=True)
    height = 0.1 + 0.22 * _lines(lead, WIDTH - 0.2, 12)
    _text_box(slide, LEFT, 1.0, WIDTH, height, lead, 12, colour=MUTED)
    return slide, 1.1 + height


def _text_box(
    slide,
    left: float,
    top: float,
    width: float,
    height: float,
    text: str,
    size: float,
    bold: bool = False,
    colour: str = INK,
    fill: str | None = None,
):
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    if fill:
        box.fill.solid()
        box.fill.fore_color.rgb = _rgb(fill)
        frame.margin_left = frame.margin_right = Inches(0.15)
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(size), bold
    run.font.color.rgb = _rgb(colour)
    return box


def _lines(text: str, width_in: float, size: float) -> int:
    """About how many lines text wraps to in a column (an average glyph is under half an em wide)."""
    per_line = max(1, int(width_in * 72 / (size * 0.46)))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def _text_height(text: str) -> float:
    return 0.3 * _lines(text, WIDTH - 0.2, 13) + 0.1


def _block_height(block, images: dict[str, bytes]) -> float:
    """The least height a text or chart block needs (a chart shrinks to fit down to 2.5 in)."""
    if isinstance(block, str):
        return _text_height(block)
    return 2.5 if images.get(block.name) else 1.2


def _slide_block(slide, block, top: float, images: dict[str, bytes], why_missing: str | None) -> float:
    """Draws a line of text or a chart from top (inches); returns where it ends."""
    from pptx.util import Inches

    if isinstance(block, str):
        _text_box(slide, LEFT, top, WIDTH, _text_height(block), block, 13)
        return top + _text_height(block)
    image = images.get(block.name)
    if image is None:
        _text_box(slide, LEFT, top, WIDTH, 1.2, missing_chart(why_missing), 14, colour=MUTED, fill="f1f5f9")
        return top + 1.2
    width, height = fitted_size(image, WIDTH, BOTTOM - top)
    slide.shapes.add_picture(
        io.BytesIO(image), Inches(LEFT + (WIDTH - width) / 2), Inches(top), Inches(width), Inches(height)
    )
    return top + height


def _column_widths(table: Table) -> list[float]:
    return [WIDTH * w / sum(table.widths) for w in table.widths]


def _row_heights(table: Table) -> list[float]:
    """Inches per row (the column names first): PowerPoint grows a row to its wrapped text."""
    widths = _column_widths(table)
    return [
        0.1 + table.size * 1.2 / 72 * max(_lines(text, w - 0.2, table.size) for text, w in zip(row, widths))
        for row in [table.columns, *table.rows]
    ]


def _rows_fitting(head: float, rows: list[float], room: float) -> int:
    used, fit = head, 0
    for height in rows:
        if used + height > room:
            break
        used, fit = used + height, fit + 1
    return fit


def _slide_table(slide, table: Table, top: float) -> float:
    from pptx.util import Inches, Pt

    widths, heights = _column_widths(table), _row_heights(table)
    shape = slide.shapes.add_table(
        len(heights), len(widths), Inches(LEFT), Inches(top), Inches(WIDTH), Inches(sum(heights))
    )
    grid = shape.table
    for i, w in enumerate(widths):
        grid.columns[i].width = Inches(w)
    for r, (row, height) in enumerate(zip([table.columns, *table.rows], heights)):
        grid.rows[r].height = Inches(height)
        for c, text in enumerate(row):
            cell = grid.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.04)
            cell.fill.solid()
            heading = r == 0 and table.headings
            cell.fill.fore_color.rgb = _rgb(HEAD_FILL if heading else "ffffff" if r % 2 else STRIPE)
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = text
            tone = None if heading else tone_of(text)
            run.font.size = Pt(table.size)
            run.font.bold = heading or tone is not None or (not table.headings and c == 0)
            run.font.color.rgb = _rgb(tone or INK)
    return top + sum(heights)


def _cover_slide(slide, contents: ReportContents) -> None:
    title_width = 12.1
    if contents.logo:  # the provider's logo, top right, within 2.6 x 0.8 in (analysis/branding.py)
        from pptx.util import Inches

        logo = slide.shapes.add_picture(io.BytesIO(contents.logo), Inches(0), Inches(0.3), height=Inches(0.8))
        if logo.width > Inches(2.6):
            logo.height, logo.width = int(logo.height * Inches(2.6) / logo.width), Inches(2.6)
        logo.left = Inches(0.6 + 12.1) - logo.width
        title_width = 12.1 - 2.8
    if contents.provider:
        _text_box(slide, 0.6, 0.1, title_width, 0.35, contents.provider, 14, bold=True, colour=MUTED)
    _text_box(slide, 0.6, 0.45, title_width, 0.8, contents.title, 34, bold=True)
    _text_box(
        slide,
        0.6,
        1.3,
        12.1,
        0.5,
        f"{contents.organisation} · as of {day(contents.as_of)} · {contents.window_days}-day window",
        18,
        colour=MUTED,
    )
    top = 2.0
    if contents.synthetic:
        _text_box(slide, 0.6, top, 12.1, 0.45, SYNTHETIC, 14, bold=True, fill=BANNER)
        top += 0.6
    if contents.summary:  # the rollout in a few sentences (analysis/summary.py), then what they are of
        text = "\n".join(f"• {line}" for line in contents.summary)
        box = _text_box(slide, 0.6, top, 12.1, 0.3, text, 12)
        box.text_frame.word_wrap = True
        top += 0.2 * _lines(text, 12.1 - 0.3, 12) + 0.2
    _text_box(slide, 0.6, top, 12.1, 0.35, "What the figures are of", 12, bold=True)
    table = cover_table(contents)
    # the demo's banner, a long summary and a note (analysis/reports/cover.py) can outgrow the slide
    while table.size > 7 and top + 0.4 + sum(_row_heights(table)) > BOTTOM:
        table = replace(table, size=table.size - 1)
    _slide_table(slide, table, top + 0.4)


def _footer(slide, contents: ReportContents, page: int, total: int) -> None:
    from pptx.enum.text import PP_ALIGN

    _text_box(slide, 0.6, 7.0, 10.6, 0.35, contents.footer, 10, colour=MUTED)
    number_box = _text_box(slide, 11.3, 7.0, 1.4, 0.35, f"{page} / {total}", 10, colour=MUTED)
    number_box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
