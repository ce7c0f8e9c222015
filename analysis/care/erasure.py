"""Erasing one person from an organisation (docs/operations.md): `python -m analysis erase-person`
and the Administration page; an admin only (the manage_organisations permission).

The person is named by their user id (as in the roster and usage) or their name; the names the
roster gives that user id are erased too. In one transaction:
- their rows go: roster entries (every load's) and their extra roster columns, usage events, the daily summaries usage_daily and
  rollout_days (both per person, so removing their rows is their recomputation: no one else's
  figure moves), tickets they requested (every version: a subject is their own words), rejected
  rows whose text names them, their out-of-scope mark;
- every other text cell of the organisation that names them (a load's messages, an alert's
  evidence, a note, an action's owner, a file name) has the name replaced by "[erased]";
- the kept red-flag verdicts of the organisation go (they were computed with the person's rows);
- one entry in care_log says what was erased, in counts only: never the person's id or name.
Their sign-in account, if they have one, is separate: remove it on the Accounts tab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from analysis import audit
from analysis.care import care_log
from analysis.care.checksums import columns, quoted, user_tables
from analysis.scope import Scope

ERASED = "[erased]"
TEXT = "VARCHAR"
TEXT_LIST = "VARCHAR[]"
# rows of the person, deleted whole: (table, the column that names them)
PERSON_ROWS = (
    ("roster", "user_id"),
    ("roster_attributes", "user_id"),
    ("usage_events", "user_id"),
    ("usage_daily", "user_id"),
    ("rollout_days", "user_id"),
    ("out_of_scope_people", "user_id"),
)
MIN_LENGTH = 3  # a shorter name would match inside too many words to erase safely


@dataclass
class Erasure:
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows removed
    cells: int = 0  # text cells where a mention was replaced

    def summary(self) -> str:
        rows = ", ".join(f"{table} {n}" for table, n in self.deleted.items() if n) or "no rows"
        return f"rows removed: {rows}; mentions replaced in {self.cells} other cells"


def pattern(name: str) -> str:
    """A regular expression (RE2) for name as a whole word, any case."""
    text = re.escape(name)
    left = r"\b" if re.match(r"\w", name) else ""
    right = r"\b" if re.search(r"\w$", name) else ""
    return left + text + right


def names_of(scope: Scope, person: str) -> list[str]:
    """The person's identifiers: what was given and, for a user id, the names the roster gives it."""
    person = person.strip()
    if len(person) < MIN_LENGTH:
        raise ValueError(f"name the person by their user id or full name (at least {MIN_LENGTH} characters)")
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT DISTINCT user_id, display_name FROM roster WHERE org_id = ? AND "
            "(lower(user_id) = lower(?) OR lower(display_name) = lower(?))",
            [scope.org_id, person, person],
        )
        .fetchall()
    )
    found = {person.lower()}
    for user_id, name in rows:
        found.add(user_id.lower())
        if name and len(name.strip()) >= MIN_LENGTH:
            found.add(name.strip().lower())
    return sorted(found, key=lambda n: (-len(n), n))  # the longest first: "Cat Coleman" before "Cat Cole"


def erase_person(scope: Scope, person: str) -> Erasure:
    """Erase person from scope's organisation (see the module's note); returns the counts."""
    scope.require("manage_organisations")
    names = names_of(scope, person)
    either = "|".join(pattern(n) for n in names)
    params = {"org": scope.org_id, "p": either}
    done = Erasure()
    with scope.store.transaction("erase a person", org_id=scope.org_id) as cur:
        exact = [n.lower() for n in names]
        for table, column in PERSON_ROWS:
            # S608: fixed table and column names from PERSON_ROWS; values are bound
            where = f"org_id = $org AND list_contains($names, lower({column}))"
            done.deleted[table] = _delete(cur, table, where, {"org": scope.org_id, "names": exact})
        done.deleted["tickets"], done.deleted["ticket_history"] = _tickets(cur, params)
        done.deleted["rejected_rows"] = _delete(
            cur,
            "rejected_rows",
            "upload_id IN (SELECT upload_id FROM uploads WHERE org_id = $org) "
            "AND (regexp_matches(raw, $p, 'i') OR regexp_matches(reason, $p, 'i'))",
            params,
        )
        # the kept red-flag verdicts were computed with their rows (and name them): the next
        # evaluation computes them afresh (analysis/alerts/verdict_cache.py)
        cur.execute("DELETE FROM alert_verdicts WHERE org_id = ?", [scope.org_id])
        cur.execute("DELETE FROM kept_baselines WHERE org_id = ?", [scope.org_id])  # likewise (baseline_cache.py)
        cur.execute("DELETE FROM kept_person_facts WHERE org_id = ?", [scope.org_id])  # by name (person_facts.py)
        cur.execute("DELETE FROM kept_figures WHERE org_id = ?", [scope.org_id])  # counted them (kept_figures.py)
        done.cells = _redact(cur, params)
        # no name here: the count of what went, and the organisation's id
        care_log.write(cur, scope.principal.name, "erase-person", f"organisation {scope.org_id}: {done.summary()}")
        audit.note(detail=done.summary())
    return done


def _delete(cur, table: str, where: str, params: dict) -> int:
    count = cur.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchall()[0][0]  # noqa: S608
    if count:
        cur.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608
    return count


def _tickets(cur, params: dict) -> tuple[int, int]:
    """Every version of each ticket whose requester is the person, in either table."""
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE erase_tickets AS "
        "SELECT DISTINCT source, ticket_id FROM tickets WHERE org_id = $org AND regexp_matches(requester, $p, 'i') "
        "UNION SELECT DISTINCT source, ticket_id FROM ticket_history "
        "WHERE org_id = $org AND regexp_matches(requester, $p, 'i')",
        params,
    )
    theirs = "org_id = $org AND (source, ticket_id) IN (SELECT (source, ticket_id) FROM erase_tickets)"
    gone = (
        _delete(cur, "tickets", theirs, {"org": params["org"]}),
        _delete(cur, "ticket_history", theirs, {"org": params["org"]}),
    )
    cur.execute("DROP TABLE erase_tickets")
    return gone


def _redact(cur, params: dict) -> int:
    """Replace the person's names in every text cell of the organisation's rows (tables with an
    org_id; rejected rows were handled whole); returns how many cells changed."""
    changed = 0
    for table in user_tables(cur):
        cols = columns(cur, table)
        if "org_id" not in {c for c, _ in cols}:
            continue
        for column, kind in cols:
            name = quoted(column)
            if kind == TEXT:
                hit = f"regexp_matches({name}, $p, 'i')"
                new = f"regexp_replace({name}, $p, '{ERASED}', 'gi')"
            elif kind == TEXT_LIST:
                hit = f"list_bool_or(list_transform({name}, lambda x: regexp_matches(x, $p, 'i')))"
                new = f"list_transform({name}, lambda x: regexp_replace(x, $p, '{ERASED}', 'gi'))"
            else:
                continue
            # S608: catalogue names, quoted, and this module's constants; the names are bound
            where = f"org_id = $org AND {hit}"
            count = cur.execute(f"SELECT count(*) FROM {quoted(table)} WHERE {where}", params).fetchall()[0][0]  # noqa: S608
            if count:
                cur.execute(f"UPDATE {quoted(table)} SET {name} = {new} WHERE {where}", params)  # noqa: S608
                changed += count
    return changed
