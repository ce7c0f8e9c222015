"""The command line: `python -m analysis ...` (METRICS.md section 6).

The provider's operator tool on the server: it opens the database named by UPTAKE_DB and acts
with the admin's rights. Every failure is one line on stderr and a non-zero exit.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import duckdb

from analysis import alerts, auth, metrics, orgs, support, uploads
from analysis.access import OPERATOR, ROLES
from analysis.files import FileRefused
from analysis.ingest import load_file
from analysis.scope import open_scope
from analysis.secretbox import SecretKeyError
from analysis.store import DatabaseBusy, Store


class CommandError(Exception):
    pass


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _cohort(text: str) -> tuple[str, date]:
    name, sep, day = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: write a cohort as NAME=YYYY-MM-DD")
    return name.strip().lower(), _date(day.strip())


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description="Uptake's command line.")
    sub = p.add_subparsers(dest="command", required=True)

    org = sub.add_parser("org", help="organisations").add_subparsers(dest="action", required=True)
    org_add = org.add_parser("add", help="add an organisation")
    org_add.add_argument("name")
    org_add.add_argument("--time-zone", default="UTC")
    org_add.add_argument("--domain", action="append", default=[], help="an email domain of its people")
    org.add_parser("list", help="list organisations")

    rollout = sub.add_parser("rollout", help="rollouts").add_subparsers(dest="action", required=True)
    r_add = rollout.add_parser("add", help="add a rollout with its cohorts")
    r_add.add_argument("--org", required=True)
    r_add.add_argument("--name", required=True)
    r_add.add_argument("--cohort", type=_cohort, action="append", required=True,
                       help="NAME=YYYY-MM-DD, once per cohort (champion, wider, ...)")
    r_add.add_argument("--activities", type=_csv_list, default=[])
    r_add.add_argument("--legacy", type=_csv_list, default=[])
    r_add.add_argument("--target-adoption", type=float, default=0.8)
    r_add.add_argument("--target-age", type=int, default=30, help="days after go-live")
    r_add.add_argument("--window", type=int, default=28, choices=(7, 28))
    r_set = rollout.add_parser("set", help="change a rollout's settings (what is not given stays as it is)")
    r_set.add_argument("--org", required=True)
    r_set.add_argument("--name", required=True)
    r_set.add_argument("--cohort", type=_cohort, action="append", default=[],
                       help="NAME=YYYY-MM-DD: move a cohort's go-live, or add a new wave (repeat)")
    r_set.add_argument("--activities", type=_csv_list, help="A,B: the activities that count ('' = all but legacy)")
    r_set.add_argument("--legacy", type=_csv_list, help="X,Y: the legacy activities ('' = none)")
    r_set.add_argument("--categories", type=_csv_list, help="ticket filter: categories ('' = none)")
    r_set.add_argument("--keywords", type=_csv_list, help="ticket filter: words in the subject ('' = none)")
    r_set.add_argument("--window", type=int, choices=(7, 28))
    r_set.add_argument("--target-adoption", type=float)
    r_set.add_argument("--target-age", type=int, help="days after go-live")

    note = sub.add_parser("annotate", help="add a dated event to a rollout's time charts")
    note.add_argument("--org", required=True)
    note.add_argument("--rollout", required=True)
    note.add_argument("--date", type=_date, required=True)
    note.add_argument("--kind", required=True, type=str.lower,
                      choices=("go-live", "training", "communication", "remediation", "other"))
    note.add_argument("--note", required=True)

    load = sub.add_parser("load", help="load a roster, usage or tickets file")
    load.add_argument("--org", required=True)
    load.add_argument("--rollout")
    load.add_argument("--kind", required=True, choices=("roster", "usage", "tickets"))
    load.add_argument("--format", default="auto",
                      help="auto (recognise the export), canonical, a format (README: Real exports) or a saved preset")
    load.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                      help="the file's column holding a canonical field (repeat): --map ticket_id=\"SR Number\"")
    order = load.add_mutually_exclusive_group()
    order.add_argument("--dayfirst", dest="dayfirst", action="store_const", const=True, default=None,
                       help="read d/m/y dates day first where their values leave it open")
    order.add_argument("--monthfirst", dest="dayfirst", action="store_const", const=False,
                       help="read d/m/y dates month first where their values leave it open")
    load.add_argument("--save-preset", metavar="NAME",
                      help="after a successful load, save --map and --dayfirst/--monthfirst as a preset")
    load.add_argument("--json", action="store_true")
    load.add_argument("file", type=Path)

    user = sub.add_parser("user", help="accounts").add_subparsers(dest="action", required=True)
    u_add = user.add_parser("add", help="add an account; the password is read from standard input")
    u_add.add_argument("email")
    u_add.add_argument("--role", required=True, choices=ROLES)
    u_add.add_argument("--org", action="append", default=[], help="an organisation it may see (repeat)")
    how = u_add.add_mutually_exclusive_group(required=True)
    how.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (never from the command line)")
    how.add_argument("--sso-only", action="store_true", help="no password: signs in with single sign-on only")
    user.add_parser("list", help="list accounts")
    user.add_parser("disable", help="disable an account and end its sign-ins").add_argument("email")
    user.add_parser("reset", help="print a one-time password the person must change").add_argument("email")

    up = sub.add_parser("uploads", help="the load history")
    up.add_argument("--org", required=True)
    up.add_argument("--json", action="store_true")

    undo = sub.add_parser("undo", help="undo a load")
    undo.add_argument("upload_id", type=int)

    kpis = sub.add_parser("kpis", help="the rollout's figures")
    kpis.add_argument("--org", required=True)
    kpis.add_argument("--rollout", required=True)
    kpis.add_argument("--as-of", type=_date)
    kpis.add_argument("--window", type=int)
    kpis.add_argument("--json", action="store_true", required=True)
    _alert_parsers(sub)

    pack = sub.add_parser("report", help="the report pack for a quarterly business review (PowerPoint or PDF)")
    pack.add_argument("--org", required=True)
    pack.add_argument("--rollout", required=True)
    pack.add_argument("--as-of", type=_date, help="default: the newest usage day")
    pack.add_argument("--window", type=int, help="days (default: the rollout's window)")
    pack.add_argument("--format", required=True, metavar="pptx|pdf")
    pack.add_argument("--out", type=Path, required=True, help="the file to write")
    return p


def _org_scope(store: Store, name: str, action: str = "view"):
    try:
        org_id = orgs.organisation_id(store, OPERATOR, name)
    except LookupError as exc:
        raise CommandError(f"{exc}: add it with `python -m analysis org add NAME`") from None
    return open_scope(store, OPERATOR, org_id, action)


def _rollout(scope, name):
    try:
        return orgs.rollout(scope, name)
    except LookupError as exc:
        raise CommandError(f"{exc}: add it with `python -m analysis rollout add`") from None


def run(args: argparse.Namespace, store: Store) -> int:
    if args.command == "org" and args.action == "add":
        org_id = orgs.add_organisation(store, OPERATOR, args.name, args.time_zone, args.domain)
        print(f"added organisation {args.name!r} (id {org_id})")
    elif args.command == "org" and args.action == "list":
        for _, row in orgs.organisations(store, OPERATOR).iterrows():
            print(f"{row['org_id']}\t{row['name']}\t{row['time_zone']}")
    elif args.command == "annotate" or (args.command == "rollout" and args.action == "set"):
        _settings_command(args, store)
    elif args.command == "rollout":
        scope = _org_scope(store, args.org, "configure")
        cohorts = dict(args.cohort)
        orgs.add_rollout(scope, args.name, cohorts, args.activities, args.legacy, args.target_adoption,
                         args.target_age, args.window)
        print(f"added rollout {args.name!r} to {args.org!r} with cohorts "
              + ", ".join(f"{c} (go-live {d})" for c, d in cohorts.items()))
    elif args.command == "user":
        _user(args, store)
    elif args.command == "load":
        return _load(args, store)
    elif args.command == "uploads":
        scope = _org_scope(store, args.org)
        frame = uploads.history(scope)
        if args.json:
            print(frame.drop(columns=["messages"]).to_json(orient="records", date_format="iso"))
        elif frame.empty:
            print("no loads yet")
        else:
            cols = ["upload_id", "loaded_at", "kind", "file_name", "rows_read", "rows_loaded", "rows_updated",
                    "rows_rejected", "rows_duplicate", "undone_at"]
            frame["loaded_at"] = frame["loaded_at"].dt.strftime("%Y-%m-%d %H:%M")
            frame["undone_at"] = frame["undone_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("")
            print(frame[cols].to_string(index=False))
    elif args.command == "undo":
        org = store.cursor().execute("SELECT o.name FROM uploads u JOIN organisations o USING (org_id) "
                                     "WHERE u.upload_id = ?", [args.upload_id]).fetchall()
        if not org:
            raise CommandError(f"no load {args.upload_id}: see `python -m analysis uploads --org ORG`")
        done = uploads.undo(_org_scope(store, org[0][0], "undo"), args.upload_id)
        print(f"undid load {done['upload_id']} ({done['kind']})")
    elif args.command == "kpis":
        print(json.dumps(_kpis(args, store), indent=2))
    elif args.command in ("alerts", "baseline", "target"):
        return _alert_command(args, store)
    elif args.command == "report":
        _report(args, store)
    return 0


def _report(args, store: Store) -> None:
    """`report`: the report pack, as the Overview page builds it. The chart builders live in ui
    (ui.charts, drawn by ui.report), which import no streamlit: tests/test_layering.py checks it."""
    from ui.report import LABELS, build_pack

    kind = args.format.strip().lower()
    if kind not in LABELS:
        raise CommandError(f"--format {args.format!r}: write pptx or pdf")
    scope = _org_scope(store, args.org, "export")
    rollout = _rollout(scope, args.rollout)
    fresh = metrics.freshness(scope, rollout)
    as_of = args.as_of or fresh["newest_usage_day"] or fresh["newest_ticket_day"]
    if as_of is None:
        raise CommandError(f"no usage or tickets for {rollout.name!r} yet: load an export first")
    window = args.window or rollout.window_days
    if window < 1:
        raise CommandError("--window is a number of days, 1 or more")
    if not args.out.parent.is_dir():
        raise CommandError(f"cannot write {args.out}: there is no folder {args.out.parent}")
    tty = sys.stderr.isatty()
    step = (lambda text: print(f"\r\033[K{text} ...", end="", file=sys.stderr, flush=True)) if tty else None
    pack = build_pack(scope, rollout, as_of, window, (kind,), progress=step)
    if tty:
        print("\r\033[K", end="", file=sys.stderr)
    part = args.out.with_name(args.out.name + ".part")   # written whole, then renamed: never half a file
    try:
        part.write_bytes(pack.files[kind])
        part.replace(args.out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise CommandError(f"cannot write {args.out}: {exc.strerror}") from None
    pages = len(pack.contents.sections) + 1
    print(f"wrote {args.out}: the {LABELS[kind]} of {rollout.name!r} as of {as_of} ({window}-day window), "
          f"{pages} {'slides' if kind == 'pptx' else 'pages'}, {len(pack.files[kind]) // 1024:,} KB, "
          f"in {pack.seconds:.1f} s")
    if pack.why_missing:
        print(f"uptake: the charts are left out: {pack.why_missing}", file=sys.stderr)


def _settings_command(args, store: Store) -> None:
    """`rollout set` and `annotate`."""
    from analysis import annotations, settings

    if args.command == "annotate":
        scope = _org_scope(store, args.org, "annotate")
        rollout = _rollout(scope, args.rollout)
        made = annotations.add_annotation(scope, rollout.rollout_id, args.date, args.kind, args.note)
        print(f"added annotation {made} to {rollout.name!r}: {args.date} {args.kind}")
        return
    scope = _org_scope(store, args.org, "configure")
    rollout = _rollout(scope, args.name)
    given = dict(cohorts=dict(args.cohort) or None, activities=args.activities, legacy=args.legacy,
                 categories=args.categories, keywords=args.keywords, window_days=args.window,
                 target_adoption=args.target_adoption, target_age_days=args.target_age)
    if all(value is None for value in given.values()):
        raise CommandError("nothing to change: give at least one of --cohort, --activities, --legacy, "
                           "--categories, --keywords, --window, --target-adoption, --target-age")
    changed = settings.set_rollout(scope, rollout.rollout_id, **given)
    print(f"{rollout.name!r}: " + (" ".join(changed) if changed else "nothing changed (already so)"))


def _user(args, store: Store) -> None:
    if args.action == "add":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
        org_ids = [orgs.organisation_id(store, OPERATOR, name) for name in args.org]
        made = auth.add_account(store, OPERATOR, args.email, args.role, org_ids, password=password)
        print(f"added {made.email} ({made.role})")
    elif args.action == "list":
        table = auth.accounts(store, OPERATOR)
        print(table[["email", "role", "organisations", "totp_enabled", "disabled_at"]].to_string(index=False)
              if not table.empty else "no accounts yet")
    elif args.action == "disable":
        auth.disable_account(store, OPERATOR, args.email)
        print(f"disabled {auth.normalise_email(args.email)}; their sign-ins have ended")
    elif args.action == "reset":
        print(auth.reset_password(store, OPERATOR, args.email))


def _load(args, store: Store) -> int:
    from analysis import presets

    mapping = {}
    for item in args.map:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise CommandError(f"--map {item!r}: write it as FIELD=COLUMN, e.g. --map ticket_id=\"SR Number\"")
        mapping[name.strip().lower()] = column.strip()
    if args.save_preset:
        presets.validate(args.save_preset, args.kind, mapping)   # a bad name fails before loading
    scope = _org_scope(store, args.org, "upload")
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    bar = _progress_bar(enabled=not args.json and sys.stderr.isatty())
    try:
        result = load_file(scope, args.kind, args.file.name, data, rollout=args.rollout, progress=bar,
                           format=args.format, mapping=mapping, dayfirst=args.dayfirst)
    except FileRefused as exc:
        if args.json:
            print(json.dumps({"refused": True, "messages": exc.messages}))
        else:
            print(f"refused: {exc.messages[0]}", file=sys.stderr)
        return 1
    except LookupError as exc:
        raise CommandError(str(exc)) from None
    if args.save_preset:
        saved = presets.save_preset(scope, args.save_preset, args.kind, mapping, args.dayfirst)
        result.messages.append(f"Saved the preset {saved.name!r}: load such files with --format {saved.name!r}")
    if args.json:
        print(json.dumps(result.as_json()))
    else:
        print(f"load {result.upload_id}: read {result.rows_read}, loaded {result.rows_loaded}, "
              f"updated {result.rows_updated}, rejected {result.rows_rejected}, "
              f"duplicate {result.rows_duplicate}")
        for message in result.messages:
            print(f"  {message}")
        for reject in result.rejects[:10]:
            print(f"  line {reject.line}" + (f", column {reject.column}" if reject.column else "")
                  + f": {reject.reason}")
    return 0


def _progress_bar(enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    bar = tqdm(total=100, file=sys.stderr, leave=False, bar_format="{desc} {bar} {percentage:3.0f}%")

    def update(fraction: float, text: str) -> None:
        bar.set_description_str(text)
        bar.update(round(fraction * 100) - bar.n)
        if fraction >= 1:
            bar.close()
    return update


def _kpis(args, store: Store) -> dict:
    scope = _org_scope(store, args.org)
    rollout = _rollout(scope, args.rollout)
    as_of = args.as_of or metrics.default_as_of(scope, rollout) or date.today()
    window = args.window or rollout.window_days
    if window < 1:
        raise CommandError("--window is a number of days, 1 or more")
    cohorts = metrics.cohort_figures(scope, rollout, as_of, window)
    tickets = support.support_kpis(scope, rollout, as_of, window)
    return {
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
    }


# -- KPI targets, baselines and red flags (`target`, `baseline`, `alerts`) ------------------------------

def _alert_parsers(sub) -> None:
    al = sub.add_parser("alerts", help="red flags: list them (and their history), acknowledge, snooze, thresholds")
    al.add_argument("--org", help="the organisation whose alerts to list")
    al.add_argument("--rollout", help="one rollout (default: every rollout of the organisation)")
    al.add_argument("--as-of", type=_date, help="evaluate as of this day (default: the newest usage day)")
    al.add_argument("--history", action="store_true", help="every state change, acknowledgement and snooze")
    al.add_argument("--json", action="store_true")
    act = al.add_subparsers(dest="action")
    ack = act.add_parser("ack", help="acknowledge an alert, with a note")
    ack.add_argument("--id", type=int, required=True, dest="alert_id")
    ack.add_argument("--note", required=True)
    snooze = act.add_parser("snooze", help="snooze an alert until a date (it fires again then if it still holds)")
    snooze.add_argument("--id", type=int, required=True, dest="alert_id")
    snooze.add_argument("--until", type=_date, required=True)
    snooze.add_argument("--note")
    shown = act.add_parser("settings", help="every rule's thresholds for a rollout")
    shown.add_argument("--org", required=True)
    shown.add_argument("--rollout", required=True)
    shown.add_argument("--json", action="store_true")
    change = act.add_parser("set", help="change (or --reset) rule thresholds: RULE.SETTING=VALUE ...")
    change.add_argument("--org", required=True)
    change.add_argument("--rollout", required=True)
    change.add_argument("assignments", nargs="*", metavar="RULE.SETTING=VALUE")
    change.add_argument("--reset", action="append", default=[], metavar="RULE.SETTING",
                        help="back to the default (repeat)")

    base = sub.add_parser("baseline", help="KPI baselines").add_subparsers(dest="action", required=True)
    lock = base.add_parser("lock", help="lock the figures over a window under a name (they never move again)")
    lock.add_argument("--org", required=True)
    lock.add_argument("--rollout", required=True)
    lock.add_argument("--name", required=True)
    lock.add_argument("--start", type=_date, help="the window's first day (default: the baseline window)")
    lock.add_argument("--end", type=_date, help="the window's last day")
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

    target = sub.add_parser("target", help="KPI targets and the KPI table").add_subparsers(dest="action", required=True)
    table = target.add_parser("list", help="the KPI table: baseline -> current -> target, change and status")
    table.add_argument("--org", required=True)
    table.add_argument("--rollout", required=True)
    table.add_argument("--as-of", type=_date)
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


def _alert_command(args, store: Store) -> int:
    from analysis import alerts, baselines

    if args.command == "alerts" and args.action in ("ack", "snooze"):
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
    if args.command == "alerts" and args.action is None:
        return _alert_list(args, store)
    scope = _org_scope(store, args.org, "view" if args.action in ("list", "settings") else "configure")
    rollout = _rollout(scope, args.rollout)
    if args.command == "alerts" and args.action == "settings":
        rules = alerts.thresholds(scope, rollout)
        if args.json:
            print(json.dumps(rules, indent=2))
        for rule, values in rules.items() if not args.json else ():
            print(f"{rule}: " + ", ".join(f"{k}={v:g}" for k, v in values.items()))
    elif args.command == "alerts":
        changes = []
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
        for rule, setting, number in changes:
            values = alerts.set_threshold(scope, rollout, rule, setting, number)
            print(f"{rule.upper()}.{setting} = {values[setting]:g}" + (" (default)" if number is None else ""))
    elif args.action == "lock":
        made = baselines.lock_baseline(scope, rollout, args.name, args.start, args.end)
        print(f"locked baseline {made.name!r} of {rollout.name!r}: {made.start} .. {made.end} ({made.days} days), "
              f"{made.support_figure('tickets')} tickets, from loads {', '.join(map(str, made.upload_ids)) or 'none'}")
    elif args.command == "baseline" and args.action == "list":
        frame = baselines.baseline_list(scope, rollout)
        if args.json:
            print(frame.to_json(orient="records", date_format="iso"))
        else:
            print(frame.drop(columns=["upload_ids"]).to_string(index=False))
    elif args.action == "select":
        chosen = baselines.select_baseline(scope, rollout, None if args.computed else args.name)
        print(f"{rollout.name!r} now uses the baseline {chosen.name!r} ({chosen.start} .. {chosen.end})"
              if chosen else f"{rollout.name!r} has no baseline window")
    elif args.command == "target" and args.action == "list":
        frame = baselines.kpi_table(scope, rollout, args.as_of, args.baseline)
        if args.json:
            print(frame.to_json(orient="records", date_format="iso"))
        else:
            shown = frame[["kpi", "cohort", "baseline", "current", "target", "change", "change_pct", "status", "note"]]
            print(shown.to_string(index=False, na_rep="-", float_format=lambda v: f"{v:.3g}"))
    else:
        made = baselines.set_target(scope, rollout, args.kpi, None if args.none else args.value, args.due_age)
        print(f"{rollout.name!r}: {made.kpi} target "
              + (f"{made.value:g} by age {made.due_age_days}" if made.value is not None else "removed"))
    return 0


def _alert_list(args, store: Store) -> int:
    import pandas as pd

    from analysis import alerts

    if not args.org:
        raise CommandError("give --org ORG (and --rollout NAME), or one of: ack, snooze, settings, set")
    scope = _org_scope(store, args.org)
    chosen = [_rollout(scope, args.rollout)] if args.rollout else orgs.rollouts(scope)
    if args.history:
        frames = [alerts.alert_history(scope, r) for r in chosen]
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
                where = next((v for v in (row.cohort, row.department, row.kind) if isinstance(v, str)), "whole rollout")
                print(f"{row.event_at:%Y-%m-%d %H:%M} #{row.alert_id} {row.rollout} {row.rule} {where} "
                      f"{row.from_state or '-'} -> {row.to_state} ({row.event}, {row.by_name})"
                      + (f": {row.note}" if isinstance(row.note, str) else ""))
        return 0
    found = [a for r in chosen for a in alerts.evaluate_alerts(scope, r, args.as_of)]
    if args.json:
        print(json.dumps([a.as_json() for a in found], indent=2))
    elif not found:
        print("no red flags")
    for a in found if not args.json else ():
        where = a.cohort or a.department or a.kind or "whole rollout"
        since = f" since {a.since}" if a.since else ""
        print(f"#{a.alert_id} {a.state} {a.severity} {a.rule} [{a.rollout}: {where}]{since}: {a.message}")
        if a.state != "not_enough_data":
            print(f"    action: {a.action}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        store = Store()
    except (DatabaseBusy, SecretKeyError) as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 3
    try:
        return run(args, store)
    except (CommandError, ValueError, PermissionError, LookupError) as exc:
        print(f"uptake: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # nothing was changed: every write is one transaction
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"uptake: the database refused this ({first_line}); nothing was changed", file=sys.stderr)
        return 2
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
