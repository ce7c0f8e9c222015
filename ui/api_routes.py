"""The API's routes on the app's own server (server.py mounts ROUTES into st.App): read-only JSON
under /api/v1/ for scripts, and POST .../loads. What each answers is analysis/api/answers.py.

Authentication is a bearer token only (`Authorization: Bearer uptake_...`, made on *Your
account*): no route here reads a cookie, so a browser's ambient sign-in can never act here, and
ui/origin.py lets a POST with a bearer token through without an Origin header on /api/v1/ only.
Each token gets analysis/api/rate.py's 60 requests a minute (429 with Retry-After beyond). The
database work runs in a worker thread, as every store call of the app's routes does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from analysis import audit
from analysis.api import answers
from analysis.api.openapi import description
from analysis.api.rate import RateLimit
from analysis.api.tokens import TokenHolder, held_back, token_holder
from analysis.store import Store, db_path, shared_store
from analysis.upload_limits import MAX_BYTES

log = logging.getLogger("uptake")
PREFIX = "/api/v1"
LIMITS = RateLimit()
MAX_NAME = 200


def _store() -> Store:
    return shared_store(db_path())


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def bearer(request: Request) -> str | None:
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _holder(request: Request) -> TokenHolder | Response:
    """The token's holder, or the 401/403/429 response."""
    found = await asyncio.to_thread(token_holder, _store(), bearer(request))
    if found is None:
        return _error(
            401,
            "a valid API token is needed: Authorization: Bearer uptake_... (made on Your account)",
            {"WWW-Authenticate": 'Bearer realm="uptake"'},
        )
    why = await asyncio.to_thread(held_back, _store(), found.account)
    if why:
        return _error(403, why)
    wait = LIMITS.retry_after(found.token_id)
    if wait is not None:
        return _error(429, f"over {LIMITS.limit} requests a minute for this token", {"Retry-After": str(wait)})
    return found


def _read(answer: Callable[..., object], *names: str, query: bool = False):
    """A GET endpoint: authenticate, then answer(store, principal, *path params[, query])."""

    async def endpoint(request: Request) -> Response:
        holder = await _holder(request)
        if isinstance(holder, Response):
            return holder
        args = [request.path_params[n] for n in names]
        if query:
            args.append(dict(request.query_params))
        try:
            body = await asyncio.to_thread(answer, _store(), holder.account.principal, *args)
        except answers.ApiError as exc:
            return _error(exc.status, exc.message)
        return JSONResponse(body)

    return endpoint


def _capped(receive, limit: int):
    """receive, refusing (413) a body longer than limit bytes as it streams in."""
    seen = 0

    async def capped() -> dict:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise HTTPException(413, f"the file is over {limit // (1024 * 1024)} MB")
        return message

    return capped


async def post_load(request: Request) -> Response:
    """POST /api/v1/orgs/{org}/loads: multipart fields kind (roster, usage, tickets), file, and
    optionally rollout and format; answers `load --json`."""
    holder = await _holder(request)
    if isinstance(holder, Response):
        return holder
    declared = request.headers.get("content-length") or "0"
    if not declared.isdecimal() or int(declared) > MAX_BYTES + 65536:
        return _error(413, f"the file is over {MAX_BYTES // (1024 * 1024)} MB")
    capped = Request(request.scope, _capped(request.receive, MAX_BYTES + 65536))
    try:
        async with capped.form(max_files=1, max_fields=8, max_part_size=4096) as form:
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                return _error(400, "send the file as the multipart field 'file'")
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            name = Path(upload.filename or "upload.csv").name[:MAX_NAME] or "upload.csv"
            body = await asyncio.to_thread(_load, holder, request.path_params["org"], fields, name, upload.file)
    except answers.RefusedFile as exc:
        return JSONResponse({"refused": True, "messages": exc.messages}, status_code=exc.status)
    except answers.ApiError as exc:
        return _error(exc.status, exc.message)
    except HTTPException as exc:
        return _error(exc.status_code, exc.detail)
    log.warning("api: token %s loaded a file into organisation %s", holder.token_id, request.path_params["org"])
    return JSONResponse(body)


def _load(holder: TokenHolder, org: str, fields: dict[str, str], name: str, received: BinaryIO) -> object:
    """The received file (already spooled by the form parser) copied to a file of its own, loaded
    from its path as the command line loads one, then removed."""
    with tempfile.TemporaryDirectory(prefix="uptake-api-") as folder:
        path = Path(folder) / "upload"
        received.seek(0)
        with path.open("wb") as copy:
            shutil.copyfileobj(received, copy)
        with audit.acting(holder.account.email, "API"):  # the token's account (analysis/audit.py)
            return answers.load(_store(), holder.account.principal, org, fields, name, path)


async def openapi(request: Request) -> Response:  # noqa: ARG001 - Starlette passes the request
    """The OpenAPI description: public, it holds no data."""
    return Response(json.dumps(description(), indent=2), media_type="application/json")


ROUTES = [
    Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"]),
    Route(f"{PREFIX}/orgs", _read(answers.organisations), methods=["GET"]),
    Route(f"{PREFIX}/orgs/{{org}}/rollouts", _read(answers.rollouts, "org"), methods=["GET"]),
    Route(f"{PREFIX}/orgs/{{org}}/alerts", _read(answers.organisation_alerts, "org", query=True), methods=["GET"]),
    Route(
        f"{PREFIX}/orgs/{{org}}/rollouts/{{rollout}}/kpis",
        _read(answers.kpis, "org", "rollout", query=True),
        methods=["GET"],
    ),
    Route(
        f"{PREFIX}/orgs/{{org}}/rollouts/{{rollout}}/alerts",
        _read(answers.rollout_alerts, "org", "rollout", query=True),
        methods=["GET"],
    ),
    Route(f"{PREFIX}/orgs/{{org}}/loads", post_load, methods=["POST"]),
]
