"""Finding 8 of issue 10: a client uploader could tell from the preview whether a company name
or an e-mail domain belongs to another client. For a client the answer for another client's
company (or domain) and for one nobody has must be word for word the same."""

from datetime import date

import pytest

from analysis import orgs, presets
from analysis.access import OPERATOR, Principal
from analysis.ingest import load_file
from analysis.scope import open_scope

TICKETS = (
    "ticket_id,created_at,status,company\nT1,2025-01-02,open,Acme Ltd\nT2,2025-01-03,open,\n"
    "T3,2025-01-04,open,Acme Ltd\nT4,2025-01-05,open,{company}\n"
)
USAGE = (
    "user_id,date,activity\na@acme.test,2025-01-07,mfa\nb@acme.test,2025-01-07,mfa\n"
    "c@acme.test,2025-01-07,mfa\nspy@{domain},2025-01-07,mfa\n"
)


@pytest.fixture
def world(acme):
    globex = orgs.add_organisation(acme.store, OPERATOR, "Globex", email_domains=["globex.test"])
    presets.map_company(acme.store, OPERATOR, "Acme Ltd", acme.org_id)
    presets.map_company(acme.store, OPERATOR, "Globex Corp", globex)
    return acme


def seen(scope, kind, text: str, secret: str):
    """What a preview tells its uploader, with the company or domain asked about blanked out."""
    result = load_file(scope, kind, "probe.csv", text.encode(), rollout="MFA", dry_run=True)
    said = [
        *result.messages,
        *(f"{r.line} {r.column} {r.reason}" for r in result.rejects),
        f"{result.rows_read} {result.rows_loaded} {result.rows_rejected}",
    ]
    return [line.replace(secret, "<asked>") for line in said]


def uploader(acme):
    who = Principal("uploader@acme.test", "client_uploader", frozenset({acme.org_id}))
    return open_scope(acme.store, who, acme.org_id, "upload")


def test_a_client_cannot_tell_another_clients_company_from_an_unknown_one(world):
    client = uploader(world)
    theirs = seen(client, "tickets", TICKETS.format(company="Globex Corp"), "Globex Corp")
    nobodys = seen(client, "tickets", TICKETS.format(company="Nobody Inc"), "Nobody Inc")
    assert theirs == nobodys
    assert "5 company company '<asked>' is not mapped to this organisation: ask your provider to map it" in theirs
    assert any(
        m.startswith(
            "1 row names a company that is not mapped to this organisation, left out: "
            "<asked> (1 row). Ask your provider"
        )
        for m in theirs
    )


def test_the_provider_still_sees_which_company_is_whose(world):
    theirs = seen(world, "tickets", TICKETS.format(company="Globex Corp"), "Globex Corp")
    nobodys = seen(world, "tickets", TICKETS.format(company="Nobody Inc"), "Nobody Inc")
    assert theirs != nobodys and any("mapped to another organisation" in m for m in theirs)


def test_a_client_cannot_tell_another_clients_domain_from_an_unknown_one(world):
    client = uploader(world)
    theirs = seen(client, "usage", USAGE.format(domain="globex.test"), "globex.test")
    nobodys = seen(client, "usage", USAGE.format(domain="nobody.test"), "nobody.test")
    assert theirs == nobodys
    assert "5 user_id the domain <asked> is not one of this organisation's e-mail domains (acme.test)" in theirs


def test_a_client_of_an_organisation_without_domains_is_told_nothing_either(world):
    orgs_id = orgs.add_organisation(world.store, OPERATOR, "Initech")
    orgs.add_rollout(open_scope(world.store, OPERATOR, orgs_id, "configure"), "MFA", {"champion": date(2025, 1, 6)})
    who = Principal("uploader@initech.test", "client_uploader", frozenset({orgs_id}))
    client = open_scope(world.store, who, orgs_id, "upload")
    theirs = seen(client, "usage", USAGE.format(domain="globex.test"), "globex.test")
    nobodys = seen(client, "usage", USAGE.format(domain="nobody.test"), "nobody.test")
    assert theirs == nobodys


def test_the_provider_is_still_told_a_domain_is_another_organisations(world):
    theirs = seen(world, "usage", USAGE.format(domain="globex.test"), "globex.test")
    nobodys = seen(world, "usage", USAGE.format(domain="nobody.test"), "nobody.test")
    assert any("belongs to another organisation" in m for m in theirs) and theirs != nobodys
