"""`user`: accounts (add with a password read from standard input, list, disable, reset, remove-two-step)."""

from __future__ import annotations

import argparse
import sys

from analysis import orgs
from analysis.access import OPERATOR, ROLES
from analysis.store import Store


def add_parsers(sub) -> None:
    user = sub.add_parser("user", help="accounts").add_subparsers(dest="action", required=True)
    u_add = user.add_parser("add", help="add an account; the password is read from standard input")
    u_add.add_argument("email")
    u_add.add_argument("--role", required=True, choices=ROLES)
    u_add.add_argument("--org", action="append", default=[], help="an organisation it may see (repeat)")
    how = u_add.add_mutually_exclusive_group(required=True)
    how.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (never from the command line)",
    )
    how.add_argument("--sso-only", action="store_true", help="no password: signs in with single sign-on only")
    user.add_parser("list", help="list accounts").add_argument("--json", action="store_true")
    user.add_parser("disable", help="disable an account and end its sign-ins").add_argument("email")
    user.add_parser("reset", help="print a one-time password the person must change").add_argument("email")
    user.add_parser(
        "remove-two-step", help="remove an account's two-step sign-in (a lost authenticator) and end its sign-ins"
    ).add_argument("email")
    sub.choices["user"].set_defaults(run=run)


def run(args: argparse.Namespace, store: Store) -> int:
    # imported here: password hashing is not needed by the other commands (kpis start-up)
    from analysis import auth
    from analysis.auth import reauth

    if args.action == "add":
        password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
        org_ids = [orgs.organisation_id(store, OPERATOR, name) for name in args.org]
        made = auth.add_account(store, OPERATOR, args.email, args.role, org_ids, password=password)
        print(f"added {made.email} ({made.role})")
    elif args.action == "list":
        table = auth.accounts(store, OPERATOR)
        if args.json:
            print(table.to_json(orient="records", date_format="iso"))
            return 0
        print(
            table[["email", "role", "organisations", "totp_enabled", "disabled_at"]].to_string(index=False)
            if not table.empty
            else "no accounts yet"
        )
    elif args.action == "disable":
        auth.disable_account(store, OPERATOR, args.email)
        print(f"disabled {auth.normalise_email(args.email)}; their sign-ins have ended")
    elif args.action == "reset":
        print(auth.reset_password(store, OPERATOR, args.email))
    elif args.action == "remove-two-step":
        reauth.remove_two_step(store, OPERATOR, args.email)
        print(f"removed {auth.normalise_email(args.email)}'s two-step sign-in; their sign-ins have ended")
    return 0
