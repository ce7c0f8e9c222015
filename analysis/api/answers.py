"""What each API route answers for a principal (a token's account), without the web server: the
routes in ui/api_routes.py authenticate, count the rate and turn these into responses.

Scoped like the pages: an organisation the principal may not see is answered 404, the same as
one that does not exist (so a token cannot learn which organisations exist); one it sees but may
not act on (a viewer loading a file) 403. Every read and load goes through open_scope, and reads
never write (the alerts are evaluated with record=False)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from analysis import orgs
from analysis.access import AccessDenied, Principal
from analysis.api.documents import alerts_document, kpis_document, organisations_document, rollouts_document
from analysis.orgs import Rollout
from analysis.scope import Scope, open_scope
from analysis.store import Store

KINDS = ("roster", "usage", "tickets")
MAX_WINDOW = 3660
_ID = re.compile(r"[0-9]{1,9}")  # an id as a path names it (ASCII digits; never past INTEGER)


class ApiError(Exception):
    """An answer other than 200: its status and a message that names nothing of another tenant."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def organisation_scope(store: Store, principal: Principal, org: str, action: str = "view") -> tuple[Scope, str]:
    """The Scope and name of the organisation org (its id, or its name) for principal."""
    seen = organisations_document(store, principal)
    key = org.strip().lower()
    found = [o for o in seen if (str(o["id"]) == key if _ID.fullmatch(key) else o["name"].lower() == key)]
    if not found:
        raise ApiError(404, "no such organisation for this token")
    try:
        return open_scope(store, principal, found[0]["id"], action), found[0]["name"]
    except AccessDenied:
        raise ApiError(403, f"this token's account may not {action} in this organisation") from None


def find_rollout(scope: Scope, rollout: str) -> Rollout:
    try:
        return orgs.rollout(scope, int(rollout) if _ID.fullmatch(rollout) else rollout)
    except LookupError:
        raise ApiError(404, "no such rollout in this organisation") from None


def as_of_value(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "as_of is a date, YYYY-MM-DD") from None


def window_value(text: str | None) -> int | None:
    if not text:
        return None
    if not _ID.fullmatch(text) or not 1 <= int(text) <= MAX_WINDOW:
        raise ApiError(400, f"window is a number of days, 1 to {MAX_WINDOW}")
    return int(text)


def organisations(store: Store, principal: Principal) -> list[dict]:
    return organisations_document(store, principal)


def rollouts(store: Store, principal: Principal, org: str) -> list[dict]:
    scope, _ = organisation_scope(store, principal, org)
    return rollouts_document(scope)


def kpis(store: Store, principal: Principal, org: str, rollout: str, query: dict[str, str]) -> dict:
    scope, name = organisation_scope(store, principal, org)
    found = find_rollout(scope, rollout)
    return kpis_document(
        scope, name, found, as_of_value(query.get("as_of")), window_value(query.get("window")), record=False
    )


def rollout_alerts(store: Store, principal: Principal, org: str, rollout: str, query: dict[str, str]) -> list[dict]:
    scope, _ = organisation_scope(store, principal, org)
    return alerts_document(scope, [find_rollout(scope, rollout)], as_of_value(query.get("as_of")), record=False)


def organisation_alerts(store: Store, principal: Principal, org: str, query: dict[str, str]) -> list[dict]:
    scope, _ = organisation_scope(store, principal, org)
    return alerts_document(scope, orgs.rollouts(scope), as_of_value(query.get("as_of")), record=False)


def load(store: Store, principal: Principal, org: str, fields: dict[str, str], file_name: str, path: Path) -> Any:
    """Load the file at path through the one ingest path (analysis.ingest.load_file) and return
    its counts (`load --json`); a refused file is a 422 with its messages."""
    from analysis.files import FileRefused  # here only: the reading and loading stack (as the command line)
    from analysis.ingest import load_file
    from analysis.load_slots import LoadBusy

    scope, _ = organisation_scope(store, principal, org, "upload")
    kind = fields.get("kind", "")
    if kind not in KINDS:
        raise ApiError(400, f"kind is one of {', '.join(KINDS)}")
    try:
        result = load_file(
            scope,
            kind,
            file_name,
            path,
            rollout=fields.get("rollout") or None,
            format=fields.get("format") or "auto",
            as_of=as_of_value(fields.get("as_of")),  # a roster's date (docs/metrics.md#roster-history)
        )
    except LoadBusy as exc:
        raise ApiError(409, exc.messages[0]) from None
    except FileRefused as exc:
        raise RefusedFile(exc.messages) from None
    except (LookupError, ValueError) as exc:
        raise ApiError(400, str(exc)) from None
    return result.as_json()


class RefusedFile(ApiError):
    """The file was refused whole (nothing stored): `load --json`'s {"refused": true, "messages"}."""

    def __init__(self, messages: list[str]):
        super().__init__(422, messages[0] if messages else "the file was refused")
        self.messages = messages
