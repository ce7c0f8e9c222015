"""`org`, `rollout` and `annotate`: organisations, their rollouts and the rollouts' dated events.
`org list` and `rollout list` also run through the app's API (analysis/cli/remote.py)."""

from __future__ import annotations

import argparse
import json
from datetime import date

from analysis import orgs, retention, settings
from analysis.access import OPERATOR
from analysis.annotations import add_annotation
from analysis.api.documents import organisations_document, rollouts_document
from analysis.cli.common import CommandError, a_cohort, a_date, csv_list, find_rollout, org_scope
from analysis.cli.remote import Api
from analysis.store import Store
from analysis.words import plural


def add_parsers(sub) -> None:
    org = sub.add_parser("org", help="organisations").add_subparsers(dest="action", required=True)
    org_add = org.add_parser("add", help="add an organisation")
    org_add.add_argument("name")
    org_add.add_argument("--time-zone", default="UTC")
    org_add.add_argument("--domain", action="append", default=[], help="an email domain of its people")
    org_list = org.add_parser("list", help="list organisations")
    org_list.add_argument("--json", action="store_true")
    org_list.set_defaults(remote=remote_org_list)
    keep = org.add_parser(
        "retention", help="keep raw usage events for N months (the daily figures stay); show it without options"
    )
    keep.add_argument("--org", required=True)
    keep.add_argument("--months", type=int, help="months to keep raw usage events; 0: for ever")
    keep.add_argument("--remove-now", action="store_true", help="remove the events older than that now")
    sub.choices["org"].set_defaults(run=run_org)

    rollout = sub.add_parser("rollout", help="rollouts").add_subparsers(dest="action", required=True)
    r_add = rollout.add_parser("add", help="add a rollout with its cohorts")
    r_add.add_argument("--org", required=True)
    r_add.add_argument("--name", required=True)
    r_add.add_argument(
        "--cohort",
        type=a_cohort,
        action="append",
        required=True,
        help="NAME=YYYY-MM-DD, once per cohort (champion, wider, ...)",
    )
    r_add.add_argument("--activities", type=csv_list, default=[])
    r_add.add_argument("--legacy", type=csv_list, default=[])
    r_add.add_argument("--target-adoption", type=float, default=0.8)
    r_add.add_argument("--target-age", type=int, default=30, help="days after go-live")
    r_add.add_argument("--window", type=int, default=28, choices=(7, 28))
    r_set = rollout.add_parser("set", help="change a rollout's settings (what is not given stays as it is)")
    r_set.add_argument("--org", required=True)
    r_set.add_argument("--name", required=True)
    r_set.add_argument(
        "--cohort",
        type=a_cohort,
        action="append",
        default=[],
        help="NAME=YYYY-MM-DD: move a cohort's go-live, or add a new wave (repeat)",
    )
    r_set.add_argument("--activities", type=csv_list, help="A,B: the activities that count ('' = all but legacy)")
    r_set.add_argument("--legacy", type=csv_list, help="X,Y: the legacy activities ('' = none)")
    r_set.add_argument("--categories", type=csv_list, help="ticket filter: categories ('' = none)")
    r_set.add_argument("--keywords", type=csv_list, help="ticket filter: words in the subject ('' = none)")
    r_set.add_argument("--window", type=int, choices=(7, 28))
    r_set.add_argument("--target-adoption", type=float)
    r_set.add_argument("--target-age", type=int, help="days after go-live")
    r_list = rollout.add_parser("list", help="an organisation's rollouts, their cohorts and targets")
    r_list.add_argument("--org", required=True)
    r_list.add_argument("--json", action="store_true")
    r_list.set_defaults(remote=remote_rollout_list)
    sub.choices["rollout"].set_defaults(run=run_rollout)

    note = sub.add_parser("annotate", help="add a dated event to a rollout's time charts")
    note.add_argument("--org", required=True)
    note.add_argument("--rollout", required=True)
    note.add_argument("--date", type=a_date, required=True)
    note.add_argument(
        "--kind",
        required=True,
        type=str.lower,
        choices=("go-live", "training", "communication", "remediation", "other"),
    )
    note.add_argument("--note", required=True)
    note.set_defaults(run=run_annotate)


def run_org(args: argparse.Namespace, store: Store) -> int:
    if args.action == "add":
        org_id = orgs.add_organisation(store, OPERATOR, args.name, args.time_zone, args.domain)
        print(f"added organisation {args.name!r} (id {org_id})")
    elif args.action == "retention":
        _retention(args, store)
    else:
        _print_organisations(args, organisations_document(store, OPERATOR))
    return 0


def _retention(args: argparse.Namespace, store: Store) -> None:
    """`org retention`: set (--months), apply (--remove-now) or show the raw-event retention (analysis/retention.py)."""
    scope = org_scope(store, args.org, "configure")
    if args.months is not None:
        if args.months < 0:
            raise CommandError("--months is a number of months, or 0 to keep every event")
        try:
            print(retention.set_keep_months(scope, args.months or None))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    if args.remove_now:
        done = retention.remove_old_events(scope, date.today())
        if done["horizon"] is None:
            print("no retention is set: every raw usage event is kept")
        else:
            print(
                f"removed {plural(done['events_removed'], 'raw usage event')} dated before {done['horizon']} "
                f"(from {plural(len(done['loads']), 'load')}, which can no longer be undone); the daily figures stay"
            )
    months, kept_from = retention.setting(scope)
    if args.months is None and not args.remove_now:
        kept = "for ever" if months is None else f"for {plural(months, 'month')}"
        print(f"raw usage events are kept {kept}" + (f"; events before {kept_from} were removed" if kept_from else ""))


def remote_org_list(args: argparse.Namespace, api: Api) -> int:
    _print_organisations(args, api.get("orgs"))
    return 0


def _print_organisations(args: argparse.Namespace, found: list[dict]) -> None:
    if args.json:
        print(json.dumps(found, indent=2))
    for org in found if not args.json else ():
        print(f"{org['id']}\t{org['name']}\t{org['time_zone']}")


def run_rollout(args: argparse.Namespace, store: Store) -> int:
    if args.action == "set":
        return _set_rollout(args, store)
    if args.action == "list":
        _print_rollouts(args, rollouts_document(org_scope(store, args.org)))
        return 0
    scope = org_scope(store, args.org, "configure")
    cohorts = dict(args.cohort)
    orgs.add_rollout(
        scope, args.name, cohorts, args.activities, args.legacy, args.target_adoption, args.target_age, args.window
    )
    print(
        f"added rollout {args.name!r} to {args.org!r} with cohorts "
        + ", ".join(f"{c} (go-live {d})" for c, d in cohorts.items())
    )
    return 0


def remote_rollout_list(args: argparse.Namespace, api: Api) -> int:
    _print_rollouts(args, api.get("orgs", args.org, "rollouts"))
    return 0


def _print_rollouts(args: argparse.Namespace, found: list[dict]) -> None:
    if args.json:
        print(json.dumps(found, indent=2))
    elif not found:
        print("no rollouts yet")
    for r in found if not args.json else ():
        cohorts = ", ".join(f"{name} {day}" for name, day in r["cohorts"].items())
        print(
            f"{r['id']}\t{r['name']}\t{cohorts}\ttarget {r['target_adoption']:g} by day {r['target_age_days']}"
            f"\t{r['window_days']}-day window"
        )


def _set_rollout(args: argparse.Namespace, store: Store) -> int:
    scope = org_scope(store, args.org, "configure")
    rollout = find_rollout(scope, args.name)
    given = dict(
        cohorts=dict(args.cohort) or None,
        activities=args.activities,
        legacy=args.legacy,
        categories=args.categories,
        keywords=args.keywords,
        window_days=args.window,
        target_adoption=args.target_adoption,
        target_age_days=args.target_age,
    )
    if all(value is None for value in given.values()):
        raise CommandError(
            "nothing to change: give at least one of --cohort, --activities, --legacy, "
            "--categories, --keywords, --window, --target-adoption, --target-age"
        )
    changed = settings.set_rollout(scope, rollout.rollout_id, **given)
    print(f"{rollout.name!r}: " + (" ".join(changed) if changed else "nothing changed (already so)"))
    return 0


def run_annotate(args: argparse.Namespace, store: Store) -> int:
    scope = org_scope(store, args.org, "annotate")
    rollout = find_rollout(scope, args.rollout)
    made = add_annotation(scope, rollout.rollout_id, args.date, args.kind, args.note)
    print(f"added annotation {made} to {rollout.name!r}: {args.date} {args.kind}")
    return 0
