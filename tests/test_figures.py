"""ui/figures.py: a page's Plotly figures are built once per organisation and inputs and shared by
every session and rerun (building them was most of the server's CPU per page change under 20
sessions: docs/performance.md#many-people-at-once); no page builds a chart outside that cache."""

from __future__ import annotations

import ast
import json
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from analysis.charts.base import white
from tests.test_pages import app_as, demo  # noqa: F401 (demo is a fixture)
from ui import figures
from ui.shared import digest

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "pages/overview.py": "Overview",
    "pages/adoption.py": "Adoption",
    "pages/support.py": "Support",
    "pages/red_flags.py": "Red flags",
    "pages/portfolio.py": "Portfolio",
}


def bars(frame: pd.DataFrame) -> go.Figure:
    """A module-level builder for the tests below."""
    return go.Figure(go.Bar(x=frame["x"], y=frame["y"]))


def goto(at, page: str) -> None:
    at.switch_page(page)
    at.run()
    assert not at.exception and not at.error, [e.value for e in [*at.exception, *at.error]]
    assert [t.value for t in at.title] == [PAGES[page]]


@pytest.fixture
def built(monkeypatch):
    """How many Plotly figures are built (every chart builder makes a go.Figure; the cache's
    DrawnFigure copy of one is not counted)."""
    count = [0]
    real = go.Figure.__init__

    def counted(self, *args, **kwargs):
        count[0] += type(self) is go.Figure
        real(self, *args, **kwargs)

    monkeypatch.setattr(go.Figure, "__init__", counted)
    return count


def test_a_rerun_and_another_session_build_no_figure(demo, monkeypatch, built):  # noqa: F811
    st.cache_resource.clear()
    first = app_as(demo, "account_manager", monkeypatch)
    for page in PAGES:
        goto(first, page)
    assert built[0] >= 8  # the demo's charts on these pages, each built once
    specs = [c.proto.spec for c in first.get("plotly_chart")]  # the Portfolio's, the last page shown
    built[0] = 0
    for page in PAGES:
        goto(first, page)  # the same session again
    other = app_as(demo, "account_manager", monkeypatch)
    for page in PAGES:
        goto(other, page)  # another session of the same view
    assert built[0] == 0
    assert [c.proto.spec for c in other.get("plotly_chart")] == specs  # the same figure, to the byte


def test_a_figure_is_shared_per_organisation_and_inputs(built):
    st.cache_resource.clear()
    frame = pd.DataFrame({"x": ["a", "b"], "y": [1, 2]})
    one = figures.shared_figure(1, bars, frame)
    assert figures.shared_figure(1, bars, frame.copy()) is one  # equal inputs: the one built
    assert built[0] == 1
    assert figures.shared_figure(2, bars, frame) is not one  # another organisation: its own
    assert figures.shared_figure(1, bars, frame.assign(y=[1, 3])) is not one  # other data: built anew
    assert built[0] == 3


def test_a_change_anywhere_in_a_large_frame_builds_anew(built):
    """Streamlit's own argument hash samples 10,000 rows of a frame of 50,000 or more; a figure's
    key must see every cell (here the last row's, with the shape unchanged)."""
    st.cache_resource.clear()
    frame = pd.DataFrame({"x": range(60_000), "y": [1.0] * 60_000})
    changed = frame.copy()
    changed.loc[59_999, "y"] = 2.0
    one = figures.shared_figure(1, bars, frame)
    other = figures.shared_figure(1, bars, changed)
    assert one is not other and list(other.data[0].y[-1:]) == [2.0]
    assert built[0] == 2


def test_a_builder_without_a_module_level_name_is_refused():
    with pytest.raises(ValueError, match="module-level"):
        figures.shared_figure(1, lambda frame: go.Figure(), pd.DataFrame())


def chart_calls(path: Path, root: Path = ROOT) -> list[str]:
    """The st.plotly_chart calls of a file whose figure is not a name taken from shared_figure(...)."""
    tree = ast.parse(path.read_text())
    names = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        if isinstance(node.value.func, ast.Name) and node.value.func.id == "shared_figure"
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return [
        f"{path.relative_to(root)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "plotly_chart"
        if not (node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in names)
    ]


def test_every_chart_of_the_pages_comes_from_the_shared_cache():
    files = [*ROOT.glob("app.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    found = [call for path in files if str(path.relative_to(ROOT)) != "ui/figures.py" for call in chart_calls(path)]
    assert found == []


def test_the_sweep_finds_a_chart_built_on_the_page(tmp_path):
    """The check above can fail."""
    page = tmp_path / "probe.py"
    page.write_text(
        "import streamlit as st\nfrom ui.figures import shared_figure\n"
        "st.plotly_chart(chart(frame))\n"  # 3: built on every run
        "figure = shared_figure(1, chart, frame)\nst.plotly_chart(figure)\n"  # fine
        "other = chart(frame)\nst.plotly_chart(other)\n"  # 7: built on every run
    )
    assert chart_calls(page, tmp_path) == ["probe.py:3", "probe.py:7"]


def test_inputs_alike_share_a_key_however_their_objects_are_shared():
    """A value read from st.cache_data is a new copy, the first computed one shares its objects:
    both name the same figure."""
    day = date(2025, 3, 3)
    name = "".join(["go", "-live"])
    sharing = [{"day": day, "kind": name}, {"day": day, "kind": name}]
    copies = [{"day": date(2025, 3, 3), "kind": "go-live"}, {"day": date(2025, 3, 3), "kind": "".join(["go-", "live"])}]
    assert digest(sharing) == digest(copies)
    assert digest(sharing) != digest([{"day": date(2025, 3, 4), "kind": "go-live"}] * 2)


def test_a_drawn_figure_is_written_out_as_the_figure_itself():
    """What st.plotly_chart writes (streamlit/elements/plotly_chart.py: return_figure_from_figure_or_data,
    then plotly.io.to_json) is the same for the shared figure as for the one built, every time."""
    import plotly.io
    import plotly.tools

    from analysis.charts import backlog_chart

    frame = pd.DataFrame({"day": pd.date_range("2025-01-01", periods=40), "backlog": range(40)})
    markers = [{"day": date(2025, 1, 10), "kind": "go-live", "cohort": "champion", "label": "Champion go-live"}]
    built = backlog_chart(frame, markers, (date(2025, 1, 1), date(2025, 2, 9)))
    drawn = figures.DrawnFigure(built)

    def written(figure) -> str:
        return plotly.io.to_json(plotly.tools.return_figure_from_figure_or_data(figure, True), validate=False)

    assert written(drawn) == written(built) == written(drawn)


NEUTRALISED: list[tuple[str, ...]] = []


def counting_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """analysis.exports.safe_frame, noting the columns of each frame it neutralises."""
    from analysis.exports import safe_frame

    NEUTRALISED.append(tuple(frame.columns))
    return safe_frame(frame)


def test_the_people_lists_are_named_and_neutralised_once(demo, monkeypatch):  # noqa: F811
    """The Adoption page's lapsed and never-used lists (hundreds of rows at 5,000 people) are made
    ready to show once for every session and rerun (show_table's org_id)."""
    import ui.tables

    monkeypatch.setattr(ui.tables, "safe_frame", counting_safe_frame)
    st.cache_resource.clear()
    NEUTRALISED.clear()
    goto(app_as(demo, "account_manager", monkeypatch), "pages/adoption.py")
    lists = [c for c in NEUTRALISED if "display_name" in c]
    assert len(lists) == 2  # lapsed and never used
    NEUTRALISED.clear()
    at = app_as(demo, "account_manager", monkeypatch)
    goto(at, "pages/adoption.py")
    goto(at, "pages/adoption.py")
    assert [c for c in NEUTRALISED if "display_name" in c] == []
    assert NEUTRALISED  # the page's other tables are still neutralised on each run


def test_the_red_flag_cards_tables_are_made_ready_once(demo, monkeypatch):  # noqa: F811
    """Each rule card's table (ui/flags.py rule_card, markdown_table) is made ready once for every
    session and rerun: its text escaped, its download neutralised."""
    import ui.tables

    monkeypatch.setattr(ui.tables, "safe_frame", counting_safe_frame)
    st.cache_resource.clear()
    NEUTRALISED.clear()
    at = app_as(demo, "account_manager", monkeypatch)
    at.switch_page("pages/red_flags.py")
    at.run()
    cards = [c for c in NEUTRALISED if "What we see" in c]
    assert cards  # the demo has rules holding in several places
    NEUTRALISED.clear()
    for _ in range(2):
        at.switch_page("pages/red_flags.py")
        at.run()
    assert not at.exception and [c for c in NEUTRALISED if "What we see" in c] == []


def test_every_chart_of_the_pages_is_on_plotlys_white_template(demo, monkeypatch):  # noqa: F811
    """The template is put in without validating it again (analysis/charts/base.py white): the charts
    must carry exactly the template that naming it in update_layout gave them."""
    named = go.Figure().update_layout(template="plotly_white").to_dict()["layout"]["template"]
    at = app_as(demo, "account_manager", monkeypatch)
    drawn = 0
    for page in ("pages/overview.py", "pages/adoption.py", "pages/support.py", "pages/red_flags.py"):
        goto(at, page)
        for chart in at.get("plotly_chart"):
            assert json.loads(chart.proto.spec)["layout"]["template"] == json.loads(json.dumps(named)), page
            drawn += 1
    assert drawn >= 10  # the demo's charts: 3 on the Overview, 5 on Adoption, 3 on Support, the flags' evidence


def test_a_figure_on_the_white_template_still_refuses_a_wrong_property():
    figure = white(go.Figure())
    with pytest.raises(ValueError, match="hieght"):
        figure.update_layout(hieght=300)
