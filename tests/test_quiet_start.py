"""The server starts without Streamlit's "No runtime found, using MemoryCacheStorageManager"
(printed once per st.cache_data decorator imported before the runtime exists: it was eight lines
at every start, through server.py -> ui/session.py -> ui/cached.py)."""

import subprocess
import sys

from tests.conftest import ROOT


def test_importing_the_server_prints_nothing_about_cache_storage():
    code = "import sys, server\nprint(sorted(m for m in sys.modules if m in ('ui.cached', 'ui.session', 'ui.flags')))\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "No runtime found" not in done.stderr + done.stdout
    assert done.stdout.strip() == "[]"  # no cached reads imported before a session needs them
