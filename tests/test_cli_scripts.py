"""The command line for scripts (issue 15, part 5): the lists as JSON, `alerts --fail-on`, a reader
that closes the pipe early, and the API answering exactly what `kpis --json` and `alerts --json`
print. Reading through the running app: tests/test_api_server.py."""

import json
import os
import subprocess
import sys

from analysis import auth
from analysis.access import OPERATOR
from analysis.api import answers
from analysis.store import Store
from tests.conftest import ROOT
from tests.test_alerts import tiny_acme

AS_OF = "2025-02-10"


def test_org_and_rollout_lists_as_json_and_text(cli):
    tiny_acme(cli.path)
    assert json.loads(cli("org", "list", "--json").stdout) == [{"id": 1, "name": "Acme", "time_zone": "UTC"}]
    assert cli("org", "list").stdout == "1\tAcme\tUTC\n"
    listed = json.loads(cli("rollout", "list", "--org", "Acme", "--json").stdout)
    assert listed == [
        {
            "id": 1,
            "name": "MFA",
            "cohorts": {"champion": "2025-01-06", "wider": "2025-02-03"},
            "window_days": 28,
            "target_adoption": 0.8,
            "target_age_days": 30,
        }
    ]
    text = cli("rollout", "list", "--org", "Acme").stdout
    assert text == "1\tMFA\tchampion 2025-01-06, wider 2025-02-03\ttarget 0.8 by day 30\t28-day window\n"
    unknown = cli("rollout", "list", "--org", "Nope", ok=False)
    assert unknown.returncode == 2 and "no organisation" in unknown.stderr


def test_user_list_as_json_holds_no_secret(cli):
    cli("org", "add", "Acme")
    cli("user", "add", "ann@acme.test", "--role", "client_viewer", "--org", "Acme", "--password-stdin",
        stdin="a long enough password\n")  # fmt: skip
    listed = json.loads(cli("user", "list", "--json").stdout)
    assert [(u["email"], u["role"], u["organisations"]) for u in listed] == [("ann@acme.test", "client_viewer", "Acme")]
    assert not {"pw_hash", "totp_secret"} & set(listed[0])


def test_alerts_fail_on_exits_1_while_such_a_flag_holds(cli):
    tiny_acme(cli.path)
    alerts = ("alerts", "--org", "Acme", "--as-of", AS_OF)
    # as of 02-10 the champions have 1 of 4 active: 25 % < half the 80 % target, LOW_ADOPTION high
    assert cli(*alerts).returncode == 0
    assert cli(*alerts, "--fail-on", "high", ok=False).returncode == 1
    assert cli(*alerts, "--fail-on", "medium", "--json", ok=False).returncode == 1
    # high only below a quarter of the target (20 %): 25 % is medium now, and nothing else is high
    cli("alerts", "set", "--org", "Acme", "--rollout", "MFA", "LOW_ADOPTION.high_share_of_target=0.25")
    assert cli(*alerts, "--fail-on", "high").returncode == 0
    assert cli(*alerts, "--fail-on", "medium", ok=False).returncode == 1
    bad = cli(*alerts, "--fail-on", "low", ok=False)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_not_enough_data_is_no_flag_for_fail_on(cli):
    cli("org", "add", "Acme")
    cli("rollout", "add", "--org", "Acme", "--name", "MFA", "--cohort", "champion=2025-01-06")
    listed = json.loads(cli("alerts", "--org", "Acme", "--json").stdout)
    assert listed and {a["state"] for a in listed} == {"not_enough_data"}  # nothing loaded
    assert cli("alerts", "--org", "Acme", "--fail-on", "medium").returncode == 0


def test_the_api_answers_exactly_what_kpis_json_and_alerts_json_print(cli):
    tiny_acme(cli.path)
    printed = json.loads(cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", AS_OF, "--json").stdout)
    listed = json.loads(cli("alerts", "--org", "Acme", "--as-of", AS_OF, "--json").stdout)
    store = Store(cli.path, staging_dir=cli.path.parent / "staging")
    try:
        admin = auth.add_account(store, OPERATOR, "a@p.test", "admin")
        events = store.cursor().execute("SELECT count(*) FROM alert_events").fetchall()[0][0]
        for org, rollout in (("Acme", "MFA"), ("1", "1"), ("acme", "mfa")):
            kpis = answers.kpis(store, admin.principal, org, rollout, {"as_of": AS_OF})
            assert kpis == printed, (org, rollout)
            assert answers.organisation_alerts(store, admin.principal, org, {"as_of": AS_OF}) == listed
        # a read through the API writes no alert history
        assert store.cursor().execute("SELECT count(*) FROM alert_events").fetchall()[0][0] == events
    finally:
        store.close()


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback(cli):
    """`python -m analysis kpis ... | head -1`: here the reader has gone before the first write."""
    tiny_acme(cli.path)
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis", "kpis", "--org", "Acme", "--rollout", "MFA", "--json"],
        cwd=ROOT,
        env={**os.environ, "UPTAKE_DB": str(cli.path), "UPTAKE_DEMO": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141  # 128 + SIGPIPE, as a shell reports `yes | head -1`
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_duckdb_refuses_even_a_read_only_open_while_another_process_holds_the_file(tmp_path):
    """Why the read commands go through the app's API (analysis/cli/remote.py) rather than a
    read-only open: DuckDB's file lock is per process, and read_only=True meets it too. If DuckDB
    ever allows this, the command line could read the file directly."""
    import duckdb

    db = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
         "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        try:
            duckdb.connect(str(db), read_only=True).close()
            opened = True
        except duckdb.IOException as exc:
            opened = False
            assert "lock" in str(exc).lower()
        assert not opened
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
