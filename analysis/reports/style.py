"""What the PowerPoint and the PDF share: colours, the status tones, the cover table, the line a
missing chart leaves, and how an image is fitted into a box."""

from __future__ import annotations

from analysis.reports.model import ReportContents, Table

SYNTHETIC = "Synthetic demo data: this organisation and everyone in it are made up, to show what Uptake does."
TONES = {"on track": "16a34a", "at risk": "d97706", "off track": "dc2626", "high": "dc2626", "medium": "d97706"}
INK, MUTED, RULE, HEAD_FILL, STRIPE, BANNER = "1e293b", "64748b", "cbd5e1", "e2e8f0", "f8fafc", "fef3c7"


def cover_table(contents: ReportContents) -> Table:
    # 10 points, where it was 12: the cover holds the summary's sentences above it too
    return Table([*contents.cover[0]], [list(pair) for pair in contents.cover[1:]], [2.2, 9.9], size=10, headings=False)


def tone_of(text: str) -> str | None:
    return TONES.get(text.split(" · ")[0].lower())


def missing_chart(why: str | None) -> str:
    return "The chart could not be drawn" + (f": {why}." if why else ".") + " The same figures are on the app's pages."


def fitted_size(png: bytes, width: float, height: float) -> tuple[float, float]:
    """The largest size of the image within width x height, keeping its aspect."""
    w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the PNG header's IHDR size
    ratio = (h / w) if w and h else 0.43
    return (width, width * ratio) if width * ratio <= height else (height / ratio, height)
