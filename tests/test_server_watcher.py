"""server.py skips Streamlit's walk over every loaded module after each run when no file is watched
(server.fileWatcherType "none", as .streamlit/config.toml serves it): the walk registered no-op
watchers and was 11-19 % of the server's time over page views (docs/performance.md)."""

import importlib
from types import SimpleNamespace

import pytest
from streamlit import config
from streamlit.watcher import local_sources_watcher

from tests.conftest import ROOT

REAL = local_sources_watcher.LocalSourcesWatcher.update_watched_modules


@pytest.fixture
def watcher_type():
    before = config.get_option("server.fileWatcherType")
    yield lambda kind: config.set_option("server.fileWatcherType", kind)
    config.set_option("server.fileWatcherType", before)
    local_sources_watcher.LocalSourcesWatcher.update_watched_modules = REAL


def watched_after_a_run(monkeypatch) -> list[str]:
    """The modules whose paths the watcher read after a script run (the walk)."""
    read = []
    monkeypatch.setattr(local_sources_watcher, "get_module_paths", lambda m: read.append(m.__name__) or set())
    pages = SimpleNamespace(main_script_path=str(ROOT / "app.py"), get_pages=lambda: {})
    local_sources_watcher.LocalSourcesWatcher(pages).update_watched_modules()
    return read


def test_no_file_watcher_no_walk(watcher_type, monkeypatch):
    import server

    watcher_type("none")
    importlib.reload(server)
    assert watched_after_a_run(monkeypatch) == []


def test_a_developer_s_watcher_still_walks(watcher_type, monkeypatch):
    import server

    watcher_type("auto")
    local_sources_watcher.LocalSourcesWatcher.update_watched_modules = REAL
    importlib.reload(server)
    assert "analysis.metrics" in watched_after_a_run(monkeypatch)  # every loaded module, the app's among them
