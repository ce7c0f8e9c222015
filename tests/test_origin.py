"""The Origin check (ui/origin.py) and the POST-only sign-in routes (server.py).

Browsers send the SameSite=Strict session cookie to every port of a host, so a page on another
port could open the app's websocket as the signed-in user, sign a browser in as someone else with
a claim code of its own (login CSRF), or sign it out. Here: the middleware against every Origin
variant (Starlette's TestClient), the real server with a raw websocket and raw HTTP, and a page
served on another loopback port attacking a signed-in Chromium.
"""

import http.client
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocketDisconnect
from streamlit.proto.BackMsg_pb2 import BackMsg

with warnings.catch_warnings():  # it asks for httpx2, which this project does not need: httpx works
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from analysis import auth, orgs
from analysis.access import OPERATOR
from tests.conftest import as_shown
from ui import origin
from ui.origin import OriginCheck, origin_of, secure_cookies

APP = "http://127.0.0.1:8501"  # the TestClient's base URL: Host 127.0.0.1:8501, scheme http
WS = "ws://127.0.0.1:8501/_stcore/stream"
PASSWORD = "a long origin-test password"


def tiny_app(store):
    """Routes shaped like the real app's, behind the middleware; the websocket echoes each
    message's type, so a dropped message shows."""

    async def ok(request):
        return PlainTextResponse("ok")

    async def stream(websocket):
        await websocket.accept()
        try:
            while True:
                message = BackMsg()
                message.ParseFromString(await websocket.receive_bytes())
                await websocket.send_text(message.WhichOneof("type"))
        except WebSocketDisconnect:
            pass

    return Starlette(
        routes=[
            Route("/", ok, methods=["GET", "POST", "HEAD", "OPTIONS"]),
            Route("/api/session/claim", ok, methods=["POST"]),
            Route("/api/v1/orgs/{org}/loads", ok, methods=["POST"]),
            Route("/{path:path}", ok, methods=["POST"]),
            Route("/media/{name}", ok),
            Route("/_stcore/metrics", ok),
            WebSocketRoute("/_stcore/stream", stream),
        ],
        middleware=[Middleware(OriginCheck, store=lambda: store)],
    )


@pytest.fixture
def client(store, monkeypatch):
    monkeypatch.delenv(origin.PUBLIC_URL, raising=False)
    return TestClient(tiny_app(store), base_url=APP)


def opens(client, headers) -> bool:
    try:
        with client.websocket_connect(WS, headers=headers):
            return True
    except WebSocketDisconnect as refused:
        assert refused.code == 1008
        return False


FOREIGN = {
    "other port": "http://127.0.0.1:9999",
    "other host": "http://evil.test:8501",
    "localhost, same port": "http://localhost:8501",
    "other scheme": "https://127.0.0.1:8501",
    "opaque": "null",
    "with a path": APP + "/",
}


@pytest.mark.parametrize("name", FOREIGN)
def test_a_foreign_origin_is_refused_everywhere(client, name):
    headers = {"Origin": FOREIGN[name]}
    assert not opens(client, headers)
    assert client.post("/api/session/claim", headers=headers, data={"code": "x"}).status_code == 403
    assert client.get("/", headers=headers).status_code == 403  # a cross-origin fetch reads nothing
    assert client.options("/", headers=headers).status_code == 403  # nor passes a preflight


def test_no_origin_is_refused_on_the_websocket_and_for_state_changes_but_not_for_links(client):
    assert not opens(client, {})
    assert client.post("/api/session/claim", data={"code": "x"}).status_code == 403
    assert client.get("/").status_code == 200  # a link or a reload sends no Origin
    assert client.head("/").status_code == 200


def test_a_bearer_token_may_post_without_origin_on_the_token_api_only(client):
    """Scripts send no Origin: the token API (ui/api_routes.py) authenticates by the bearer token
    alone, which no browser adds by itself, so such a POST passes here; nothing else does."""
    bearer = {"Authorization": "Bearer uptake_x"}
    assert client.post("/api/v1/orgs/1/loads", headers=bearer).text == "ok"
    assert client.post("/api/v1/orgs/1/loads", headers={"Authorization": "Basic x"}).status_code == 403
    assert client.post("/api/v1/orgs/1/loads").status_code == 403
    assert client.post("/api/v1/orgs/1/loads", headers={**bearer, "Origin": FOREIGN["other port"]}).status_code == 403
    for path in ("/api/session/claim", "/api/v2/x", "/x/api/v1/y"):
        assert client.post(path, headers=bearer, data={"code": "x"}).status_code == 403, path
    assert not opens(client, bearer)  # the websocket still needs the app's own Origin
    # a dot segment could name another route once something normalises it (clients send them raw)
    raw = {"type": "http", "method": "POST", "headers": [(b"authorization", b"Bearer uptake_x")]}
    assert origin.refusal({**raw, "path": "/api/v1/orgs/1/loads"}, None) is None
    for path in ("/api/v1/../session/claim", "/api/v1/./x", "/api/v1/orgs/.."):
        assert origin.refusal({**raw, "path": path}, None) == "no Origin header", path


def test_the_apps_own_origin_is_accepted(client):
    headers = {"Origin": APP}
    assert opens(client, headers)
    assert client.post("/api/session/claim", headers=headers, data={"code": "x"}).text == "ok"
    assert client.get("/", headers=headers).text == "ok"


def test_a_configured_public_url_is_the_only_origin(store, monkeypatch):
    """Behind a reverse proxy the Host the app sees is not what the browser shows."""
    monkeypatch.setenv(origin.PUBLIC_URL, "HTTPS://Uptake.Example.com:443/dashboard/")
    proxied = TestClient(tiny_app(store), base_url=APP)
    public = {"Origin": "https://uptake.example.com"}
    assert opens(proxied, public)
    assert proxied.post("/api/session/claim", headers=public).status_code == 200
    assert not opens(proxied, {"Origin": APP})  # the request's own Host no longer counts
    assert proxied.post("/api/session/claim", headers={"Origin": APP}).status_code == 403
    assert not opens(proxied, {"Origin": "http://uptake.example.com"})


def test_origins_are_written_as_browsers_write_them(monkeypatch):
    assert origin_of("https://Example.com:443/x?y") == "https://example.com"
    assert origin_of("http://127.0.0.1:8501") == "http://127.0.0.1:8501"
    assert origin_of("http://[::1]:80/") == "http://[::1]"
    for bad in ("null", "ftp://example.com", "https://user@example.com", "http://x:99999", "example.com"):
        assert origin_of(bad) is None
    monkeypatch.setenv(origin.PUBLIC_URL, "uptake.example.com")
    with pytest.raises(ValueError, match="UPTAKE_PUBLIC_URL"):
        origin.public_origin()


def test_the_secure_cookie_flag_follows_the_public_url(monkeypatch):
    monkeypatch.delenv(origin.PUBLIC_URL, raising=False)
    assert secure_cookies("https") and not secure_cookies("http")
    monkeypatch.setenv(origin.PUBLIC_URL, "https://uptake.example.com")
    assert secure_cookies("http")  # TLS ends at a proxy that is not on loopback
    monkeypatch.setenv(origin.PUBLIC_URL, "http://uptake.internal")
    assert not secure_cookies("https")


def test_developer_messages_never_reach_the_app(client):
    """Clearing the cache clears every user's caches; Streamlit accepts it from any session."""
    clear, rerun = BackMsg(), BackMsg()
    clear.clear_cache = True
    rerun.rerun_script.query_string = ""
    with client.websocket_connect(WS, headers={"Origin": APP}) as ws:
        ws.send_bytes(clear.SerializeToString())
        ws.send_bytes(rerun.SerializeToString())
        assert ws.receive_text() == "rerun_script"


def cookie(store, role):
    org = (
        None if role == "admin" else [orgs.add_organisation(store, OPERATOR, "Initech", email_domains=["initech.test"])]
    )
    who = auth.add_account(store, OPERATOR, f"{role}@initech.test", role, org, password=PASSWORD)
    return {"Cookie": "uptake_session=" + auth.cookie_value(store, auth.start_session(store, who.account_id))}


def test_downloads_need_a_sign_in_and_metrics_an_admin(client, store):
    assert client.get("/media/abc.csv").status_code == 403
    assert client.get("/_stcore/metrics").status_code == 403
    viewer = cookie(store, "client_viewer")
    assert client.get("/media/abc.csv", headers=viewer).text == "ok"
    assert client.get("/_stcore/metrics", headers=viewer).status_code == 403
    admin = cookie(store, "admin")
    assert client.get("/_stcore/metrics", headers=admin).text == "ok"
    forged = {"Cookie": admin["Cookie"][:-4] + "0000"}
    assert client.get("/media/abc.csv", headers=forged).status_code == 403
    auth.end_session(store, auth.token_from_cookie(store, admin["Cookie"].split("=", 1)[1]))
    assert client.get("/media/abc.csv", headers=admin).status_code == 403


# -- the real server ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """tests/test_browser.py's server (`streamlit run server.py`, seeded), one for this module;
    imported here, not at the top, because that module skips itself where chromium is absent."""
    from tests.test_browser import server as start

    yield from start.__wrapped__(tmp_path_factory)


def request(server, method, path, headers=None, body=None):
    port = int(server["url"].rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def raw_websocket(server, origin_header, *messages: bytes):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(
            server["url"].replace("http", "ws") + "/_stcore/stream", origin=origin_header, proxy=None, open_timeout=20
        ) as socket:
            for message in messages:
                socket.send(message)
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


def test_the_real_websocket_takes_only_its_own_origin(server):
    port = server["url"].rsplit(":", 1)[1]
    assert raw_websocket(server, None) == 403
    assert raw_websocket(server, "http://127.0.0.1:9999") == 403
    assert raw_websocket(server, f"http://localhost:{port}") == 403  # Streamlit alone lets this in
    assert raw_websocket(server, "null") == 403
    clear = BackMsg()
    clear.clear_cache = True
    assert raw_websocket(server, server["url"], clear.SerializeToString()) == 101
    log, deadline = server["tmp"] / "server.log", time.time() + 10
    while "developer message" not in log.read_text() and time.time() < deadline:
        time.sleep(0.2)
    assert "a developer message (clear cache, run on save, git) was dropped" in log.read_text()


def test_the_real_sign_in_routes_take_only_posts_from_the_app(server):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for path in ("/api/session/claim?code=x", "/api/session/logout"):  # a GET gets the app's page, no more
        answer = request(server, "GET", path)
        assert answer.status == 200 and answer.getheader("set-cookie") is None
    assert (
        request(server, "POST", "/api/session/claim", {**form, "Origin": "http://127.0.0.1:9999"}, "code=x").status
        == 403
    )
    assert request(server, "POST", "/api/session/logout", form, "").status == 403  # no Origin
    own = request(server, "POST", "/api/session/claim", {**form, "Origin": server["url"]}, "code=unknown")
    assert own.status == 303 and own.getheader("set-cookie") is None  # a wrong code: no cookie
    assert (
        request(server, "POST", "/api/session/claim", {**form, "Origin": server["url"]}, "code=" + "x" * 5000).status
        == 413
    )
    assert request(server, "GET", "/_stcore/metrics").status == 403
    assert request(server, "GET", "/media/0123456789abcdef.csv").status == 403
    assert request(server, "GET", "/_stcore/health").status == 200


# -- a page on another loopback port, attacking a signed-in Chromium ---------------------------------

ATTACK = """<!doctype html><title>attack</title><body><script>
const APP = "%s", code = new URLSearchParams(location.search).get("code");
const wait = (promise) => Promise.race([promise, new Promise(r => setTimeout(() => r("timeout"), 15000))]);
const websocket = () => wait(new Promise(resolve => {
  const socket = new WebSocket(APP.replace("http", "ws") + "/_stcore/stream");
  socket.onopen = () => { resolve("open"); socket.close(); };
  socket.onerror = () => resolve("error");
}));
const post = (path, fields) => wait(new Promise(resolve => {
  const frame = document.createElement("iframe"), form = document.createElement("form");
  frame.name = "sink" + Math.random().toString(36).slice(2);
  document.body.appendChild(frame);
  frame.onload = () => resolve("answered");
  form.method = "post"; form.action = APP + path; form.target = frame.name;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input"); input.name = name; input.value = value; form.appendChild(input);
  }
  document.body.appendChild(form); form.submit();
}));
const image = (path) => wait(new Promise(resolve => {
  const img = new Image();
  img.onload = () => resolve("load"); img.onerror = () => resolve("error"); img.src = APP + path;
}));
const blind = (path, fields) => fetch(APP + path, {method: "POST", mode: "no-cors", credentials: "include",
  body: new URLSearchParams(fields)}).then(() => "sent", () => "failed");
(async () => {
  const results = {websocket: await websocket()};
  results.claimImage = await image("/api/session/claim?code=" + code);
  results.claimForm = await post("/api/session/claim", {code});
  results.claimFetch = await blind("/api/session/claim", {code});
  results.logoutImage = await image("/api/session/logout");
  results.logoutForm = await post("/api/session/logout", {});
  results.logoutFetch = await blind("/api/session/logout", {});
  window.results = results;
})();
</script></body>"""


@pytest.fixture(scope="module")
def attacker(server):
    """A page served on another loopback port: the same host, so the browser sends the cookie."""
    from tests.test_browser import free_port

    page = (ATTACK % server["url"]).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def session_cookie(context):
    found = [c["value"] for c in context.cookies() if c["name"] == "uptake_session"]
    return found[0] if found else None


def own_origin_websocket(tab) -> str:
    return tab.evaluate("""() => new Promise(resolve => {
        const socket = new WebSocket(location.origin.replace("http", "ws") + "/_stcore/stream");
        socket.onopen = () => { resolve("open"); socket.close(); };
        socket.onerror = () => resolve("error");
    })""")


def held_claim_code(browser, server, email):
    """The attacker signs in as itself but keeps its claim code unused (the POST is stopped)."""
    from tests.test_browser import PASSWORD as password

    context = browser.new_context()
    codes = []

    def hold(route):
        codes.append(parse_qs(route.request.post_data or urlsplit(route.request.url).query)["code"][0])
        route.abort()

    context.route("**/api/session/claim*", hold)
    tab = context.new_page()
    tab.goto(server["url"] + "/")
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()
    deadline = time.time() + 60
    while not codes and time.time() < deadline:
        tab.wait_for_timeout(200)
    assert codes, "the sign-in did not post its claim code"
    context.unroute("**/api/session/claim*")
    return tab, codes[0]


@pytest.mark.browser
def test_a_page_on_another_port_can_neither_drive_nor_sign_in_nor_sign_out(browser, server, attacker):
    from tests.test_browser import signed_in

    thief, code = held_claim_code(browser, server, "boss@globex.test")
    victim = signed_in(browser, server, "admin@provider.test")
    before = session_cookie(victim.context)
    assert before and own_origin_websocket(victim) == "open"  # the app's own page still connects

    page = victim.context.new_page()  # the victim opens the attacker's page
    page.goto(f"{attacker}/?code={code}")
    page.wait_for_function("() => window.results !== undefined", timeout=120_000)
    results = page.evaluate("window.results")
    assert session_cookie(victim.context) == before, results  # neither replaced nor deleted
    assert results["websocket"] == "error", results
    assert results["claimForm"] == "answered" and results["logoutForm"] == "answered", results
    victim.reload()  # still the admin, still signed in
    victim.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    assert victim.get_by_text(as_shown("admin@provider.test")).first.is_visible()
    assert victim.context.request.get(server["url"] + "/_stcore/metrics").status == 200
    assert victim.context.request.get(server["url"] + "/media/0123456789abcdef.csv").status == 404  # passed
    anonymous = browser.new_context()
    assert anonymous.request.get(server["url"] + "/media/0123456789abcdef.csv").status == 403
    anonymous.close()

    # the attacker's code was never spent: from the app's own page it still signs its owner in
    thief.goto(server["url"] + "/")
    thief.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    thief.evaluate(
        """code => { const form = document.createElement("form"); form.method = "post";
        form.action = "/api/session/claim"; const input = document.createElement("input");
        input.name = "code"; input.value = code; form.appendChild(input); document.body.appendChild(form);
        form.submit(); }""",
        code,
    )
    thief.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    assert session_cookie(thief.context)
    thief.reload()
    thief.get_by_text(as_shown("boss@globex.test")).first.wait_for(timeout=60_000)
    thief.context.close()

    # a download works for the signed-in browser, and its /media/ address, while it exists, for no one else
    victim.goto(server["url"] + "/adoption")
    button = victim.get_by_role("button", name="people (CSV)").first
    button.wait_for(timeout=60_000)
    with victim.expect_download(timeout=60_000) as download:
        button.click()
    assert "/media/" in download.value.url and download.value.path().read_bytes().count(b"\n") > 1
    assert victim.context.request.get(download.value.url).status == 200
    anonymous = browser.new_context()
    assert anonymous.request.get(download.value.url).status == 403
    anonymous.close()

    victim.get_by_role("button", name="Sign out").click()  # and signing out from the app works
    victim.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert session_cookie(victim.context) is None
    victim.reload()
    victim.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    victim.context.close()
