"""What every command shares: the one-line error, the argument types, and finding the
organisation and rollout a command names (as the operator)."""

from __future__ import annotations

import argparse
from datetime import date

from analysis import orgs
from analysis.access import OPERATOR
from analysis.orgs import Rollout
from analysis.scope import Scope, open_scope
from analysis.store import Store


class CommandError(Exception):
    """A mistake in the command: said in one line on stderr, exit code 2."""


def a_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def a_cohort(text: str) -> tuple[str, date]:
    name, sep, day = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write a cohort as NAME=YYYY-MM-DD")
    return name.strip().lower(), a_date(day.strip())


def csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def org_scope(store: Store, name: str, action: str = "view") -> Scope:
    try:
        org_id = orgs.organisation_id(store, OPERATOR, name)
    except LookupError as exc:
        raise CommandError(f"{exc}: add it with `python -m analysis org add NAME`") from None
    return open_scope(store, OPERATOR, org_id, action)


def find_rollout(scope: Scope, name: str) -> Rollout:
    try:
        return orgs.rollout(scope, name)
    except LookupError as exc:
        raise CommandError(f"{exc}: add it with `python -m analysis rollout add`") from None
