"""One Origin check for every request the app serves, as pure ASGI middleware (server.py adds it to
st.App), so that a page on another port or host cannot drive a signed-in browser's session.

Browsers send the SameSite=Strict session cookie to every port of a host, and Streamlit's own
check accepts a websocket from any localhost origin, and from none at all. The rule here:

- The app's own origin is UPTAKE_PUBLIC_URL's scheme://host[:port] when that is set (behind a
  reverse proxy), otherwise scheme://Host of the request itself.
- A websocket handshake, and every request that is not GET, HEAD or OPTIONS, must carry an Origin
  header equal to it. Any request that carries some other Origin (a cross-origin fetch) is refused.
- /media/ (downloads) needs a live sign-in cookie; /_stcore/metrics an admin's.
- The one exception: a request under /api/v1/ carrying `Authorization: Bearer ...` and no Origin
  (a script using an API token, ui/api_routes.py) may POST. Those routes read no cookie, only the
  token, which a browser never adds by itself; a foreign Origin is still refused there.
- The websocket's developer messages (clear the cache, which clears every user's caches; run on
  save; git information) are dropped: the app hides the developer menu (.streamlit/config.toml).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from urllib.parse import urlsplit

from google.protobuf.message import DecodeError
from starlette.requests import cookie_parser
from starlette.responses import PlainTextResponse
from streamlit import config
from streamlit.proto.BackMsg_pb2 import BackMsg

from analysis import auth
from analysis.damage import DatabaseDamaged
from analysis.store import Store
from ui.cookie import COOKIE

log = logging.getLogger("uptake")
PUBLIC_URL = "UPTAKE_PUBLIC_URL"
API = "/api/v1/"  # the token API (ui/api_routes.py)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEVELOPER_MESSAGES = frozenset({"clear_cache", "set_run_on_save", "load_git_info"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """The origin of an absolute http(s) URL as a browser writes it (scheme://host[:port], lower
    case, the default port left out); None when url is not one (no host, credentials, a bad port)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"


def public_origin() -> str | None:
    """The configured public origin (UPTAKE_PUBLIC_URL, e.g. https://uptake.example.com), or None
    when it is not set. A value that is not an http(s) URL stops the server rather than guessing."""
    value = os.environ.get(PUBLIC_URL, "").strip()
    if not value:
        return None
    origin = origin_of(value)
    if origin is None:
        raise ValueError(f"{PUBLIC_URL}={value!r} is not an http(s) URL such as https://uptake.example.com")
    return origin


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def own_origin(scope: dict, public: str | None) -> str | None:
    """The app's origin for this request: the configured one, else the request's scheme and Host."""
    if public:
        return public
    host = _header(scope, b"host")
    if not host or any(c in host for c in "/?#@\\"):
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    return origin_of(f"{scheme}://{host}")


def refusal(scope: dict, public: str | None) -> str | None:
    """Why this request is refused by the Origin rule (see the module's docstring), or None."""
    origin = _header(scope, b"origin")
    needs_origin = scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
    if origin is None:
        return "no Origin header" if needs_origin and not _token_api_call(scope) else None
    own = own_origin(scope, public)
    return None if own is not None and origin == own else f"Origin {origin!r} is not {own!r}"


def _token_api_call(scope: dict) -> bool:
    """An HTTP request to the token API (/api/v1/, under the base path) with a bearer token; a path
    with a dot segment is none (it could name another route once normalised)."""
    path = _without_base(scope.get("path", ""))
    if scope["type"] != "http" or path is None or not path.startswith(API):
        return False
    if any(part in (".", "..") for part in path.split("/")):
        return False
    return (_header(scope, b"authorization") or "").lower().startswith("bearer ")


def _without_base(path: str) -> str | None:
    """path without server.baseUrlPath's prefix (None when it is outside it)."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    if not base:
        return path
    return path[len(base) + 1 :] if path.startswith(f"/{base}/") else None


def secure_cookies(request_scheme: str) -> bool:
    """Whether cookies get the Secure flag: the public URL's scheme when it is set, else the
    request's (which uvicorn takes from X-Forwarded-Proto only when the proxy is on loopback)."""
    public = public_origin()
    return public.startswith("https://") if public else request_scheme == "https"


def _is_developer_message(data: bytes | None) -> bool:
    if not data:
        return False
    message = BackMsg()
    try:
        message.ParseFromString(data)
    except DecodeError:
        return False  # Streamlit answers malformed messages itself
    return message.WhichOneof("type") in DEVELOPER_MESSAGES


def _without_developer_messages(receive: Callable) -> Callable:
    async def filtered() -> dict:
        while True:
            message = await receive()
            if message["type"] == "websocket.receive" and _is_developer_message(message.get("bytes")):
                log.warning("websocket: a developer message (clear cache, run on save, git) was dropped")
                continue
            return message

    return filtered


class OriginCheck:
    """The middleware: refuses by the Origin rule, guards /media/ and /_stcore/metrics with the
    sign-in cookie, and drops developer messages from the websocket. store returns the app's Store."""

    def __init__(self, app, store: Callable[[], Store]):
        self.app, self.store = app, store
        self.public = public_origin()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        why = refusal(scope, self.public)
        if why:
            log.warning("refused %s %s: %s", scope["type"], scope.get("path"), why)
            return await self._refuse(scope, receive, send, "Cross-origin request refused.")
        if scope["type"] == "websocket":
            return await self.app(scope, _without_developer_messages(receive), send)
        need = self._needs(scope.get("path", ""))
        if need and not await asyncio.to_thread(self._signed_in, scope, need == "admin"):
            return await self._refuse(scope, receive, send, "Sign in first.")
        await self.app(scope, receive, send)

    @staticmethod
    def _needs(path: str) -> str | None:
        """'admin' for the metrics, 'account' for downloads, None for the rest."""
        path = _without_base(path)
        if path is None:
            return None
        if path.rstrip("/") == "/_stcore/metrics":
            return "admin"
        return "account" if path.startswith("/media/") else None

    def _signed_in(self, scope: dict, admin: bool) -> bool:
        try:
            handle = self.store()
        except DatabaseDamaged:  # no account can be checked: nobody is signed in (analysis/damage.py)
            return False
        value = cookie_parser(_header(scope, b"cookie") or "").get(COOKIE)
        who = auth.session_account(handle, auth.token_from_cookie(handle, value))
        # the server's metrics are for those who run it: the roles that manage accounts (analysis/access.py)
        return who is not None and (not admin or who.principal.has_permission("manage_users"))

    @staticmethod
    async def _refuse(scope, receive, send, text: str) -> None:
        if scope["type"] == "websocket":  # before accept: the handshake is answered 403
            await send({"type": "websocket.close", "code": 1008})
        else:
            await PlainTextResponse(text, status_code=403)(scope, receive, send)
