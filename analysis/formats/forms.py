"""Survey exports read as feedback (one answer per person per question): Microsoft Forms and Google
Forms, recognised by their header as the other formats are, and Uptake's own columns.

- Microsoft Forms, "Open results in Excel" / "Download a copy": `ID,Start time,Completion time,
  Email,Name` (newer exports add `Last modified time`; quizzes add `Total points`, `Quiz feedback`
  and `Points - Q` / `Feedback - Q` per question), then one column per question. An anonymous form
  writes `anonymous` as the Email. The answer's date is its `Completion time`.
- Google Forms, "Download responses (.csv)" or the linked sheet: `Timestamp`, then `Email Address`
  (or `Email address`, `Username`) when the form collects them, a quiz's `Score`, then one column
  per question. The CSV writes times like `2026/12/04 9:15:02 AM GMT+1`.

Each question column is a question: a cell that reads as a score (1..5, or a Likert word) is an
answer with that score, any other text an answer with a comment alone; a column named like a
department or cohort (a form's "Which team are you in?") gives the respondent's group instead.
The columns are wide (one per question), so the rows are expanded with the table's own header.
"""

from __future__ import annotations

import re
from dataclasses import replace

from analysis import canonical, values
from analysis.files import FileRefused, Table
from analysis.formats import Choice, Format, Row, key

_GOOGLE_TIME = re.compile(
    r"(\d{4})/(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])(?:\s*GMT([+-]\d{1,2})(?::?(\d{2}))?)?"
)
_DEPARTMENT = re.compile(r".*(department|team|division|business unit).*", re.I)
_COHORT = re.compile(r".*(cohort|wave|rollout group).*", re.I)
_QUIZ = re.compile(r"(points|feedback) - .*", re.I)


def google_time(cell: str) -> str:
    """Google's `2026/12/04 9:15:02 AM GMT+1` as ISO 8601 with its offset; other values unchanged."""
    match = _GOOGLE_TIME.fullmatch(cell.strip())
    if not match:
        return cell
    year, month, day, hour, minute, second, ampm, zone, zone_minutes = match.groups()
    h = int(hour) % 12 + (12 if ampm.lower() == "pm" else 0)
    text = f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{h:02d}:{minute}:{second}"
    if zone is not None:
        text += f"{int(zone):+03d}:{zone_minutes or '00'}"
    return text


MICROSOFT = Format(
    name="ms_forms",
    label="a Microsoft Forms export",
    kind="feedback",
    columns=(
        "ID",
        "Start time",
        "Completion time",
        "Email",
        "Name",
        "Last modified time",
        "Total points",
        "Quiz feedback",
    ),
    fields={"response_id": ("ID",), "date": ("Completion time",), "user_id": ("Email",)},
    expand_note="one answer per question answered",
)
GOOGLE = Format(
    name="google_forms",
    label="a Google Forms export",
    kind="feedback",
    columns=("Timestamp", "Email Address", "Username", "Score"),
    fields={"response_id": ("Timestamp",), "date": ("Timestamp",), "user_id": ("Email Address", "Username")},
    values={"date": google_time},
    expand_note="one answer per question answered",
)
FORMS = (MICROSOFT, GOOGLE)


def recognise(table: Table) -> Format | None:
    """The survey format of a header: Microsoft's ID, Start time and Completion time; Google's
    Timestamp as the first column (with no column of Uptake's own feedback file)."""
    keys = [key(h) for h in table.header]
    if {"id", "starttime", "completiontime"} <= set(keys):
        return MICROSOFT
    if keys and keys[0] == "timestamp" and len(keys) > 1 and not {"question", "score"} <= set(keys):
        return GOOGLE
    return None


def _wide(fmt: Format, table: Table) -> Format:
    """fmt with the expansion of this table's question columns."""
    known = {key(c) for c in fmt.columns}
    questions, department, cohort = [], None, None
    for i, header in enumerate(table.header):
        name = " ".join(header.split())
        if not name or key(name) in known or _QUIZ.fullmatch(name):
            continue
        if department is None and _DEPARTMENT.fullmatch(name):
            department = i
        elif cohort is None and _COHORT.fullmatch(name):
            cohort = i
        else:
            questions.append((i, name))

    def expand(cell: dict, row: Row) -> list[dict]:
        group = {
            "department": row.raw[department] if department is not None else "",
            "cohort": row.raw[cohort] if cohort is not None else "",
        }
        answers = []
        for i, question in questions:
            text = row.raw[i].strip() if i < len(row.raw) else ""
            if not text:
                continue
            try:
                points = values.parse_score(text)
            except ValueError:
                points = None
            answer = {**cell, **group, "question": question, "_column:score": table.header[i]}
            answer.update({"score": text, "comment": ""} if points is not None else {"score": "", "comment": text})
            answers.append(answer)
        return answers

    return replace(fmt, expand=expand)


def choose(table: Table, kind: str, format_name: str, mapping: dict[str, str] | None) -> Choice | None:
    """How a feedback file is read when it is a survey export (recognised, or named by --format);
    None for Uptake's own columns (the canonical contract, analysis.formats.choose)."""
    wanted = (format_name or "auto").strip().lower()
    fmt = next((f for f in FORMS if f.name == wanted), None)
    if kind != "feedback" or (fmt is None and (wanted != "auto" or mapping)):
        return None
    found = fmt or recognise(table)
    if found is None:
        return None
    columns = found.columns_in(table)
    if "date" not in columns:
        raise FileRefused(
            table.file_name,
            f"line 1: this looks like {found.label} but it has no {found.fields['date'][0]} column "
            f"(its columns are: {canonical.shown_columns(table)})",
        )
    how = "Recognised" if fmt is None else "Read as"
    return Choice(_wide(found, table), columns, found.name, [f"{how} {found.label}"])
