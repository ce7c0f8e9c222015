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

from analysis import auth, metrics, orgs, uploads
from analysis.access import OPERATOR, ROLES
from analysis.files import FileRefused
from analysis.ingest import load_file
from analysis.scope import open_scope
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
    u_add.add_argument("--password-stdin", action="store_true", required=True,
                       help="read the password from standard input (never from the command line)")
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
    return 0


def _user(args, store: Store) -> None:
    if args.action == "add":
        password = sys.stdin.readline().rstrip("\n")
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
    from analysis import support

    cohorts = metrics.cohort_figures(scope, rollout, as_of, window)
    tickets = support.support_kpis(scope, rollout, as_of, window)
    return {
        "org": args.org,
        "rollout": rollout.name,
        "as_of": as_of.isoformat(),
        "window_days": window,
        "cohorts": {name: {k: figures[k] for k in metrics.COHORT_KEYS} for name, figures in cohorts.items()},
        "support": {k: tickets[k] for k in support.SUPPORT_KEYS},
    }


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        store = Store()
    except DatabaseBusy as exc:
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
