"""A signed-in session driven at Streamlit's websocket protocol, as the browser's client drives it:
connect to /_stcore/stream with the session cookie and the app's Origin (ui/origin.py refuses a
websocket without it), send a rerun BackMsg naming the page (its script hash and URL path, as the
sidebar's page links do), read ForwardMsgs until script_finished. No browser: the harness costs
the server's two cores little, so the load is the server's own.

A page change counts as an error when the run sends an exception, "page not found", shows another
page than the one asked for (the sign-in page, say: the cookie no longer holds), the socket closes,
or script_finished does not come within the timeout.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
FIRST_PAGE = "Overview"  # the default page (app.py)


@dataclass
class Change:
    """One page change of one session: how long from the request to the page shown, or why not."""

    session: str
    page: str
    started: float  # time.monotonic() at the request
    seconds: float
    error: str | None = None
    bytes: int = 0  # ForwardMsg bytes received (protocol sessions)


@dataclass
class Run:
    """What one script run sent back."""

    headings: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # title -> (script hash, url path)
    not_found: bool = False
    query: str | None = None  # the query string the run set (st.query_params), if any
    bytes: int = 0


def rerun_message(query: str, page_hash: str = "", page_name: str = "") -> bytes:
    """The BackMsg the browser sends to run a page (an empty hash and name: the default page)."""
    message = BackMsg()
    state = message.rerun_script
    state.query_string = query
    state.page_script_hash = page_hash
    state.page_name = page_name
    state.widget_states.SetInParent()  # no widget touched: each page's defaults
    return message.SerializeToString()


def read_message(data: bytes, run: Run) -> bool:
    """Note what one ForwardMsg says; True when it ends the run (script_finished, not a rerun)."""
    message = ForwardMsg()
    message.ParseFromString(data)
    run.bytes += len(data)
    kind = message.WhichOneof("type")
    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        element = message.delta.new_element
        which = element.WhichOneof("type")
        if which == "heading":
            run.headings.append(element.heading.body)
        elif which == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:200])
    elif kind == "navigation":
        for page in message.navigation.app_pages:
            run.pages[page.page_name] = (page.page_script_hash, page.url_pathname)
    elif kind == "page_not_found":
        run.not_found = True
    elif kind == "page_info_changed":
        run.query = message.page_info_changed.query_string
    elif kind == "script_finished":
        return message.script_finished == FINISHED  # an early finish for a rerun: the next run follows
    return False


async def page_run(socket: ClientConnection, request: bytes, timeout: float) -> Run:
    """Send one rerun request and read until its script has finished."""
    run = Run()
    await socket.send(request)
    async with asyncio.timeout(timeout):
        while True:
            data = await socket.recv()
            if isinstance(data, bytes) and read_message(data, run):
                return run


def run_error(run: Run, page: str) -> str | None:
    """Why the run did not show the page asked for, or None when it did."""
    if run.exceptions:
        return "exception: " + run.exceptions[0]
    if run.not_found:
        return "page not found"
    if page not in run.headings:
        return f"asked for {page}, got the page headed {run.headings[:1]}"
    return None


@dataclass
class ProtocolSession:
    """A session of one signed-in person, cycling through the pages until the deadline."""

    name: str
    url: str  # http://127.0.0.1:PORT
    cookie: str  # "uptake_session=..."
    pages: list[str]  # titles, in the order visited; the first visit is the default page
    think: tuple[float, float] = (0.5, 1.5)  # seconds between page changes, uniform
    timeout: float = 60.0
    seed: int = 0
    limit: int | None = None  # page changes at most (None: until the deadline)
    changes: list[Change] = field(default_factory=list)

    async def run(self, deadline: float) -> list[Change]:
        """Page changes until time.monotonic() passes deadline (the change under way finishes)."""
        rng = random.Random(self.seed)
        stream = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        started = time.monotonic()
        try:
            async with connect(
                stream,
                origin=self.url,  # type: ignore[arg-type]
                subprotocols=["streamlit"],  # type: ignore[list-item]
                additional_headers={"Cookie": self.cookie},
                max_size=None,
                compression=None,
                # no pings of our own, as a browser sends none: a server too busy to answer one within
                # websockets' 20 s would close the socket where a browser just waits (its pings are answered)
                ping_interval=None,
                open_timeout=self.timeout,
            ) as socket:
                await self._visit(socket, rng, deadline)
        except (OSError, WebSocketException, TimeoutError) as exc:  # refused, closed, no answer
            since = self.changes[-1].started + self.changes[-1].seconds if self.changes else started
            self.changes.append(Change(self.name, "(connection)", since, time.monotonic() - since, _why(exc)))
        return self.changes

    async def _visit(self, socket: ClientConnection, rng: random.Random, deadline: float) -> None:
        query, known = "", {}
        step = 0
        while True:
            page = self.pages[step % len(self.pages)] if step else FIRST_PAGE
            page_hash, path = known.get(page, ("", ""))
            start = time.monotonic()
            if step and not page_hash:
                self.changes.append(Change(self.name, page, start, 0.0, f"no page {page!r} in the navigation"))
                return
            try:
                run = await page_run(socket, rerun_message(query, page_hash, path), self.timeout)
            except (TimeoutError, ConnectionClosed) as exc:
                self.changes.append(Change(self.name, page, start, time.monotonic() - start, _why(exc)))
                return
            seconds = time.monotonic() - start
            known.update(run.pages)
            query = run.query if run.query is not None else query
            self.changes.append(Change(self.name, page, start, seconds, run_error(run, page), run.bytes))
            if self.changes[-1].error:
                return
            step += 1
            pause = rng.uniform(*self.think)
            if time.monotonic() + pause >= deadline or len(self.changes) == self.limit:
                return
            await asyncio.sleep(pause)


def _why(exc: BaseException) -> str:
    if isinstance(exc, ConnectionClosed):
        return f"socket closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
    if isinstance(exc, InvalidStatus):
        return f"websocket refused (HTTP {exc.response.status_code})"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return f"{type(exc).__name__}: {exc}"
