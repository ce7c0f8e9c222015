"""Ticket rows checked in SQL on the staged table raw (analysis/ingest/staging.py), as usage rows
are (analysis/ingest/usage.py): each mapped column's distinct values go once through the cell
rules into a small table tv_<field> (cell -> value or the reason it is refused), joined to raw.

The cell rules are those of analysis.ingest.rows.ticket_row: text stripped (missing words read
as empty), the requester lower-cased when it holds @, the source lower-cased, dates through the
column's date reader (analysis/ingest/dates.py), reopened a count, satisfaction a rating, the
first response also from a number of minutes. Values whose reading is plain (printable ASCII
with nothing to strip, ISO dates and times without a zone inside the plausible range) are read
in SQL with the same result; every other value is read in Python. A row's reason is the first
refusal in the order ticket_row checks its cells; rows of a company not mapped to this
organisation are then left out (analysis.ingest.tickets.split_companies' rule).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd

from analysis import formats, left_out, presets, values
from analysis.ingest.results import Reject
from analysis.ingest.rows import RowError, check
from analysis.ingest.staging import Staged
from analysis.scope import Scope

TEXT = ("source", "requester", "subject", "status", "priority", "category", "company")
DATES = ("created_at", "resolved_at", "closed_at", "first_response_at", "updated_at")
_TYPES = {
    **dict.fromkeys(("ticket_id", *TEXT, "satisfaction"), "VARCHAR"),
    **dict.fromkeys(DATES, "TIMESTAMP"),
    "first_response_minutes": "BIGINT",  # microseconds after created_at
    "reopened": "BIGINT",
}
# printable ASCII, nothing to strip at either end: Python's strip and lower act as SQL's do
_PLAIN = "regexp_full_match(cell, '[!-~]([ -~]*[!-~])?')"
_NOT_MISSING = "NOT list_contains($missing, lower(cell)) AND NOT starts_with(cell, '1900-01-01')"
_ISO = "regexp_full_match(cell, '\\d{4}-\\d{2}-\\d{2}( ([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d)?)?')"
_ISO_VALUE = "try_strptime(cell, ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%d'])"
# the SQL reading of a plain cell: (which cells, value)
_FAST = {
    "ticket_id": (_PLAIN, "cell"),
    "source": (f"{_PLAIN} AND {_NOT_MISSING}", "lower(cell)"),
    "requester": (f"{_PLAIN} AND {_NOT_MISSING}", "CASE WHEN contains(cell, '@') THEN lower(cell) ELSE cell END"),
    **{name: (f"{_PLAIN} AND {_NOT_MISSING}", "cell") for name in TEXT if name not in ("source", "requester")},
}
# the times that may not be before created_at, in ticket_row's order
_BEFORE_CREATED = ("resolved_at", "closed_at", "first_response_at")


def parse(cur, scope: Scope, staged: Staged, choice: formats.Choice, context: dict) -> None:
    """The temp table t_parsed: line, the ticket's fields, resolved_state, and reason/column_name/
    left_out for a refused row (left_out: a row of another organisation's company)."""
    fmt = choice.format
    transforms = {k: f for k, f in fmt.values.items() if k in choice.columns} if fmt else {}
    headers = {name: staged.header[index] for name, index in choice.columns.items()}
    joins = []
    for name, index in choice.columns.items():
        if name not in _TYPES:
            continue
        _value_table(cur, staged, name, index, transforms.get(name), context)
        joins.append(f"LEFT JOIN tv_{name} ON tv_{name}.cell = r.c{index}")
    mapped = set(choice.columns) & set(_TYPES)
    owners = _company_table(cur, scope) if "company" in mapped else False
    if owners:
        joins.append("LEFT JOIN t_company ON t_company.company = tv_company.value")

    def value(name: str) -> str:
        return _value(mapped, name)

    refusals = _refusals(mapped, headers, [name for name in transforms if name in mapped], owners)
    params: dict = {"width": staged.width, "source": context["source"].lower()}
    # every name below is one of this module's own (a value table, a field, an expression built
    # here from them); the file's text reaches SQL only as bound values and joined table rows
    reason = "CASE WHEN r.fields <> $width THEN 'the row has ' || r.fields || ' fields where the header has ' || $width"
    column = "CASE WHEN r.fields <> $width THEN NULL"
    left = "CASE WHEN r.fields <> $width THEN false"
    for i, (error, header) in enumerate(refusals):
        params[f"h{i}"] = header
        reason += f" WHEN ({error}) IS NOT NULL THEN {error}"
        column += f" WHEN ({error}) IS NOT NULL THEN $h{i}"
        left += f" WHEN ({error}) IS NOT NULL THEN {'true' if error == _LEFT_OUT else 'false'}"
    fields = ", ".join(f"{value(name)} AS {name}" for name in ("requester", "subject", "status", "priority"))
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE t_parsed AS SELECT r.line, "  # noqa: S608
        f"coalesce({value('source')}, $source) AS source, {value('ticket_id')} AS ticket_id, "
        f"{value('created_at')} AS created_at, {fields}, {value('category')} AS category, {value('company')} AS company, "
        f"{value('updated_at')} AS updated_at, {_first_response(mapped)} AS first_response_at, "
        f"coalesce({value('resolved_at')}, {value('closed_at')}) AS resolved_at, "
        f"coalesce({value('reopened')}, 0) AS reopened, {value('satisfaction')} AS satisfaction, "
        f"coalesce({'tv_status.flag' if 'status' in mapped else 'NULL'}, false) AS resolved_state, "
        f"{reason} END AS reason, {column} END AS column_name, coalesce({left} END, false) AS left_out "
        f"FROM raw r {' '.join(joins)}",
        params,
    )


_LEFT_OUT = "t_company.reason"


def _value(mapped: set[str], name: str) -> str:
    return f"tv_{name}.value" if name in mapped else "NULL"


def _first_response(mapped: set[str]) -> str:
    if "first_response_minutes" not in mapped:
        return _value(mapped, "first_response_at")
    return (
        f"coalesce({_value(mapped, 'first_response_at')}, "
        "tv_created_at.value + to_microseconds(tv_first_response_minutes.value))"
    )


def _refusals(mapped: set[str], headers: dict[str, str], transformed: list[str], owners: bool) -> list[tuple[str, str]]:
    """(the SQL of a refusal's reason, null when the cell passes; the column it names), in the
    order ticket_row checks: transforms, ticket id, creation time, resolution, closing, first
    response, times before the creation, reopened, updated_at; then the company."""
    created = _value(mapped, "created_at")
    refusals = [(f"tv_{name}.transform_error", headers[name]) for name in transformed]
    for name in ("ticket_id", "created_at", "resolved_at", "closed_at", "first_response_at"):
        if name in mapped:
            refusals.append((f"tv_{name}.error", headers[name]))
        if name == "created_at":
            refusals.append((f"CASE WHEN {created} IS NULL THEN 'the creation time is missing' END", headers[name]))
    if "first_response_minutes" in mapped:
        refusals.append(
            (
                f"CASE WHEN {_value(mapped, 'first_response_at')} IS NULL THEN tv_first_response_minutes.error END",
                headers["first_response_minutes"],
            )
        )
    own = {"resolved_at": _value(mapped, "resolved_at"), "closed_at": _value(mapped, "closed_at")}
    own["first_response_at"] = _first_response(mapped)
    for name in _BEFORE_CREATED:
        if own[name] != "NULL":
            refusals.append(
                (
                    f"CASE WHEN {own[name]} < {created} THEN '{name} ' || strftime({own[name]}, '%Y-%m-%d %H:%M') "
                    f"|| ' is before created_at ' || strftime({created}, '%Y-%m-%d %H:%M') END",
                    headers.get(name, name),
                )
            )
    for name in ("reopened", "updated_at"):
        if name in mapped:
            refusals.append((f"tv_{name}.error", headers[name]))
    if owners:
        refusals.append((_LEFT_OUT, headers["company"]))
    return refusals


def _value_table(cur, staged: Staged, name: str, index: int, transform: Callable | None, context: dict) -> None:
    """tv_<name>: each distinct cell of the column -> value, error, transform_error (and flag: a
    status that is a resolved state)."""
    table = f"tv_{name}"  # name is one of _TYPES, index a column position: neither is the file's text
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} (cell VARCHAR, value {_TYPES[name]}, error VARCHAR, "  # noqa: S608
        "transform_error VARCHAR, flag BOOLEAN)"
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE t_cells AS SELECT DISTINCT c{index} AS cell FROM raw WHERE fields = $width",  # noqa: S608
        {"width": staged.width},
    )
    fast = None if transform is not None else _fast(name, context)
    if fast is not None:
        which, read, params = fast
        flag = "list_contains($resolved, lower(cell))" if name == "status" else "NULL"
        if name == "status":
            params["resolved"] = sorted(values.RESOLVED_STATES)
        cur.execute(
            f"INSERT INTO {table} SELECT cell, {read}, NULL, NULL, {flag} FROM t_cells WHERE {which}",  # noqa: S608
            params,
        )
        params.pop("resolved", None)
        rest = [
            r[0]
            for r in cur.execute(f"SELECT cell FROM t_cells WHERE NOT coalesce({which}, false)", params).fetchall()  # noqa: S608
        ]
    else:
        rest = [r[0] for r in cur.execute("SELECT cell FROM t_cells").fetchall()]
    cur.execute("DROP TABLE t_cells")
    if rest:
        rows = [_read_cell(name, cell, transform, context) for cell in rest]
        frame = pd.DataFrame(rows, columns=["cell", "value", "error", "transform_error", "flag"], dtype=object)
        cur.register("cells_frame", frame)
        cur.execute(
            f"INSERT INTO {table} SELECT CAST(cell AS VARCHAR), CAST(value AS {_TYPES[name]}), "  # noqa: S608
            "CAST(error AS VARCHAR), CAST(transform_error AS VARCHAR), CAST(flag AS BOOLEAN) FROM cells_frame"
        )
        cur.unregister("cells_frame")


def _fast(name: str, context: dict) -> tuple[str, str, dict] | None:
    """(the cells SQL reads as Python would, their value, parameters), or None: all in Python."""
    if name in _FAST:
        which, read = _FAST[name]
        return which, read, {"missing": sorted(values.MISSING)} if "$missing" in which else {}
    if name in DATES:
        reader = context["dates"][name]
        if reader.utc:
            return None
        # an ISO date or time without a zone is the local time as written (values.DateReader)
        limits = f"{_ISO_VALUE} >= TIMESTAMP '1901-01-01'"
        if reader.latest is not None:
            limits += f" AND {_ISO_VALUE} <= $latest"
        return f"{_ISO} AND {limits}", _ISO_VALUE, {"latest": reader.latest} if reader.latest is not None else {}
    return None


def _read_cell(name: str, cell: str, transform: Callable | None, context: dict) -> tuple:
    """(cell, value, error, transform_error, flag) as ticket_row reads the cell."""
    text = cell
    if transform is not None:
        try:
            text = transform(cell)
        except ValueError as exc:
            return cell, None, None, str(exc), None
    try:
        value = _reader(name, context)(text)
    except ValueError as exc:
        return cell, None, str(exc), None, None
    return (
        cell,
        value,
        None,
        None,
        (isinstance(value, str) and values.is_resolved_state(value)) if name == "status" else None,
    )


def _reader(name: str, context: dict) -> Callable[[str], object]:
    if name == "ticket_id":
        return _ticket_id
    if name in TEXT:
        return lambda text: _text(name, text)
    if name in DATES:
        reader = context["dates"][name]
        return lambda text: None if values.is_missing(text) else reader(text)
    if name == "first_response_minutes":
        return _minutes
    if name == "reopened":
        return lambda text: 0 if values.is_missing(text) else check("reopened", values.parse_count, text)
    return lambda text: values.parse_satisfaction(text or "")


def _ticket_id(text: str) -> str:
    ticket_id = (text or "").strip()
    if not ticket_id:
        raise RowError("ticket_id", "the ticket id is empty")
    return ticket_id


def _text(name: str, text: str) -> str | None:
    if values.is_missing(text):
        return None
    value = text.strip()
    if name == "source":
        return value.lower()
    return value.lower() if name == "requester" and "@" in value else value


def _minutes(text: str) -> int | None:
    """Microseconds after created_at (analysis.ingest.rows.minutes_after's rule and rounding)."""
    if values.is_missing(text):
        return None
    try:
        minutes = float(text)
    except ValueError:
        raise RowError("first_response_minutes", f"{text.strip()!r} is not a number of minutes") from None
    if not 0 <= minutes < 10**8:
        raise RowError("first_response_minutes", f"{text.strip()!r} is not a plausible number of minutes")
    return timedelta(minutes=minutes) // timedelta(microseconds=1)


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
    """The line on rows left out for their company (split_companies' summary), or None."""
    if not cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 't_company'").fetchall()[0][
        0
    ]:
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
    cells = [f"r.c{i}" for i in range(staged.width)]
    rows = cur.execute(
        f"SELECT p.line, p.column_name, p.reason, p.left_out, r.text, {', '.join(cells)} "  # noqa: S608
        "FROM t_parsed p JOIN raw r USING (line) WHERE p.reason IS NOT NULL ORDER BY p.left_out, p.line"
    ).fetchall()
    return [
        Reject(line, column, reason, text if text is not None else staged.delimiter.join(raw)[:2000], left_out=left)
        for line, column, reason, left, text, *raw in rows
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


def preview(cur) -> list[dict]:
    """The first five rows kept, as ticket_row gives them."""
    rows = cur.execute(
        f"SELECT {', '.join(PREVIEW)} FROM t_parsed WHERE reason IS NULL ORDER BY line LIMIT 5"  # noqa: S608
    ).fetchall()
    return [dict(zip(PREVIEW, row)) for row in rows]


def drop(cur) -> None:
    for name in ("t_parsed", "t_company", "t_cells", *(f"tv_{field}" for field in _TYPES)):
        cur.execute(f"DROP TABLE IF EXISTS {name}")  # noqa: S608 (names of this module's own tables)
