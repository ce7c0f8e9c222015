"""`baseline` and `target`: lock, list and select KPI baselines; the KPI table and its targets."""

from __future__ import annotations

import argparse

from analysis import kpis
from analysis.cli.common import a_date, find_rollout, org_scope
from analysis.store import Store


def add_parsers(sub) -> None:
    base = sub.add_parser("baseline", help="KPI baselines").add_subparsers(dest="action", required=True)
    lock = base.add_parser("lock", help="lock the figures over a window under a name (they never move again)")
    lock.add_argument("--org", required=True)
    lock.add_argument("--rollout", required=True)
    lock.add_argument("--name", required=True)
    lock.add_argument("--start", type=a_date, help="the window's first day (default: the baseline window)")
    lock.add_argument("--end", type=a_date, help="the window's last day")
    listed = base.add_parser("list", help="the computed baseline and the locked ones")
    listed.add_argument("--org", required=True)
    listed.add_argument("--rollout", required=True)
    listed.add_argument("--json", action="store_true")
    pick = base.add_parser("select", help="the baseline the KPI table and the ticket rules use")
    pick.add_argument("--org", required=True)
    pick.add_argument("--rollout", required=True)
    which = pick.add_mutually_exclusive_group(required=True)
    which.add_argument("--name", help="a locked baseline")
    which.add_argument("--computed", action="store_true", help="back to the computed baseline window")
    sub.choices["baseline"].set_defaults(run=run_baseline)

    target = sub.add_parser("target", help="KPI targets and the KPI table").add_subparsers(dest="action", required=True)
    table = target.add_parser("list", help="the KPI table: baseline -> current -> target, change and status")
    table.add_argument("--org", required=True)
    table.add_argument("--rollout", required=True)
    table.add_argument("--as-of", type=a_date)
    table.add_argument("--baseline", help="a locked baseline's name (default: the selected one)")
    table.add_argument("--json", action="store_true")
    goal = target.add_parser("set", help="set a KPI's target and due age")
    goal.add_argument("--org", required=True)
    goal.add_argument("--rollout", required=True)
    goal.add_argument("--kpi", required=True)
    value = goal.add_mutually_exclusive_group(required=True)
    value.add_argument("--value", type=float)
    value.add_argument("--none", action="store_true", help="remove the target")
    goal.add_argument("--due-age", type=int, help="days after go-live (default: the rollout's target age)")
    sub.choices["target"].set_defaults(run=run_target)


def run_baseline(args: argparse.Namespace, store: Store) -> int:
    scope = org_scope(store, args.org, "view" if args.action == "list" else "configure")
    rollout = find_rollout(scope, args.rollout)
    if args.action == "lock":
        made = kpis.lock_baseline(scope, rollout, args.name, args.start, args.end)
        print(
            f"locked baseline {made.name!r} of {rollout.name!r}: {made.start} .. {made.end} ({made.days} days), "
            f"{made.support_figure('tickets')} tickets, from loads {', '.join(map(str, made.upload_ids)) or 'none'}"
        )
    elif args.action == "list":
        frame = kpis.baseline_list(scope, rollout)
        if args.json:
            print(frame.to_json(orient="records", date_format="iso"))
        else:
            print(frame.drop(columns=["upload_ids"]).to_string(index=False))
    else:
        chosen = kpis.select_baseline(scope, rollout, None if args.computed else args.name)
        print(
            f"{rollout.name!r} now uses the baseline {chosen.name!r} ({chosen.start} .. {chosen.end})"
            if chosen
            else f"{rollout.name!r} has no baseline window"
        )
    return 0


def run_target(args: argparse.Namespace, store: Store) -> int:
    scope = org_scope(store, args.org, "view" if args.action == "list" else "configure")
    rollout = find_rollout(scope, args.rollout)
    if args.action == "list":
        frame = kpis.kpi_table(scope, rollout, args.as_of, args.baseline)
        if args.json:
            print(frame.to_json(orient="records", date_format="iso"))
        else:
            shown = frame[["kpi", "cohort", "baseline", "current", "target", "change", "change_pct", "status", "note"]]
            print(shown.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:.3g}"))
    else:
        made = kpis.set_target(scope, rollout, args.kpi, None if args.none else args.value, args.due_age)
        print(
            f"{rollout.name!r}: {made.kpi} target "
            + (f"{made.value:g} by age {made.due_age_days}" if made.value is not None else "removed")
        )
    return 0
