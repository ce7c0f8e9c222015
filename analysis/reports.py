"""The report pack an account manager hands over in a quarterly business review: one
organisation's rollout as of a day and a window, as a PowerPoint (16:9) and a PDF (A4 landscape).

report_contents() reads every figure through the organisation's Scope, with the functions the
pages use (so the pack says what the app says), and turns them into plain texts and tables of
strings; pptx_bytes() and pdf_bytes() only lay those out. The charts arrive as PNG images keyed
by chart name (ui.report draws the app's own Plotly figures); a missing image leaves a section
that says the chart could not be drawn.

What the pack guarantees (README, Security):
- it is aggregate: people are never listed by name, for anyone (no lapsed or never-used lists);
- for client leadership, departments under 5 people fold into "Other (small groups)" exactly as
  on screen (analysis.privacy.fold_small_groups);
- text only: strings from the data (organisation, department, alert messages) are written as
  plain text, never markup, and a cell a spreadsheet would run as a formula gets an apostrophe
  (analysis.exports.neutralise); numbers are formatted by this module.

python-pptx and fpdf2 are imported only when a file is written (they take about 0.4 s to load): the
pages import this module for its wording of the KPI table.
"""
from __future__ import annotations

import io
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from analysis import alerts, annotations, baselines, metrics, onboarding, orgs, settings, support
from analysis.exports import neutralise
from analysis.orgs import Rollout
from analysis.privacy import OTHER, fold_small_groups
from analysis.scope import Scope

# What fits a slide (13.33 x 7.5 in) and an A4 landscape page without shrinking the text.
MAX_FLAGS = 6
MAX_DEPARTMENTS = 8
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")   # Debian's fonts-dejavu-core (.ci/run installs it)


# -- words and numbers, as the app's cards print them -------------------------------------------------

def pct(value: float | None) -> str:
    return "n/a" if value is None or value != value else f"{value:.0%}"


def hours(value: float | None) -> str:
    if value is None or value != value:
        return "n/a"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


def number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None or value != value else f"{value:,.{digits}f}"


def day(value: date | None) -> str:
    return f"{value:%d %b %Y}" if value else "none"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\s]+")


def plain(value: object) -> str:
    """A string from the data as one plain line: control characters (which XML cannot hold, and
    the bidirectional overrides that make text read backwards) and runs of white space become one
    space, and a leading =, +, -, @ is neutralised."""
    return neutralise(_CONTROL.sub(" ", str(value)).strip())


def kpi_line(row) -> dict[str, str]:
    """One row of the KPI table in words (a baselines.KpiRow, or a row of kpi_table): baseline ->
    now -> target, the change (and in per cent of the baseline, except for shares), the status."""
    missing = lambda v: v is None or (isinstance(v, float) and math.isnan(v))
    digits = 0 if row.unit == "tickets" else 1   # a backlog is a count of tickets
    shown = lambda v: "n/a" if missing(v) else f"{v:.0%}" if row.unit == "share" else f"{v:,.{digits}f}"
    change = "n/a" if missing(row.change) else f"{row.change:+.0%}" if row.unit == "share" \
        else f"{row.change:+,.{digits}f}"
    if not missing(row.change) and not missing(row.change_pct) and row.unit != "share":
        change += f" ({row.change_pct:+.0%})"
    return {"KPI": row.label, "Cohort": row.cohort if isinstance(row.cohort, str) else "rollout",
            "Baseline": shown(row.baseline), "Now": shown(row.current), "Target": shown(row.target),
            "Change": change, "Status": row.status, "Note": row.note}


# -- what the pack holds ----------------------------------------------------------------------------------

@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    widths: list[float]          # relative widths of the columns
    size: float = 11             # points on a slide (the PDF's A4 page takes 1.5 less)
    headings: bool = True        # the first line names the columns


@dataclass
class Chart:
    name: str                    # the key of its image: adoption, snapshot_adoption or tickets
    frame: pd.DataFrame          # what ui.report draws it from
    options: dict                # the chart builder's other arguments


@dataclass
class Section:
    """One slide, one PDF page: a title, a line saying what it shows, then its blocks from top
    to bottom (a table, a chart, or a line of text)."""
    title: str
    lead: str
    blocks: list[Table | Chart | str] = field(default_factory=list)


@dataclass
class ReportContents:
    organisation: str
    rollout: str
    as_of: date
    window_days: int
    synthetic: bool
    prepared_by: str
    prepared_at: datetime
    cover: list[tuple[str, str]]           # what the figures are of: filters, baseline, freshness, author
    sections: list[Section]
    figures: dict                          # the numbers behind the words (cohorts, support, red flags)

    @property
    def title(self) -> str:
        return f"{self.rollout}: adoption report"

    @property
    def footer(self) -> str:
        return (f"{self.organisation} · {self.rollout} · as of {day(self.as_of)} · {self.window_days}-day window"
                + (" · Synthetic demo data" if self.synthetic else ""))

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


SYNTHETIC = "Synthetic demo data: this organisation and everyone in it are made up, to show what Uptake does."


def report_contents(scope: Scope, rollout: Rollout, as_of: date, window: int | None = None,
                    now: datetime | None = None) -> ReportContents:
    """Everything the pack says about the rollout as of a day, read through the scope ('export')."""
    scope.require("export")
    window = window or rollout.window_days
    now = now or datetime.now()
    cohorts = metrics.cohort_figures(scope, rollout, as_of, window)
    unknowable = metrics.not_computable(scope, rollout)
    fresh = metrics.freshness(scope, rollout)
    tickets = support.support_kpis(scope, rollout, as_of, window) if fresh.get("newest_ticket_day") else None
    chosen = baselines.baseline(scope, rollout, None, as_of, window)
    found = alerts.evaluate_alerts(scope, rollout, as_of=as_of, record=False)
    markers = annotations.markers(scope, rollout)
    sections = [
        _headline(rollout, cohorts, unknowable, tickets, found, as_of, window),
        _adoption_chart(scope, rollout, as_of, window, unknowable, markers),
        _kpis(baselines.kpi_rows(scope, rollout, as_of, window_days=window), chosen),
        _red_flags(found, as_of, scope.principal),
        _departments(scope, rollout, as_of, window),
    ]
    weekly = support.weekly_tickets(scope, rollout, as_of) if tickets is not None else None
    if weekly is not None and weekly["tickets"].any():   # as the Support page decides
        sections.append(_support_chart(rollout, weekly, markers, chosen))
    elif weekly is not None:                             # a flat chart would read as a quiet desk
        first = weekly["week_start"].min() if not weekly.empty else as_of
        sections.append(Section("Support desk, week by week", f"From {day(first)} to {day(as_of)}.",
                                [onboarding.no_tickets_in_period(
                                    scope, bool(rollout.ticket_categories or rollout.ticket_keywords))]))
    return ReportContents(
        organisation=plain(_organisation_name(scope)), rollout=plain(rollout.name), as_of=as_of, window_days=window,
        synthetic=orgs.is_synthetic(scope), prepared_by=plain(scope.principal.name), prepared_at=now,
        cover=_cover(rollout, as_of, window, chosen, fresh, scope.principal.name, now),
        sections=sections,
        figures={"cohorts": cohorts, "support": tickets, "red_flags": alerts.red_flag_counts(found)})


def _organisation_name(scope: Scope) -> str:
    seen = orgs.organisations(scope.store, scope.principal)
    return str(seen.loc[seen["org_id"] == scope.org_id, "name"].iloc[0])


def _cover(rollout: Rollout, as_of: date, window: int, chosen, fresh: dict, who: str,
           now: datetime) -> list[tuple[str, str]]:
    """The filters and the baseline the figures are computed with, how fresh the data is, and who
    prepared the pack: so a printed copy says what it is of (ANCHORS: print the filters used)."""
    start = as_of - timedelta(days=window - 1)
    live = " · ".join(f"{plain(c)}: go-live {day(d)}" for c, d in rollout.cohorts.items()) or "none yet"
    counted = ", ".join(map(plain, rollout.activities)) or "every activity except the old way"
    old = ", ".join(map(plain, rollout.legacy_activities)) or "none"
    filters = [f"categories {', '.join(map(plain, rollout.ticket_categories))}"] if rollout.ticket_categories else []
    if rollout.ticket_keywords:
        filters.append(f"subjects containing {', '.join(map(plain, rollout.ticket_keywords))}")
    load = f"{fresh['last_load']:%d %b %Y %H:%M}" if fresh.get("last_load") else "none"
    return [
        ("As of", f"{day(as_of)} (end of day)"),
        ("Window", f"{window} days: {day(start)} to {day(as_of)}"),
        ("Cohorts", live),
        ("What counts as use", f"{counted}; the old way: {old}"),
        ("Tickets counted", " or ".join(filters) or "every ticket of the organisation"),
        ("Adoption target", f"{rollout.target_adoption:.0%} by day {rollout.target_age_days} after each go-live"),
        ("Baseline", _baseline_words(chosen)),
        ("Data", f"newest usage day {day(fresh.get('newest_usage_day'))} · newest ticket day "
                 f"{day(fresh.get('newest_ticket_day'))} · last load {load}"),
        ("Prepared", f"by {plain(who)} on {now:%d %b %Y %H:%M}"),
    ]


def _baseline_words(chosen) -> str:
    if chosen is None:
        return "none (the rollout has no go-live yet)"
    window = f"{day(chosen.start)} to {day(chosen.end)} ({chosen.days} days)"
    if chosen.locked:
        when = f" on {chosen.locked_at:%d %b %Y}" if chosen.locked_at else ""
        return f"'{plain(chosen.name)}', locked by {plain(chosen.locked_by or 'unknown')}{when}: {window}"
    return f"computed from the data over the baseline window, {window}"


def _habit(figures: dict, unknowable: dict) -> str:
    if "habitual_users" in unknowable:
        return "not computable from this data"
    habitual, licensed = figures.get("habitual_users"), figures.get("licensed_users")
    if habitual is None:
        return "not yet"
    return f"{habitual:,} ({pct(habitual / licensed if licensed else None)})"


def cohort_label(cohort: str) -> str:
    return "All licensed people" if cohort == "all" else f"{plain(cohort).capitalize()} cohort"


def _headline(rollout: Rollout, cohorts: dict, unknowable: dict, tickets: dict | None, found: list,
              as_of: date, window: int) -> Section:
    rows = [[cohort_label(c), day(date.fromisoformat(f["go_live"])) if f.get("go_live") else "",
             pct(f["adoption_rate"]), f"{f['active_users']:,} of {f['licensed_users']:,}",
             f"{f['activated_users']:,} ({pct(f['activation_rate'])})", _habit(f, unknowable),
             f"{f['lapsed_users']:,}"] for c, f in cohorts.items()]
    table = Table(["Cohort", "Go-live", f"Adoption ({window} days)", "Active / licensed", "Activated", "Habitual",
                   "Lapsed"], rows, [2.0, 1.4, 1.4, 1.4, 1.4, 2.8, 0.9], size=14)
    blocks: list = [table]
    if tickets is None:
        blocks.append("Support desk: no tickets loaded for this organisation, so there are no support figures "
                      "(missing data is not a quiet helpdesk).")
    else:
        blocks.append(Table(["Support desk", "Tickets per 100 people (7 days)", f"Median resolution ({window} days)",
                             "Backlog (open tickets)"],
                            [["All licensed people", number(tickets.get("tickets_per_100_users_7d")),
                              hours(tickets.get("median_resolution_hours")), f"{tickets.get('backlog') or 0:,}"]],
                            [2.2, 2.4, 2.4, 2.0], size=14))
    counts = alerts.red_flag_counts(found)
    held = counts["high"] + counts["medium"]
    blocks.append(f"Open red flags: {held} ({counts['high']} high, {counts['medium']} medium)." if held
                  else "No open red flag.")
    return Section("Headline figures",
                   f"Adoption: the licensed people who used it in the {window} days to {day(as_of)}. Activated: "
                   "used it at least once since their cohort's go-live. Habitual: used it in 9 of the last 12 "
                   "weeks (judged from day 84). Lapsed: used it after go-live, but not in the window.",
                   blocks)


def _adoption_chart(scope: Scope, rollout: Rollout, as_of: date, window: int, unknowable: dict,
                    markers: list[dict]) -> Section:
    why = unknowable.get("adoption_by_age")
    if why:
        frame = metrics.snapshot_adoption(scope, rollout, as_of, window)
        blocks: list = [why]
        blocks.append(Chart("snapshot_adoption", frame, {"window": window, "markers": markers}) if not frame.empty
                      else "No snapshot up to this day.")
        return Section("Adoption at each snapshot",
                       f"What the snapshot exports do tell: the share of each cohort's licensed people active in "
                       f"the {window} days before each refresh date (exact there; nothing is drawn between).",
                       blocks)
    frame = metrics.rolling_adoption(scope, rollout, as_of)
    return Section("Adoption by age: each cohort from its own go-live",
                   "The share of each cohort's licensed people who used it in the last 7 days, counted from that "
                   "cohort's go-live, so the wider rollout is compared with the champions at the same age. Dotted "
                   f"green: the target, {rollout.target_adoption:.0%} by day {rollout.target_age_days}.",
                   [Chart("adoption", frame, {"target": rollout.target_adoption,
                                              "target_age": rollout.target_age_days})])


def _kpis(rows: list, chosen) -> Section:
    """The KPI table (a rollout of two cohorts has 14 rows: one slide)."""
    lines = [[plain(v) if k in ("Cohort", "Note") else v for k, v in kpi_line(r).items()] for r in rows]
    name = "the computed baseline" if chosen is None or not chosen.locked else f"the baseline '{plain(chosen.name)}'"
    return Section("KPIs: baseline, now and target",
                   f"Each KPI against {name} and its target; before a target's due age the status compares with "
                   "the target all the same and the note says when it is due.",
                   [Table(["KPI", "Cohort", "Baseline", "Now", "Target", "Change", "Status", "Note"], lines,
                          [2.5, 1.0, 0.9, 0.9, 0.9, 1.3, 1.0, 3.4], size=10.5)])


def _where(alert) -> str:
    if alert.department:
        return plain(alert.department)
    if alert.cohort:
        return cohort_label(alert.cohort)
    return {"usage": "Usage data", "tickets": "Ticket data"}.get(alert.kind or "", "Whole rollout")


def _rule_words(rule: str) -> str:
    return rule.replace("_", " ").capitalize()


def _red_flags(found: list, as_of: date, reader=None) -> Section:
    held = sorted((a for a in found if a.state != "not_enough_data"), key=lambda a: a.severity != "high")
    unjudged = [a for a in found if a.state == "not_enough_data"]
    counts = alerts.red_flag_counts(found)
    rows = [[a.severity.capitalize() + ("" if a.state == "firing" else f" · {a.state}"), _where(a),
             day(a.since) if a.since else "", plain(onboarding.for_reader(a.message, reader)),
             plain(onboarding.for_reader(a.action, reader))] for a in held[:MAX_FLAGS]]
    blocks: list = []
    if rows:
        blocks.append(Table(["Severity", "Where", "Since", "What we see", "Next step"], rows,
                            [1.2, 1.7, 1.2, 4.6, 2.9]))
    else:
        blocks.append("No open red flag: every rule that can be judged is clear.")
    if len(held) > MAX_FLAGS:
        rest = pd.Series([_rule_words(a.rule) for a in held[MAX_FLAGS:]]).value_counts(sort=False)
        blocks.append(f"... and {len(held) - MAX_FLAGS} more open red flags ("
                      + ", ".join(f"{rule}: {n}" for rule, n in rest.items())
                      + "): the Red flags page lists them all, with the evidence.")
    if unjudged:   # a rule may be judged for one cohort and not yet for another
        names = sorted({_rule_words(a.rule) for a in unjudged})
        checks = "1 check cannot" if len(unjudged) == 1 else f"{len(unjudged)} checks cannot"
        blocks.append(f"{checks} be judged yet (not enough data), of {len(names)} "
                      f"{'rule' if len(names) == 1 else 'rules'}: {', '.join(names)}.")
    return Section("Red flags: what needs attention",
                   f"{counts['high'] + counts['medium']} open ({counts['high']} high, {counts['medium']} medium), "
                   f"judged as of {day(as_of)} with the rollout's own window and baseline; high first.", blocks)


def _departments(scope: Scope, rollout: Rollout, as_of: date, window: int) -> Section:
    """Every department's figures over all cohorts, weakest adoption first, as the person asking may
    see them: for client leadership groups under 5 people fold as on screen (ui.session.departments)."""
    kpis = metrics.department_kpis(scope, rollout, as_of, window)
    every = kpis[kpis["cohort"] == "all"].drop(columns="cohort")
    client = settings.is_client_view(scope)
    shown = fold_small_groups(every, "department", "licensed_users",
                              ratios={"adoption_rate": ("active_users", "licensed_users"),
                                      "activation_rate": ("activated_users", "licensed_users")}) if client else every
    shown = shown.sort_values(["adoption_rate", "department"]).reset_index(drop=True)
    rows = [[plain(r.department), f"{int(r.licensed_users):,}", f"{int(r.active_users):,}", pct(r.adoption_rate),
             f"{int(r.activated_users):,} ({pct(r.activation_rate)})", f"{int(r.lapsed_users):,}",
             f"{int(r.never_used):,}"] for r in shown.head(MAX_DEPARTMENTS).itertuples()]
    blocks: list = [Table(["Department", "Licensed", f"Active ({window} days)", "Adoption", "Activated", "Lapsed",
                           "Never used"], rows, [3.2, 1.2, 1.5, 1.2, 1.6, 1.1, 1.2])] if rows \
        else ["No department figures yet." if every.empty else "Every department has fewer than 5 licensed people, "
              "and all of them together fewer than 5 too: none is shown, so no one can be singled out."]
    if len(shown) > MAX_DEPARTMENTS:
        blocks.append(f"... and {len(shown) - MAX_DEPARTMENTS} more departments, each with higher adoption.")
    if client and rows:
        blocks.append(f"Departments of fewer than 5 licensed people are folded into \"{OTHER}\" (left out when "
                      "that too holds fewer than 5).")
    return Section("Departments: the weakest by adoption",
                   f"All cohorts together, over the {window} days to {day(as_of)}, weakest first. The pack counts "
                   "people and never names them.", blocks)


def _support_chart(rollout: Rollout, weekly: pd.DataFrame, markers: list[dict], chosen) -> Section:
    shaded = (chosen.start, chosen.end) if chosen is not None else settings.baseline_window(rollout)
    window = f" ({day(shaded[0])} to {day(shaded[1])})" if shaded else ""
    return Section("Support desk, week by week",
                   "Tickets raised each week per 100 licensed people, for everyone and by the requester's cohort; "
                   f"the baseline{window} is grey, the 4 weeks after each go-live tinted. The newest week counts up "
                   "to the as-of date.",
                   [Chart("tickets", weekly, {"markers": markers, "baseline": shaded, "go_lives": rollout.cohorts})])


# -- the pack as files ------------------------------------------------------------------------------------

TONES = {"on track": "16a34a", "at risk": "d97706", "off track": "dc2626", "high": "dc2626", "medium": "d97706"}
INK, MUTED, RULE, HEAD_FILL, STRIPE, BANNER = "1e293b", "64748b", "cbd5e1", "e2e8f0", "f8fafc", "fef3c7"


def _cover_table(contents: ReportContents) -> Table:
    return Table([*contents.cover[0]], [list(pair) for pair in contents.cover[1:]], [2.2, 9.9], size=12,
                 headings=False)


def _tone(text: str) -> str | None:
    return TONES.get(text.split(" · ")[0].lower())


def _missing(why: str | None) -> str:
    return "The chart could not be drawn" + (f": {why}." if why else ".") + " The same figures are on the app's pages."


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor
    return RGBColor.from_string(hex_colour)


LEFT, WIDTH, BOTTOM = 0.6, 12.1, 6.9     # inches: the content area of a slide, above the footer


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
                fit = _rows_fitting(heights[0], heights[1 + len(block.rows) - len(rows):], BOTTOM - top)
                if fit == 0 and top > 2.0:     # not even one row: start a new slide rather than squeeze
                    slide, top = _titled_slide(deck, f"{section.title} (continued)", section.lead)
                    continue
                part = replace(block, rows=rows[:max(fit, 1)])
                top = _slide_table(slide, part, top) + 0.15
                rows = rows[len(part.rows):]
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


def _text_box(slide, left: float, top: float, width: float, height: float, text: str, size: float,
              bold: bool = False, colour: str = INK, fill: str | None = None):
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
        _text_box(slide, LEFT, top, WIDTH, 1.2, _missing(why_missing), 14, colour=MUTED, fill="f1f5f9")
        return top + 1.2
    width, height = _fit(image, WIDTH, BOTTOM - top)
    slide.shapes.add_picture(io.BytesIO(image), Inches(LEFT + (WIDTH - width) / 2), Inches(top),
                             Inches(width), Inches(height))
    return top + height


def _fit(png: bytes, width: float, height: float) -> tuple[float, float]:
    """The largest size of the image within width x height, keeping its aspect."""
    w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")   # the PNG header's IHDR size
    ratio = (h / w) if w and h else 0.43
    return (width, width * ratio) if width * ratio <= height else (height / ratio, height)


def _column_widths(table: Table) -> list[float]:
    return [WIDTH * w / sum(table.widths) for w in table.widths]


def _row_heights(table: Table) -> list[float]:
    """Inches per row (the column names first): PowerPoint grows a row to its wrapped text."""
    widths = _column_widths(table)
    return [0.1 + table.size * 1.2 / 72 * max(_lines(text, w - 0.2, table.size) for text, w in zip(row, widths))
            for row in [table.columns, *table.rows]]


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
    shape = slide.shapes.add_table(len(heights), len(widths), Inches(LEFT), Inches(top), Inches(WIDTH),
                                   Inches(sum(heights)))
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
            tone = None if heading else _tone(text)
            run.font.size = Pt(table.size)
            run.font.bold = heading or tone is not None or (not table.headings and c == 0)
            run.font.color.rgb = _rgb(tone or INK)
    return top + sum(heights)


def _cover_slide(slide, contents: ReportContents) -> None:
    _text_box(slide, 0.6, 0.45, 12.1, 0.8, contents.title, 34, bold=True)
    _text_box(slide, 0.6, 1.3, 12.1, 0.5, f"{contents.organisation} · as of {day(contents.as_of)} · "
              f"{contents.window_days}-day window", 18, colour=MUTED)
    top = 2.0
    if contents.synthetic:
        _text_box(slide, 0.6, top, 12.1, 0.45, SYNTHETIC, 14, bold=True, fill=BANNER)
        top += 0.6
    _text_box(slide, 0.6, top, 12.1, 0.4, "What the figures are of", 14, bold=True)
    _slide_table(slide, _cover_table(contents), top + 0.45)


def _footer(slide, contents: ReportContents, page: int, total: int) -> None:
    from pptx.enum.text import PP_ALIGN

    _text_box(slide, 0.6, 7.0, 10.6, 0.35, contents.footer, 10, colour=MUTED)
    number_box = _text_box(slide, 11.3, 7.0, 1.4, 0.35, f"{page} / {total}", 10, colour=MUTED)
    number_box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


# -- PDF ----------------------------------------------------------------------------------------------

_LATIN1 = str.maketrans({"–": "-", "—": "-", "−": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                         "→": "->", "≥": ">=", "≤": "<=", "•": "*", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d",
                         "Œ": "OE", "œ": "oe", "\u00a0": " "})


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
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def _pdf_heading(pdf, family: str, text: str, size: float) -> None:
    pdf.set_font(family, "B", size)
    pdf.set_text_color(*_hex(INK))
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _pdf_text(pdf, family: str, text: str, size: float, colour: str = INK, fill: str | None = None,
              bold: bool = False) -> None:
    pdf.set_font(family, "B" if bold else "", size)
    pdf.set_text_color(*_hex(colour))
    if fill:
        pdf.set_fill_color(*_hex(fill))
    pdf.multi_cell(0, size * 0.5, text, align="L", fill=bool(fill), padding=2 if fill else 0,
                   new_x="LMARGIN", new_y="NEXT")


def _pdf_block(pdf, family: str, block, images: dict[str, bytes], why_missing: str | None) -> None:
    if isinstance(block, str):
        _pdf_text(pdf, family, block, 11)
    elif isinstance(block, Table):
        _pdf_table(pdf, family, block)
    elif images.get(block.name) is None:
        pdf.ln(2)
        _pdf_text(pdf, family, _missing(why_missing), 12, MUTED, fill="f1f5f9")
    else:
        image = images[block.name]
        room_w, room_h = pdf.epw, pdf.h - 18 - pdf.get_y()
        width, height = _fit(image, room_w, room_h)
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
    with pdf.table(col_widths=table.widths, text_align="LEFT", line_height=size * 0.5, headings_style=head,
                   borders_layout="HORIZONTAL_LINES", padding=1.5, first_row_as_headings=table.headings,
                   cell_fill_color=_hex(STRIPE), cell_fill_mode="ROWS") as grid:
        for r, row in enumerate([table.columns, *table.rows]):
            line = grid.row()
            for c, text in enumerate(row):
                heading = r == 0 and table.headings
                tone = None if heading else _tone(text)
                bold = tone is not None or (not table.headings and c == 0)
                line.cell(text, style=FontFace(emphasis="BOLD", color=_hex(tone or INK)) if bold else None)


def _pdf_cover(pdf, contents: ReportContents, family: str) -> None:
    pdf.add_page()
    _pdf_heading(pdf, family, contents.title, 26)
    _pdf_text(pdf, family, f"{contents.organisation} · as of {day(contents.as_of)} · {contents.window_days}-day "
                           "window", 14, MUTED)
    pdf.ln(4)
    if contents.synthetic:
        _pdf_text(pdf, family, SYNTHETIC, 12, fill=BANNER, bold=True)
        pdf.ln(4)
    _pdf_text(pdf, family, "What the figures are of", 13, bold=True)
    pdf.ln(1)
    _pdf_table(pdf, family, _cover_table(contents))
