"""Shared fixtures: a private database built from the real migrations, an organisation with a
rollout, and a helper that loads CSV text through the one ingest path."""

from __future__ import annotations

import os
import re
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("UPTAKE_DEMO", "0")  # tests that want the demo ask for it

from analysis import orgs  # noqa: E402
from analysis.access import OPERATOR  # noqa: E402
from analysis.ingest import load_file  # noqa: E402
from analysis.scope import open_scope  # noqa: E402
from analysis.store import Store  # noqa: E402
from tests import cli_run  # noqa: E402

TINY = ROOT / "tests" / "data" / "tiny"


@pytest.fixture
def store(request, tmp_path):
    """A private database with Uptake's schema: in memory (no file to create, sync and remove), or
    the file tmp_path/test.duckdb for a test marked file_db (it reopens the database by its path)."""
    path = tmp_path / "test.duckdb" if request.node.get_closest_marker("file_db") else ":memory:"
    handle = Store(path, staging_dir=tmp_path / "staging")
    yield handle
    handle.close()


@pytest.fixture
def acme(store):
    """Acme (acme.test) with the rollout MFA: champion live 2025-01-06, wider 2025-02-03."""
    org_id = orgs.add_organisation(store, OPERATOR, "Acme", email_domains=["acme.test"])
    scope = open_scope(store, OPERATOR, org_id, "upload")
    orgs.add_rollout(scope, "MFA", {"champion": date(2025, 1, 6), "wider": date(2025, 2, 3)}, legacy=["sms"])
    return scope


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (the browser tests skip or fail before this runs
    when it is missing)."""
    import shutil

    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def cli(tmp_path):
    """The command line in this process (analysis.cli.main), on a database file of its own:
    run(*args, ok=True, stdin="", env=None) returns a Ran (returncode, stdout, stderr; ok: it must
    succeed); never a traceback. See tests/cli_run.py."""
    return cli_run.runner(tmp_path / "cli.duckdb")


@pytest.fixture
def acme_cli(cli):
    """The command line with Acme and its rollout MFA (champion 2025-01-06, wider 2025-02-03, sms the old way)."""
    cli("org", "add", "Acme", "--domain", "acme.test")
    cli(
        "rollout",
        "add",
        "--org",
        "Acme",
        "--name",
        "MFA",
        "--cohort",
        "champion=2025-01-06",
        "--cohort",
        "wider=2025-02-03",
        "--legacy",
        "sms",
    )
    return cli


@pytest.fixture
def cli_process(tmp_path):
    """The same, as a user runs it: `python -m analysis` in a subprocess (the smoke tests)."""
    return cli_run.runner(tmp_path / "cli.duckdb", in_process=False)


@pytest.fixture
def tiny(acme, load):
    """Acme with the tiny roster, usage and tickets loaded (tests/data/tiny): (scope, rollout MFA). A
    test module may define its own tiny (some load less)."""
    for kind in ("roster", "usage", "tickets"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


def csv(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


@pytest.fixture
def load():
    def _load(scope, kind, text, name=None, rollout="MFA", **kw):
        data = text if isinstance(text, bytes) else csv(text)
        return load_file(scope, kind, name or f"{kind}.csv", data, rollout=rollout, **kw)

    return _load


def counts(store, table: str) -> int:
    return store.cursor().execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


def snapshot(store) -> dict:
    """Every data table's rows, to prove a failed load left the database as it was."""
    tables = ["uploads", "rejected_rows", "roster", "usage_events", "usage_daily", "tickets", "ticket_history"]
    return {t: sorted(map(repr, store.cursor().execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


_EXIT = {"status": 0}


def pytest_sessionfinish(session, exitstatus):
    _EXIT["status"] = int(exitstatus)


def pytest_unconfigure(config):
    """End the process once pytest has written its summary: DuckDB's Python binding prints a page of
    nanobind 'leaked function' notes while the interpreter shuts down, which would otherwise bury
    the summary line that CI reads. Under pytest-xdist (make test) each worker ends this way too,
    after it has sent its results, so no worker's notes follow the summary either."""
    if os.environ.get("UPTAKE_KEEP_SHUTDOWN") != "1":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_EXIT["status"])


def shown(markdown: str) -> str:
    """The characters a page shows for markdown escaped by ui.text.literal: its backslash escapes
    resolved and its invisible word joiners (which stop autolinks) dropped."""
    from ui.text import WORD_JOINER

    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def as_shown(text: str) -> re.Pattern:
    """A pattern for text as a page shows it after ui.text.literal: an e-mail address there carries
    an invisible word joiner after its @ (so Streamlit does not make it a link)."""
    return re.compile(re.escape(text).replace("@", "@\u2060?"))
