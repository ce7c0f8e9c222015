"""The API on the real server (`streamlit run server.py` on a free port, as tests/test_browser.py
starts it; no browser): the tenant matrix over every route, tokens that are missing, tampered,
revoked or of a disabled account, a session cookie instead of a token, loads by role, the rate
limit, the OpenAPI description, and the command line reading through the app while it holds
the database."""

import json
import os
import subprocess
import sys
from datetime import date

import httpx
import pytest

from analysis import auth, orgs
from analysis.access import OPERATOR
from analysis.api import tokens
from analysis.api.rate import LIMIT
from analysis.scope import open_scope
from analysis.seed import ensure_demo
from analysis.store import Store
from tests.conftest import ROOT
from tests.servers import running_app

PASSWORD = "a long api-server password"
USAGE = (
    b"user_id,date,activity,count\nnew.one@democo.example,2026-11-16,mfa,1\nnew.two@democo.example,2026-11-16,mfa,2\n"
)
SENTINEL = "SENTINEL"  # in every name of the other tenant: never in an answer to Demo Co's tokens


def seed(db) -> dict:
    """The demo (Demo Co), Globex with its own rollout, an account per role and their tokens."""
    store = Store(db, staging_dir=db.parent / "staging")
    ensure_demo(store, enabled=True)
    demo = orgs.organisation_id(store, OPERATOR, "Demo Co")
    globex = orgs.add_organisation(store, OPERATOR, "Globex SENTINEL-ORG", email_domains=["globex.test"])
    orgs.add_rollout(
        open_scope(store, OPERATOR, globex, "configure"), "SENTINEL-ROLLOUT", {"champion": date(2026, 1, 5)}
    )
    made = {"demo": demo, "globex": globex}
    made["demo_rollout"] = orgs.rollouts(open_scope(store, OPERATOR, demo))[0].rollout_id
    made["globex_rollout"] = orgs.rollouts(open_scope(store, OPERATOR, globex))[0].rollout_id
    for key, email, role, org_ids in (
        ("admin", "admin@provider.test", "admin", None),
        ("manager", "am@provider.test", "account_manager", [demo]),
        ("viewer", "lead@democo.example", "client_viewer", [demo]),
        ("uploader", "data@democo.example", "client_uploader", [demo]),
        ("globex_viewer", "boss@globex.test", "client_viewer", [globex]),
        ("disabled", "gone@democo.example", "client_viewer", [demo]),
        ("revoked", "old@democo.example", "client_viewer", [demo]),
        ("new", "new@democo.example", "client_viewer", [demo]),  # must change its password first
    ):
        who = auth.add_account(
            store, OPERATOR, email, role, org_ids, password=PASSWORD, must_change_password=key == "new"
        )
        made[key] = tokens.new_token(store, who.account_id, f"{key} script")
        if key == "admin":
            made["rate"] = tokens.new_token(store, who.account_id, "rate script")
            session = auth.start_session(store, who.account_id)
            made["cookie"] = "uptake_session=" + auth.cookie_value(store, session)
    auth.disable_account(store, OPERATOR, "gone@democo.example")
    revoked = auth.account_by_email(store, "old@democo.example")
    tokens.revoke_token(store, revoked.account_id, int(tokens.account_tokens(store, revoked.account_id)["token_id"][0]))
    store.close()
    return made


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api")
    made = seed(tmp / "api.duckdb")
    env = {"UPTAKE_DB": str(tmp / "api.duckdb"), "UPTAKE_DEMO": "1", "UPTAKE_INBOX": str(tmp / "inbox")}
    with running_app(tmp, env) as url, httpx.Client(base_url=url + "/api/v1", timeout=60) as client:
        yield {**made, "url": url, "db": tmp / "api.duckdb", "client": client}


def get(app, path, token=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return app["client"].get(path, headers=headers)


def post_file(app, org, token=None, kind="usage", name="usage.csv", data=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = data if data is not None else USAGE
    return app["client"].post(f"/orgs/{org}/loads", headers=headers, data={"kind": kind}, files={"file": (name, data)})


def routes(org, rollout) -> list[str]:
    """Every GET route that names an organisation."""
    return [
        f"/orgs/{org}/rollouts",
        f"/orgs/{org}/alerts",
        f"/orgs/{org}/rollouts/{rollout}/kpis",
        f"/orgs/{org}/rollouts/{rollout}/alerts",
    ]


def test_every_route_answers_a_demo_token_for_its_own_organisation(app):
    for key in ("viewer", "uploader", "manager", "admin"):
        for org, rollout in ((app["demo"], app["demo_rollout"]), ("Demo Co", "MFA rollout")):
            for path in routes(org, rollout):
                answer = get(app, path, app[key])
                assert answer.status_code == 200, (key, path, answer.text)
                assert SENTINEL not in answer.text
    kpis = get(app, f"/orgs/{app['demo']}/rollouts/{app['demo_rollout']}/kpis?window=7", app["viewer"]).json()
    assert (kpis["org"], kpis["rollout"], kpis["window_days"]) == ("Demo Co", "MFA rollout", 7)
    assert [o["name"] for o in get(app, "/orgs", app["viewer"]).json()] == ["Demo Co"]
    assert [o["name"] for o in get(app, "/orgs", app["admin"]).json()] == ["Demo Co", "Globex SENTINEL-ORG"]


def test_another_tenants_ids_and_names_are_404_on_every_route_with_nothing_of_theirs(app):
    globex, secret = app["globex"], app["globex_rollout"]
    cases = [
        *routes(globex, secret),
        *routes("Globex SENTINEL-ORG", "SENTINEL-ROLLOUT"),
        *routes(globex, app["demo_rollout"]),
        *routes(app["demo"], secret)[2:],  # the other tenant's rollout under one's own organisation
        *routes(app["demo"], "SENTINEL-ROLLOUT")[2:],
        *routes(999, 1),  # no such organisation answers the same
    ]
    for key in ("viewer", "uploader", "manager"):
        for path in cases:
            answer = get(app, path, app[key])
            assert answer.status_code == 404, (key, path, answer.status_code)
            assert SENTINEL not in answer.text and "Globex" not in answer.text, (key, path)
        refused = post_file(app, globex, app[key])
        assert refused.status_code == 404 and SENTINEL not in refused.text, key
    # and the other way round: Globex's viewer sees nothing of Demo Co
    for path in routes(app["demo"], app["demo_rollout"]):
        assert get(app, path, app["globex_viewer"]).status_code == 404


def test_no_token_a_tampered_revoked_or_disabled_one_or_a_cookie_is_401(app):
    tampered = app["admin"][:-1] + ("A" if app["admin"][-1] != "A" else "B")
    wrong = [
        {},
        {"Authorization": f"Bearer {tampered}"},
        {"Authorization": f"Bearer {app['revoked']}"},
        {"Authorization": f"Bearer {app['disabled']}"},
        {"Authorization": f"Basic {app['admin']}"},
        {"Authorization": "Bearer"},
        {"Cookie": app["cookie"]},  # a live admin sign-in: the API never reads cookies
    ]
    for headers in wrong:
        for path in ["/orgs", *routes(app["demo"], app["demo_rollout"]), *routes(app["globex"], 1)]:
            answer = app["client"].get(path, headers=headers)
            assert answer.status_code == 401, (headers, path, answer.status_code)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert SENTINEL not in answer.text and "Demo Co" not in answer.text
    # a POST without a bearer token meets the Origin check first (ui/origin.py); with a bad one, 401
    assert post_file(app, app["demo"]).status_code == 403
    assert post_file(app, app["demo"], Cookie=app["cookie"]).status_code == 403
    for token in (tampered, app["revoked"], app["disabled"]):
        assert post_file(app, app["demo"], token).status_code == 401
    # a bearer token from a page of another origin is still refused
    assert post_file(app, app["demo"], app["uploader"], Origin="http://evil.test").status_code == 403


def test_an_account_the_app_holds_on_your_account_gets_403_everywhere(app):
    for path in ["/orgs", *routes(app["demo"], app["demo_rollout"])]:
        answer = get(app, path, app["new"])
        assert answer.status_code == 403 and "change its password" in answer.json()["error"], path
        assert "Demo Co" not in answer.text


def test_loads_are_for_client_uploaders_and_providers_through_the_one_ingest_path(app):
    demo = app["demo"]
    refused = post_file(app, demo, app["viewer"])
    assert refused.status_code == 403 and "may not upload" in refused.json()["error"]
    loaded = post_file(app, demo, app["uploader"])
    assert loaded.status_code == 200, loaded.text
    counts = loaded.json()
    assert (counts["rows_read"], counts["rows_loaded"], counts["rows_rejected"]) == (2, 2, 0)
    assert counts["upload_id"] > 0 and counts["unknown_people"] == 2  # not on the demo's roster
    assert set(counts) >= {"rows_loaded", "rows_updated", "rows_rejected", "rows_duplicate", "unknown_people"}
    again = post_file(app, demo, app["manager"]).json()  # the same bytes again change nothing
    assert again["upload_id"] is None
    bad = post_file(app, demo, app["uploader"], name="junk.csv", data=b"\x00\x01 not a table\n")
    assert bad.status_code == 422 and bad.json()["refused"] is True
    assert post_file(app, demo, app["uploader"], kind="pictures").status_code == 400


def test_over_60_requests_a_minute_a_token_gets_429_with_retry_after(app):
    answers = [get(app, "/orgs", app["rate"]).status_code for _ in range(LIMIT)]
    assert answers == [200] * LIMIT
    over = get(app, "/orgs", app["rate"])
    assert over.status_code == 429
    assert 1 <= int(over.headers["Retry-After"]) <= 60
    assert get(app, "/orgs", app["admin"]).status_code == 200  # the same account's other token: its own count


def test_the_openapi_description_names_every_route(app):
    described = app["client"].get("/openapi.json")
    assert described.status_code == 200
    spec = described.json()
    assert spec["openapi"].startswith("3.") and spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert set(spec["paths"]) == {
        "/api/v1/orgs",
        "/api/v1/orgs/{org}/rollouts",
        "/api/v1/orgs/{org}/alerts",
        "/api/v1/orgs/{org}/rollouts/{rollout}/kpis",
        "/api/v1/orgs/{org}/rollouts/{rollout}/alerts",
        "/api/v1/orgs/{org}/loads",
        "/api/v1/openapi.json",
    }


def command(app, *args, env=None):
    full = {**os.environ, "UPTAKE_DB": str(app["db"]), "UPTAKE_DEMO": "0", **(env or {})}
    full.pop("UPTAKE_URL", None) if env is None else None
    done = subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in done.stderr
    return done


def test_the_command_line_reads_through_the_app_while_it_holds_the_database(app):
    kpis = ("kpis", "--org", "Demo Co", "--rollout", "MFA rollout", "--json")
    held = command(app, *kpis)
    assert held.returncode == 3 and "in use by the running app" in held.stderr and "UPTAKE_URL" in held.stderr
    through = {"UPTAKE_URL": app["url"], "UPTAKE_TOKEN": app["viewer"]}
    done = command(app, *kpis, env=through)
    assert done.returncode == 0, done.stderr
    answer = get(app, f"/orgs/{app['demo']}/rollouts/{app['demo_rollout']}/kpis", app["viewer"]).json()
    assert json.loads(done.stdout) == answer
    # as the token's account: a client viewer lists its own organisation only, and cannot name another
    assert json.loads(command(app, "org", "list", "--json", env=through).stdout) == [
        {"id": app["demo"], "name": "Demo Co", "time_zone": "Europe/London"}
    ]
    other = command(app, "rollout", "list", "--org", "Globex SENTINEL-ORG", env=through)
    assert other.returncode == 2 and "no such organisation" in other.stderr and SENTINEL not in other.stderr
    # the demo has a high red flag (Warehouse's adoption under half the target)
    assert command(app, "alerts", "--org", "Demo Co", "--fail-on", "high", env=through).returncode == 1
    # a write, or a read the API does not serve, still needs the app stopped
    assert command(app, "alerts", "--org", "Demo Co", "--history", env=through).returncode == 3
    bad = command(app, *kpis, env={**through, "UPTAKE_TOKEN": app["revoked"]})
    assert bad.returncode == 2 and "401" in bad.stderr
