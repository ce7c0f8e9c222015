"""Ticket rows checked in SQL on the staged table raw (analysis/ingest/staging.py), as usage rows
are (analysis/ingest/usage.py): each cell read by the rules of analysis/ingest/ticket_values.py
(the former row-by-row ticket_row's), into the temp table t_parsed.

A row's reason is the first refusal in the order ticket_row checked its cells: the format's
transforms, the ticket id, the creation time (its reading, then whether it is missing), the
resolution and closing times, the first response (its time, else its minutes), any of those
three before the creation, reopened, updated_at, sla_met, the two export durations. Rows otherwise kept whose company is not mapped
to this organisation are then left out (not bad rows: split_companies' rule).
"""

from __future__ import annotations

import pandas as pd

from analysis import formats, left_out, presets
from analysis.ingest import staging, ticket_values
from analysis.ingest.results import Reject
from analysis.ingest.staging import Staged
from analysis.ingest.ticket_values import TYPES
from analysis.scope import Scope

# the times that may not be before created_at, in ticket_row's order
_BEFORE_CREATED = ("resolved_at", "closed_at", "first_response_at")
_LEFT_OUT = "company_reason"
_TEXTS = ("requester", "subject", "status", "priority", "category", "company")


def parse(cur, scope: Scope, staged: Staged, choice: formats.Choice, context: dict) -> None:
    """The temp table t_parsed: line, the ticket's fields, resolved_state, and reason/column_name/
    left_out for a refused row (left_out: a row of another organisation's company).

    The ticket id and the times are read in SQL row by row where their cells are plain (most
    files: one pass); when some are not, those columns' other cells are read in Python and
    t_parsed is made again with them."""
    fmt = choice.format
    transforms = {k: f for k, f in fmt.values.items() if k in choice.columns} if fmt else {}
    columns = {name: index for name, index in choice.columns.items() if name in TYPES}
    by_row = {name for name in columns if ticket_values.row_by_row(name, transforms.get(name), context)}
    # field -> "table" or "inline" (ticket_values.distinct_tables)
    distinct = {name: index for name, index in columns.items() if name not in by_row}
    made = ticket_values.distinct_tables(cur, staged, distinct, transforms, context)
    owners = _company_table(cur, scope) if "company" in columns else False
    _create(cur, staged, choice, context, transforms, by_row, made, owners, first=True)
    if not cur.execute("SELECT coalesce(bool_or(unread), false) FROM t_parsed").fetchall()[0][0]:
        return
    for name in by_row:
        made[name] = ticket_values.value_table(cur, staged, name, columns[name], context)
    _create(cur, staged, choice, context, transforms, by_row, made, owners, first=False)


def _create(cur, staged: Staged, choice, context, transforms, by_row, made, owners: bool, first: bool) -> None:
    """t_parsed (a view over the temp table t_rows) from raw and the value tables (first: unread
    marks the rows with a cell of a column read row by row that is not plain, read as missing for
    now)."""
    headers = {name: staged.header[index] for name, index in choice.columns.items()}
    params: dict = {"width": staged.width, "source": context["source"].lower()}
    cells, joins, plains, casts, checks = [], [], [], [], []
    # every name below is one of this module's own (a value table, a field, an expression built
    # here from them); the file's text reaches SQL only as bound values and joined table rows
    for name, index in choice.columns.items():
        if name not in TYPES:
            continue
        tables = {n for n, how in made.items() if how == "table"}
        if name in tables:
            joins.append(f"LEFT JOIN tv_{name} ON tv_{name}.cell = r.c{index}")
        if name in by_row:  # cast once (t_), checked once (ok_), then read
            cast, plain, reading, more = ticket_values.sql_reading(name, f"c{index}", f"t_{name}", context)
            params.update(more)
            casts += [f"{cast} AS t_{name}"] if cast else []
            checks.append(f"coalesce({plain}, false) AS ok_{name}")
            plains.append(f"ok_{name}")
            cells.append(
                f"CASE WHEN ok_{name} THEN {reading} ELSE {f'tv_{name}.value' if name in tables else 'NULL'} END AS v_{name}, "
                f"CASE WHEN ok_{name} THEN NULL ELSE {f'tv_{name}.error' if name in tables else 'NULL'} END AS e_{name}"
            )
        elif made.get(name) == "inline":
            text, flag, more = ticket_values.plain_text(cur, name, f"r.c{index}", index)
            params.update(more)
            cells.append(f"{text} AS v_{name}, NULL AS e_{name}, NULL AS te_{name}, {flag} AS f_{name}")
        else:
            cells.append(
                f"tv_{name}.value AS v_{name}, tv_{name}.error AS e_{name}, "
                f"tv_{name}.transform_error AS te_{name}, tv_{name}.flag AS f_{name}"
            )
    unread = f"r.fields = $width AND NOT ({' AND '.join(plains)})" if first and plains else "false"
    typed = (
        f"(SELECT *, {', '.join(checks)} FROM (SELECT *{''.join(', ' + c for c in casts)} FROM raw))"  # noqa: S608
        if checks
        else "raw"
    )
    mapped = set(choice.columns) & set(TYPES)
    refusals = _refusals(mapped, headers, [name for name in transforms if name in mapped], owners)
    k = "CASE WHEN fields <> $width THEN 0"
    reason = "CASE k WHEN 0 THEN 'the row has ' || fields || ' fields where the header has ' || $width"
    column = "CASE k WHEN 0 THEN NULL"
    for i, (error, header) in enumerate(refusals, 1):
        params[f"h{i}"] = header
        k += f" WHEN ({error}) IS NOT NULL THEN {i}"
        reason += f" WHEN {i} THEN {error}"
        column += f" WHEN {i} THEN $h{i}"
    left = len(refusals) if owners else -1

    def value(name: str) -> str:
        return _value(mapped, name)

    # (field, its SQL, whether it varies by row): a field the file does not map is the same on
    # every row, so it is left to the view t_parsed rather than stored once per row (a stored
    # column costs about as much as a row's cast and check)
    source = f"coalesce({value('source')}, $source)" if "source" in mapped else "k_source.source"
    out = [
        ("source", source, "source" in mapped),
        *((name, value(name), name in mapped) for name in ("ticket_id", "created_at", *_TEXTS, "updated_at")),
        ("first_response_at", _first_response(mapped), bool(mapped & {"first_response_at", "first_response_minutes"})),
        ("resolved_at", _resolved(mapped), bool(mapped & {"resolved_at", "resolution_seconds", "closed_at"})),
        ("reopened", f"coalesce({value('reopened')}, 0)", "reopened" in mapped),
        ("satisfaction", value("satisfaction"), "satisfaction" in mapped),
        ("sla_met", value("sla_met"), "sla_met" in mapped),
        (
            "business_resolution_hours",
            f"{value('business_resolution_seconds')} / 3600e6",
            "business_resolution_seconds" in mapped,
        ),
        ("resolved_state", f"coalesce({'f_status' if 'status' in mapped else 'NULL'}, false)", "status" in mapped),
        ("reason", f"{reason} END", True),
        ("column_name", f"{column} END", True),
        ("left_out", f"coalesce(k = {left}, false)" if owners else "false", owners),
        ("unread", "unread" if unread != "false" else "false", unread != "false"),
    ]
    company = "LEFT JOIN t_company ON t_company.company = p.v_company" if owners else ""
    if "source" not in mapped:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE k_source AS SELECT CAST($source AS VARCHAR) AS source",
            {"source": params.pop("source")},
        )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE t_rows AS "  # noqa: S608
        f"WITH p AS (SELECT r.line, r.fields, {unread} AS unread, {', '.join(cells)} FROM {typed} r {' '.join(joins)}), "
        f"q AS (SELECT p.*, {'t_company.reason' if owners else 'NULL'} AS company_reason FROM p {company}), "
        f"s AS (SELECT q.*, {k} END AS k FROM q) "
        f"SELECT line, {', '.join(f'{sql} AS {name}' for name, sql, by_row in out if by_row)} FROM s",
        params,
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP VIEW t_parsed AS SELECT line, "  # noqa: S608
        f"{', '.join(name if by_row else f'{sql} AS {name}' for name, sql, by_row in out)} FROM t_rows"
        + ("" if "source" in mapped else " CROSS JOIN k_source")
    )


def _value(mapped: set[str], name: str) -> str:
    return f"v_{name}" if name in mapped else f"CAST(NULL AS {TYPES[name]})"


def _first_response(mapped: set[str]) -> str:
    if "first_response_minutes" not in mapped:
        return _value(mapped, "first_response_at")
    return f"coalesce({_value(mapped, 'first_response_at')}, v_created_at + to_microseconds(v_first_response_minutes))"


def _resolved(mapped: set[str]) -> str:
    """The resolution time: the export's own, else its creation plus the resolution time it
    measured (exact: ServiceNow calendar_stc, Zendesk full resolution minutes), else its closing."""
    measured = "NULL"
    if "resolution_seconds" in mapped:
        measured = f"{_value(mapped, 'created_at')} + to_microseconds(v_resolution_seconds)"
    return f"coalesce({_value(mapped, 'resolved_at')}, {measured}, {_value(mapped, 'closed_at')})"


def _refusals(mapped: set[str], headers: dict[str, str], transformed: list[str], owners: bool) -> list[tuple[str, str]]:
    """(the SQL of a refusal's reason, null when the cell passes; the column it names), in the
    order of the module's docstring."""
    created = _value(mapped, "created_at")
    refusals = [(f"te_{name}", headers[name]) for name in transformed]
    for name in ("ticket_id", "created_at", "resolved_at", "closed_at", "first_response_at"):
        if name in mapped:
            refusals.append((f"e_{name}", headers[name]))
        if name == "created_at":
            refusals.append((f"CASE WHEN {created} IS NULL THEN 'the creation time is missing' END", headers[name]))
    if "first_response_minutes" in mapped:
        refusals.append(
            (
                f"CASE WHEN {_value(mapped, 'first_response_at')} IS NULL THEN e_first_response_minutes END",
                headers["first_response_minutes"],
            )
        )
    own = {"resolved_at": _value(mapped, "resolved_at"), "closed_at": _value(mapped, "closed_at")}
    own["first_response_at"] = _first_response(mapped)
    for name in _BEFORE_CREATED:
        if own[name] != _value(set(), name):
            refusals.append(
                (
                    f"CASE WHEN {own[name]} < {created} THEN '{name} ' || strftime({own[name]}, '%Y-%m-%d %H:%M') "
                    f"|| ' is before created_at ' || strftime({created}, '%Y-%m-%d %H:%M') END",
                    headers.get(name, name),
                )
            )
    for name in ("reopened", "updated_at", "sla_met", "resolution_seconds", "business_resolution_seconds"):
        if name in mapped:
            refusals.append((f"e_{name}", headers[name]))
    if owners:
        refusals.append((_LEFT_OUT, headers["company"]))
    return refusals


def _company_table(cur, scope: Scope) -> bool:
    """t_company: each company of the file not mapped to this organisation -> (reason, key,
    unmapped); False when no company is (nothing to leave out)."""
    companies = [r[0] for r in cur.execute("SELECT value FROM tv_company WHERE value IS NOT NULL").fetchall()]
    if not companies:
        return False
    owners = presets.company_owners(scope.store)
    rows = []
    for company in set(companies):
        owner = owners.get(presets.company_key(company))
        if owner != scope.org_id:
            reason = left_out.company_reason(scope.principal, company, mapped_elsewhere=owner is not None)
            rows.append((company, reason, presets.company_key(company), owner is None))
    frame = pd.DataFrame(rows, columns=["company", "reason", "key", "unmapped"], dtype=object)
    cur.register("company_frame", frame)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE t_company AS SELECT CAST(company AS VARCHAR) AS company, "
        "CAST(reason AS VARCHAR) AS reason, CAST(key AS VARCHAR) AS key, CAST(unmapped AS BOOLEAN) AS unmapped "
        "FROM company_frame"
    )
    cur.unregister("company_frame")
    return bool(rows)


def companies_message(cur, scope: Scope) -> str | None:
    """The preview's line on rows left out for their company (left_out.companies_summary), or None."""
    made = "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 't_company'"
    if not cur.execute(made).fetchall()[0][0]:
        return None
    groups = cur.execute(
        "SELECT arg_min(p.company, p.line), count(*) AS n, c.unmapped FROM t_parsed p "
        "JOIN t_company c ON c.company = p.company WHERE p.left_out "
        "GROUP BY c.key, c.unmapped ORDER BY n DESC, min(p.line)"
    ).fetchall()
    if not groups:
        return None
    shown = [(name, n, unmapped) for name, n, unmapped in groups[:5]]
    return left_out.companies_summary(scope.principal, sum(g[1] for g in groups), shown, max(len(groups) - 5, 0))


def rejects(cur, staged: Staged) -> list[Reject]:
    """The refused rows in line order, then the rows left out for their company in line order."""
    refused = "SELECT line, column_name, reason, left_out FROM t_parsed WHERE reason IS NOT NULL"
    rows = cur.execute(f"{refused} ORDER BY left_out, line").fetchall()  # noqa: S608 (a constant)
    written = staging.rows_at(cur, staged, refused) if rows else {}
    return [
        Reject(line, column, reason, text if text is not None else staged.delimiter.join(raw)[:2000], left_out=left)
        for line, column, reason, left in rows
        for text, raw in [written[line]]
    ]


PREVIEW = (
    "source",
    "ticket_id",
    "created_at",
    "requester",
    "subject",
    "status",
    "priority",
    "category",
    "company",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "reopened",
    "satisfaction",
)


def kept(cur) -> int:
    """The rows of t_parsed that are not refused (blank lines are in no table: DuckDB's reader
    counts them in Staged.rows)."""
    return cur.execute("SELECT count(*) FROM t_parsed WHERE reason IS NULL").fetchall()[0][0]


def preview(cur) -> list[dict]:
    """The first five rows kept, as they will be stored (before a ticket's rows are collapsed)."""
    rows = cur.execute(
        f"SELECT {', '.join(PREVIEW)} FROM t_parsed WHERE line IN "  # noqa: S608
        # the five lines from the table itself: a top-5 through the view sorts every row
        "(SELECT line FROM t_rows WHERE reason IS NULL ORDER BY line LIMIT 5) ORDER BY line"
    ).fetchall()
    return [dict(zip(PREVIEW, row)) for row in rows]


def drop(cur) -> None:
    """Drop this module's tables: only those that exist (one catalog query, not twenty drops)."""
    cur.execute("DROP VIEW IF EXISTS t_parsed")
    names = ["t_rows", "k_source", "t_company", "t_distinct", *(f"tv_{field}" for field in TYPES)]
    made = "SELECT table_name FROM duckdb_tables() WHERE temporary AND list_contains($names, table_name)"
    for (name,) in cur.execute(made, {"names": names}).fetchall():
        cur.execute(f"DROP TABLE {name}")  # noqa: S608 (one of the names above)
