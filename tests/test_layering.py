"""Dependencies point one way: app and pages -> ui -> analysis. analysis never imports
streamlit (checked in a fresh interpreter), and nothing imports pages."""
import subprocess
import sys

from tests.conftest import ROOT

ANALYSIS_MODULES = sorted(p.stem for p in (ROOT / "analysis").glob("*.py") if p.stem != "__main__")


def test_analysis_never_imports_streamlit():
    code = ("import sys, importlib\n"
            f"for name in {ANALYSIS_MODULES!r}:\n"
            "    importlib.import_module('analysis.' + name if name != '__init__' else 'analysis')\n"
            "import analysis.__main__\n"
            "import ui.report  # the command line's `report` draws the pack's charts with it\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert len(ANALYSIS_MODULES) >= 10


def test_nothing_imports_pages_and_only_analysis_runs_sql():
    for path in ROOT.rglob("*.py"):
        if ".venv" in path.parts or "pages" in path.parts:
            continue
        imports = [line for line in path.read_text().splitlines() if line.startswith(("from ", "import "))]
        assert not [line for line in imports if line.split()[1].split(".")[0] == "pages"], path
    for page in [*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"]:
        text = page.read_text().lower()
        assert "select " not in text and ".execute(" not in text, f"{page.name} runs SQL: move it to analysis/"
