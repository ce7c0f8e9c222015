"""Where the server's time goes during a load test: py-spy (requirements-dev.txt) samples the
server process while the sessions run, and the samples are summed two ways: by whose code was
running (the innermost frame outside the standard library: pandas, plotly, a part of Streamlit, the
app...), and by the app's own functions (ui/, pages/, analysis/, app.py) with everything they call."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from bench.loadtest_server import ROOT

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*):\d+\)$")
APP_PARTS = ("ui/", "pages/", "analysis/", "app.py", "server.py")


def start(pid: int, output: Path) -> subprocess.Popen:
    """py-spy recording the process until stop(): each busy thread, 50 times a second. A thread in
    a DuckDB query counts as busy in the Python frame that called it (DuckDB works without the GIL),
    so database time shows under the app's function that asked for it."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")  # beside .venv/bin/python
    command = [spy, "record", "--pid", str(pid), "--rate", "50", "--format", "raw", "--output", str(output)]
    return subprocess.Popen(command + ["--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(recorder: subprocess.Popen) -> None:
    recorder.send_signal(signal.SIGINT)  # py-spy writes its file on an interrupt
    try:
        recorder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        recorder.kill()


def owner(path: str) -> str | None:
    """Whose code a frame's file is (py-spy writes paths relative to sys.path): the app's part
    (analysis, ui, pages), a package (Streamlit by its folder: watcher, caching...), or None for
    the standard library."""
    if path.startswith("/"):
        path = path.split("site-packages/", 1)[1] if "site-packages/" in path else path.removeprefix(str(ROOT) + "/")
        if path.startswith("/"):
            return None
    head = path.split("/", 1)[0]
    if head in ("analysis", "ui", "pages") or path in ("app.py", "server.py") or (ROOT / "pages" / path).exists():
        return "app: " + (head if "/" in path else "pages" if path not in ("app.py", "server.py") else path)
    if head == "streamlit":
        return "/".join(path.split("/")[:-1][:3])
    if path.startswith("<") or head.removesuffix(".py") in sys.stdlib_module_names:
        return None
    return head.removeprefix("_").removesuffix("_utils")  # _plotly_utils is plotly's


def frames(stack: str) -> list[tuple[str, str]]:
    """(function, file) of each frame of a collapsed stack, outermost first (the thread's name dropped)."""
    found = []
    for part in stack.split(";"):
        match = FRAME.match(part.strip())
        if match:
            found.append((match["function"], match["file"]))
    return found


def summary(output: Path, top: int = 12) -> list[str]:
    """Shares of the samples: by the innermost frame's package, and by the app's functions (inclusive)."""
    if not output.exists():
        return ["no profile was written (is py-spy allowed to attach to the server?)"]
    by_package: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    total = 0
    for line in output.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit() or not (found := frames(stack)):
            continue
        n = int(count)
        total += n
        owners = [o for _, file in found if (o := owner(file))]
        by_package[owners[-1] if owners else "python (standard library)"] += n
        app = {f"{file.removeprefix(str(ROOT) + '/')}:{function}" for function, file in found if _in_app(file)}
        for name in app:
            by_function[name] += n
    if not total:
        return ["the profile holds no samples"]
    lines = [
        f"py-spy: {total:,} samples of the server's busy threads, 50 a second ({total / 50:,.1f} thread-seconds)",
        "",
        "by whose code runs (the innermost frame outside the standard library):",
    ]
    lines += [f"  {share:5.1%}  {name}" for name, share in _shares(by_package, total, top)]
    lines += ["", "by the app's functions (with what they call):"]
    lines += [f"  {share:5.1%}  {name}" for name, share in _shares(by_function, total, top)]
    return lines


def _in_app(path: str) -> bool:
    return path.removeprefix(str(ROOT) + "/").startswith(APP_PARTS) and "site-packages" not in path


def _shares(counts: Counter[str], total: int, top: int) -> list[tuple[str, float]]:
    return [(name, n / total) for name, n in counts.most_common(top)]
