"""Saved column mappings (presets) and the company -> organisation mapping.

A preset is a manual mapping {canonical field: source column} with its kind and, optionally,
the order of d/m/y dates, saved for an organisation under a name: `load --format <name>` uses
it. Company mappings split a ticket export that covers several clients: a load for an
organisation keeps only the rows of companies mapped to it (and rows with no company).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from analysis import canonical
from analysis.access import AccessDenied, Principal
from analysis.scope import Scope
from analysis.store import Store


@dataclass(frozen=True)
class Preset:
    name: str
    kind: str
    mapping: dict[str, str]
    dayfirst: bool | None
    header_set: str | None = None  # the columns it was made for (roster_import.header_set)
    cohort_values: dict[str, str] | None = None  # roster cohort values as written -> cohort


def validate(name: str, kind: str, mapping: dict[str, str]) -> tuple[str, dict[str, str]]:
    from analysis import formats

    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("a preset needs a name of 1 to 100 characters")
    if name.lower() in ("auto", "canonical") or formats.by_name(name):
        raise ValueError(f"{name!r} is the name of a format: choose another name for the preset")
    if kind not in canonical.KINDS:
        raise ValueError(f"unknown kind {kind!r}: choose one of {', '.join(canonical.KINDS)}")
    clean = {}
    for field, column in mapping.items():
        field = field.strip().lower()
        if field not in canonical.fields(kind):
            raise ValueError(f"{field!r} is not a field of a {kind} file ({', '.join(canonical.fields(kind))})")
        if not str(column).strip():
            raise ValueError(f"the column for {field} is empty")
        clean[field] = str(column).strip()
    return name, clean


def save_preset(
    scope: Scope,
    name: str,
    kind: str,
    mapping: dict[str, str],
    dayfirst: bool | None = None,
    header: list[str] | None = None,
    cohort_values: dict[str, str] | None = None,
) -> Preset:
    """Save (or replace) the organisation's preset called name; with header (the columns of the
    file it was made for) a later file with the same columns uses it without being asked."""
    from analysis.roster_import import header_set

    scope.require("configure")
    name, mapping = validate(name, kind, mapping)
    columns = header_set(header) if header else None
    with scope.store.transaction("save a mapping preset", detail=kind, org_id=scope.org_id) as cur:
        cur.execute("DELETE FROM mapping_presets WHERE org_id = ? AND lower(name) = lower(?)", [scope.org_id, name])
        cur.execute(
            "INSERT INTO mapping_presets (org_id, name, kind, mapping, dayfirst, saved_by, header_set, "
            "cohort_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                scope.org_id,
                name,
                kind,
                json.dumps(mapping),
                dayfirst,
                scope.principal.name,
                columns,
                json.dumps(cohort_values) if cohort_values else None,
            ],
        )
    return Preset(name, kind, mapping, dayfirst, columns, cohort_values)


def presets(scope: Scope) -> list[Preset]:
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT name, kind, mapping, dayfirst, header_set, cohort_values FROM mapping_presets "
            "WHERE org_id = ? ORDER BY lower(name)",
            [scope.org_id],
        )
        .fetchall()
    )
    return [Preset(n, k, json.loads(m), d, h, json.loads(c) if c else None) for n, k, m, d, h, c in rows]


def preset(scope: Scope, name: str) -> Preset:
    """The organisation's preset called name (any case); LookupError when there is none."""
    found = [p for p in presets(scope) if p.name.lower() == name.strip().lower()]
    if not found:
        raise LookupError(f"no preset {name!r} in this organisation")
    return found[0]


def company_key(company: str) -> str:
    return " ".join(company.split()).lower()


def map_company(store: Store, principal: Principal, company: str, org_id: int) -> None:
    """Map a company named in ticket exports to an organisation (admins only)."""
    if not principal.has_permission("manage_organisations"):
        raise AccessDenied(f"{principal.name} may not map companies to organisations")
    key = company_key(company)
    if not key:
        raise ValueError("the company name is empty")
    with store.transaction("map a company to an organisation", org_id=org_id) as cur:
        if not cur.execute("SELECT count(*) FROM organisations WHERE org_id = ?", [org_id]).fetchall()[0][0]:
            raise LookupError(f"no organisation {org_id}")
        cur.execute("DELETE FROM company_mappings WHERE company = ?", [key])
        cur.execute(
            "INSERT INTO company_mappings (company, org_id, mapped_by) VALUES (?, ?, ?)", [key, org_id, principal.name]
        )


def unmap_company(store: Store, principal: Principal, company: str) -> None:
    if not principal.has_permission("manage_organisations"):
        raise AccessDenied(f"{principal.name} may not map companies to organisations")
    with store.transaction("unmap a company") as cur:
        cur.execute("DELETE FROM company_mappings WHERE company = ?", [company_key(company)])


def company_mappings(store: Store, principal: Principal) -> dict[str, int]:
    """Every company -> organisation mapping (admins only: it names every client)."""
    if not principal.has_permission("manage_organisations"):
        raise AccessDenied(f"{principal.name} may not see the company mappings")
    return company_owners(store)


def company_owners(store: Store) -> dict[str, int]:
    """company key -> org_id, for the loader (which tells a load only about its own rows)."""
    return dict(store.cursor().execute("SELECT company, org_id FROM company_mappings").fetchall())
