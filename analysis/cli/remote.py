"""The read commands through the running app's API, for when the app holds the database.

DuckDB locks its file per process: while the app has it open for writing, another process can
open it neither for writing nor read-only (`read_only=True` fails with the same "Conflicting lock"
error), so `kpis` and the other read commands ask the app instead: UPTAKE_URL (the app's address,
e.g. http://127.0.0.1:8501) and UPTAKE_TOKEN (an API token made on *Your account*). Through the
API a command acts as the token's account, not as the operator, and reads only: the alerts are
evaluated without recording their state changes.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    import urllib.error

from analysis.cli.common import CommandError

URL, TOKEN = "UPTAKE_URL", "UPTAKE_TOKEN"
TIMEOUT = 120.0


class AppUnreachable(Exception):
    """The app did not answer at UPTAKE_URL (said in one line; exit code 3, as a busy database)."""


class Api:
    def __init__(self, url: str, token: str):
        self.url, self.token = url.rstrip("/"), token

    @classmethod
    def from_environment(cls) -> Api | None:
        url, token = os.environ.get(URL, "").strip(), os.environ.get(TOKEN, "").strip()
        return cls(url, token) if url and token else None

    def get(self, *segments: str, **query: object):
        """The JSON of GET /api/v1/<segments>?<query> (None values left out)."""
        import urllib.error  # here: http and ssl only when the app is asked (a read from the database never is)
        import urllib.request

        path = "/".join(quote(str(s), safe="") for s in segments)
        given = {k: v for k, v in query.items() if v is not None}
        address = f"{self.url}/api/v1/{path}" + (f"?{urlencode(given)}" if given else "")
        request = urllib.request.Request(
            address, headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as exc:
            raise CommandError(f"the app at {self.url} answered {exc.code}: {_said(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise AppUnreachable(f"the app at {self.url} ({URL}) did not answer: {reason}") from None


def _said(exc: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(exc.read().decode("utf-8", "replace"))["error"])
    except (ValueError, KeyError, TypeError, OSError):
        return exc.reason or "an error"
