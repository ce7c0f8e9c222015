"""A forgiving roster import: a licence list as a client sends it.

Column names such as `Moodle ID, Full Name, Department, Wave, Licensed` are matched to the roster
fields by common synonyms (compared as analysis.formats.key compares headers), cohort values
such as "Champions", "Pilot" or "Wave 2" are read as the rollout's champion or wider cohort, and
a mapping made by hand is remembered for the organisation by the file's set of column names (not
its file name), as a preset (analysis/presets.py) the next file with the same columns uses.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

from analysis import canonical, formats
from analysis.files import Table
from analysis.formats import key, named
from analysis.scope import Scope

# Per roster field, the header keys (lower case, no spaces or underscores) that name it, best first.
SYNONYMS = {
    "user_id": (
        "userid",
        "user",
        "id",
        "personid",
        "person",
        "email",
        "emailaddress",
        "mail",
        "upn",
        "userprincipalname",
        "username",
        "login",
        "loginname",
        "account",
        "accountname",
        "samaccountname",
        "moodleid",
        "staffid",
        "employeeid",
        "employeenumber",
        "studentid",
    ),
    "display_name": ("displayname", "name", "fullname", "personname", "employeename", "staffname"),
    "department": (
        "department",
        "dept",
        "team",
        "faculty",
        "division",
        "school",
        "unit",
        "businessunit",
        "costcentre",
        "costcenter",
    ),
    "cohort": (
        "cohort",
        "wave",
        "group",
        "phase",
        "pilot",
        "pilotgroup",
        "rolloutwave",
        "rolloutgroup",
        "ring",
        "stage",
    ),
    "licensed": (
        "licensed",
        "licenced",
        "licence",
        "license",
        "licenceassigned",
        "licenseassigned",
        "assigned",
        "haslicence",
        "haslicense",
        "seat",
    ),
}
# A header ending in one of these also names the person (e.g. "Moodle ID", "Work e-mail").
_PERSON_ENDING = re.compile(r".*(id|email|e-mail|upn|username|login)$")

# Cohort values a client writes, read as the rollout's cohort of that name (when it has one).
COHORT_WORDS = {
    "champion": (
        "champion",
        "champions",
        "pilot",
        "pilots",
        "pilot group",
        "early adopter",
        "early adopters",
        "wave 1",
        "wave1",
        "phase 1",
        "group 1",
        "ring 1",
    ),
    "wider": (
        "wider",
        "wave 2",
        "wave2",
        "phase 2",
        "group 2",
        "ring 2",
        "everyone",
        "rollout",
        "general",
        "all staff",
        "everybody",
    ),
}
TRUE_FLAGS = {"x", "✓", "licensed", "licenced", "assigned", "active"}
FALSE_FLAGS = {"-", "unlicensed", "unlicenced", "unassigned", "none"}


def cohort_key(value: str) -> str:
    return " ".join(value.split()).lower()


def guess_mapping(header: list[str]) -> dict[str, str]:
    """{roster field: column} for the columns whose names say which field they hold; each column
    used once, a field's best synonym first."""
    keys = {h: key(h) for h in named(header)}
    found: dict[str, str] = {}
    for field, words in SYNONYMS.items():
        for word in words:
            column = next((h for h, k in keys.items() if k == word and h not in found.values()), None)
            if column is not None:
                found[field] = column
                break
    if "user_id" not in found:
        column = next((h for h, k in keys.items() if _PERSON_ENDING.fullmatch(k) and h not in found.values()), None)
        if column is not None:
            found["user_id"] = column
    return found


def header_set(header: list[str]) -> str:
    """The identity of a file's columns: its column names as formats compare them, in any order."""
    return json.dumps(sorted({key(h) for h in named(header)}))


def mapping_for(scope: Scope, kind: str, table: Table, format: str, mapping, dayfirst, cohort_values):
    """(format, mapping, dayfirst, cohort values, preset name, guessed mapping) for a file given
    no mapping: the mapping remembered for its set of columns, else for a roster whose columns
    are neither Uptake's own nor a known export's, the roster fields its column names suggest."""
    if (format or "auto").strip().lower() != "auto" or mapping:
        return format, mapping, dayfirst, cohort_values, None, {}
    saved = remembered(scope, kind, table.header)
    if saved is not None:
        answers = {**(saved.cohort_values or {}), **(cohort_values or {})}
        return "auto", saved.mapping, saved.dayfirst if dayfirst is None else dayfirst, answers, saved.name, {}
    required = set(canonical.REQUIRED["roster"])
    if kind == "roster" and not required <= {h.strip().lower() for h in table.header} and formats.detect(table) is None:
        guessed = guess_mapping(table.header)
        if required <= set(guessed):
            return "auto", guessed, dayfirst, cohort_values, None, guessed
    return format, mapping, dayfirst, cohort_values, None, {}


def cohort_lookup(cohorts: dict[str, str], cohort_values: dict[str, str] | None) -> dict[str, str]:
    """{value as written, lower case: the rollout's cohort}: the cohorts' own names, then the
    values mapped by hand, then the usual words for a champion or wider cohort."""
    lookup: dict[str, str] = {}
    for cohort, words in COHORT_WORDS.items():
        if cohort in cohorts:
            lookup.update({w: cohorts[cohort] for w in words})
    for value, cohort in (cohort_values or {}).items():
        if cohort_key(cohort) in cohorts:
            lookup[cohort_key(value)] = cohorts[cohort_key(cohort)]
    lookup.update({cohort_key(c): c for c in cohorts.values()})
    return lookup


def unknown_cohorts(values: list[str], lookup: dict[str, str]) -> list[str]:
    """The distinct cohort values (as first written) that lookup does not place, in file order."""
    seen: dict[str, str] = {}
    for value in values:
        k = cohort_key(value)
        if k not in lookup and k not in seen:
            seen[k] = " ".join(value.split())
    return list(seen.values())


def flag_text(cell: str) -> str:
    """A licensed cell in a licence list's words ('x', 'Assigned', '-') as values.parse_flag reads it."""
    text = cell.strip().lower()
    return "yes" if text in TRUE_FLAGS else "no" if text in FALSE_FLAGS else cell


def remembered(scope: Scope, kind: str, header: list[str]):
    """The organisation's preset saved for this set of columns (any file name), else None."""
    from analysis.presets import presets

    wanted = header_set(header)
    return next((p for p in presets(scope) if p.kind == kind and p.header_set == wanted), None)


def remember(
    cur,
    scope: Scope,
    kind: str,
    file_name: str,
    header: list[str],
    mapping: dict[str, str],
    cohort_values: dict[str, str] | None,
    dayfirst: bool | None,
) -> None:
    """Keep a hand mapping (and cohort values) for the next file with the same columns: the
    preset of that header set is replaced, or one is added, named after the file."""
    from analysis.presets import validate

    wanted = header_set(header)
    row = cur.execute(
        "SELECT name FROM mapping_presets WHERE org_id = ? AND kind = ? AND header_set = ?",
        [scope.org_id, kind, wanted],
    ).fetchall()
    if row:
        name = row[0][0]
    else:
        taken = {
            r[0].lower()
            for r in cur.execute("SELECT name FROM mapping_presets WHERE org_id = ?", [scope.org_id]).fetchall()
        }
        base = f"Columns of {file_name}"[:80]
        name = base if base.lower() not in taken else f"{base} ({hashlib.sha1(wanted.encode()).hexdigest()[:6]})"
    name, clean = validate(name, kind, mapping)
    cur.execute("DELETE FROM mapping_presets WHERE org_id = ? AND lower(name) = lower(?)", [scope.org_id, name])
    cur.execute(
        "INSERT INTO mapping_presets (org_id, name, kind, mapping, dayfirst, saved_by, header_set, "
        "cohort_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            scope.org_id,
            name,
            kind,
            json.dumps(clean),
            dayfirst,
            scope.principal.name,
            wanted,
            json.dumps(cohort_values or {}),
        ],
    )


def template_csv(cohorts: list[str] | tuple[str, ...] = ("champion", "wider")) -> bytes:
    """A roster to fill in: Uptake's own columns and two example people."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user_id", "display_name", "department", "cohort", "licensed"])
    first, last = (cohorts[0], cohorts[-1]) if cohorts else ("champion", "wider")
    writer.writerow(["ada.lovelace@example.org", "Ada Lovelace", "Finance", first, "yes"])
    writer.writerow(["alan.turing@example.org", "Alan Turing", "Research", last, "no"])
    return out.getvalue().encode()


def prefill(scope: Scope, kind: str, header: list[str]) -> dict[str, str]:
    """The hand mapping the Data page shows before anyone changes it: the mapping remembered for
    these columns, else (a roster) the fields the column names suggest, else the columns named
    as Uptake's own fields."""
    from analysis.canonical import fields

    saved = remembered(scope, kind, header)
    if saved is not None:
        return dict(saved.mapping)
    if kind == "roster":
        guessed = guess_mapping(header)
        if guessed:
            return guessed
    own = {h.strip().lower(): h for h in header}
    return {f: own[f] for f in fields(kind) if f in own}
