"""`report`: the report pack for a quarterly business review, as the Overview page builds it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis import metrics
from analysis.cli.common import CommandError, a_date, find_rollout, org_scope
from analysis.comparison import BASELINE_PREFIX, PERIODS
from analysis.store import Store


def add_parsers(sub) -> None:
    pack = sub.add_parser("report", help="the report pack for a quarterly business review (PowerPoint, PDF or HTML)")
    pack.add_argument("--org", required=True)
    pack.add_argument("--rollout", required=True)
    pack.add_argument("--as-of", type=a_date, help="default: the newest usage day")
    pack.add_argument("--window", type=int, help="days (default: the rollout's window)")
    pack.add_argument("--format", required=True, metavar="pptx|pdf|html")
    pack.add_argument("--out", type=Path, required=True, help="the file to write")
    pack.add_argument(
        "--compare",
        metavar="previous-quarter|previous-28-days|previous-year|baseline:NAME",
        help="add a section of now against then (docs/metrics.md#comparing-with-an-earlier-period)",
    )
    pack.set_defaults(run=run)


def run(args: argparse.Namespace, store: Store) -> int:
    from analysis.reports.pack import LABELS, build_pack  # here only: it loads Plotly

    kind = args.format.strip().lower()
    if kind not in LABELS:
        raise CommandError(f"--format {args.format!r}: write pptx, pdf or html")
    scope = org_scope(store, args.org, "export")
    rollout = find_rollout(scope, args.rollout)
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
    if args.compare and not (args.compare in PERIODS or args.compare.startswith(BASELINE_PREFIX)):
        raise CommandError(f"--compare {args.compare!r}: write {', '.join(PERIODS)} or {BASELINE_PREFIX}NAME")
    try:
        pack = build_pack(scope, rollout, as_of, window, (kind,), progress=step, compare=args.compare)
    except LookupError as exc:  # an unknown baseline name
        raise CommandError(str(exc).strip("'\"")) from None
    if tty:
        print("\r\033[K", end="", file=sys.stderr)
    part = args.out.with_name(args.out.name + ".part")  # written whole, then renamed: never half a file
    try:
        part.write_bytes(pack.files[kind])
        part.replace(args.out)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise CommandError(f"cannot write {args.out}: {exc.strerror}") from None
    sections = len(pack.contents.sections)
    parts = (
        f"the cover and {sections} sections"  # one page that scrolls
        if kind == "html"
        else f"{sections + 1} {'slides' if kind == 'pptx' else 'pages'}"
    )
    print(
        f"wrote {args.out}: the {LABELS[kind]} of {rollout.name!r} as of {as_of} ({window}-day window), "
        f"{parts}, {len(pack.files[kind]) // 1024:,} KB, "
        f"in {pack.seconds:.1f} s"
    )
    if pack.why_missing:
        print(f"uptake: the charts are left out: {pack.why_missing}", file=sys.stderr)
    return 0
