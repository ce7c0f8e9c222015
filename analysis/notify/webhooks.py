"""An account's webhooks and what is posted to them: Microsoft Teams (an Adaptive Card, as Teams'
incoming webhooks and Workflows take it), Slack (incoming-webhook {"text": ...}) and a generic
signed JSON whose X-Uptake-Signature header is HMAC-SHA256 of "<X-Uptake-Timestamp>.<body>" under
the webhook's own secret. URLs and secrets are stored encrypted (analysis/secretbox.py).

Only https URLs are taken (UPTAKE_WEBHOOK_ALLOW_HTTP=1 allows http, for a local receiver in tests),
and a redirect is not followed: a notification goes to the address given, nowhere else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from analysis import secretbox
from analysis.store import Store

KINDS = {"teams": "Microsoft Teams", "slack": "Slack", "signed": "Signed JSON (HMAC-SHA256)"}
TIMEOUT = 10  # seconds per post


@dataclass(frozen=True)
class Webhook:
    webhook_id: int
    account_id: int
    kind: str
    url: str
    secret: str | None
    label: str


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    allowed = ("https", "http") if os.environ.get("UPTAKE_WEBHOOK_ALLOW_HTTP") == "1" else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise ValueError("a webhook address is an https:// URL (the one Teams or Slack gives you)")
    return url


def add_webhook(store: Store, account_id: int, kind: str, url: str, now: datetime | None = None) -> tuple[int, str]:
    """Add a webhook to the account: (its id, its signing secret, shown once; "" for Teams and Slack)."""
    if kind not in KINDS:
        raise ValueError(f"unknown webhook kind {kind!r}: one of {', '.join(KINDS)}")
    url = _checked_url(url)
    secret = secrets.token_urlsafe(32) if kind == "signed" else ""
    with store.transaction("add a webhook", detail=kind) as cur:
        webhook_id = cur.execute(
            "INSERT INTO webhooks (account_id, kind, url, secret, label, created_at) VALUES (?, ?, ?, ?, ?, ?) "
            "RETURNING webhook_id",
            [
                account_id,
                kind,
                secretbox.encrypt(store, url),
                secretbox.encrypt(store, secret) if secret else None,
                urlsplit(url).hostname,
                now or datetime.now(),
            ],
        ).fetchall()[0][0]
    return webhook_id, secret


def remove_webhook(store: Store, account_id: int, webhook_id: int) -> None:
    """Remove one of the account's own webhooks (another account's id removes nothing)."""
    with store.transaction("remove a webhook") as cur:
        cur.execute("DELETE FROM webhooks WHERE webhook_id = ? AND account_id = ?", [webhook_id, account_id])


def webhooks(store: Store, account_id: int) -> list[Webhook]:
    """The account's webhooks, oldest first, with their URL and secret opened."""
    rows = (
        store.cursor()
        .execute(
            "SELECT webhook_id, account_id, kind, url, secret, label FROM webhooks WHERE account_id = ? "
            "ORDER BY webhook_id",
            [account_id],
        )
        .fetchall()
    )
    return [
        Webhook(w, a, k, secretbox.decrypt(store, u), secretbox.decrypt(store, s) if s else None, label)
        for w, a, k, u, s, label in rows
    ]


def payload(kind: str, subject: str, body: str, facts: dict) -> dict:
    """The JSON posted to a webhook of this kind."""
    if kind == "slack":
        return {"text": f"*{subject}*\n{body}"}
    if kind == "teams":
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {"type": "TextBlock", "text": subject, "weight": "Bolder", "size": "Medium", "wrap": True},
                {"type": "TextBlock", "text": body, "wrap": True},
            ],
        }
        return {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }
    return {"subject": subject, "text": body, **facts}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Uptake-Signature of a signed post: sha256=<hex HMAC-SHA256 of "timestamp.body">."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ARG002 - a redirect is an error here
        return None


def post(hook: Webhook, subject: str, body: str, facts: dict) -> None:
    """Post one notification; raises OSError (urllib's errors among them) when it is not taken."""
    data = json.dumps(payload(hook.kind, subject, body, facts)).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "Uptake"}
    if hook.kind == "signed" and hook.secret:
        stamp = str(int(time.time()))
        headers |= {"X-Uptake-Timestamp": stamp, "X-Uptake-Signature": signature(hook.secret, stamp, data)}
    request = urllib.request.Request(_checked_url(hook.url), data=data, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            if not 200 <= response.status < 300:
                raise OSError(f"the webhook answered {response.status}")
    except urllib.error.HTTPError as exc:  # says the status only: never the URL, which is a secret
        raise OSError(f"the webhook answered {exc.code}") from None
    except urllib.error.URLError as exc:
        raise OSError(f"the webhook could not be reached ({exc.reason})") from None
