"""Now against then (analysis/comparison.py), worked by hand on the tiny set (tests/data/tiny):
champions a b c d live 2025-01-06, wider e f live 2025-02-03 (g unlicensed), counting activity
mfa, sms the old way; as of 2025-02-10 with a 28-day window."""

from datetime import date

import pytest

from analysis import metrics, orgs
from analysis.__main__ import main
from analysis.access import Principal
from analysis.comparison import change_words, compare, then_day
from analysis.months import months_back
from analysis.privacy import OTHER
from analysis.scope import Scope
from analysis.words import day
from tests.conftest import TINY
from tests.test_pages import app_as, demo, goto  # noqa: F401 (demo is a fixture)
from tests.test_reports import pdf_text, run, tiny_file

D = date(2025, 2, 10)


@pytest.fixture
def tiny(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    return acme, orgs.rollout(acme, "MFA")


def table(found):
    return {(r.figure, r.cohort): (r.then, r.now) for r in found.rows}


def test_then_days():
    assert then_day(date(2026, 11, 15), "previous-quarter") == date(2026, 8, 15)
    assert months_back(date(2026, 5, 31), 3) == date(2026, 2, 28)  # to the shorter month's last day
    assert months_back(date(2026, 1, 31), 2) == date(2025, 11, 30)  # back over a year end
    assert then_day(date(2028, 2, 29), "previous-year") == date(2027, 2, 28)
    assert then_day(D, "previous-28-days") == date(2025, 1, 13)
    with pytest.raises(ValueError, match="previous-quarter"):
        then_day(D, "last-week")


def test_the_previous_28_days(tiny):
    scope, rollout = tiny
    found = compare(scope, rollout, D, 28, "previous-28-days", fold=False)
    got = table(found)
    # now (01-14 .. 02-10): champions c active (1 of 4), b and c used it since go-live (2 of 4);
    # then (12-17 .. 01-13): a (01-03) and b (01-07) active, b activated
    assert got[("adoption_rate", "champion")] == (0.5, 0.25)
    assert got[("activation_rate", "champion")] == (0.25, 0.5)
    # the wider cohort went live on 02-03: nothing "then" to compare with, nor for everyone together
    assert got[("adoption_rate", "wider")] == (None, 1.0)  # e and f both used mfa in the window
    assert got[("adoption_rate", "all")] == (None, 0.5)  # c, e, f of 6
    assert got[("habitual_share", "champion")] == (None, None)  # under 84 days: not yet
    words = {(r.figure, r.cohort): r.words() for r in found.rows}
    assert words[("adoption_rate", "champion")] == {
        "Figure": "Adoption",
        "Cohort": "Champion cohort",
        "Then": "50%",
        "Now": "25%",
        "Change": "down 25.0 pts (x0.50)",
    }
    assert words[("adoption_rate", "wider")]["Change"] == "n/a"
    assert found.then_label == "13 Jan 2025 (the previous 28 days)"
    # departments, all cohorts, weakest now first: IT a b (none now; both then), Sales c d e
    # (c and e now; none then), Finance f (now; not then)
    deps = found.departments
    assert list(deps["department"]) == ["IT", "Sales", "Finance"]
    assert list(deps["then"]) == [1.0, 0.0, 0.0]
    assert list(deps["now"]) == [0.0, pytest.approx(2 / 3), 1.0]


def test_a_baseline(tiny):
    scope, rollout = tiny
    found = compare(scope, rollout, D, 28, "baseline:computed", fold=False)
    got = table(found)
    # the computed baseline window 2024-12-09 .. 2025-01-05, as of its last day: a alone active
    # (1 of 4 champions), nobody of the wider cohort, no one activated (no one is live yet)
    assert got[("adoption_rate", "champion")] == (0.25, 0.25)
    assert got[("adoption_rate", "wider")] == (0.0, 1.0)
    assert got[("activation_rate", "champion")] == (0.0, 0.5)
    assert {r.figure: r.words()["Change"] for r in found.rows if r.cohort == "wider"}["adoption_rate"] == (
        "up 100.0 pts"  # from nothing: no ratio
    )
    assert found.departments is None  # a baseline keeps no department figures
    assert found.then_label.startswith("baseline 'computed' (9 Dec 2024 to 5 Jan 2025)")
    with pytest.raises(LookupError):
        compare(scope, rollout, D, 28, "baseline:no such", fold=False)


def test_departments_fold_for_client_leadership(tiny):
    scope, rollout = tiny
    viewer = Scope(scope.store, Principal("viewer", "client_viewer", frozenset({scope.org_id})), scope.org_id)
    deps = compare(viewer, rollout, D, 28, "previous-28-days", fold=True).departments
    # IT 2, Sales 3, Finance 1 licensed: all under 5, together 6: one folded group
    assert list(deps["department"]) == [OTHER]
    assert deps["now"].iloc[0] == pytest.approx(3 / 6) and deps["then"].iloc[0] == pytest.approx(2 / 6)


def test_change_words():
    assert change_words(0.47, 0.63, "share") == "up 16.0 pts (x1.34)"
    assert change_words(2.3, 6.3, "rate") == "up 4.0 (+174%)"
    assert change_words(40, 30, "count") == "down 10 (-25%)"
    assert change_words(0.5, 0.5, "share") == "no change"
    assert change_words(None, 0.5, "share") == "n/a"


def test_the_overview_compares_with_the_previous_quarter(demo, monkeypatch):  # noqa: F811
    """The demo as of its newest day: the wider cohort went live 90 days before, so three months
    back it was not live (n/a); the table says what compare() says, figure for figure."""
    at = goto(app_as(demo, "account_manager", monkeypatch), "pages/overview.py")
    before = len(at.dataframe)
    [picker] = [s for s in at.selectbox if s.label == "Compare with"]
    picker.set_value("previous-quarter").run()
    assert not at.exception
    assert len(at.dataframe) == before + 2  # the KPIs and the departments
    _, scope, _ = demo
    rollout = orgs.rollout(scope, "MFA rollout")
    as_of = metrics.default_as_of(scope, rollout)
    expected = compare(scope, rollout, as_of, 28, "previous-quarter", fold=False)
    shown = [df for df in at.dataframe if "Figure" in df.value.columns][0].value
    assert shown.to_dict("records") == [r.words() for r in expected.rows]
    wider = shown[(shown["Figure"] == "Adoption") & (shown["Cohort"] == "Wider cohort")].iloc[0]
    assert (wider["Then"], wider["Change"]) == ("n/a", "n/a")
    departments = [df for df in at.dataframe if "Adoption then" in df.value.columns][0].value
    assert departments["Department"].iloc[0] == "Warehouse"  # weakest now first
    assert any(f"then: {day(then_day(as_of, 'previous-quarter'))}" in c.value for c in at.caption)


def test_the_report_command_compares(tmp_path, monkeypatch, capsys):
    """`report --compare previous-28-days` adds the section after the KPI table, with the
    tiny set's figures above; a comparison that cannot be made is refused before any drawing."""
    tiny_file(tmp_path / "cli.duckdb")
    where = ["--org", "acme", "--rollout", "mfa", "--as-of", "2025-02-10", "--format", "pdf"]
    out = tmp_path / "pack.pdf"
    done = run(tmp_path / "cli.duckdb", "report", *where, "--out", out, "--compare", "previous-28-days")
    assert done.returncode == 0, done.stderr
    pages = pdf_text(out.read_bytes())
    [page] = [p for p in pages if "Compared with 13 Jan 2025 (the previous 28 days)" in p]
    assert "Adoption Champion cohort 50% 25% down 25.0 pts (x0.50)" in " ".join(page.split())
    assert pages.index(page) == [i for i, p in enumerate(pages) if "KPIs" in p.split("\n")[0]][0] + 1
    monkeypatch.setenv("UPTAKE_DB", str(tmp_path / "cli.duckdb"))
    for against, message in [
        (
            "last-week",
            "uptake: --compare 'last-week': write previous-quarter, previous-28-days, previous-year or baseline:NAME\n",
        ),
        ("baseline:nope", "uptake: no baseline named 'nope' for 'MFA' (see `python -m analysis baseline list`)\n"),
    ]:
        assert main(["report", *where, "--out", str(tmp_path / "x.pdf"), "--compare", against]) == 2
        assert capsys.readouterr() == ("", message)
