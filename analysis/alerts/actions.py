"""Root causes and actions on red flags (docs/metrics.md#root-causes-and-actions).

A provider role ('configure') works out why a flag holds (a 5 Whys chain, the fishbone categories,
the root cause in a sentence) and records what is done about it (actions with an owner, a due date,
a status and an outcome), for one alert episode or for a rule in every place of a rollout. Client
views read them; every write is kept in action_events with who, when and why.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from analysis.alerts.rules import RULES
from analysis.orgs import Rollout
from analysis.scope import Scope

FISHBONE = ("people", "process", "technology", "environment", "data")
STATUSES = ("open", "in progress", "done", "dropped")
MAX_WHYS = 5
MAX_TEXT = 300


def _text(value: str | None, what: str, required: bool = True) -> str | None:
    text = " ".join((value or "").split())
    if required and not text:
        raise ValueError(f"{what} is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"keep {what} to {MAX_TEXT} characters")
    return text or None


def _checked_place(scope: Scope, rollout: Rollout, rule: str, alert_id: int | None) -> None:
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: one of {', '.join(RULES)}")
    if alert_id is None:
        return
    found = (
        scope.store.cursor()
        .execute(
            "SELECT count(*) FROM alerts WHERE alert_id = ? AND org_id = ? AND rollout_id = ? AND rule = ?",
            [alert_id, scope.org_id, rollout.rollout_id, rule],
        )
        .fetchall()[0][0]
    )
    if not found:
        raise LookupError(f"no {rule} alert {alert_id} in this rollout")


def save_root_cause(
    scope: Scope,
    rollout: Rollout,
    rule: str,
    whys: list[str],
    categories: list[str],
    summary: str | None,
    alert_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """Replace the root cause of a rule (alert_id None: in every place) or of one alert."""
    scope.require("configure")
    _checked_place(scope, rollout, rule, alert_id)
    chain = [w for w in (_text(w, "a why", required=False) for w in whys) if w]
    if len(chain) > MAX_WHYS:
        raise ValueError(f"at most {MAX_WHYS} whys")
    unknown = sorted(set(categories) - set(FISHBONE))
    if unknown:
        raise ValueError(f"unknown categories {', '.join(unknown)}: choose from {', '.join(FISHBONE)}")
    text = _text(summary, "the root cause", required=False)
    if not (chain or categories or text):
        raise ValueError("write at least one why, a category or the root cause")
    now = now or datetime.now()
    with scope.store.transaction("save a root cause", org_id=scope.org_id) as cur:
        cur.execute(
            "DELETE FROM root_causes WHERE org_id = ? AND rollout_id = ? AND rule = ? AND alert_id IS NOT DISTINCT FROM ?",
            [scope.org_id, rollout.rollout_id, rule, alert_id],
        )
        cur.execute(
            "INSERT INTO root_causes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                scope.org_id,
                rollout.rollout_id,
                rule,
                alert_id,
                chain,
                sorted(categories),
                text,
                scope.principal.name,
                now,
            ],
        )
        _event(cur, scope, rollout.rollout_id, rule, None, now, "root cause", text or "; ".join(chain))


def add_action(
    scope: Scope,
    rollout: Rollout,
    rule: str,
    title: str,
    owner: str,
    due: date,
    alert_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """A new open action on a rule's flag (alert_id None: in every place) or one alert; its id."""
    scope.require("configure")
    _checked_place(scope, rollout, rule, alert_id)
    what, who = _text(title, "the action"), _text(owner, "the owner")
    if not isinstance(due, date):
        raise ValueError("choose the due date")
    now = now or datetime.now()
    with scope.store.transaction("add an action on a red flag", org_id=scope.org_id) as cur:
        action_id = cur.execute("SELECT nextval('action_id_seq')").fetchall()[0][0]
        cur.execute(
            "INSERT INTO flag_actions (action_id, org_id, rollout_id, rule, alert_id, title, owner, due, "
            "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action_id,
                scope.org_id,
                rollout.rollout_id,
                rule,
                alert_id,
                what,
                who,
                due,
                scope.principal.name,
                now,
                now,
            ],
        )
        _event(cur, scope, rollout.rollout_id, rule, action_id, now, "added", f"{who}, due {due.isoformat()}")
    return action_id


def update_action(
    scope: Scope, action_id: int, status: str, outcome: str | None = None, now: datetime | None = None
) -> None:
    """Move an action to a status, with its outcome (needed to close it: done or dropped)."""
    scope.require("configure")
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    text = _text(outcome, "the outcome", required=status in ("done", "dropped"))
    rows = (
        scope.store.cursor()
        .execute(
            "SELECT rollout_id, rule FROM flag_actions WHERE action_id = ? AND org_id = ?", [action_id, scope.org_id]
        )
        .fetchall()
    )
    if not rows:
        raise LookupError(f"no action {action_id} in this organisation")
    rollout_id, rule = rows[0]
    now = now or datetime.now()
    with scope.store.transaction("update an action on a red flag", org_id=scope.org_id) as cur:
        cur.execute(
            "UPDATE flag_actions SET status = ?, outcome = coalesce(?, outcome), updated_at = ? "
            "WHERE action_id = ? AND org_id = ?",
            [status, text, now, action_id, scope.org_id],
        )
        _event(cur, scope, rollout_id, rule, action_id, now, status, text)


def _event(cur, scope: Scope, rollout_id: int, rule: str, action_id, now: datetime, event: str, note) -> None:
    cur.execute(
        "INSERT INTO action_events (org_id, rollout_id, rule, action_id, event_at, by_name, event, note) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [scope.org_id, rollout_id, rule, action_id, now, scope.principal.name, event, note],
    )


def root_causes(scope: Scope, rollout: Rollout | None = None) -> pd.DataFrame:
    return scope.df("root_causes", rollout_id=rollout.rollout_id if rollout else None)


def actions(scope: Scope, rollout: Rollout | None = None, today: date | None = None) -> pd.DataFrame:
    """The actions (of one rollout), soonest due first, with `overdue` on today."""
    return scope.df("flag_actions", rollout_id=rollout.rollout_id if rollout else None, today=today or date.today())


def overdue_actions(scope: Scope, rollout: Rollout | None = None, today: date | None = None) -> pd.DataFrame:
    found = actions(scope, rollout, today)
    return found[found["overdue"]].reset_index(drop=True)


def action_history(scope: Scope, rollout: Rollout | None = None) -> pd.DataFrame:
    return scope.df("action_events", rollout_id=rollout.rollout_id if rollout else None)


def as_json(scope: Scope, rollout: Rollout, today: date | None = None) -> dict:
    """The root causes and actions of a rollout for `kpis --json` (key `actions`)."""
    causes = root_causes(scope, rollout)
    found = actions(scope, rollout, today)
    return {
        "root_causes": [
            {
                "rule": r.rule,
                "alert_id": None if pd.isna(r.alert_id) else int(r.alert_id),
                "whys": list(r.whys),
                "categories": list(r.categories),
                "summary": _text_or_none(r.summary),
            }
            for r in causes.itertuples()
        ],
        "actions": [
            {
                "id": int(a.action_id),
                "rule": a.rule,
                "alert_id": None if pd.isna(a.alert_id) else int(a.alert_id),
                "title": a.title,
                "owner": a.owner,
                "due": pd.Timestamp(a.due).date().isoformat(),
                "status": a.status,
                "outcome": _text_or_none(a.outcome),
                "overdue": bool(a.overdue),
            }
            for a in found.itertuples()
        ],
    }


def _text_or_none(value) -> str | None:
    """A text column's value for JSON: pandas reads a missing text as NaN when another row has
    one, and NaN is not JSON (the API refuses it with a 500)."""
    return None if value is None or pd.isna(value) else str(value)
