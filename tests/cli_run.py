"""The command line run in this process (analysis.cli.main, the function `python -m analysis`
calls) or, for the few smoke tests that must see the real process, in a subprocess. Both return
a Ran with the returncode, stdout and stderr a CompletedProcess would have.

In-process saves the ~0.7 s an interpreter takes to start and import analysis. What a real process
would show and this one must too:
- argparse's SystemExit (a bad argument, --help) becomes its exit code (2, or 0 for --help),
  with the usage on stderr;
- an exception main() does not handle is not caught here: it fails the test, as a traceback on
  stderr would in a subprocess;
- UPTAKE_DB, UPTAKE_DEMO, any env given, stdin and the working folder are set for the call only,
  and main() opens and closes its own Store, so no connection outlives the call.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.cli import main

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Ran:
    """What one run of the command line did (the fields of a CompletedProcess the tests read)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_in_process(db, *args, stdin: str = "", env: dict[str, str] | None = None) -> Ran:
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(ROOT)  # as `python -m analysis` run from the checkout
        for name, value in {"UPTAKE_DB": str(db), "UPTAKE_DEMO": "0", **(env or {})}.items():
            mp.setenv(name, value)
        mp.setattr(sys, "stdin", io.StringIO(stdin))
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # argparse: usage and message already on stderr
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Ran(argv, code, out.getvalue(), err.getvalue())


def run_process(db, *args, stdin: str = "", env: dict[str, str] | None = None) -> Ran:
    argv = [str(a) for a in args]
    full_env = {**os.environ, "UPTAKE_DB": str(db), "UPTAKE_DEMO": "0", **(env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", *argv],
        cwd=ROOT,
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Ran(argv, done.returncode, done.stdout, done.stderr)


def runner(db: Path, in_process: bool = True):
    """run(*args, ok=True, stdin="", env=None) -> Ran on the database file db (ok: it must exit 0);
    never a traceback on stderr."""
    do = run_in_process if in_process else run_process

    def run(*args, ok=True, stdin="", env=None):
        done = do(db, *args, stdin=stdin, env=env)
        if ok:
            assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        return done

    run.path = db
    return run
