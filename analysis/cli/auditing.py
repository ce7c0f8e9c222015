"""`python -m analysis audit`: the audit log, newest first (analysis/audit_log.py)."""

from __future__ import annotations

import argparse
import json
from datetime import date

from analysis import audit_log
from analysis.store import Store


def add_parsers(sub) -> None:
    au = sub.add_parser("audit", help="the audit log of every write, newest first")
    au.add_argument("--org", help="only entries of this organisation (its name at the time, or its id)")
    au.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD", help="only entries from this day on")
    au.add_argument("--json", action="store_true", help="one JSON list instead of a table")
    au.set_defaults(run=run_audit)


def run_audit(args: argparse.Namespace, store: Store) -> int:
    found = audit_log.entries(store, org=args.org, since=args.since)
    if args.json:
        found["logged_at"] = found["logged_at"].astype(str)
        print(json.dumps(found.astype(object).where(found.notna(), None).to_dict("records"), indent=2))
    elif found.empty:
        print("no entries")
    else:
        print(found.to_string(index=False))
    return 0
