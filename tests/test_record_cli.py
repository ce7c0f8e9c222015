"""The change-leadership record from the command line (issue 14 parts 7 and 8): `load --kind
readiness|feedback|kpi_series`, the `kpis --json` keys readiness, feedback and custom_kpis, and undo."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.test_feedback import ANSWERS
from tests.test_kpi_series import SERIES
from tests.test_readiness import READINESS, ROSTER, USAGE


def test_the_record_loads_from_the_command_line_and_reads_in_kpis_json(cli, tmp_path):
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
    )
    loads = {}
    for kind, text in (
        ("roster", ROSTER),
        ("usage", USAGE),
        ("readiness", READINESS),
        ("feedback", ANSWERS),
        ("kpi_series", SERIES),
    ):
        path = tmp_path / f"{kind}.csv"
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        ran = cli("load", "--org", "Acme", "--rollout", "MFA", "--kind", kind, path, "--json")
        loads[kind] = json.loads(ran.stdout)
    assert [loads[k]["rows_loaded"] for k in ("readiness", "feedback", "kpi_series")] == [4, 11, 7]
    out = json.loads(cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-02-20", "--json").stdout)
    assert [c["words"] for c in out["readiness"]["cohorts"]] == [
        "trained before go-live: 3 of 4",
        "trained before go-live: 2 of 6",
    ]
    assert out["readiness"]["entries"][0] == {
        "date": "2024-12-01",
        "cohort": None,
        "department": "Sales",
        "kind": "training",
        "title": "Early briefing",
        "attendance": 2,
    }
    assert out["feedback"]["confidence"][0] == {
        "level": "rollout",
        "place": "whole rollout",
        "answers": 6,
        "mean_score": 13 / 6,
    }
    assert out["feedback"]["champions_before_wider"] == {"before": "2025-02-03", "answers": 4, "mean_score": 4.0}
    assert out["feedback"]["comments"] == 3
    [uptime] = [k for k in out["custom_kpis"] if k["kpi"] == "uptime"]
    assert uptime["baseline"] == pytest.approx(99.8)
    assert (uptime["current"], uptime["target"], uptime["status"]) == (98.0, 99.5, "at risk")
    rules = {(a["rule"], a.get("cohort")) for a in out["alerts"]}
    assert {("NOT_READY", "wider"), ("LOW_CONFIDENCE", "wider"), ("KPI_OFF_TRACK", None)} <= rules
    # undo the survey load: the key reads null again
    cli("undo", str(loads["feedback"]["upload_id"]))
    out = json.loads(cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-02-20", "--json").stdout)
    assert out["feedback"] is None
