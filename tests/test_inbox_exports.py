"""Scheduled loads through the inbox folder, and spreadsheet formulas neutralised in exports."""

import json

import pandas as pd

from analysis.exports import safe_csv
from analysis.inbox import process_inbox


def test_inbox_loads_settled_files_and_explains_refusals(acme, tmp_path):
    root = tmp_path / "inbox"
    (root / "Acme" / "usage").mkdir(parents=True)
    (root / "Acme" / "roster" / "MFA").mkdir(parents=True)
    (root / "Nobody" / "usage").mkdir(parents=True)
    (root / "Acme" / "usage" / "night.csv").write_text("user_id,date,activity\na@acme.test,2025-01-07,mfa\n")
    (root / "Acme" / "roster" / "MFA" / "people.csv").write_text("user_id,cohort\na@acme.test,champion\n")
    (root / "Nobody" / "usage" / "x.csv").write_text("user_id,date,activity\na@x.test,2025-01-07,mfa\n")
    (root / "Acme" / "usage" / "fresh.csv").write_text("user_id,date,activity\nb@acme.test,2025-01-07,mfa\n")
    now = (root / "Acme" / "usage" / "fresh.csv").stat().st_mtime + 2  # fresh.csv is still being written
    for path in root.rglob("*.csv"):
        if path.name != "fresh.csv":
            import os

            os.utime(path, (now - 60, now - 60))
    records = {r["file"]: r for r in process_inbox(acme.store, root, now=now)}
    assert set(records) == {"Acme/usage/night.csv", "Acme/roster/MFA/people.csv", "Nobody/usage/x.csv"}
    assert records["Acme/usage/night.csv"]["rows_loaded"] == 1
    assert records["Acme/roster/MFA/people.csv"]["rows_loaded"] == 1
    assert records["Nobody/usage/x.csv"]["refused"] is True
    assert (root / "Acme" / "usage" / "fresh.csv").exists()  # left for the next pass
    results = sorted((root / ".processed").glob("*.json"))
    assert len(results) == 3 and all(json.loads(p.read_text())["file"] for p in results)
    assert process_inbox(acme.store, root, now=now) == []  # moved away: nothing loads twice


def test_exports_neutralise_formulas():
    frame = pd.DataFrame(
        {"=cmd": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain", "\tTab"], "n": [1, 2, 3, 4, 5, 6]}
    )
    text = safe_csv(frame).decode("utf-8-sig").splitlines()
    assert text[0] == "'=cmd,n"
    assert [line.split(",")[0] for line in text[1:]] == [
        '"\'=HYPERLINK(""http://x"")"',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
        "'\tTab",
    ]


def test_a_file_that_breaks_the_loader_does_not_block_the_files_behind_it(acme, tmp_path, monkeypatch):
    from analysis import inbox

    root = tmp_path / "inbox"
    (root / "Acme" / "usage").mkdir(parents=True)
    (root / "Acme" / "usage" / "a.csv").write_text("user_id,date,activity\na@acme.test,2025-01-07,mfa\n")
    (root / "Acme" / "usage" / "b.csv").write_text("user_id,date,activity\nb@acme.test,2025-01-07,mfa\n")
    real = inbox.load_file

    def flaky(scope, kind, name, data, **kw):
        if name == "a.csv":
            raise RuntimeError("disk full")
        return real(scope, kind, name, data, **kw)

    monkeypatch.setattr(inbox, "load_file", flaky)
    records = inbox.process_inbox(acme.store, root, now=10**10)
    assert [(r["file"], r.get("refused", False)) for r in records] == [
        ("Acme/usage/a.csv", True),
        ("Acme/usage/b.csv", False),
    ]
    assert "disk full" in records[0]["messages"][0] and records[1]["rows_loaded"] == 1
