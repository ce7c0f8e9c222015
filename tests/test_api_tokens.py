"""API tokens (analysis/api/tokens.py), the rate limit (analysis/api/rate.py) and each route's
answer without the web server (analysis/api/answers.py): who a token acts for, and the scoping
every route goes through. tests/test_api_server.py drives the same through the real server."""

import hashlib
from datetime import datetime, timedelta

import pytest

from analysis import auth, orgs
from analysis.access import OPERATOR
from analysis.api import answers, tokens
from analysis.api.rate import RateLimit
from analysis.scope import open_scope

T0 = datetime(2026, 3, 2, 9, 0, 0)
PASSWORD = "a long api-token password"


@pytest.fixture
def people(acme):
    """Acme (with MFA) and Globex (with its own rollout), and one account per kind of holder."""
    store = acme.store
    globex = orgs.add_organisation(store, OPERATOR, "Globex SENTINEL", email_domains=["globex.test"])
    orgs.add_rollout(open_scope(store, OPERATOR, globex, "configure"), "Secret", {"champion": T0.date()})

    def account(email, role, org_ids):
        return auth.add_account(store, OPERATOR, email, role, org_ids, password=PASSWORD)

    return {
        "store": store,
        "acme": acme.org_id,
        "globex": globex,
        "ann": account("ann@acme.test", "account_manager", [acme.org_id]),
        "vic": account("vic@acme.test", "client_viewer", [acme.org_id]),
        "ula": account("ula@acme.test", "client_uploader", [acme.org_id]),
        "root": account("root@provider.test", "admin", None),
    }


def test_a_token_is_shown_once_and_only_its_sha256_is_kept(people):
    store, ann = people["store"], people["ann"]
    token = tokens.new_token(store, ann.account_id, "  nightly   report ", now=T0)
    assert token.startswith("uptake_") and len(token) == len("uptake_") + 43  # 32 bytes, URL-safe base64
    kept = repr(store.cursor().execute("SELECT * FROM api_tokens").fetchall())
    assert token not in kept and token[7:] not in kept
    assert hashlib.sha256(token.encode()).hexdigest() in kept
    held = tokens.token_holder(store, token, now=T0 + timedelta(minutes=1))
    assert held is not None and held.account.email == "ann@acme.test"
    assert held.account.principal.org_ids == frozenset({people["acme"]})
    listed = tokens.account_tokens(store, ann.account_id)
    assert list(listed["name"]) == ["nightly report"]  # spaces folded
    assert listed["created_at"][0] == T0 and listed["last_used_at"][0] == T0 + timedelta(minutes=1)
    assert tokens.account_tokens(store, people["vic"].account_id).empty  # one's own tokens only


def test_last_used_is_written_at_most_once_a_minute(people):
    store, ann = people["store"], people["ann"]
    token = tokens.new_token(store, ann.account_id, "script", now=T0)

    def last_used():
        return tokens.account_tokens(store, ann.account_id)["last_used_at"][0]

    for seconds, expected in ((10, 10), (69, 10), (70, 70), (100, 70)):
        assert tokens.token_holder(store, token, now=T0 + timedelta(seconds=seconds)) is not None
        assert last_used() == T0 + timedelta(seconds=expected), seconds


def test_a_tampered_unknown_or_revoked_token_acts_for_no_one(people):
    store, ann, vic = people["store"], people["ann"], people["vic"]
    token = tokens.new_token(store, ann.account_id, "script", now=T0)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for wrong in (tampered, token[7:], token + "x", "uptake_", "", None, "uptake_" + "x" * 300):
        assert tokens.token_holder(store, wrong, now=T0) is None, wrong
    token_id = int(tokens.account_tokens(store, ann.account_id)["token_id"][0])
    assert not tokens.revoke_token(store, vic.account_id, token_id)  # not vic's to revoke
    assert tokens.token_holder(store, token, now=T0) is not None
    assert tokens.revoke_token(store, ann.account_id, token_id)
    assert tokens.token_holder(store, token, now=T0) is None
    assert not tokens.revoke_token(store, ann.account_id, token_id)  # already revoked
    assert tokens.account_tokens(store, ann.account_id).empty


def test_disabling_the_account_or_resetting_its_password_ends_its_tokens(people):
    store = people["store"]
    ann = tokens.new_token(store, people["ann"].account_id, "script")
    vic = tokens.new_token(store, people["vic"].account_id, "script")
    auth.disable_account(store, OPERATOR, "ann@acme.test")
    assert tokens.token_holder(store, ann) is None
    auth.reset_password(store, OPERATOR, "vic@acme.test")
    assert tokens.token_holder(store, vic) is None
    assert tokens.account_tokens(store, people["vic"].account_id).empty  # revoked, not only refused


def test_a_token_needs_a_name_and_an_account_has_at_most_20(people):
    store, ann = people["store"], people["ann"]
    for name in ("", "   ", "x" * 81):
        with pytest.raises(auth.AccountError, match="name"):
            tokens.new_token(store, ann.account_id, name)
    for n in range(tokens.MAX_LIVE):
        tokens.new_token(store, ann.account_id, f"script {n}")
    with pytest.raises(auth.AccountError, match="revoke one first"):
        tokens.new_token(store, ann.account_id, "one more")


def test_the_rate_limit_is_a_sliding_minute_per_token():
    limit = RateLimit(limit=3, period=60)
    assert [limit.retry_after(1, now=t) for t in (0.0, 10.0, 20.0)] == [None, None, None]
    # the 4th at 30 s: the oldest (0 s) leaves the window at 60 s, so 30 s to wait; nothing counted
    assert limit.retry_after(1, now=30.0) == 30
    assert limit.retry_after(1, now=59.5) == 1  # 0.5 s, rounded up to a whole second
    assert limit.retry_after(2, now=30.0) is None  # another token has its own count
    assert limit.retry_after(1, now=60.0) is None  # 0 s has left; 10, 20, 60 now count
    assert limit.retry_after(1, now=65.0) == 5


# -- the answers: scoped like the pages ----------------------------------------------------------------


def test_another_tenants_organisation_is_no_such_organisation(people):
    store, globex = people["store"], people["globex"]
    for who in ("ann", "vic", "ula"):
        principal = people[who].principal
        for org in (str(globex), "Globex SENTINEL", "globex sentinel", "999", "0", "-1", "", "\u00b2", "9" * 20):
            with pytest.raises(answers.ApiError) as refused:
                answers.rollouts(store, principal, org)
            assert refused.value.status == 404 and "SENTINEL" not in refused.value.message, (who, org)
        assert [o["name"] for o in answers.organisations(store, principal)] == ["Acme"]
    admin = people["root"].principal
    assert [o["name"] for o in answers.organisations(store, admin)] == ["Acme", "Globex SENTINEL"]
    with pytest.raises(answers.ApiError) as refused:
        answers.rollouts(store, admin, "999")  # an admin sees every organisation there is, no more
    assert refused.value.status == 404


def test_another_organisations_rollout_is_no_such_rollout(people):
    store, acme = people["store"], str(people["acme"])
    secret = orgs.rollouts(open_scope(store, OPERATOR, people["globex"]))[0].rollout_id
    for rollout in (str(secret), "Secret", "\u00b2", "9" * 20):
        with pytest.raises(answers.ApiError) as refused:
            answers.kpis(store, people["vic"].principal, acme, rollout, {})
        assert refused.value.status == 404
    assert answers.rollouts(store, people["vic"].principal, acme)[0]["name"] == "MFA"


def test_a_viewer_may_not_load_and_bad_parameters_are_400(people, tmp_path):
    store, acme = people["store"], str(people["acme"])
    path = tmp_path / "usage.csv"
    path.write_text("user_id,date,activity,count\na@acme.test,2025-01-03,mfa,1\n")
    with pytest.raises(answers.ApiError) as refused:
        answers.load(store, people["vic"].principal, acme, {"kind": "usage"}, "usage.csv", path)
    assert refused.value.status == 403
    with pytest.raises(answers.ApiError) as refused:
        answers.load(store, people["ula"].principal, str(people["globex"]), {"kind": "usage"}, "usage.csv", path)
    assert refused.value.status == 404
    loaded = answers.load(store, people["ula"].principal, acme, {"kind": "usage"}, "usage.csv", path)
    assert (loaded["rows_read"], loaded["rows_loaded"]) == (1, 1)
    bad_windows = ("0", "seven", "3661", "\u00b2", "99999999999999999999", "-7")
    for query in ({"as_of": "2025-13-01"}, *({"window": w} for w in bad_windows)):
        with pytest.raises(answers.ApiError) as refused:
            answers.kpis(store, people["vic"].principal, acme, "MFA", query)
        assert refused.value.status == 400, query


def test_an_account_the_app_holds_on_your_account_is_held_back_from_the_api(people):
    store, ann, vic = people["store"], people["ann"], people["vic"]
    assert tokens.held_back(store, ann) is None
    auth.set_totp_required_for_providers(store, OPERATOR, True)
    assert "two-step" in tokens.held_back(store, auth.account(store, ann.account_id))
    assert tokens.held_back(store, vic) is None  # the requirement is for the provider's people
    auth.reset_password(store, OPERATOR, "vic@acme.test")
    assert "password" in tokens.held_back(store, auth.account(store, vic.account_id))
