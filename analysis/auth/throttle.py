"""Sign-in throttling, per client address and per account, checked and recorded in one step.

A failure is a wrong password (or a wrong authenticator code after a right password), for a known
or an unknown e-mail alike. Everything counts over the last hour.

1. Per address, before the e-mail is looked up or any password hashed: the first 10 failures from
   an address are free; after that it waits 1, 2, 4 ... 60 s after its latest failure. So one
   address gets about 70 password checks an hour, whatever e-mails it tries.
2. Per account, for a *failing* address (one with any failure in the last hour): after 5 failures
   on the account (from any address) it waits 1, 2, 4 ... 60 s after the account's latest failure;
   a success on the account lifts this wait until its next failure. A *clean* address (no failure
   in the hour) is not delayed by the account: someone failing elsewhere cannot keep the owner out.
3. Per account, a cap (ASVS 4.0.3 V2.2.1: at most 100 failed attempts an hour per account): failing
   addresses are refused once the account has 80 failures in the hour; clean addresses once it has
   100. The last 20 are kept for first tries from new addresses, so the account never sees more
   than 100 failed checks an hour, and locking its owner out for the hour takes an attacker more
   than 20 addresses, each of which is then throttled by rules 1 and 2.

Atomic: `reserve` checks these rules and records the attempt as a failure in one transaction under
the store's write lock, before the password hash; `succeeded` or `drop` settles it afterwards. So
parallel attempts each see the ones before them: 40 at once on one account from one address get 5
password checks and 35 refusals.

Addresses come from Streamlit (st.context.ip_address: the TCP peer, or the client that a reverse
proxy on the same machine names in X-Forwarded-For; uvicorn trusts that header from 127.0.0.1 and
::1 only, or from FORWARDED_ALLOW_IPS). Clients on the server machine itself have no address and
share one key, "local"; an IPv6 client is keyed by its /64 network, which one subscriber usually
holds whole.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from analysis.store import Store

WINDOW = timedelta(hours=1)
ACCOUNT_FREE_FAILURES = 5  # failures on an account before its delays start
ADDRESS_FREE_FAILURES = 10  # failures from an address before its delays start
MAX_DELAY_SECONDS = 60
MAX_FAILURES_PER_HOUR = 100  # per account, from all addresses (ASVS V2.2.1)
FAILING_ADDRESS_CAP = 80  # per account, for addresses that have been failing
KEPT_FOR = timedelta(days=1)
CAPPED = "Too many failed sign-ins for this account in the last hour: try again later."


class Throttled(Exception):
    """An attempt refused before any password check; the message is safe to show."""


def client_key(address: str | None) -> str:
    """The key an address is throttled under: the IPv4 address, an IPv6 address's /64 network,
    or "local" for the server machine itself (Streamlit gives no address for loopback)."""
    if not isinstance(address, str) or not address.strip():  # (AppTest's context gives a mock)
        return "local"
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64]
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def delay_seconds(failures: int, free: int = ACCOUNT_FREE_FAILURES) -> int:
    """The wait after the n-th failure in an hour: none for the free ones, then 1, 2, 4 ... 60 s."""
    if failures < free:
        return 0
    return min(2 ** (failures - free), MAX_DELAY_SECONDS)


def reserve(store: Store, email: str, address: str | None, now: datetime) -> int:
    """Check the rules for an attempt on email from address and record it as a failure, in one
    transaction; returns the attempt's id. Raises Throttled (nothing recorded) when refused."""
    key = client_key(address)
    with store.transaction(housekeeping="sign-in throttling") as cur:
        addr_failures, addr_last, failures, last_failure, last_success = cur.execute(
            "SELECT count(*) FILTER (WHERE NOT succeeded AND address = $key), "
            "max(attempted_at) FILTER (WHERE NOT succeeded AND address = $key), "
            "count(*) FILTER (WHERE NOT succeeded AND email = $email), "
            "max(attempted_at) FILTER (WHERE NOT succeeded AND email = $email), "
            "max(attempted_at) FILTER (WHERE succeeded AND email = $email) "
            "FROM sign_in_attempts WHERE attempted_at > $since AND (address = $key OR email = $email)",
            {"key": key, "email": email, "since": now - WINDOW},
        ).fetchall()[0]
        if failures >= MAX_FAILURES_PER_HOUR or (addr_failures and failures >= FAILING_ADDRESS_CAP):
            raise Throttled(CAPPED)
        if addr_failures:
            _wait(delay_seconds(addr_failures, ADDRESS_FREE_FAILURES), addr_last, now, "from your network address")
            if not (last_success and last_failure and last_success > last_failure):
                _wait(delay_seconds(failures), last_failure, now, "")
        attempt_id = cur.execute(
            "INSERT INTO sign_in_attempts (email, attempted_at, succeeded, address) VALUES (?, ?, false, ?) "
            "RETURNING attempt_id",
            [email, now, key],
        ).fetchall()[0][0]
        cur.execute("DELETE FROM sign_in_attempts WHERE attempted_at < ?", [now - KEPT_FOR])
    return attempt_id


def _wait(seconds: int, since: datetime | None, now: datetime, where: str) -> None:
    if seconds and since and (now - since).total_seconds() < seconds:
        left = seconds - int((now - since).total_seconds())
        where = f" {where}" if where else ""
        raise Throttled(f"Too many failed sign-ins{where}: wait {left} second{'s' if left > 1 else ''} and try again.")


def succeeded(store: Store, attempt_id: int) -> None:
    """The reserved attempt was right."""
    with store.transaction(housekeeping="sign-in throttling") as cur:
        cur.execute("UPDATE sign_in_attempts SET succeeded = true WHERE attempt_id = ?", [attempt_id])


def drop(store: Store, attempt_id: int) -> None:
    """The reserved attempt was neither right nor wrong (the code is still needed, or the server
    was too busy to check it): forget it."""
    with store.transaction(housekeeping="sign-in throttling") as cur:
        cur.execute("DELETE FROM sign_in_attempts WHERE attempt_id = ?", [attempt_id])
