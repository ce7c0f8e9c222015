"""Tenant isolation (issue 6, docs/security.md#tenant-isolation): the permission table, a tenant matrix over
roles x pages x organisations with sentinel strings, and tampering cases that must leak nothing and
write nothing."""

from __future__ import annotations

import hashlib
import importlib
import os
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis import auth, lessons, orgs, phases
from analysis import store as store_module
from analysis.access import OPERATOR, PERMISSIONS, ROLES, AccessDenied, Principal
from analysis.alerts import actions
from analysis.exports import safe_csv
from analysis.ingest import load_file
from analysis.scope import open_scope
from analysis.uploads import UndoError, history, rejected_rows, undo
from tests.apptest import (
    SETTINGS_TABS,
    by_label,
    download_data,
    file_buttons,
    new_app,
    open_page,
    rendered,
    reset_streamlit,
    signed_in,
    through_the_router,  # noqa: F401 (the router fixture)
)
from tests.conftest import shown

try:  # company -> organisation mappings (issue 5); older trees load every ticket row
    from analysis.presets import map_company
except ImportError:
    map_company = None

LETTERS = ("A", "B", "C")
PASSWORD = "correct horse battery staple"


# -- seeded world: three organisations, each with unique sentinels in every field ------------------


def tokens(x: str) -> dict[str, str]:
    """The sentinels of organisation x: its name, then every kind of data it holds."""
    return {
        "org": f"SENTINEL-{x}-ORG",
        "rollout": f"SENTINEL-{x}-ROLLOUT",
        "cohort": f"SENTINEL-{x}-WAVE",
        "name": f"SENTINEL-{x}-NAME",
        "department": f"SENTINEL-{x}-DEPT",
        "activity": f"SENTINEL-{x}-ACTIVITY",
        "domain": f"sentinel-{x}.test",
        "ticket": f"SENTINEL-{x}-TICKET",
        "subject": f"SENTINEL-{x}-SUBJECT",
        "category": f"SENTINEL-{x}-CATEGORY",
        "company": f"SENTINEL-{x}-COMPANY",
        "file": f"SENTINEL-{x}-FILE",
        "reject": f"SENTINEL-{x}-REJECT",
        "cause": f"SENTINEL-{x}-CAUSE",
        "action": f"SENTINEL-{x}-ACTION",
        "lesson": f"SENTINEL-{x}-LESSON",
        "phase": f"SENTINEL-{x}-PHASE",
        "owner": f"SENTINEL-{x}-OWNER",  # an action's owner: the provider's words, not a person of the roster
        "training": f"SENTINEL-{x}-TRAINING",  # a readiness entry's title
        "comment": f"SENTINEL-{x}-COMMENT",  # a survey comment
        "kpi": f"SENTINEL-{x}-KPI",  # a KPI series' name
    }


def org_name(x: str) -> str:
    return f"Org {tokens(x)['org']}"


SHARED_USER = "shared@common.test"  # the same person id and ticket id in every organisation, so a join
SHARED_TICKET = "T-SHARED"  # that forgot the organisation would pull another's sentinels


def roster_csv(x: str) -> bytes:
    t = tokens(x)
    lines = ["user_id,display_name,department,cohort,licensed"]
    for i in range(1, 7):
        cohort = "champion" if i <= 3 else t["cohort"]
        lines.append(f"p{i}@{t['domain']},{t['name']} {i},{t['department']},{cohort},yes")
    lines.append(f"{SHARED_USER},{t['name']} shared,{t['department']} shared,champion,yes")
    return ("\n".join(lines) + "\n").encode()


def usage_csv(x: str) -> bytes:
    t = tokens(x)
    lines = ["user_id,date,activity,count"]
    for i in range(1, 7):
        for day in (5, 12, 19, 26):
            lines.append(f"p{i}@{t['domain']},2025-02-{day:02d},{t['activity']},{i}")
    lines.append(f"p1@{t['domain']},2025-01-20,{t['activity']},1")
    lines.append(f"{SHARED_USER},2025-02-20,{t['activity']},1")
    return ("\n".join(lines) + "\n").encode()


def tickets_csv(x: str) -> bytes:
    t = tokens(x)
    lines = ["ticket_id,created_at,requester,subject,status,category,company,resolved_at"]
    for i in range(1, 4):
        lines.append(
            f"{t['ticket']}-{i},2025-02-0{i} 09:00,p{i}@{t['domain']},{t['subject']} {i},closed,"
            f"{t['category']},{t['company']},2025-02-0{i} 15:00"
        )
    lines.append(
        f"{SHARED_TICKET},2025-02-10 09:00,{SHARED_USER},{t['subject']} shared,open,{t['category']},{t['company']},"
    )
    # one row without its creation time: rejected, so the load history has a rejected row
    lines.append(f"{t['reject']}-1,,p1@{t['domain']},{t['reject']} {t['subject']},open,{t['category']},{t['company']},")
    return ("\n".join(lines) + "\n").encode()


def lead_the_rollout(scope, x: str) -> None:
    """The organisation's root cause, an overdue action (shown on the Overview and the Portfolio),
    a post-mortem (searched on the Portfolio) and a phase with a target, each named by a sentinel."""
    t = tokens(x)
    rollout = orgs.rollout(scope, t["rollout"])
    actions.save_root_cause(scope, rollout, "LAPSING", [t["cause"]], ["people"], t["cause"])
    actions.add_action(scope, rollout, "LAPSING", t["action"], t["owner"], date(2025, 1, 31))
    lessons.save(scope, rollout, {"learned": t["lesson"]})
    plan = phases.suggested_plan(rollout)
    plan[1] = replace(plan[1], name=t["phase"], targets={"adoption_rate": 0.5})
    phases.save_plan(scope, rollout, plan)


def record_the_rollout(scope, x: str) -> None:
    """The change-leadership record (issue 14): a training session, survey answers with a comment (6,
    so a group of 5+ answers) and a KPI series, each named by a sentinel; loaded before the tickets,
    so the tickets load (with its rejected row) stays the newest in the load history."""
    t = tokens(x)
    readiness = f"date,cohort,kind,title,attendees\n2025-01-02,champion,training,{t['training']},p1@{t['domain']}\n"
    load_file(scope, "readiness", f"{t['file']}-readiness.csv", readiness.encode(), rollout=t["rollout"])
    answers = ["user_id,date,question,score,comment"] + [
        f"p{i}@{t['domain']},2025-02-20,Confident?,2,{t['comment']} {i}" for i in range(1, 7)
    ]
    load_file(
        scope, "feedback", f"{t['file']}-feedback.csv", ("\n".join(answers) + "\n").encode(), rollout=t["rollout"]
    )
    series = f"date,kpi,value,unit,direction,target\n2025-02-20,{t['kpi']},90,%,up,99\n"
    load_file(scope, "kpi_series", f"{t['file']}-kpi.csv", series.encode(), rollout=t["rollout"])


@dataclass
class World:
    path: str
    store: store_module.Store
    org: dict[str, int]  # letter -> org_id
    accounts: dict[str, auth.Account]  # role -> account
    upload_with_rejects: dict[str, int]  # letter -> id of its tickets load (one rejected row)
    scratch: int  # an organisation without sentinels, for the tests that write


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("isolation") / "isolation.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UPTAKE_DB", path)
        mp.setenv("UPTAKE_DEMO", "0")
        reset_streamlit()
        handle = store_module.shared_store(path)
        org, rejects = {}, {}
        for x in LETTERS:
            t = tokens(x)
            org[x] = orgs.add_organisation(handle, OPERATOR, org_name(x), "Europe/London", [t["domain"]])
            scope = open_scope(handle, OPERATOR, org[x], "upload")
            if map_company is not None:  # a ticket row's company must be mapped to the organisation
                map_company(handle, OPERATOR, t["company"], org[x])
            orgs.add_rollout(
                scope,
                t["rollout"],
                {"champion": date(2025, 1, 6), t["cohort"]: date(2025, 2, 3)},
                activities=[t["activity"]],
            )
            load_file(scope, "roster", f"{t['file']}-roster.csv", roster_csv(x), rollout=t["rollout"])
            load_file(scope, "usage", f"{t['file']}-usage.csv", usage_csv(x), rollout=t["rollout"])
            record_the_rollout(scope, x)
            result = load_file(scope, "tickets", f"{t['file']}-tickets.csv", tickets_csv(x), rollout=t["rollout"])
            assert result.rows_rejected == 1
            rejects[x] = result.upload_id
            lead_the_rollout(scope, x)
        assert org == {"A": 1, "B": 2, "C": 3}  # the tampering cases below name these ids literally
        accounts = {
            "admin": auth.add_account(handle, OPERATOR, "admin@provider.test", "admin", password=PASSWORD),
            "account_manager": auth.add_account(
                handle, OPERATOR, "manager@provider.test", "account_manager", [1, 2], password=PASSWORD
            ),
            "client_viewer": auth.add_account(
                handle, OPERATOR, "viewer@client-a.test", "client_viewer", [1], password=PASSWORD
            ),
            "client_uploader": auth.add_account(
                handle, OPERATOR, "uploader@client-b.test", "client_uploader", [2], password=PASSWORD
            ),
        }
        scratch = orgs.add_organisation(handle, OPERATOR, "Scratch", "UTC", ["scratch.test"])
        orgs.add_rollout(open_scope(handle, OPERATOR, scratch, "configure"), "R", {"champion": date(2025, 1, 6)})
        auth.cookie_key(handle)  # made on first use: make it now, so no case below sees that write
        yield World(path, handle, org, accounts, rejects, scratch)
        reset_streamlit()


# -- helpers: what a page shows, what the database holds --------------------------------------------

ROLE_ORGS = {"admin": "ABC", "account_manager": "AB", "client_viewer": "A", "client_uploader": "B"}
ROLE_PAGES = {
    "admin": (
        "pages/overview.py",
        "pages/adoption.py",
        "pages/support.py",
        "pages/red_flags.py",
        "pages/portfolio.py",
        "pages/settings.py",
        "pages/data.py",
        "pages/admin.py",
        "pages/account.py",
    ),
    "account_manager": (
        "pages/overview.py",
        "pages/adoption.py",
        "pages/support.py",
        "pages/red_flags.py",
        "pages/portfolio.py",
        "pages/settings.py",
        "pages/data.py",
        "pages/account.py",
    ),
    "client_viewer": (
        "pages/overview.py",
        "pages/adoption.py",
        "pages/support.py",
        "pages/red_flags.py",
        "pages/account.py",
    ),
    "client_uploader": (
        "pages/overview.py",
        "pages/adoption.py",
        "pages/support.py",
        "pages/red_flags.py",
        "pages/data.py",
        "pages/account.py",
    ),
}
ALL_PAGES = (
    "pages/overview.py",
    "pages/adoption.py",
    "pages/support.py",
    "pages/red_flags.py",
    "pages/portfolio.py",
    "pages/settings.py",
    "pages/data.py",
    "pages/admin.py",
    "pages/account.py",
    "pages/sign_in.py",
    "pages/setup.py",
)
# Pages that are about every organisation the role may see, by design: the portfolio (each
# permitted organisation's rollouts) and the administration page (every company mapping).
CROSS_ORGANISATION = {"pages/portfolio.py": None, "pages/admin.py": "company"}


def forbidden(role: str | None, viewed: str | None) -> list[str]:
    """Sentinels that must not show: everything of an organisation the role may not see, and the
    data (not the name) of a permitted organisation other than the one viewed."""
    permitted = ROLE_ORGS.get(role, "")
    found = []
    for x in LETTERS:
        for kind, token in tokens(x).items():
            if x not in permitted or (x != viewed and kind != "org"):
                found.append(token)
    return found


def leaks(text: str, role: str | None, viewed: str | None) -> list[str]:
    low = text.lower()
    return [t for t in forbidden(role, viewed) if t.lower() in low]


@pytest.fixture
def downloads(monkeypatch):
    """Every file a run hands to a download button: media file id -> bytes."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data if isinstance(path_or_data, bytes) else b""
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def app_for(world: World, role: str | None = None, token: object = None) -> AppTest:
    """An AppTest of app.py, signed in as role (a fresh sign-in) unless token is given."""
    if role is not None:
        return signed_in(world.store, world.accounts[role].account_id)
    at = new_app()
    if token is not None:
        at.session_state["token"] = token
    return at


def openable(at: AppTest) -> tuple[str, ...]:
    """The pages the last run's navigation lets this session switch to."""
    found = []
    for page in ALL_PAGES:
        try:
            at.switch_page(page)
        except ValueError:
            continue
        found.append(page)
    return tuple(found)  # (this leaves the session on the last page found: call it after the runs)


def snapshot(store) -> dict[str, tuple]:
    """Row count and an order-free checksum of every table."""
    cur = store.cursor()
    tables = [
        r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary ORDER BY 1").fetchall()
    ]
    return {
        t: cur.execute(f'SELECT count(*), coalesce(sum(hash(x)::HUGEINT), 0) FROM "{t}" AS x').fetchall()[0]
        for t in tables
    }


def changed(before: dict, after: dict) -> set[str]:
    return {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}


def is_sign_in_page(at: AppTest) -> bool:
    titles = [t.value for t in at.title]
    return titles == ["Sign in to Uptake"] and openable(at) == ("pages/sign_in.py",)


def principal(world: World, role: str):
    return world.accounts[role].principal


# -- 1. the permission table, cell by cell ----------------------------------------------------------

# action: (admin, account_manager, client_viewer, client_uploader) on an organisation granted to them
ON_OWN = {
    "view": (True, True, True, True),
    "export": (True, True, True, True),
    "upload": (True, True, False, True),
    "undo": (True, True, False, True),
    "configure": (True, True, False, False),
    "annotate": (True, True, False, False),
    "portfolio": (True, True, False, False),
    "manage_organisations": (True, False, False, False),
    "manage_users": (True, False, False, False),
}
# the same on an organisation not granted to them (an admin is granted every one)
ON_OTHER = {
    "view": (True, False, False, False),
    "export": (True, False, False, False),
    "upload": (True, False, False, False),
    "undo": (True, False, False, False),
    "configure": (True, False, False, False),
    "annotate": (True, False, False, False),
    "portfolio": (True, False, False, False),
    "manage_organisations": (True, False, False, False),
    "manage_users": (True, False, False, False),
}
ROLE_ORDER = ("admin", "account_manager", "client_viewer", "client_uploader")
# (principal's organisations, own org, other org) per role
GRANTS = {
    "admin": (frozenset(), 1, 3),
    "account_manager": (frozenset({1, 2}), 1, 3),
    "client_viewer": (frozenset({1}), 1, 2),
    "client_uploader": (frozenset({2}), 2, 1),
}
CELLS = [(action, role, where) for action in ON_OWN for role in ROLE_ORDER for where in ("own", "other")]


def test_the_permission_table_has_exactly_these_roles_and_actions():
    assert ROLES == ROLE_ORDER
    assert set(PERMISSIONS) == set(ON_OWN) == set(ON_OTHER)


@pytest.mark.parametrize("action,role,where", CELLS)
def test_permission_cell(action, role, where):
    org_ids, own, other = GRANTS[role]
    who = Principal(f"{role}@test", role, org_ids)
    expected = (ON_OWN if where == "own" else ON_OTHER)[action][ROLE_ORDER.index(role)]
    assert who.may(action, own if where == "own" else other) is expected


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_which_pages_a_role_has_follow_the_table_whatever_its_organisations(role):
    """has_permission (the pages app.py lists) is the table's own-organisation column; provider and
    client roles split the roles in two."""
    who = Principal(f"{role}@test", role, GRANTS[role][0])
    assert {a for a in ON_OWN if who.has_permission(a)} == {
        a for a, row in ON_OWN.items() if row[ROLE_ORDER.index(role)]
    }
    assert (who.is_provider, who.is_client) == (
        (True, False) if role in ("admin", "account_manager") else (False, True)
    )


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_an_unknown_action_is_refused_to_every_role(role):
    org_ids, own, _ = GRANTS[role]
    assert not Principal("x", role, org_ids).may("delete_everything", own)


# -- 2. tenant matrix: every role x page x organisation it may select -------------------------------

MATRIX = [(role, page, x) for role in ROLE_ORDER for page in ROLE_PAGES[role] for x in ROLE_ORGS[role]]
EXPORTS = [(role, x) for role in ROLE_ORDER for x in ROLE_ORGS[role]]


@pytest.mark.parametrize("role", ROLE_ORDER)
def test_navigation_lists_exactly_the_role_s_pages(world, role):
    at = app_for(world, role)
    at.run()
    assert not at.exception
    assert openable(at) == ROLE_PAGES[role]


def test_the_matrix_covers_every_role_page_and_organisation():
    assert len(MATRIX) == 54 and len(EXPORTS) == 7


# each page's tracked tabs (only the chosen one runs): the matrix reads every one
TABS = {
    "pages/data.py": ("data_tab", ("Load files", "Load history", "Roster history", "Unknown people")),
    "pages/settings.py": ("settings_tab", SETTINGS_TABS),
}


@pytest.mark.parametrize("role,page,x", MATRIX)
def test_tenant_matrix(world, downloads, role, page, x):
    at = app_for(world, role)
    at.session_state["org_id"] = world.org[x]
    open_page(at, page)
    assert not at.exception, [e.value for e in at.exception]
    text = rendered(at, downloads)
    key, labels = TABS.get(page, (None, ()))
    for label in labels[1:]:  # the first tab has run
        at.session_state[key] = label
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        text += rendered(at, downloads)
        if label == "Load history":  # the history table (Arrow bytes) and the rejected-rows download
            assert tokens(x)["file"] in at.dataframe[-1].value["file_name"].iloc[0]
            [data] = download_data(at, downloads)
            assert tokens(x)["reject"] in data.decode("utf-8-sig")
    if page == "pages/portfolio.py":  # every permitted organisation, nothing of the others
        outside = [t for y in LETTERS if y not in ROLE_ORGS[role] for t in tokens(y).values()]
        assert [t for t in outside if t.lower() in text.lower()] == []
    else:
        allowed = {tokens(y)[CROSS_ORGANISATION[page]] for y in LETTERS} if page in CROSS_ORGANISATION else set()
        assert [t for t in leaks(text, role, x) if t not in allowed] == []
    t = tokens(x)
    if page not in ("pages/admin.py", "pages/account.py"):  # the page did render the chosen organisation
        assert t["rollout"].lower() in text.lower()
    if page == "pages/overview.py":
        # two adoption charts and one KPI series chart (issue 14)
        assert len(at.get("plotly_chart")) == 3 and t["cohort"].lower() in text.lower()
        # the record shows for the organisation viewed: a training marker, a KPI series row, and (to the
        # provider, the setting being off for clients) a survey comment
        assert t["training"].lower() in text.lower() and t["kpi"].lower() in text.lower()
        assert (t["comment"].lower() in text.lower()) is (role in ("admin", "account_manager"))


@pytest.mark.parametrize("role,x", EXPORTS)
def test_exports_through_the_scope_hold_only_the_viewed_organisation(world, role, x):
    scope = open_scope(world.store, principal(world, role), world.org[x], "export")
    rejects = safe_csv(rejected_rows(scope, world.upload_with_rejects[x])).decode("utf-8-sig")
    loads = safe_csv(history(scope)).decode("utf-8-sig")
    assert tokens(x)["reject"] in rejects and tokens(x)["file"] in loads
    assert leaks(rejects + loads, role, x) == []


def pack_text(pptx: bytes, pdf: bytes) -> str:
    """Everything a report pack says: every XML part of the PowerPoint (slides, properties,
    relationships) and the PDF's text and properties, white space removed (a wrapped cell may break
    a sentinel over two lines)."""
    import io
    import re
    import zipfile

    from pypdf import PdfReader

    with zipfile.ZipFile(io.BytesIO(pptx)) as parts:
        xml = [parts.read(n).decode("utf-8") for n in parts.namelist() if n.endswith((".xml", ".rels"))]
    reader = PdfReader(io.BytesIO(pdf))
    text = [page.extract_text() for page in reader.pages] + [str(v) for v in (reader.metadata or {}).values()]
    return re.sub(r"\s+", "", "\n".join(xml + text))


def pack_leaks(text: str, role: str, viewed: str) -> list[str]:
    return [t for t in forbidden(role, viewed) if "".join(t.split()).lower() in text.lower()]


@pytest.mark.parametrize("role,x", EXPORTS)
def test_report_packs_hold_only_the_viewed_organisation(world, role, x):
    """ISO-1 for the PowerPoint, PDF and HTML packs: 7 role x organisation cases, 0 foreign sentinels; no
    one is named in any pack; client leadership gets the departments folded as on screen."""
    from analysis import metrics, reports

    scope = open_scope(world.store, principal(world, role), world.org[x], "export")
    rollout = orgs.rollouts(scope)[0]
    made = reports.report_contents(scope, rollout, metrics.default_as_of(scope, rollout), 28)
    from analysis.reports.html import html_bytes

    text = pack_text(reports.pptx_bytes(made, {}), reports.pdf_bytes(made, {})) + html_bytes(made, {}).decode()
    t = tokens(x)
    assert t["rollout"] in text and t["org"] in text
    assert pack_leaks(text, role, x) == []
    assert t["name"] not in text and t["domain"] not in text  # aggregate: nobody by name, not even its own
    departments = [b for b in made.sections[4].blocks if isinstance(b, reports.Table)][0]
    shown = [row[0] for row in departments.rows]
    if role.startswith("client_"):  # 6 in SENTINEL-x-DEPT; the 1 in "... shared" folds, and 1 is too few to show
        assert shown == [t["department"]] and f"{t['department']}shared" not in text
    else:
        assert sorted(shown) == [t["department"], f"{t['department']} shared"]


def test_a_client_viewer_downloads_its_own_pack_from_the_overview(world, downloads, monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    import analysis.reports.pack

    monkeypatch.setattr(analysis.reports.pack, "chart_images", lambda contents: ({}, "not drawn in this test"))
    names: list[tuple[str, str]] = []
    recording = MemoryMediaFileStorage.load_and_get_id  # the downloads fixture's: keeps the bytes too

    def named(self, data, mimetype, kind, filename=None):
        names.append((filename, mimetype))
        return recording(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", named)
    at = app_for(world, "client_viewer")
    open_page(at, "pages/overview.py")
    assert not file_buttons(at)
    before = snapshot(world.store)
    next(b for b in at.button if b.label == "Build the report pack").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert changed(before, snapshot(world.store)) <= {"session_activity"}  # a pack writes nothing (alerts included)
    assert [b.proto.label for b in file_buttons(at)] == [
        "Download the PowerPoint",
        "Download the PDF",
        "Download the HTML page",
    ]
    stem = "org-sentinel-a-org-sentinel-a-rollout-2025-02-26-report"
    assert [n for n, _ in names] == [f"{stem}.pptx", f"{stem}.pdf", f"{stem}.html"]
    pptx, pdf, html = download_data(at, downloads)
    assert pptx[:2] == b"PK" and pdf[:5] == b"%PDF-" and html.startswith(b"<!DOCTYPE html>")
    text = pack_text(pptx, pdf)
    assert tokens("A")["rollout"] in html.decode() and pack_leaks(html.decode(), "client_viewer", "A") == []
    assert tokens("A")["rollout"] in text and pack_leaks(text, "client_viewer", "A") == []
    assert [w.value for w in at.warning if "charts could not be drawn (not drawn in this test)" in shown(w.value)]


# -- 3a. tampering: open_scope with look-alike, foreign and malformed organisation ids ----------------

SCOPE_CASES = [
    ("client_viewer", 2, "view"),
    ("client_viewer", 3, "view"),
    ("client_viewer", 999, "view"),
    ("client_viewer", None, "view"),
    ("client_viewer", "1", "view"),
    ("client_viewer", True, "view"),
    ("client_viewer", 1.0, "view"),
    ("client_viewer", -1, "view"),
    ("client_viewer", 0, "view"),
    ("client_viewer", "1 OR 1=1", "view"),
    ("client_viewer", [1], "view"),
    ("client_viewer", "*", "view"),
    ("client_viewer", "\uff11", "view"),  # a full-width digit one
    ("client_viewer", "1; DROP TABLE uploads; --", "view"),
    ("client_uploader", 1, "view"),
    ("client_uploader", 3, "view"),
    ("client_uploader", 999, "view"),
    ("client_uploader", None, "view"),
    ("client_uploader", "2", "view"),
    ("client_uploader", True, "view"),
    ("client_uploader", 2.0, "view"),
    ("client_uploader", "2 OR 1=1", "view"),
    *[("client_viewer", 2, action) for action in ON_OWN],  # every action on another organisation
    *[("client_uploader", 1, action) for action in ON_OWN],
    *[
        ("client_viewer", 1, action)
        for action in ("upload", "undo", "configure", "annotate", "manage_organisations", "manage_users")
    ],  # own, read-only
]


@pytest.mark.parametrize("role,org_id,action", SCOPE_CASES)
def test_open_scope_refuses(world, role, org_id, action):
    before = snapshot(world.store)
    with pytest.raises(AccessDenied) as refused:
        open_scope(world.store, principal(world, role), org_id, action)
    assert "SENTINEL" not in str(refused.value) and "Org " not in str(refused.value)
    assert snapshot(world.store) == before


# -- 3b. tampering: session_state organisation and rollout keys ---------------------------------------

ORG_STATE_CASES = [
    ("client_viewer", "pages/overview.py", 2),
    ("client_viewer", "pages/overview.py", 3),
    ("client_viewer", "pages/overview.py", 999),
    ("client_viewer", "pages/overview.py", None),
    ("client_viewer", "pages/overview.py", "2"),
    ("client_viewer", "pages/overview.py", "1"),
    ("client_viewer", "pages/overview.py", -1),
    ("client_viewer", "pages/overview.py", 0),
    ("client_viewer", "pages/overview.py", "1 OR 1=1; DROP TABLE uploads; --"),
    ("client_viewer", "pages/overview.py", True),
    ("client_viewer", "pages/overview.py", 1.0),
    ("client_viewer", "pages/overview.py", [1]),
    ("client_uploader", "pages/overview.py", 1),
    ("client_uploader", "pages/overview.py", 3),
    ("client_uploader", "pages/overview.py", 999),
    ("client_uploader", "pages/overview.py", None),
    ("client_uploader", "pages/overview.py", "2"),
    ("client_uploader", "pages/overview.py", True),
    ("client_uploader", "pages/overview.py", -1),
    ("client_uploader", "pages/overview.py", "2' OR '1'='1"),
    ("client_uploader", "pages/overview.py", 2.0),
    ("client_uploader", "pages/data.py", 1),
    ("client_uploader", "pages/data.py", 3),
    ("client_uploader", "pages/data.py", None),
    ("client_uploader", "pages/data.py", "1; DELETE FROM uploads; --"),
]
OWN = {"client_viewer": "A", "client_uploader": "B", "account_manager": "A", "admin": "A"}


def assert_shows_only_own(at: AppTest, role: str, files: dict | None = None) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    text = rendered(at, files)
    assert tokens(OWN[role])["rollout"].lower() in text.lower()
    assert leaks(text, role, OWN[role]) == []


@pytest.mark.parametrize("role,page,value", ORG_STATE_CASES)
def test_tampered_org_id_in_session_state_shows_only_own_organisation(world, downloads, role, page, value):
    before = snapshot(world.store)
    at = app_for(world, role)
    after_sign_in = snapshot(world.store)
    at.session_state["org_id"] = value
    open_page(at, page)
    assert_shows_only_own(at, role, downloads)
    assert snapshot(world.store) == after_sign_in and changed(before, after_sign_in) == {"sessions", "session_activity"}


ROLLOUT_STATE_CASES = [
    ("client_viewer", "rollout_1", "SENTINEL-B-ROLLOUT"),
    ("client_viewer", "rollout_2", "SENTINEL-B-ROLLOUT"),
    ("client_viewer", "rollout_1", 2),
    ("client_uploader", "rollout_2", "SENTINEL-A-ROLLOUT"),
    ("client_uploader", "rollout_2", "x' OR '1'='1"),
]


@pytest.mark.parametrize("role,key,value", ROLLOUT_STATE_CASES)
def test_tampered_rollout_in_session_state_shows_only_own_rollout(world, role, key, value):
    at = app_for(world, role)
    at.session_state[key] = value
    open_page(at, "pages/overview.py")
    assert_shows_only_own(at, role)


# -- 3c. tampering: a forged Account in session_state ------------------------------------------------


def forged(account_id: int, role: str, org_ids=(1, 2, 3)) -> auth.Account:
    return auth.Account(account_id, "admin@provider.test", role, frozenset(org_ids), False, False)


@pytest.mark.parametrize(
    "role,forged_role",
    [("client_viewer", "admin"), ("client_uploader", "admin"), ("client_uploader", "account_manager")],
)
def test_a_forged_account_in_session_state_is_replaced_by_the_token_s(world, role, forged_role):
    at = app_for(world, role)
    at.session_state["account"] = forged(world.accounts[role].account_id, forged_role)
    open_page(at, "pages/overview.py")
    assert_shows_only_own(at, role)
    assert at.session_state["account"] == world.accounts[role]
    assert any(world.accounts[role].email in shown(c.value) for c in at.sidebar.caption)
    with pytest.raises(ValueError):
        at.switch_page("pages/admin.py")
    assert openable(at) == ROLE_PAGES[role]


def test_a_forged_account_without_a_token_gets_the_sign_in_page(world):
    at = app_for(world)
    at.session_state["account"] = forged(world.accounts["admin"].account_id, "admin")
    at.run()
    assert not at.exception and leaks(rendered(at), None, None) == []
    assert is_sign_in_page(at)


# -- 3d. tampering: the tab's token and the cookie ----------------------------------------------------


def make_token(world: World, case: str):  # noqa: C901 - one short branch per tampering case
    store, now = world.store, auth.utcnow()
    viewer = world.accounts["client_viewer"].account_id
    if case == "random":
        return "Zm9yZ2VkLXRva2VuLXRoYXQtd2FzLW5ldmVyLWlzc3VlZA"
    if case == "empty":
        return ""
    if case == "none":
        return None
    if case == "int":
        return 12345
    if case == "bytes":
        return auth.start_session(store, viewer).encode()
    if case == "revoked":
        token = auth.start_session(store, viewer)
        auth.end_session(store, token)
        return token
    if case == "expired":  # started 13 hours ago: past the 12-hour limit
        return auth.start_session(store, viewer, now=now - timedelta(hours=13))
    if case == "idle":  # started 31 minutes ago and not used since
        return auth.start_session(store, viewer, now=now - timedelta(minutes=31))
    if case == "disabled":
        email = f"disabled-{os.urandom(4).hex()}@client-a.test"
        gone = auth.add_account(store, OPERATOR, email, "client_viewer", [1], password=PASSWORD)
        token = auth.start_session(store, gone.account_id)
        auth.disable_account(store, OPERATOR, email)
        return token
    if case == "password_reset":
        email = f"reset-{os.urandom(4).hex()}@client-a.test"
        reset = auth.add_account(store, OPERATOR, email, "client_viewer", [1], password=PASSWORD)
        token = auth.start_session(store, reset.account_id)
        auth.reset_password(store, OPERATOR, email)
        return token
    if case == "hash_of_admin_token":  # what the sessions table holds, not the token itself
        return hashlib.sha256(auth.start_session(store, world.accounts["admin"].account_id).encode()).hexdigest()
    if case == "padded":
        return " " + auth.start_session(store, viewer) + " "
    if case == "cookie_value_as_token":  # the signed cookie form is not a tab token
        return auth.cookie_value(store, auth.start_session(store, viewer))
    raise AssertionError(case)


TOKEN_CASES = [
    "random",
    "empty",
    "none",
    "int",
    "bytes",
    "revoked",
    "expired",
    "idle",
    "disabled",
    "password_reset",
    "hash_of_admin_token",
    "padded",
    "cookie_value_as_token",
]


@pytest.mark.parametrize("case", TOKEN_CASES)
def test_a_tampered_token_gets_the_sign_in_page(world, case):
    token = make_token(world, case)
    at = app_for(world, token=token)
    if case == "none":
        at.session_state["token"] = None
    before = snapshot(world.store)
    at.run()
    assert not at.exception
    assert "Overview" not in [t.value for t in at.title]
    assert leaks(rendered(at), None, None) == []
    assert is_sign_in_page(at)
    assert snapshot(world.store) == before


def cookie_for(world: World, case: str) -> str:
    store = world.store
    token = auth.start_session(store, world.accounts["client_viewer"].account_id)
    if case == "valid":
        return auth.cookie_value(store, token)
    if case == "bad_mac":
        return f"{token}.{'0' * 64}"
    if case == "bare_token":
        return token
    if case == "other_key":
        import hmac

        return f"{token}.{hmac.new(b'guessed-key', token.encode(), hashlib.sha256).hexdigest()}"
    if case == "revoked":
        value = auth.cookie_value(store, token)
        auth.end_session(store, token)
        return value
    if case == "two_dots":
        return auth.cookie_value(store, token) + ".x"
    raise AssertionError(case)


@pytest.mark.parametrize(
    "case,signed_in",
    [
        ("valid", True),
        ("bad_mac", False),
        ("bare_token", False),
        ("other_key", False),
        ("revoked", False),
        ("two_dots", False),
    ],
)
def test_the_cookie_signs_in_only_when_signed_and_live(world, monkeypatch, case, signed_in):
    value = cookie_for(world, case)
    monkeypatch.setattr(type(st.context), "cookies", property(lambda self: {"uptake_session": value}))
    at = app_for(world)
    at.run()
    assert not at.exception
    if signed_in:
        assert_shows_only_own(at, "client_viewer")
    else:
        assert is_sign_in_page(at) and leaks(rendered(at), None, None) == []


# -- 3e. tampering: pages the role may not open ------------------------------------------------------


@pytest.mark.parametrize(
    "role,page",
    [
        ("client_viewer", "pages/data.py"),
        ("client_viewer", "pages/admin.py"),
        ("client_uploader", "pages/admin.py"),
        ("account_manager", "pages/admin.py"),
        ("client_viewer", "pages/setup.py"),
        ("client_viewer", "pages/sign_in.py"),
        (None, "pages/overview.py"),
        (None, "pages/data.py"),
        (None, "pages/admin.py"),
        (None, "pages/account.py"),
        (None, "pages/setup.py"),
    ],
)
def test_a_page_the_role_may_not_use_cannot_be_opened(world, role, page):
    at = app_for(world, role)
    at.run()
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page(page)


# -- 3f. tampering: query parameters are ignored ------------------------------------------------------


@pytest.mark.parametrize(
    "role,page,params",
    [
        ("client_viewer", "pages/overview.py", {"org_id": "2"}),
        ("client_viewer", "pages/overview.py", {"org": "2"}),
        ("client_viewer", "pages/overview.py", {"org": "Org SENTINEL-B-ORG"}),
        ("client_viewer", "pages/overview.py", {"rollout": "SENTINEL-B-ROLLOUT"}),
        ("client_viewer", "pages/overview.py", {"org_id": "3", "rollout": "SENTINEL-C-ROLLOUT"}),
        ("client_viewer", "pages/overview.py", {"page": "admin", "role": "admin"}),
        ("client_uploader", "pages/data.py", {"org_id": "1", "upload_id": "3"}),
        ("client_uploader", "pages/data.py", {"org": "1' OR '1'='1"}),
    ],
)
def test_query_parameters_are_ignored(world, downloads, role, page, params):
    at = app_for(world, role)
    for key, value in params.items():
        at.query_params[key] = value
    open_page(at, page)
    assert_shows_only_own(at, role, downloads)


# -- 3g. tampering: downloads after sign-out, expiry, idling or disabling -----------------------------


def end_sign_in(world: World, at: AppTest, how: str) -> None:
    token = at.session_state["token"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    now = auth.utcnow()
    if how == "end_session":
        auth.end_session(world.store, token)
    elif how == "expired":
        with world.store.transaction() as cur:
            cur.execute("UPDATE sessions SET expires_at = ? WHERE token_hash = ?", [now - timedelta(seconds=1), digest])
    elif how == "idle":
        with world.store.transaction() as cur:
            cur.execute(
                "UPDATE session_activity SET last_seen_at = ? WHERE family = "
                "(SELECT family FROM sessions WHERE token_hash = ?)",
                [now - timedelta(minutes=31), digest],
            )
    elif how == "disabled":
        auth.disable_account(world.store, OPERATOR, at.session_state["account"].email)
    elif how == "sign_out_button":
        next(b for b in at.sidebar.button if b.label == "Sign out").click()
        at.run()
    else:
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["end_session", "expired", "idle", "disabled", "sign_out_button"])
def test_no_download_after_the_sign_in_ends(world, downloads, how):
    if how == "disabled":  # a throwaway uploader of B, so the shared one stays usable
        email = f"gone-{os.urandom(4).hex()}@client-b.test"
        gone = auth.add_account(world.store, OPERATOR, email, "client_uploader", [2], password=PASSWORD)
        at = app_for(world, token=auth.start_session(world.store, gone.account_id))
    else:
        at = app_for(world, "client_uploader")
    at.session_state["data_tab"] = "Load history"
    open_page(at, "pages/data.py")
    assert len(file_buttons(at)) == 1  # the rejected rows of B's newest load
    end_sign_in(world, at, how)
    at.run()
    assert not at.exception
    assert not file_buttons(at)
    assert leaks(rendered(at, downloads), None, None) == []
    assert is_sign_in_page(at)


# -- 3h. tampering: SQL metacharacters in every text input are stored or refused literally -------------

PAYLOADS = [
    "' OR '1'='1",
    '"; DROP TABLE accounts; --',
    "x'); DELETE FROM uploads; --",
    "C:\\temp\\ \\' \\\" \\\\x00 \\n",
    "Ünïcødé 名前 \u202etxt.exe — 𝓧 ☃ Ⅰ",
]


def as_email(payload: str) -> str:
    """The payload made into something add_account accepts (no spaces, an @), so it reaches the SQL."""
    return "".join(payload.split()) + "@sql.test"


def submit(at: AppTest, label: str) -> None:
    by_label(at.button, label).click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def rows(store, sql: str, params=()) -> list[tuple]:
    return store.cursor().execute(sql, list(params)).fetchall()


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    """An empty database (no account yet) behind the app, for the setup form."""
    path = str(tmp_path / "fresh.duckdb")
    monkeypatch.setenv("UPTAKE_DB", path)
    st.cache_resource.clear()
    handle = store_module.shared_store(path)
    yield handle
    st.cache_resource.clear()
    store_module._shared.pop(str(tmp_path.resolve() / "fresh.duckdb"), None)
    handle.close()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_the_sign_in_email(world, payload):
    at = app_for(world)
    at.run()
    before = snapshot(world.store)
    by_label(at.text_input, "Email").input(payload)
    by_label(at.text_input, "Password").input(PASSWORD)
    submit(at, "Sign in")
    assert [shown(e.value) for e in at.error] == [auth.WRONG] and is_sign_in_page(at)
    assert changed(before, snapshot(world.store)) == {"sign_in_attempts"}
    assert rows(
        world.store, "SELECT succeeded FROM sign_in_attempts WHERE email = ?", [auth.normalise_email(payload)]
    ) == [(False,)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_the_sign_in_password(world, payload):
    # five wrong passwords for the account manager: still under the five free failures, no delay
    at = app_for(world)
    at.run()
    before = snapshot(world.store)
    failures = rows(world.store, "SELECT count(*) FROM sign_in_attempts WHERE email = 'manager@provider.test'")[0][0]
    by_label(at.text_input, "Email").input("manager@provider.test")
    by_label(at.text_input, "Password").input(payload)
    submit(at, "Sign in")
    assert [shown(e.value) for e in at.error] == [auth.WRONG] and is_sign_in_page(at)
    assert changed(before, snapshot(world.store)) == {"sign_in_attempts"}
    assert rows(world.store, "SELECT count(*) FROM sign_in_attempts WHERE email = 'manager@provider.test'") == [
        (failures + 1,)
    ]


@pytest.mark.parametrize("field", ["Setup code", "Email"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_the_setup_form(world, fresh_app, payload, field):
    code = auth.new_setup_code(fresh_app)
    values = {"Setup code": code, "Email": "first@provider.test", "Password": PASSWORD, "Password again": PASSWORD}
    values[field] = payload if field == "Setup code" else as_email(payload)
    at = new_app()
    at.run()
    assert [t.value for t in at.title] == ["Set up Uptake"]
    before = snapshot(fresh_app)
    for label, value in values.items():
        by_label(at.text_input, label).input(value)
    submit(at, "Create the admin account")
    if field == "Setup code":
        assert [shown(e.value) for e in at.error] == [
            "Not created: that setup code is wrong or has expired: use the newest code on the app's console."
        ]
        assert changed(before, snapshot(fresh_app)) == set()
    else:  # stored literally, as the one admin
        assert rows(fresh_app, "SELECT email, role FROM accounts") == [
            (auth.normalise_email(as_email(payload)), "admin")
        ]
        assert changed(before, snapshot(fresh_app)) == {  # every write has its audit entry (analysis/audit.py)
            "accounts",
            "audit_log",
            "app_settings",
            "sessions",
            "session_activity",
            "claim_codes",
        }


def admin_page(world: World) -> AppTest:
    at = app_for(world, "admin")
    open_page(at, "pages/admin.py")
    assert not at.exception and [t.value for t in at.title] == ["Administration"]
    return at


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_the_admin_add_account_email(world, payload):
    at = admin_page(world)
    before = snapshot(world.store)
    by_label(at.text_input, "Email").input(as_email(payload))
    by_label(at.selectbox, "Role").set_value("client_viewer")
    by_label(at.multiselect, "Organisations").set_value([world.scratch])
    at.text_input(key="add_account_password").input(PASSWORD)  # the admin confirms (analysis/auth/reauth.py)
    submit(at, "Add account")
    assert not at.error, [e.value for e in at.error]
    assert rows(
        world.store,
        "SELECT a.role, o.org_id FROM accounts a JOIN account_orgs o USING (account_id) WHERE a.email = ?",
        [auth.normalise_email(as_email(payload))],
    ) == [("client_viewer", world.scratch)]
    # the admin's confirmation is a sign-in attempt under the throttle (analysis/auth/reauth.py)
    assert changed(before, snapshot(world.store)) == {"accounts", "account_orgs", "sign_in_attempts", "audit_log"}


@pytest.mark.parametrize("field", ["Name", "Email domains"])  # the time zone is a list (issue 13 item 8)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_the_admin_add_organisation_form(world, payload, field):
    at = admin_page(world)
    before = snapshot(world.store)
    name = payload if field == "Name" else f"{field} {PAYLOADS.index(payload)}"
    by_label(at.text_input, "Name").input(name)
    assert payload not in by_label(at.selectbox, "Time zone").options  # nothing typed reaches it
    by_label(at.text_input, "Email domains").input(payload if field == "Email domains" else "")
    submit(at, "Add organisation")
    domains = sorted(
        {d.strip().lower().lstrip("@") for d in (payload if field == "Email domains" else "").split(",") if d.strip()}
    )
    assert rows(world.store, "SELECT time_zone, email_domains FROM organisations WHERE name = ?", [name.strip()]) == [
        ("UTC", domains)
    ]
    assert changed(before, snapshot(world.store)) == {"organisations", "audit_log"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_a_time_zone_through_orgs(world, payload):
    """The page offers a list now; the command line and the API still take a name, refused unless real."""
    before = snapshot(world.store)
    with pytest.raises(ValueError, match="unknown time zone"):
        orgs.add_organisation(world.store, OPERATOR, f"zone {PAYLOADS.index(payload)}", payload)
    assert changed(before, snapshot(world.store)) == set()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_organisation_and_rollout_names_through_orgs(world, payload):
    before = snapshot(world.store)
    org_id = orgs.add_organisation(world.store, OPERATOR, f"{payload} via api", "UTC", [f"{payload}.test"])
    scope = open_scope(world.store, OPERATOR, org_id, "configure")
    orgs.add_rollout(scope, payload, {payload: date(2025, 1, 6)}, activities=[payload])
    assert rows(world.store, "SELECT name FROM organisations WHERE org_id = ?", [org_id]) == [(f"{payload} via api",)]
    assert [(r.name, list(r.cohorts), r.activities) for r in orgs.rollouts(scope)] == [
        (payload.strip(), [payload.strip().lower()], [payload.strip().lower()])
    ]
    assert orgs.organisation_id(world.store, OPERATOR, f"{payload} via api") == org_id
    assert changed(before, snapshot(world.store)) == {"organisations", "rollouts", "cohorts", "audit_log"}


def scratch_usage(header_extra: str | None = None, cell: str = "x") -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["user_id", "date", "activity", "count"] + ([header_extra] if header_extra is not None else [])
    writer.writerow(header)
    extra = [cell] if header_extra is not None else []
    writer.writerow(["u1@scratch.test", "2025-01-10", "mfa", "1", *extra])
    writer.writerow(["u2@scratch.test", "2025-01-11", "mfa", "1", *extra])
    writer.writerow(["u3@scratch.test", "not a date", "mfa", "1", *extra])  # rejected, kept raw
    return out.getvalue().encode()


@pytest.mark.parametrize("where", ["file name", "header", "cell"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_in_a_loaded_file(world, payload, where):
    scope = open_scope(world.store, OPERATOR, world.scratch, "upload")
    before = snapshot(world.store)
    name = payload if where == "file name" else "usage.csv"
    data = scratch_usage(
        payload if where == "header" else "note", payload if where == "cell" else f"name {PAYLOADS.index(payload)}"
    )
    # (each load's bytes differ: a file already loaded records no new load)
    result = load_file(scope, "usage", name, data, rollout="R")
    assert (result.rows_read, result.rows_rejected) == (3, 1)
    assert rows(world.store, "SELECT file_name FROM uploads WHERE upload_id = ?", [result.upload_id]) == [(name,)]
    raw = rows(world.store, "SELECT raw FROM rejected_rows WHERE upload_id = ?", [result.upload_id])[0][0]
    if where == "cell":
        assert payload in raw
    assert changed(before, snapshot(world.store)) <= {
        "load_attempts",  # the load written down before it begins (analysis/care/attempts.py)
        "audit_log",  # its entry (analysis/audit.py)
        "uploads",
        "rejected_rows",
        "usage_events",
        "usage_daily",
        "rollout_days",
    }
    assert {"uploads", "rejected_rows"} <= changed(before, snapshot(world.store))


# -- 3i. a client_viewer cannot write anything, and a client_uploader cannot write across organisations ----


def _viewer_scope(world):
    return open_scope(world.store, principal(world, "client_viewer"), 1, "view")


def _uploader_scope(world):
    return open_scope(world.store, principal(world, "client_uploader"), 2, "upload")


WRITE_ATTEMPTS = {
    "viewer load_file": (
        PermissionError,
        lambda w: load_file(_viewer_scope(w), "usage", "u.csv", usage_csv("A"), rollout="SENTINEL-A-ROLLOUT"),
    ),
    "viewer load_file dry run": (
        PermissionError,
        lambda w: load_file(_viewer_scope(w), "usage", "u.csv", usage_csv("A"), rollout=1, dry_run=True),
    ),
    "viewer undo": (PermissionError, lambda w: undo(_viewer_scope(w), w.upload_with_rejects["A"])),
    "viewer add_rollout": (
        PermissionError,
        lambda w: orgs.add_rollout(_viewer_scope(w), "New", {"champion": date(2025, 1, 6)}),
    ),
    "viewer add_organisation": (
        PermissionError,
        lambda w: orgs.add_organisation(w.store, principal(w, "client_viewer"), "Viewer Co"),
    ),
    "viewer add_account": (
        PermissionError,
        lambda w: auth.add_account(
            w.store, principal(w, "client_viewer"), "friend@client-a.test", "admin", password=PASSWORD
        ),
    ),
    "viewer reset_password": (
        PermissionError,
        lambda w: auth.reset_password(w.store, principal(w, "client_viewer"), "admin@provider.test"),
    ),
    "viewer disable_account": (
        PermissionError,
        lambda w: auth.disable_account(w.store, principal(w, "client_viewer"), "admin@provider.test"),
    ),
    "viewer require totp": (
        PermissionError,
        lambda w: auth.set_totp_required_for_providers(w.store, principal(w, "client_viewer"), True),
    ),
    "viewer list accounts": (PermissionError, lambda w: auth.accounts(w.store, principal(w, "client_viewer"))),
    "viewer map company": (
        PermissionError,
        lambda w: (map_company or _no_mapping)(w.store, principal(w, "client_viewer"), "Viewer Co", 1),
    ),
    "uploader undo of a load not theirs": (UndoError, lambda w: undo(_uploader_scope(w), w.upload_with_rejects["B"])),
    "uploader undo of A's load": (UndoError, lambda w: undo(_uploader_scope(w), w.upload_with_rejects["A"])),
    "uploader load into A's rollout by name": (
        LookupError,
        lambda w: load_file(_uploader_scope(w), "usage", "u.csv", usage_csv("B"), rollout="SENTINEL-A-ROLLOUT"),
    ),
    "uploader load into A's rollout by id": (
        LookupError,
        lambda w: load_file(_uploader_scope(w), "usage", "u.csv", usage_csv("B"), rollout=1),
    ),
    "uploader add_rollout": (
        PermissionError,
        lambda w: orgs.add_rollout(_uploader_scope(w), "New", {"champion": date(2025, 1, 6)}),
    ),
    "manager add_account": (
        PermissionError,
        lambda w: auth.add_account(
            w.store, principal(w, "account_manager"), "new@provider.test", "admin", password=PASSWORD
        ),
    ),
    "manager add_rollout in C": (
        PermissionError,
        lambda w: orgs.add_rollout(
            open_scope(w.store, principal(w, "account_manager"), 3, "configure"), "New", {"champion": date(2025, 1, 6)}
        ),
    ),
}


def _no_mapping(store, who, company, org_id):
    raise PermissionError("no company mappings in this tree")


@pytest.mark.parametrize("case", list(WRITE_ATTEMPTS))
def test_write_attempt_is_refused_and_writes_nothing(world, case):
    error, attempt = WRITE_ATTEMPTS[case]
    before = snapshot(world.store)
    with pytest.raises(error) as refused:
        attempt(world)
    assert "SENTINEL" not in str(refused.value).replace("'SENTINEL-A-ROLLOUT'", "(the name asked for)")
    assert snapshot(world.store) == before


@pytest.mark.parametrize("case", ["rejected rows of A's load", "rollout id of A", "rollout name of A"])
def test_uploader_reads_nothing_of_another_organisation_by_id(world, case):
    scope = _uploader_scope(world)
    if case == "rejected rows of A's load":
        assert rejected_rows(scope, world.upload_with_rejects["A"]).empty
    else:
        with pytest.raises(LookupError):
            scope.rollout_id(1 if case == "rollout id of A" else "SENTINEL-A-ROLLOUT")


def test_the_viewer_s_pages_offer_no_way_to_write(world):
    at = app_for(world, "client_viewer")
    open_page(at, "pages/overview.py")
    # building the report pack only reads (test_a_client_viewer_downloads_its_own_pack_from_the_overview)
    assert not at.file_uploader and sorted(b.label for b in at.button) == ["Build the report pack", "Sign out"]
    assert "pages/data.py" not in openable(at)


# -- 3j. a freshly started server: Streamlit's pages-folder mode until app.py first runs ---------------


def test_the_server_leaves_the_pages_folder_mode_before_the_first_session():
    """A page URL on a freshly started server must go through app.py (the browser test opens one);
    server.py switches Streamlit's old pages-folder mode off on import."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = None
    import server

    importlib.reload(server)
    assert PagesManager.uses_pages_directory is False
