"""The command line (docs/operations.md#command-line): run in this process (analysis.cli.main, the
same parser and handlers), and once as a user runs it, in a subprocess (the smoke test below)."""

import json
import random

import pytest

from tests.conftest import TINY


def test_as_a_process_help_load_and_kpis_json(acme_cli, cli_process):
    """`python -m analysis` itself (the entry point, exit codes and output of a real process), on a
    database set up in this process: three processes, each ~0.7 s."""
    cli = acme_cli
    assert cli_process("--help").stdout.startswith("usage: python -m analysis")
    cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", TINY / "roster.csv")
    loaded = cli_process("load", "--org", "Acme", "--kind", "usage", TINY / "usage.csv")
    assert loaded.stdout.startswith("load 2: read 8, loaded 8,") and loaded.stderr == ""
    kpis = json.loads(
        cli_process("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-02-10", "--json").stdout
    )
    assert kpis["as_of"] == "2025-02-10" and kpis["cohorts"]["champion"]["licensed_users"] == 4


def test_a_bad_argument_exits_2_with_the_usage_in_process(cli):
    """argparse's SystemExit is the exit code, with the usage on stderr, as in a process."""
    wrong = cli("org", "list", "--nope", ok=False)
    assert wrong.returncode == 2 and wrong.stderr.startswith("usage: python -m analysis")
    assert "unrecognized arguments: --nope" in wrong.stderr and wrong.stdout == ""
    assert cli("--help").stdout.startswith("usage: python -m analysis")


def test_an_unexpected_error_in_process_fails_the_test_and_closes_the_store(cli, monkeypatch):
    """What a traceback on stderr was in a subprocess: main() does not catch it, so neither does
    the cli fixture; the store main() opened is closed all the same."""
    import analysis.cli
    from analysis import orgs
    from analysis.store import Store

    closed = []

    class Counted(Store):
        def close(self):
            closed.append(self.path)
            super().close()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    cli("org", "add", "Acme")
    monkeypatch.setattr(analysis.cli, "Store", Counted)
    monkeypatch.setattr(orgs, "organisations", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli("org", "list")
    assert closed == [str(cli.path)]
    monkeypatch.undo()
    assert "Acme" in cli("org", "list").stdout


def test_load_kpis_undo_round_trip(acme_cli):
    r = json.loads(
        acme_cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", TINY / "roster.csv", "--json").stdout
    )
    assert (r["rows_read"], r["rows_loaded"]) == (7, 7)
    u = json.loads(acme_cli("load", "--org", "acme", "--kind", "usage", TINY / "usage.csv", "--json").stdout)
    assert set(u) >= {
        "upload_id",
        "format",
        "rows_read",
        "rows_loaded",
        "rows_updated",
        "rows_rejected",
        "rows_duplicate",
        "unknown_people",
        "messages",
    }
    assert (u["rows_loaded"], u["format"]) == (8, "canonical")
    kpis = json.loads(acme_cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-02-10", "--json").stdout)
    assert (kpis["org"], kpis["rollout"], kpis["as_of"], kpis["window_days"]) == ("Acme", "MFA", "2025-02-10", 28)
    assert kpis["cohorts"]["wider"] == {
        "go_live": "2025-02-03",
        "licensed_users": 2,
        "active_users": 2,
        "adoption_rate": 1.0,
        "activated_users": 1,
        "activation_rate": 0.5,
        "median_days_to_first_use": 0.0,
        "lapsed_users": 0,
        # f used sms (legacy) on 02-05, within [d - 13, d]
        "legacy_users": 1,
        "never_used": 0,
        # the wider cohort is 7 days old: habit needs 84
        "habitual_users": None,
    }
    assert kpis["cohorts"]["all"]["adoption_rate"] == 0.5
    # the default as-of is the newest counting or legacy day
    assert json.loads(acme_cli("kpis", "--org", "Acme", "--rollout", "MFA", "--json").stdout)["as_of"] == "2025-02-10"
    acme_cli("undo", u["upload_id"])
    after = json.loads(acme_cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-02-10", "--json").stdout)
    assert after["cohorts"]["all"]["active_users"] == 0
    history = json.loads(acme_cli("uploads", "--org", "Acme", "--json").stdout)
    assert [h["kind"] for h in history] == ["usage", "roster"] and history[0]["undone_at"] is not None
    again = acme_cli("undo", u["upload_id"], ok=False)
    assert again.returncode == 2 and "already undone" in again.stderr


def test_a_few_thousand_rows_reconcile_and_reload_adds_nothing(acme_cli, tmp_path):
    rng = random.Random(7)
    lines = ["user_id,date,activity,count"]
    for _ in range(4000):
        lines.append(
            f"u{rng.randrange(300)}@acme.test,2025-01-{rng.randrange(1, 29):02d},"
            f"{rng.choice(['mfa', 'sms'])},{rng.randrange(5)}"
        )
    lines[100] = "u1@acme.test,2025-13-01,mfa,1"  # a bad date (file line 101)
    lines[200] = "u2@acme.test,2025-01-02,mfa,lots"  # text in count (file line 201)
    path = tmp_path / "usage.csv"
    path.write_text("\n".join(lines) + "\n")
    keys = {tuple(line.split(",")[:3]) for line in lines[1:] if line not in (lines[100], lines[200])}
    first = json.loads(acme_cli("load", "--org", "Acme", "--kind", "usage", path, "--json").stdout)
    assert first["rows_read"] == 4000 and first["rows_rejected"] == 2
    assert first["rows_loaded"] == len(keys)
    assert first["rows_duplicate"] == 4000 - 2 - len(keys)
    text = acme_cli("load", "--org", "Acme", "--kind", "usage", path).stdout
    assert "loaded 0," in text and f"duplicate {4000 - 2}" in text
    assert "line 101, column date" in text and "line 201, column count" in text


@pytest.mark.parametrize(
    "args,message",
    [
        (("load", "--org", "Nowhere", "--kind", "usage", "x.csv"), "no organisation named 'Nowhere'"),
        (("load", "--org", "Acme", "--kind", "usage", "missing.csv"), "cannot read missing.csv"),
        (("load", "--org", "Acme", "--kind", "roster", TINY / "roster.csv"), "a roster belongs to a rollout"),
        (("kpis", "--org", "Acme", "--rollout", "Nope", "--json"), "no rollout 'Nope'"),
        (
            ("rollout", "add", "--org", "Acme", "--name", "MFA", "--cohort", "champion=2025-01-01"),
            "already has a rollout",
        ),
        (("org", "add", "acme"), "already exists"),
        (("undo", "999"), "no load 999"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(acme_cli, args, message):
    done = acme_cli(*args, ok=False)
    assert done.returncode != 0
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_refused_file_prints_json_and_exits_non_zero(acme_cli, tmp_path):
    bad = tmp_path / "tickets.csv"
    bad.write_text("ticket_id,created_at\n")
    done = acme_cli("load", "--org", "Acme", "--kind", "tickets", bad, "--json", ok=False)
    assert done.returncode == 1
    assert json.loads(done.stdout) == {
        "refused": True,
        "messages": ["tickets.csv: the file has a header but no rows: nothing to load"],
    }
