"""The app as `make run` starts it (`streamlit run server.py`), on a free loopback port, for the
tests that talk to a real server without a browser (tests/test_api_server.py, test_act_swiftly.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(folder: Path, env: dict[str, str]):
    """Start the app with env over this process's environment, its log in folder/server.log; yield
    its URL once healthy (the test fails with the log's end when it does not start); stop it after."""
    port = free_port()
    log = open(folder / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(url + "/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            process.kill()
            pytest.fail("the app did not start: " + (folder / "server.log").read_text()[-2000:])
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
