"""The server under load: `streamlit run server.py` (as `make run` starts it) on a free loopback
port with its own database, the sign-in cookies it sets through its claim route, and what the
operating system says it used (CPU seconds and resident memory from /proc)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
COOKIE = "uptake_session"  # ui/cookie.py
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(db: Path, folder: Path, options: tuple[str, ...] = (), timeout: float = 120) -> Server:
    """The app on a free port of 127.0.0.1, reading db (UPTAKE_DB, analysis/store.py), without the
    demo and with an empty inbox of its own; options are more `--section.name=value` options for
    `streamlit run` (to measure a setting). Returns once /_stcore/health answers."""
    port = free_port()
    env = {
        **os.environ,
        "UPTAKE_DB": str(db),
        "UPTAKE_DEMO": "0",
        "UPTAKE_INBOX": str(folder / "inbox"),
        "UPTAKE_BACKUP_KEEP": "0",  # no daily backup (analysis/care/schedule.py) during a measurement
    }
    log = folder / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", "server.py"]
    command += ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true", *options]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if urllib.request.urlopen(server.url + "/_stcore/health", timeout=2).read() == b"ok":
                return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError("the app did not start:\n" + log.read_text()[-3000:])


def claimed_cookie(url: str, code: str) -> str:
    """Redeem a sign-in's one-time claim code at POST /api/session/claim (server.py) as the sign-in
    page does, from the app's own origin; returns the "uptake_session=..." cookie it sets."""
    host = url.removeprefix("http://")
    connection = http.client.HTTPConnection(host, timeout=30)
    headers = {"Origin": url, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/api/session/claim", urlencode({"code": code}), headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if COOKIE not in jar:
        raise RuntimeError(f"the claim route set no sign-in cookie (HTTP {response.status}): was the code stale?")
    return f"{COOKIE}={jar[COOKIE].value}"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of the process (all its threads) so far (/proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "; utime, stime are fields 14, 15
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_bytes(pid: int) -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak resident set) of the process, in bytes (/proc/PID/status)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found
