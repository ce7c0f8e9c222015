"""The words of each notification, for one recipient: a red flag that fired high, escalated or
was resolved; the weekly digest; overdue actions.

Nothing here carries a person's name: an alert's message names cohorts, departments and counts,
never a person; acknowledgement notes, owners and action titles (free text, which may name
someone) are left out. A client role sees a department of fewer than 5 people as "Other (small
groups)" without its figures, as its pages fold it (analysis/privacy.py).
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from analysis.alerts.rules import place, rule_title
from analysis.notify.outbox import Note
from analysis.privacy import MINIMUM, OTHER
from analysis.words import day, moment, plural

# alert event -> the topic (analysis/notify/prefs.py TOPICS) it is news for
HEADLINES = {
    "new_high": "High red flag",
    "escalations": "Red flag escalated to high",
    "resolutions": "Red flag resolved",
}


def topic_of(event: dict) -> str | None:
    """The topic an alert event is news for, or None (a medium flag firing, a not_enough_data ...)."""
    if event["event"] in ("fired", "snooze_ended") and event["severity"] == "high":
        return "new_high"
    if event["event"] == "escalated":
        return "escalations"
    if event["event"] == "resolved" and event["from_state"] in ("firing", "acknowledged", "snoozed"):
        return "resolutions"
    return None


def _small_department(event: dict) -> bool:
    evidence = json.loads(event["evidence"]) if isinstance(event.get("evidence"), str) else {}
    return bool(_text(event.get("department"))) and (evidence.get("licensed_users") or 0) < MINIMUM


def _text(value) -> str | None:
    return value if isinstance(value, str) else None


def alert_note(event: dict, org_id: int, org_name: str, client: bool) -> Note:
    """The notification of one alert event (topic_of(event) is not None) for a provider or a client role."""
    topic = topic_of(event)
    if topic is None:
        raise ValueError("this event is no news")
    folded = client and _small_department(event)
    where = OTHER if folded else place(_text(event["cohort"]), _text(event["department"]), _text(event["kind"]))
    title = rule_title(event["rule"])
    if folded:
        message = f"{title} in a group of fewer than {MINIMUM} people (folded as on your pages)."
    elif topic == "resolutions":
        message = f"{title} no longer holds."
    else:
        message = str(event["message"])
    as_of_day = pd.Timestamp(event["as_of"]).date() if not pd.isna(event["as_of"]) else None
    checked = pd.Timestamp(event["event_at"]).to_pydatetime()
    as_of = as_of_day.isoformat() if as_of_day else None  # the facts (JSON) keep ISO; the text is for people
    at = checked.isoformat(timespec="seconds")
    lines = [
        message,
        f"Organisation: {org_name} · Rollout: {event['rollout']} · Where: {where}",
    ]
    if topic != "resolutions":
        lines.append(f"Next step: {event['action']}")
    lines.append(f"Data as of {day(as_of_day)}; checked {moment(checked)}.")
    facts = {
        "topic": topic,
        "org": org_name,
        "rollout": event["rollout"],
        "rule": event["rule"],
        "title": title,
        "severity": event["severity"],
        "where": where,
        "message": message,
        "as_of": as_of,
        "evaluated_at": at,
        "alert_id": int(event["alert_id"]),
    }
    subject = f"[Uptake] {HEADLINES[topic]}: {title} · {org_name} / {event['rollout']} ({where})"
    return Note(topic, subject, "\n".join(lines) + "\n", facts, org_id)


def digest_note(rows: list[dict], today: date) -> Note:
    """The weekly digest: per organisation and rollout the open red flags by severity and the
    overdue actions. rows: {org, rollout, high, medium, overdue}."""
    lines = [f"Open red flags and overdue actions in your organisations, {day(today)}:", ""]
    for r in rows:
        lines.append(
            f"- {r['org']} / {r['rollout']}: {r['high']} high, {r['medium']} medium red flags; "
            f"{plural(r['overdue'], 'overdue action')}"
        )
    if not rows:
        lines.append("- No rollout in your organisations yet.")
    facts = {"topic": "digest", "date": today.isoformat(), "rollouts": rows}
    return Note("digest", f"[Uptake] Weekly digest, {day(today)}", "\n".join(lines) + "\n", facts)


def overdue_note(org_id: int, org_name: str, rows: list[dict], today: date) -> Note:
    """Actions past their due date in one organisation, by rollout and red flag (no titles or owners:
    free text that may name a person). rows: {rollout, rule, due}."""
    lines = [f"{plural(len(rows), 'action')} on red flags in {org_name} past their due date ({day(today)}):", ""]
    lines += [f"- {r['rollout']}: {rule_title(r['rule'])}, due {day(date.fromisoformat(r['due']))}" for r in rows]
    facts = {"topic": "overdue", "org": org_name, "date": today.isoformat(), "actions": rows}
    subject = f"[Uptake] {plural(len(rows), 'overdue action')} · {org_name}"
    return Note("overdue", subject, "\n".join(lines) + "\n", facts, org_id)
