"""The app server: app.py (the Streamlit router) with

- two small routes that set and clear the HttpOnly sign-in cookie (Streamlit scripts cannot set
  cookies themselves): POST /api/session/claim and POST /api/session/logout;
- one Origin check (ui/origin.py) in front of every route and the websocket: a page of another
  origin (another port of the same host included) can neither drive a session nor post here;
- a background pass over the inbox folder, so scheduled loads (a nightly export dropped by a
  script) reach the database the app holds;
- the scheduled checks (analysis/schedule.py): the rules evaluated after each load and daily,
  notifications and report packs delivered;
- a background pass for backups: the daily one and those `python -m analysis backup` asks for;
- the one-time setup code printed on the console while no account exists;
- the token API for scripts under /api/v1/ (ui/api_routes.py).

`make run` starts this with `streamlit run server.py`.
"""

import asyncio
import logging
import os
import sys
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

import streamlit as st
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

# The app serves many sessions at once: a larger DuckDB buffer than a command-line job's (20
# sessions ran out of 600MB: docs/performance.md#memory); UPTAKE_DB_MEMORY set by hand wins.
os.environ.setdefault("UPTAKE_DB_MEMORY", "1GB")

from analysis import auth, schedule  # noqa: E402
from analysis.care.advice import advice  # noqa: E402
from analysis.care.schedule import care_pass  # noqa: E402
from analysis.damage import DatabaseDamaged  # noqa: E402
from analysis.inbox import process_inbox  # noqa: E402
from analysis.secretbox import SecretKeyError  # noqa: E402
from analysis.seed import ensure_demo  # noqa: E402
from analysis.store import db_path, shared_store  # noqa: E402
from ui.api_routes import ROUTES as API_ROUTES  # noqa: E402
from ui.cookie import COOKIE  # noqa: E402
from ui.origin import OriginCheck, public_origin, secure_cookies  # noqa: E402

# A folder named pages/ beside app.py makes Streamlit start in its old pages-folder mode, in which
# a page URL runs that page without app.py (and so without the sign-in check) until app.py first
# calls st.navigation. app.py always routes, so tell Streamlit so before the first session.
PagesManager.uses_pages_directory = False


def _watch_no_modules() -> None:
    """With no file watcher (.streamlit/config.toml, as served), each session's LocalSourcesWatcher
    still walked every loaded module's paths after each run that saw a new module, to register
    watchers that do nothing: 11-19 % of the server's time over page views at 20 M events
    (docs/performance.md#pages-in-a-real-browser). Nothing is watched, so skip the walk."""
    from streamlit import config
    from streamlit.watcher.local_sources_watcher import LocalSourcesWatcher

    if config.get_option("server.fileWatcherType") == "none":
        LocalSourcesWatcher.update_watched_modules = lambda _self: None  # type: ignore[method-assign]


_watch_no_modules()

log = logging.getLogger("uptake")
INTERVAL = float(os.environ.get("UPTAKE_INBOX_SECONDS", "30"))


def _store():
    return shared_store(db_path())


async def _form(request, limit: int = 4096) -> dict[str, str]:
    """The fields of a small url-encoded form posted by the app's own page (ui.session.post_to)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413)
    return {name: values[0] for name, values in parse_qs(body.decode("latin-1")).items()}


async def claim(request):
    """Redeem a one-time claim code made at sign-in: set the session cookie, back to the app.
    POST only, and OriginCheck lets only the app's own pages post: another site cannot sign a
    browser in as someone else (login CSRF) with a code of its own."""
    code = (await _form(request)).get("code", "")
    token = await asyncio.to_thread(auth.redeem_claim, _store(), code)
    response = RedirectResponse("/", status_code=303)
    if token:
        response.set_cookie(
            COOKIE,
            auth.cookie_value(_store(), token),
            max_age=int(auth.SESSION_LIMIT.total_seconds()),
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure_cookies(request.url.scheme),
        )
    return response


async def logout(request):
    """End the sign-in the cookie belongs to and delete the cookie (POST from the app's own pages)."""
    token = auth.token_from_cookie(_store(), request.cookies.get(COOKIE))
    await asyncio.to_thread(auth.end_session, _store(), token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=secure_cookies(request.url.scheme)
    )
    for name in request.cookies:  # single sign-on's identity cookies go too
        if name.startswith("_streamlit_user"):
            response.delete_cookie(name, path="/", httponly=True, samesite="lax")
    return response


async def _watch_inbox():
    store = _store()
    while True:
        try:
            for record in await asyncio.to_thread(process_inbox, store):
                log.warning("inbox: %s", record)
        except Exception:  # keep watching; the failure is in the log
            log.exception("inbox pass failed")
        await asyncio.sleep(INTERVAL)


async def _care():
    """The daily backup and the backups the command line asks for (analysis/care/schedule.py)."""
    while True:
        try:
            await asyncio.to_thread(care_pass, _store())
        except Exception:  # keep going; the failure is in the log
            log.exception("backup pass failed")
        await asyncio.sleep(float(os.environ.get("UPTAKE_CARE_SECONDS", "5")))


@asynccontextmanager
async def lifespan(app):  # noqa: ARG001 - Starlette calls the lifespan with the app
    try:
        store = _store()
    except SecretKeyError as exc:  # a missing or wrong key: say what to do, no traceback, no new secrets
        print(f"\n  Uptake cannot start: {exc}\n", file=sys.stderr, flush=True)
        os._exit(3)  # nothing is open yet; raising would print the traceback
    except DatabaseDamaged as exc:  # serve the banner (app.py), never exit into a restart loop
        print("\n" + "\n".join(f"  {line}" for line in advice(exc)) + "\n", file=sys.stderr, flush=True)
        yield
        return
    ensure_demo(store)
    if auth.needs_setup(store):
        print(
            f"\n  Uptake has no account yet. Setup code (valid 24 hours): {auth.new_setup_code(store)}\n"
            "  Open the app and create the first admin account with it.\n",
            flush=True,
        )
    schedule.watch_loads(store)  # every load evaluates the rules (analysis/schedule.py)
    # ... then computes what the pages first ask for (ui/warm.py; imported here, where the runtime
    # exists: its cached functions imported earlier would each print "No runtime found")
    from ui.warm import warm_after_load, warm_at_start

    if os.environ.get("UPTAKE_WARM", "1") != "0":  # 0: measure first views cold (bench/views.py --cold)
        store.after_load.append(warm_after_load)
        warm_at_start(store)
    tasks = [
        asyncio.create_task(_watch_inbox()),
        asyncio.create_task(schedule.run_forever(store)),
        asyncio.create_task(_care()),
    ]
    yield
    for task in tasks:
        task.cancel()


public_origin()  # a malformed UPTAKE_PUBLIC_URL stops the start here, with its reason
app = st.App(
    "app.py",
    lifespan=lifespan,
    middleware=[Middleware(OriginCheck, store=_store)],
    routes=[
        Route("/api/session/claim", claim, methods=["POST"]),
        Route("/api/session/logout", logout, methods=["POST"]),
        *API_ROUTES,  # the token API for scripts, /api/v1/ (ui/api_routes.py)
    ],
)
