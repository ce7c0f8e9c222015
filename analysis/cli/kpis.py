"""`kpis` and `alerts`: the rollout's figures as JSON, and the red flags (list them and their
history, acknowledge, snooze, show and change the thresholds)."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pandas as pd

from analysis import alerts, feedback, kpis, lessons, metrics, orgs, phases, readiness, support
from analysis.access import OPERATOR
from analysis.alerts import actions as flag_actions
from analysis.cli.common import CommandError, a_date, find_rollout, org_scope
from analysis.scope import open_scope
from analysis.store import Store


def add_parsers(sub) -> None:
    kpis = sub.add_parser("kpis", help="the rollout's figures")
    kpis.add_argument("--org", required=True)
    kpis.add_argument("--rollout", required=True)
    kpis.add_argument("--as-of", type=a_date)
    kpis.add_argument("--window", type=int)
    kpis.add_argument("--json", action="store_true", required=True)
    kpis.set_defaults(run=run_kpis)

    al = sub.add_parser("alerts", help="red flags: list them (and their history), acknowledge, snooze, thresholds")
    al.add_argument("--org", help="the organisation whose alerts to list")
    al.add_argument("--rollout", help="one rollout (default: every rollout of the organisation)")
    al.add_argument("--as-of", type=a_date, help="evaluate as of this day (default: the newest usage day)")
    al.add_argument("--history", action="store_true", help="every state change, acknowledgement and snooze")
    al.add_argument("--json", action="store_true")
    al.set_defaults(run=run_alerts)
    act = al.add_subparsers(dest="action")
    ack = act.add_parser("ack", help="acknowledge an alert, with a note")
    ack.add_argument("--id", type=int, required=True, dest="alert_id")
    ack.add_argument("--note", required=True)
    snooze = act.add_parser("snooze", help="snooze an alert until a date (it fires again then if it still holds)")
    snooze.add_argument("--id", type=int, required=True, dest="alert_id")
    snooze.add_argument("--until", type=a_date, required=True)
    snooze.add_argument("--note")
    shown = act.add_parser("settings", help="every rule's thresholds for a rollout")
    shown.add_argument("--org", required=True)
    shown.add_argument("--rollout", required=True)
    shown.add_argument("--json", action="store_true")
    change = act.add_parser("set", help="change (or --reset) rule thresholds: RULE.SETTING=VALUE ...")
    change.add_argument("--org", required=True)
    change.add_argument("--rollout", required=True)
    change.add_argument("assignments", nargs="*", metavar="RULE.SETTING=VALUE")
    change.add_argument(
        "--reset", action="append", default=[], metavar="RULE.SETTING", help="back to the default (repeat)"
    )


def run_kpis(args: argparse.Namespace, store: Store) -> int:
    scope = org_scope(store, args.org)
    rollout = find_rollout(scope, args.rollout)
    as_of = args.as_of or metrics.default_as_of(scope, rollout) or date.today()
    window = args.window or rollout.window_days
    if window < 1:
        raise CommandError("--window is a number of days, 1 or more")
    cohorts = metrics.cohort_figures(scope, rollout, as_of, window)
    tickets = support.support_kpis(scope, rollout, as_of, window)
    print(
        json.dumps(
            {
                "org": args.org,
                "rollout": rollout.name,
                "as_of": as_of.isoformat(),
                "window_days": window,
                "cohorts": {name: {k: figures[k] for k in metrics.COHORT_KEYS} for name, figures in cohorts.items()},
                "support": {k: tickets[k] for k in support.SUPPORT_KEYS},
                # the rules use the rollout's own window, not --window; no --as-of: STALE_DATA compares with today
                "alerts": [a.as_json(contract=True) for a in alerts.evaluate_alerts(scope, rollout, args.as_of)],
                # added: figure -> why it is null or absent (snapshot exports too far apart); {} for event-level data
                "not_computable": metrics.not_computable(scope, rollout),
                # added: the root causes and actions on the rollout's red flags (docs/metrics.md#root-causes-and-actions)
                "actions": flag_actions.as_json(scope, rollout),
                # added: the rollout's post-mortem, five headings, or null (docs/metrics.md#post-mortem-and-lessons)
                "lessons": lessons.as_json(scope, rollout),
                # added: the phases and whether each met its targets (docs/metrics.md#phases)
                "phases": phases.as_json(scope, rollout, as_of, window),
                # added: training and communications, trained before go-live per cohort (docs/metrics.md#readiness)
                "readiness": readiness.as_json(scope, rollout),
                # added: survey confidence by place and week (docs/metrics.md#feedback)
                "feedback": feedback.as_json(scope, rollout, as_of),
                # added: the KPI series from other systems against their targets (docs/metrics.md#kpi-series)
                "custom_kpis": custom_kpis(scope, rollout, as_of, window),
            },
            indent=2,
        )
    )
    return 0


def run_alerts(args: argparse.Namespace, store: Store) -> int:
    if args.action in ("ack", "snooze"):
        return _acknowledge_or_snooze(args, store)
    if args.action is None:
        return _alert_list(args, store)
    scope = org_scope(store, args.org, "view" if args.action == "settings" else "configure")
    rollout = find_rollout(scope, args.rollout)
    if args.action == "settings":
        rules = alerts.thresholds(scope, rollout)
        if args.json:
            print(json.dumps(rules, indent=2))
        for rule, values in rules.items() if not args.json else ():
            print(f"{rule}: " + ", ".join(f"{k}={v:g}" for k, v in values.items()))
        return 0
    for rule, setting, number in _threshold_changes(args):
        values = alerts.set_threshold(scope, rollout, rule, setting, number)
        print(f"{rule.upper()}.{setting} = {values[setting]:g}" + (" (default)" if number is None else ""))
    return 0


def _threshold_changes(args: argparse.Namespace) -> list[tuple[str, str, float | None]]:
    """(rule, setting, value or None for the default) of each RULE.SETTING=VALUE and --reset RULE.SETTING."""
    changes: list[tuple[str, str, float | None]] = []
    for item in args.assignments:
        name, sep, text = item.partition("=")
        rule, dot, setting = name.partition(".")
        try:
            changes.append((rule, setting, float(text)))
        except ValueError:
            raise CommandError(f"{item!r}: write RULE.SETTING=NUMBER, e.g. LAPSING.min_people=3") from None
        if not (sep and dot):
            raise CommandError(f"{item!r}: write RULE.SETTING=NUMBER, e.g. LAPSING.min_people=3")
    for item in args.reset:
        rule, dot, setting = item.partition(".")
        if not dot:
            raise CommandError(f"--reset {item!r}: write RULE.SETTING, e.g. LAPSING.min_people")
        changes.append((rule, setting, None))
    if not changes:
        raise CommandError("nothing to change: give RULE.SETTING=VALUE or --reset RULE.SETTING")
    return changes


def _acknowledge_or_snooze(args: argparse.Namespace, store: Store) -> int:
    found = store.cursor().execute("SELECT org_id FROM alerts WHERE alert_id = ?", [args.alert_id]).fetchall()
    if not found:
        raise CommandError(f"no alert {args.alert_id}: see `python -m analysis alerts --org ORG`")
    scope = open_scope(store, OPERATOR, found[0][0], "configure")
    if args.action == "ack":
        row = alerts.acknowledge_alert(scope, args.alert_id, args.note)
        print(f"acknowledged alert {args.alert_id} ({row['rule']}): {row['note']}")
    else:
        alerts.snooze_alert(scope, args.alert_id, args.until, args.note)
        print(f"snoozed alert {args.alert_id} until {args.until}")
    return 0


def _alert_list(args: argparse.Namespace, store: Store) -> int:
    if not args.org:
        raise CommandError("give --org ORG (and --rollout NAME), or one of: ack, snooze, settings, set")
    scope = org_scope(store, args.org)
    chosen = [find_rollout(scope, args.rollout)] if args.rollout else orgs.rollouts(scope)
    if args.history:
        return _history(args, [alerts.alert_history(scope, r) for r in chosen])
    found = [a for r in chosen for a in alerts.evaluate_alerts(scope, r, args.as_of)]
    if args.json:
        print(json.dumps([a.as_json() for a in found], indent=2))
    elif not found:
        print("no red flags")
    for a in found if not args.json else ():
        since = f" since {a.since}" if a.since else ""
        print(f"#{a.alert_id} {a.state} {a.severity} {a.rule} [{a.rollout}: {alerts.where(a)}]{since}: {a.message}")
        if a.state != "not_enough_data":
            print(f"    action: {a.action}")
    return 0


def _history(args: argparse.Namespace, frames: list[pd.DataFrame]) -> int:
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if args.json:
        records = json.loads(frame.to_json(orient="records", date_format="iso")) if not frame.empty else []
        for record in records:
            record["evidence"] = json.loads(record["evidence"]) if record.get("evidence") else None
        print(json.dumps(records, indent=2))
    elif frame.empty:
        print("no alert history yet")
    else:
        for row in frame.itertuples():
            place = alerts.place(*(v if isinstance(v, str) else None for v in (row.cohort, row.department, row.kind)))
            print(
                f"{row.event_at:%Y-%m-%d %H:%M} #{row.alert_id} {row.rollout} {row.rule} {place} "
                f"{row.from_state or '-'} -> {row.to_state} ({row.event}, {row.by_name})"
                + (f": {row.note}" if isinstance(row.note, str) else "")
            )
    return 0


def custom_kpis(scope, rollout, as_of, window: int) -> list[dict]:
    """kpis.custom.as_json against the rollout's selected baseline window."""
    chosen = kpis.baseline(scope, rollout, None, as_of, window, curve=False)
    return kpis.custom.as_json(scope, rollout, as_of, (chosen.start, chosen.end) if chosen else None)
