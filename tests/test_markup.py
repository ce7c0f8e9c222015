"""Data never reaches the page as markup, and tables never hand out spreadsheet formulas.

A sweep over the code (every call in pages/, ui/ and app.py that renders Streamlit markdown must
get only code-written text, numbers, or data passed through ui.text.literal; every table goes
through ui/tables.py), the one function's own rules, and a run of every page with hostile names.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"])

# Calls whose text Streamlit renders as markdown (label/body and help), per the 1.67 docstrings.
MARKDOWN_CALLS = {
    "markdown",
    "caption",
    "write",
    "info",
    "warning",
    "error",
    "success",
    "toast",
    "expander",
    "tabs",
    "radio",
    "selectbox",
    "multiselect",
    "metric",
    "title",
    "header",
    "subheader",
    "button",
    "download_button",
    "form_submit_button",
    "checkbox",
    "toggle",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "time_input",
    "file_uploader",
    "popover",
    "segmented_control",
    "pills",
    "slider",
    "select_slider",
    "page_link",
    "link_button",
    "color_picker",
    "camera_input",
    "audio_input",
    "status",
    "dialog",
    "progress",
    "Column",
    "TextColumn",
    "NumberColumn",
    "CheckboxColumn",
    "SelectboxColumn",
    "DatetimeColumn",
    "DateColumn",
    "TimeColumn",
    "ListColumn",
    "LinkColumn",
    "ImageColumn",
    "LineChartColumn",
    "BarChartColumn",
    "AreaChartColumn",
    "ProgressColumn",
    "JsonColumn",
    "MultiselectColumn",
}
TEXT_KEYWORDS = {"label", "body", "help", "caption", "placeholder", "title", "text"}
# Widgets whose options are rendered as markdown too (selectbox and multiselect show them plainly).
MARKDOWN_OPTIONS = {"radio", "segmented_control", "pills", "select_slider"}
TABLE_CALLS = {"dataframe", "data_editor", "table"}
# Functions that return only code-written words or numbers; any function or variable named *_md
# holds markdown written by the code, and the sweep checks what it returns or is assigned.
SAFE_FUNCTIONS = {
    "len",
    "rule_title",
    "pct",
    "number",
    "int",
    "round",
    "day",
    "moment",
    "use_apart_words",
}  # code-written words


def _safe(node: ast.AST, escaper: str = "literal") -> bool:  # noqa: C901 (one branch per kind of node)
    """node evaluates to text with no markup from the data (escaper: the function that makes data
    inert for this renderer, ui.text.literal for markdown, ui.text.label for Plotly)."""
    safe = lambda child: _safe(child, escaper)  # noqa: E731
    match node:
        case ast.Constant():
            return True
        case ast.JoinedStr(values=values):
            return all(safe(v) for v in values)
        case ast.FormattedValue(value=value, format_spec=spec):
            return safe(value) or _numeric_spec(spec)
        case ast.Call(func=ast.Name(id="list" | "sorted"), args=[arg]):  # list(DATE_ORDERS)
            return safe(arg)
        # "\n".join(f"- {literal(s)}" for s in lines): safe when each joined piece is
        case ast.Call(
            func=ast.Attribute(value=ast.Constant(), attr="join"),
            args=[ast.GeneratorExp(elt=elt) | ast.ListComp(elt=elt)],
        ):
            return safe(elt)
        # plural(n, "red flag"): a count (formatted with ",", which only numbers accept) and the
        # code's own nouns (analysis/words.py)
        case ast.Call(func=ast.Name(id="plural"), args=[_, *nouns]):
            return all(isinstance(noun, ast.Constant) for noun in nouns)
        case ast.Call(func=ast.Name(id=name)) | ast.Call(func=ast.Attribute(attr=name)):
            return name == escaper or name in SAFE_FUNCTIONS or (escaper == "literal" and name.endswith("_md"))
        case ast.Name(id=name):  # module constants (CAPITALS) are written in the code
            return name.isupper() or (escaper == "literal" and name.endswith("_md"))
        case ast.Attribute(attr=name):  # settings.TIME_ZONE_NOTE, auth.MIN_PASSWORD
            return name.isupper()
        case ast.Subscript(value=value):  # a constant table's entry: DEFINITIONS["weekly"]
            return safe(value) and not isinstance(value, ast.Call)
        case ast.BinOp(left=left, right=right):
            return safe(left) and safe(right)
        case ast.IfExp(body=body, orelse=orelse):
            return safe(body) and safe(orelse)
        case ast.BoolOp(values=values):
            return all(safe(v) for v in values)
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return all(safe(e) for e in elts)
        case ast.Starred(value=value):
            return safe(value)
    return False


def _numeric_spec(spec: ast.AST | None) -> bool:
    """a format spec that only numbers and dates accept (:d  :,  :.1f  :.0%  :%d %b %Y), so its
    value is shown as a number or a date, never as the data's words."""
    if not isinstance(spec, ast.JoinedStr) or not all(isinstance(v, ast.Constant) for v in spec.values):
        return False
    text = "".join(v.value for v in spec.values)
    return "%" in text or "," in text or text[-1:] in set("dfeEgGn%xXbo")


def _formatter_safe(node: ast.AST) -> bool:
    """format_func turns each option into safe text: literal itself, or a lambda returning safe text."""
    if isinstance(node, ast.Name):
        return node.id == "literal" or node.id in SAFE_FUNCTIONS
    return isinstance(node, ast.Lambda) and _safe(node.body)


def _markdown_builders(tree: ast.AST, where) -> list[str]:
    """What a *_md function returns and what a *_md variable is given must be safe too."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_md"):
            found += [
                f"{where(r)}: {node.name} returns {ast.unparse(r.value)[:60]}"
                for r in ast.walk(node)
                if isinstance(r, ast.Return) and not _safe(r.value)
            ]
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For))
            else []
        )
        value = node.iter if isinstance(node, ast.For) else getattr(node, "value", None)
        for target in targets:
            if isinstance(target, ast.Name) and target.id.endswith("_md") and not _safe(value):
                found.append(f"{where(node)}: {target.id} = {ast.unparse(value)[:60]}")
    return found


# Plotly reads <a href>, <b>, <br> in trace names, hover text and annotations
PLOTLY_CALLS = {"add_annotation", "add_vline", "add_hline", "add_vrect", "add_hrect"}
PLOTLY_TEXT = {"name", "annotation_text", "hovertext", "hovertemplate"}


def plotly_findings(node: ast.Call, where: str) -> list[str]:
    """Text handed to a Plotly trace (go.Bar, go.Scatter ...) or annotation must go through label."""
    func = node.func
    if not (
        isinstance(func, ast.Attribute)
        and (func.attr in PLOTLY_CALLS or (isinstance(func.value, ast.Name) and func.value.id == "go"))
    ):
        return []
    return [
        f"{where}: Plotly {k.arg}={ast.unparse(k.value)[:60]}"
        for k in node.keywords
        if k.arg in PLOTLY_TEXT and not _safe(k.value, "label")
    ]


def markup_findings(path: Path, root: Path = ROOT) -> list[str]:
    """Where path hands data to a markdown-rendering call unescaped, or shows a table directly."""
    tree = ast.parse(path.read_text(), filename=str(path))
    where = lambda node: f"{path.relative_to(root)}:{node.lineno}"
    found = _markdown_builders(tree, where)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        found += plotly_findings(node, where(node))
        if name in TABLE_CALLS and path.name != "tables.py":
            found.append(f"{where(node)}: st.{name} outside ui/tables.py")
        if name not in MARKDOWN_CALLS:
            continue
        # st.write renders every argument; a progress bar's first is its value; a table column's
        # label is plain text in the grid (only its help tooltip is markdown)
        texts = node.args if name == "write" else [] if name == "progress" or name.endswith("Column") else node.args[:1]
        texts = [*texts, *(k.value for k in node.keywords if k.arg in TEXT_KEYWORDS)]
        found += [f"{where(node)}: st.{name} gets {ast.unparse(t)[:60]}" for t in texts if not _safe(t)]
        if name in MARKDOWN_OPTIONS:
            options = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "options"), None)
            )
            formatter = next((k.value for k in node.keywords if k.arg == "format_func"), None)
            if not (formatter is not None and _formatter_safe(formatter)) and not (options is None or _safe(options)):
                found.append(f"{where(node)}: st.{name} options {ast.unparse(options)[:60]} without a safe format_func")
    return sorted(found, key=lambda f: int(f.split(":")[1]))


def markdown_parameter_findings(paths: list[Path], root: Path = ROOT) -> list[str]:
    """A function's *_md parameter is shown as markdown: every call must pass it safe text."""
    trees = {path: ast.parse(path.read_text()) for path in paths}
    params = {
        node.name: [(i, a.arg) for i, a in enumerate(node.args.args) if a.arg.endswith("_md")]
        for tree in trees.values()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            for i, arg in params.get(name, []):
                value = (
                    node.args[i] if i < len(node.args) else next((k.value for k in node.keywords if k.arg == arg), None)
                )
                if value is not None and not _safe(value):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {name}({arg}={ast.unparse(value)[:60]})")
    return found


def test_every_markdown_call_gets_only_escaped_data():
    findings = [f for path in SOURCES for f in markup_findings(path)]
    assert findings + markdown_parameter_findings(SOURCES) == []


def test_the_sweep_finds_data_in_markdown(tmp_path):
    """The sweep itself: a page that shows data raw is caught, the escaped forms are not."""
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\nfrom ui.text import literal\n"
        "st.caption(f'Loaded {name}')\n"  # 3: raw data
        "st.caption(f'Loaded {literal(name)}: {rows:,} rows')\n"  # 4: fine
        "st.info('Saved ' + category)\n"  # 5: raw data
        "st.segmented_control('Cohort', cohorts)\n"  # 6: options raw
        "st.segmented_control('Cohort', cohorts, format_func=literal)\n"
        "st.dataframe(frame)\n"  # 8: table not via helper
        "st.subheader(f'Rollout: {rollout.name}', help=HELP)\n"  # 9: raw data
        "st.tabs(['Load', name])\n"  # 10: raw data
        "bar.progress(0.5, text=f'{name}: read')\n"  # 11: raw data
        "line_md = 'Saved ' + category\n"  # 12: a *_md given data
        "st.success(line_md)\n"
        "st.metric(f'Tickets ({window:d} days)', 3, help=HELP['x'])\n"
        "go.Scatter(x=[1], name=cohort.capitalize())\n"  # 15: Plotly, raw
        "go.Scatter(x=[1], name=label(cohort), hovertemplate='%{y}<extra>' + label(c) + '</extra>')\n"
        "fig.add_vline(x=1, annotation_text=literal(note))\n"  # 17: markdown escape, not Plotly's
        "st.markdown('\\n'.join(f'- {literal(s)}' for s in lines))\n"
        "st.markdown('\\n'.join(f'- {s}' for s in lines))\n"  # 19: a piece raw
        "st.markdown(', '.join(names))\n"  # 20: raw data joined
        "st.warning(f'**{plural(n, \"open red flag\")}**')\n"  # the code's own noun: fine
        "st.warning(f'{plural(n, name)}')\n"  # 22: a noun from the data
    )
    lines = [int(f.split(":")[1]) for f in markup_findings(page, tmp_path)]
    assert lines == [3, 5, 6, 8, 9, 10, 11, 12, 15, 17, 19, 20, 22]
    helper = tmp_path / "helper.py"
    helper.write_text(
        "def caption_chart(view, caption_md):\n    st.caption(caption_md)\n"
        "caption_chart(view, 'Code words')\n"
        "caption_chart(view, f'{view.rollout.name} by age')\n"  # 4: data
        "caption_chart(view, caption_md=literal(view.rollout.name))\n"
    )
    assert [f.split(":")[1] for f in markdown_parameter_findings([helper], tmp_path)] == ["4"]


# -- the one escaping function ----------------------------------------------------------------------


def test_literal_escapes_markdown_and_breaks_every_autolink():
    from ui.text import WORD_JOINER, literal

    shown = literal("[Sign in again](http://evil.test) www.evil.test me@evil.test HTTPS://x **b** :red[c] <img>")
    assert "http://" not in shown.lower() and "www." not in shown and "@evil" not in shown
    assert re.search(r"(?<!\\)[\[\]()*<>:]", shown) is None  # every markdown character escaped
    # read back as the page shows it: the same characters, nothing added but the invisible joiner
    assert re.sub(r"\\(.)", r"\1", shown).replace(WORD_JOINER, "") == (
        "[Sign in again](http://evil.test) www.evil.test me@evil.test HTTPS://x **b** :red[c] <img>"
    )
    assert literal("Warehouse & IT") == "Warehouse \\& IT" and literal(12) == "12"


# -- tables: the grid and its toolbar download get no formula ----------------------------------------


def _show(data, **kwargs):
    from streamlit.testing.v1 import AppTest

    def page(data, kwargs):
        from ui.tables import show_table

        show_table(data, **kwargs)

    at = AppTest.from_function(page, args=(data, kwargs)).run()
    assert not at.exception
    return at.dataframe[0].value


def test_show_table_neutralises_formulas_and_keeps_numbers():
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-1+2", "\t=1", "Ann"],
            "delta": [-2, -1, 0, 1, 2, 3],
            "=col": ["a", "b", "c", "d", "e", "f"],
        }
    )
    shown = _show(frame, hide_index=True, column_config={"=col": "Col"})
    assert list(shown.columns) == ["name", "delta", "'=col"]
    assert shown["name"].tolist() == [
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1)",
        "'-1+2",
        "'\t=1",
        "Ann",
    ]
    assert shown["delta"].tolist() == [-2, -1, 0, 1, 2, 3]  # negative numbers stay numbers
    assert frame["name"][0].startswith("=")  # the caller's frame is left alone
    rows = _show([{"line": 2, "reason": "=1+1"}])  # rows (a list of dicts) too
    assert rows["reason"].tolist() == ["'=1+1"]
