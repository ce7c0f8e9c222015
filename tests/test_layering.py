"""Dependencies point one way: app and pages -> ui -> analysis. analysis never imports streamlit
or ui (checked in the source and in a fresh interpreter), nothing imports pages, and no module in
analysis/ grows past 400 lines."""

import ast
import subprocess
import sys

from tests.conftest import ROOT

ANALYSIS = ROOT / "analysis"
ANALYSIS_MODULES = sorted(
    ".".join(("analysis", *p.relative_to(ANALYSIS).with_suffix("").parts)).removesuffix(".__init__")
    for p in ANALYSIS.rglob("*.py")
    if p.stem != "__main__"
)
MAX_LINES = 400
# Modules allowed over MAX_LINES while they wait to be split (none now: keep it that way).
PENDING: set[str] = set()


def imported(path) -> set[str]:
    """The top-level packages a module imports (every import statement, at any depth)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_analysis_never_imports_ui_or_streamlit_in_its_source():
    wrong = {
        str(p.relative_to(ROOT)): sorted(imported(p) & {"ui", "streamlit", "pages", "app"})
        for p in ANALYSIS.rglob("*.py")
    }
    assert {path: names for path, names in wrong.items() if names} == {}


def test_analysis_never_imports_streamlit_or_ui_when_run():
    code = (
        "import sys, importlib\n"
        f"for name in {ANALYSIS_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "import analysis.__main__\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'ui')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert len(ANALYSIS_MODULES) >= 40
    assert {"analysis.cli", "analysis.reports.pack", "analysis.charts", "analysis.alerts.rules"} <= set(
        ANALYSIS_MODULES
    )


def test_no_module_in_analysis_is_over_400_lines():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in ANALYSIS.rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n > MAX_LINES and path not in PENDING} == {}
    # a pending module that is split (or shrinks) comes off the list
    assert {path for path in PENDING if sizes.get(path, 0) > MAX_LINES} == PENDING


def test_nothing_imports_pages_and_only_analysis_runs_sql():
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "pages" in path.parts:
            continue
        imports = [line for line in path.read_text().splitlines() if line.startswith(("from ", "import "))]
        assert not [line for line in imports if line.split()[1].split(".")[0] == "pages"], path
    for page in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"]:
        text = page.read_text().lower()
        assert "select " not in text and ".execute(" not in text, f"{page.name} runs SQL: move it to analysis/"
