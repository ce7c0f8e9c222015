"""The pack as an A4 landscape PDF (fpdf2, imported only when a file is written), in DejaVu Sans
when installed, else in the core font with the text made Latin-1-safe."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

from analysis.reports.model import ReportContents, Table
from analysis.reports.style import (
    BANNER,
    HEAD_FILL,
    INK,
    MUTED,
    RULE,
    STRIPE,
    SYNTHETIC,
    cover_table,
    fitted_size,
    missing_chart,
    tone_of,
)
from analysis.words import day

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core (.ci/run installs it)


_LATIN1 = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "−": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "→": "->",
        "≥": ">=",
        "≤": "<=",
        "•": "*",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Œ": "OE",
        "œ": "oe",
        "\u00a0": " ",
    }
)


def latin1_safe(text: str) -> str:
    """text in Latin-1 (the PDF core fonts' only alphabet): typographic characters spelt plainly,
    accents the alphabet lacks dropped (Ł -> L, ą -> a), anything else as '?'."""
    text = text.translate(_LATIN1)
    kept = []
    for char in text:
        if ord(char) < 256:
            kept.append(char)
            continue
        bare = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        kept.append(bare if bare and all(ord(c) < 256 for c in bare) else "?")
    return "".join(kept)


def _pdf_class():
    from fpdf import FPDF

    class Pack(FPDF):
        """A4 landscape with the pack's footer; text is made Latin-1-safe when only the core font is at hand."""

        footer_text = ""

        def normalize_text(self, text: str) -> str:
            return super().normalize_text(text if self.is_ttf_font else latin1_safe(text))

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(self.font_family, "", 8)
            self.set_text_color(100, 116, 139)
            self.cell(0, 5, self.footer_text, align="L")
            self.set_x(-40)
            self.cell(25, 5, f"{self.page_no()} / {{nb}}", align="R")

    return Pack


def pdf_fonts(font_dir: Path | None = None) -> dict[str, Path] | None:
    """DejaVu Sans regular and bold when installed (every language's letters); None: the core font."""
    folder = font_dir or FONT_DIR
    found = {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf"}
    return found if all(p.is_file() for p in found.values()) else None


def pdf_bytes(contents: ReportContents, images: dict[str, bytes], why_missing: str | None = None) -> bytes:
    """The pack as an A4 landscape PDF: the cover, then one page per section."""
    pdf = _pdf_class()(orientation="L", unit="mm", format="A4")
    pdf.footer_text = contents.footer
    pdf.set_title(contents.title)
    pdf.set_author(contents.prepared_by)
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=16)
    fonts = pdf_fonts()
    family = "DejaVu" if fonts else "Helvetica"
    for style, path in (fonts or {}).items():
        pdf.add_font(family, style, str(path))
    pdf.set_font(family, "", 10)
    _pdf_cover(pdf, contents, family)
    for section in contents.sections:
        pdf.add_page()
        _pdf_heading(pdf, family, section.title, 20)
        _pdf_text(pdf, family, section.lead, 10.5, MUTED)
        for block in section.blocks:
            pdf.ln(2)
            _pdf_block(pdf, family, block, images, why_missing)
    return bytes(pdf.output())


def _hex(colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def _pdf_heading(pdf, family: str, text: str, size: float) -> None:
    pdf.set_font(family, "B", size)
    pdf.set_text_color(*_hex(INK))
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _pdf_text(
    pdf, family: str, text: str, size: float, colour: str = INK, fill: str | None = None, bold: bool = False
) -> None:
    pdf.set_font(family, "B" if bold else "", size)
    pdf.set_text_color(*_hex(colour))
    if fill:
        pdf.set_fill_color(*_hex(fill))
    pdf.multi_cell(
        0, size * 0.5, text, align="L", fill=bool(fill), padding=2 if fill else 0, new_x="LMARGIN", new_y="NEXT"
    )


def _pdf_block(pdf, family: str, block, images: dict[str, bytes], why_missing: str | None) -> None:
    if isinstance(block, str):
        _pdf_text(pdf, family, block, 11)
    elif isinstance(block, Table):
        _pdf_table(pdf, family, block)
    elif images.get(block.name) is None:
        pdf.ln(2)
        _pdf_text(pdf, family, missing_chart(why_missing), 12, MUTED, fill="f1f5f9")
    else:
        image = images[block.name]
        room_w, room_h = pdf.epw, pdf.h - 18 - pdf.get_y()
        width, height = fitted_size(image, room_w, room_h)
        pdf.image(io.BytesIO(image), x=pdf.l_margin + (room_w - width) / 2, y=pdf.get_y(), w=width, h=height)
        pdf.set_y(pdf.get_y() + height)


def _pdf_table(pdf, family: str, table: Table) -> None:
    from fpdf.fonts import FontFace

    size = table.size - 1.5
    pdf.set_font(family, "", size)
    pdf.set_text_color(*_hex(INK))
    pdf.set_draw_color(*_hex(RULE))
    pdf.set_fill_color(255, 255, 255)
    head = FontFace(emphasis="BOLD", fill_color=_hex(HEAD_FILL), color=_hex(INK))
    with pdf.table(
        col_widths=table.widths,
        text_align="LEFT",
        line_height=size * 0.5,
        headings_style=head,
        borders_layout="HORIZONTAL_LINES",
        padding=1.5,
        first_row_as_headings=table.headings,
        cell_fill_color=_hex(STRIPE),
        cell_fill_mode="ROWS",
    ) as grid:
        for r, row in enumerate([table.columns, *table.rows]):
            line = grid.row()
            for c, text in enumerate(row):
                heading = r == 0 and table.headings
                tone = None if heading else tone_of(text)
                bold = tone is not None or (not table.headings and c == 0)
                line.cell(text, style=FontFace(emphasis="BOLD", color=_hex(tone or INK)) if bold else None)


def _pdf_cover(pdf, contents: ReportContents, family: str) -> None:
    pdf.add_page()
    if contents.logo:  # the provider's logo, top right, within 50 x 16 mm (analysis/branding.py)
        pdf.image(io.BytesIO(contents.logo), x=pdf.w - pdf.r_margin - 50, y=8, w=50, h=16, keep_aspect_ratio=True)
        pdf.set_right_margin(pdf.r_margin + 55)  # the title wraps clear of it
    if contents.provider:
        _pdf_text(pdf, family, contents.provider, 12, MUTED, bold=True)
        pdf.ln(2)
    _pdf_heading(pdf, family, contents.title, 26)
    pdf.set_right_margin(15)
    _pdf_text(
        pdf,
        family,
        f"{contents.organisation} · as of {day(contents.as_of)} · {contents.window_days}-day window",
        14,
        MUTED,
    )
    pdf.ln(4)
    if contents.synthetic:
        _pdf_text(pdf, family, SYNTHETIC, 12, fill=BANNER, bold=True)
        pdf.ln(4)
    for line in contents.summary:  # the rollout in a few sentences (analysis/summary.py)
        _pdf_text(pdf, family, f"• {line}", 11)
    if contents.summary:
        pdf.ln(3)
    _pdf_text(pdf, family, "What the figures are of", 12, bold=True)
    pdf.ln(1)
    _pdf_table(pdf, family, cover_table(contents))
