"""`load`, `uploads` and `undo`: load a roster, usage or tickets file, the load history, and
undoing a load."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from analysis import uploads
from analysis.canonical import KINDS
from analysis.cli.common import CommandError, a_date, find_rollout, org_scope
from analysis.store import Store


def add_parsers(sub) -> None:
    load = sub.add_parser("load", help="load a roster, usage, tickets, readiness, feedback or kpi_series file")
    load.add_argument("--org", required=True)
    load.add_argument("--rollout")
    load.add_argument("--kind", required=True, choices=KINDS)
    load.add_argument(
        "--format",
        default="auto",
        help="auto (recognise the export), canonical, a format (docs/formats.md) or a saved preset",
    )
    load.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help='the file\'s column holding a canonical field (repeat): --map ticket_id="SR Number"',
    )
    order = load.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst",
        dest="dayfirst",
        action="store_const",
        const=True,
        default=None,
        help="read d/m/y dates day first where their values leave it open",
    )
    order.add_argument(
        "--monthfirst",
        dest="dayfirst",
        action="store_const",
        const=False,
        help="read d/m/y dates month first where their values leave it open",
    )
    load.add_argument(
        "--save-preset",
        metavar="NAME",
        help="after a successful load, save --map and --dayfirst/--monthfirst as a preset",
    )
    load.add_argument(
        "--as-of",
        type=a_date,
        metavar="YYYY-MM-DD",
        help="a roster only: the day from which it says who is licensed (default today; docs/metrics.md#roster-history)",
    )
    load.add_argument("--json", action="store_true")
    load.add_argument("file", type=Path)
    load.set_defaults(run=run_load)

    up = sub.add_parser("uploads", help="the load history")
    up.add_argument("--org", required=True)
    up.add_argument("--json", action="store_true")
    up.set_defaults(run=run_uploads)

    history = sub.add_parser("roster-history", help="a rollout's dated rosters: who joined, left or moved with each")
    history.add_argument("--org", required=True)
    history.add_argument("--rollout", required=True)
    history.add_argument("--json", action="store_true")
    history.set_defaults(run=run_roster_history)

    undo = sub.add_parser("undo", help="undo a load")
    undo.add_argument("upload_id", type=int)
    undo.set_defaults(run=run_undo)


def run_load(args: argparse.Namespace, store: Store) -> int:
    # imported here: the reading and loading stack is not needed by the other commands (kpis start-up)
    from analysis import presets
    from analysis.files import FileRefused
    from analysis.ingest import load_file

    mapping = {}
    for item in args.map:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise CommandError(f'--map {item!r}: write it as FIELD=COLUMN, e.g. --map ticket_id="SR Number"')
        mapping[name.strip().lower()] = column.strip()
    if args.save_preset:
        presets.validate(args.save_preset, args.kind, mapping)  # a bad name fails before loading
    scope = org_scope(store, args.org, "upload")
    try:
        with args.file.open("rb"):
            pass  # the loader streams the file from its path (a 1 GB export is never held in memory)
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    bar = _progress_bar(enabled=not args.json and sys.stderr.isatty())
    try:
        result = load_file(
            scope,
            args.kind,
            args.file.name,
            args.file,
            rollout=args.rollout,
            progress=bar,
            format=args.format,
            mapping=mapping,
            dayfirst=args.dayfirst,
            as_of=args.as_of,
        )
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
        print(
            f"load {result.upload_id}: read {result.rows_read}, loaded {result.rows_loaded}, "
            f"updated {result.rows_updated}, rejected {result.rows_rejected}, "
            f"duplicate {result.rows_duplicate}"
        )
        for message in result.messages:
            print(f"  {message}")
        for reject in result.rejects[:10]:
            print(
                f"  line {reject.line}" + (f", column {reject.column}" if reject.column else "") + f": {reject.reason}"
            )
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


def run_uploads(args: argparse.Namespace, store: Store) -> int:
    scope = org_scope(store, args.org)
    frame = uploads.history(scope)
    if args.json:
        print(frame.drop(columns=["messages"]).to_json(orient="records", date_format="iso"))
    elif frame.empty:
        print("no loads yet")
    else:
        cols = [
            "upload_id",
            "loaded_at",
            "kind",
            "roster_as_of",
            "file_name",
            "rows_read",
            "rows_loaded",
            "rows_updated",
            "rows_rejected",
            "rows_duplicate",
            "undone_at",
        ]
        frame["loaded_at"] = frame["loaded_at"].dt.strftime("%Y-%m-%d %H:%M")
        frame["undone_at"] = frame["undone_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("")
        frame["roster_as_of"] = [str(d)[:10] if isinstance(d, date) else "" for d in frame["roster_as_of"]]
        print(frame[cols].to_string(index=False))
    if not args.json:
        _print_never_finished(scope)
    return 0


def run_roster_history(args: argparse.Namespace, store: Store) -> int:
    """Each roster snapshot (the date it holds from, its licensed people per cohort, who joined,
    left or moved against the one before), then the people of each change."""
    from analysis import roster_history

    scope = org_scope(store, args.org)
    rollout = find_rollout(scope, args.rollout)
    table = roster_history.snapshots(scope, rollout)
    people = roster_history.changes_by_person(scope, rollout)
    if args.json:
        print(
            json.dumps(
                {
                    "snapshots": json.loads(table.to_json(orient="records", date_format="iso")),
                    "changes": json.loads(people.to_json(orient="records", date_format="iso")),
                }
            )
        )
        return 0
    if table.empty:
        print(f"no roster loaded for {rollout.name} yet")
        return 0
    table["dated_on"] = [str(d)[:10] for d in table["dated_on"]]
    print(table.drop(columns=["loaded_by", "loaded_at"]).to_string(index=False))
    for row in people.itertuples():
        before = f"{row.cohort_before}/{row.department_before}" if row.change != "joined" else ""
        after = f"{row.cohort_after}/{row.department_after}" if row.change != "left" else ""
        print(f"  {str(row.dated_on)[:10]} {row.change:<6} {row.user_id}  {before} -> {after}".rstrip(" ->"))
    return 0


def _print_never_finished(scope) -> None:
    """The loads cut off before they committed (a crash): nothing of them was stored."""
    from analysis.care import attempts

    cut = attempts.never_finished(scope)
    if cut.empty:
        return
    print(f"\nnever finished ({len(cut)}): cut off before committing, nothing of them was stored; load them again")
    for row in cut.itertuples():
        print(f"  attempt {row.attempt_id}: {row.kind} {row.file_name}, begun {row.started_at:%Y-%m-%d %H:%M:%S}")


def run_undo(args: argparse.Namespace, store: Store) -> int:
    org = (
        store.cursor()
        .execute(
            "SELECT o.name FROM uploads u JOIN organisations o USING (org_id) WHERE u.upload_id = ?", [args.upload_id]
        )
        .fetchall()
    )
    if not org:
        raise CommandError(f"no load {args.upload_id}: see `python -m analysis uploads --org ORG`")
    done = uploads.undo(org_scope(store, org[0][0], "undo"), args.upload_id)
    print(f"undid load {done['upload_id']} ({done['kind']})")
    return 0
