"""`kpis` and `alerts`: the rollout's figures as JSON, and the red flags (list them and their
history, acknowledge, snooze, show and change the thresholds). The JSON documents are
analysis/api/documents.py's, shared with the API; `kpis` and the alert list also run through the
app's API while it holds the database (analysis/cli/remote.py)."""

from __future__ import annotations

import argparse
import json
from datetime import date

import pandas as pd

from analysis import alerts, metrics, orgs, schedule
from analysis.access import OPERATOR
from analysis.api.documents import SEVERITIES, alerts_document, flags_at_or_above, kpis_document
from analysis.cli.common import CommandError, a_date, find_rollout, org_scope
from analysis.cli.remote import Api
from analysis.orgs import Rollout
from analysis.scope import Scope, open_scope
from analysis.store import Store

RECORD_HELP = (
    "record the red flags' state changes in their history, as the app's scheduled evaluation does "
    "(without it the command only reads)"
)


def add_parsers(sub) -> None:
    kpis = sub.add_parser("kpis", help="the rollout's figures")
    kpis.add_argument("--org", required=True)
    kpis.add_argument("--rollout", required=True)
    kpis.add_argument("--as-of", type=a_date)
    kpis.add_argument("--window", type=int)
    kpis.add_argument("--json", action="store_true", required=True)
    kpis.add_argument("--record", action="store_true", help=RECORD_HELP)
    kpis.set_defaults(run=run_kpis, remote=remote_kpis)

    al = sub.add_parser("alerts", help="red flags: list them (and their history), acknowledge, snooze, thresholds")
    al.add_argument("--org", help="the organisation whose alerts to list")
    al.add_argument("--rollout", help="one rollout (default: every rollout of the organisation)")
    al.add_argument("--as-of", type=a_date, help="evaluate as of this day (default: the newest usage day)")
    al.add_argument("--history", action="store_true", help="every state change, acknowledgement and snooze")
    al.add_argument("--json", action="store_true")
    al.add_argument("--record", action="store_true", help=RECORD_HELP)
    al.add_argument(
        "--fail-on",
        choices=SEVERITIES[::-1],
        help="exit 1 when a red flag of this severity or higher holds (firing, acknowledged or snoozed)",
    )
    al.set_defaults(run=run_alerts, remote=remote_alerts)
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
    check_as_of(scope, rollout, args.as_of)
    if args.window is not None and args.window < 1:
        raise CommandError("--window is a number of days, 1 or more")
    found = kpis_document(scope, args.org, rollout, args.as_of, args.window, record=_record(args))
    if args.record:
        schedule.queue_news(store)
    print(json.dumps(found, indent=2))
    return 0


def remote_kpis(args: argparse.Namespace, api: Api) -> int:
    if args.window is not None and args.window < 1:
        raise CommandError("--window is a number of days, 1 or more")
    found = api.get("orgs", args.org, "rollouts", args.rollout, "kpis", as_of=args.as_of, window=args.window)
    print(json.dumps(found, indent=2))
    return 0


def check_as_of(scope: Scope, rollout: Rollout, as_of: date | None) -> None:
    """Refuse an --as-of outside the dates of the organisation's data (the range the pages offer);
    with no data at all any day is taken (every figure is empty: a load undone, say)."""
    span = metrics.as_of_range(metrics.freshness(scope, rollout)) if as_of else None
    if as_of and span and not span[0] <= as_of <= span[1]:
        raise CommandError(f"--as-of {as_of} is outside the data: choose a day from {span[0]} to {span[1]}")


def _record(args: argparse.Namespace) -> bool | None:
    """evaluate_alerts' record: False (only read) without --record; with it None, so a day before
    the newest is still not recorded (a look back never rewrites the history). The news of what was
    recorded is queued by the callers (analysis/schedule.py)."""
    return None if args.record else False


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
    for r in chosen:
        check_as_of(scope, r, args.as_of)
    found = alerts_document(scope, chosen, args.as_of, record=_record(args))
    if args.record:
        schedule.queue_news(scope.store)
    return _print_alerts(args, found)


def remote_alerts(args: argparse.Namespace, api: Api) -> int | None:
    """`alerts` (the list) through the app's API; None for the forms that need the database."""
    if args.action is not None or args.history:
        return None
    if not args.org:
        raise CommandError("give --org ORG (and --rollout NAME)")
    where = ("orgs", args.org, "rollouts", args.rollout) if args.rollout else ("orgs", args.org)
    return _print_alerts(args, api.get(*where, "alerts", as_of=args.as_of))


def _print_alerts(args: argparse.Namespace, found: list[dict]) -> int:
    """Print the alerts (ALERT records); 1 when --fail-on's severity (or a higher one) holds."""
    if args.json:
        print(json.dumps(found, indent=2))
    elif not found:
        print("no red flags")
    for a in found if not args.json else ():
        since = f" since {a['since']}" if a["since"] else ""
        place = alerts.place(a["cohort"], a["department"], a["kind"])
        print(
            f"#{a['id'] or '-'} {a['state']} {a['severity']} {a['rule']} [{a['rollout']}: {place}]{since}: {a['message']}"
        )
        if a["state"] != "not_enough_data":
            print(f"    action: {a['action']}")
    return 1 if args.fail_on and flags_at_or_above(found, args.fail_on) else 0


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
