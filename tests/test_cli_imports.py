"""The command line's read path imports only what it uses (docs/performance.md: a `kpis --json`
process spends its first second importing): no notification outbox, accounts or argon2 before a
command queues news, no file readers or HTTP client in `kpis` and `alerts`, and importing the
password module hashes nothing."""

import os
import subprocess
import sys

from argon2 import PasswordHasher

from analysis.auth import hashing
from tests.cli_run import ROOT


def _modules_after(code: str) -> set[str]:
    """The analysis/argon2 modules a fresh interpreter holds after running code."""
    shown = "import sys; print('\\n'.join(m for m in sys.modules if m.startswith(('analysis', 'argon2'))))"
    out = subprocess.run([sys.executable, "-c", f"{code}\n{shown}"], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_command_line_imports_no_notifications_or_accounts():
    loaded = _modules_after("import analysis.cli")
    assert "analysis.schedule" in loaded  # the module that used to pull them in at import
    assert not {m for m in loaded if m.startswith(("analysis.notify", "analysis.auth", "argon2"))}


READERS_AND_HTTP = (
    "analysis.files",
    "analysis.ingest",
    "charset_normalizer",
    "python_calamine",
    "urllib.request",
    "ssl",
)


def test_kpis_and_alerts_import_no_file_readers_or_http_client(acme_cli, tmp_path):
    """The loads' readers (charset_normalizer, calamine) come with `load`, http and ssl only when a
    command asks the app's API (analysis/cli/remote.py): a read from the database needs neither."""
    code = (
        "import contextlib, io, os, sys\n"
        "from analysis.cli import main\n"
        "for argv in (['kpis', '--org', 'Acme', '--rollout', 'MFA', '--json'], ['alerts', '--org', 'Acme', '--json']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(argv) == 0\n"
        f"print('\\n'.join(m for m in sys.modules if m.startswith({READERS_AND_HTTP!r})))\n"
    )
    env = {**os.environ, "UPTAKE_DB": str(tmp_path / "cli.duckdb"), "UPTAKE_DEMO": "0"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert out.stdout.split() == []


def test_importing_the_password_module_hashes_nothing():
    code = (
        "import argon2\n"
        "calls = []\n"
        "real = argon2.PasswordHasher.hash\n"
        "argon2.PasswordHasher.hash = lambda self, *a, **k: calls.append(1) or real(self, *a, **k)\n"
        "import analysis.auth.hashing\n"
        "print('hashes', len(calls))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["hashes", "0"]


def test_the_dummy_hash_costs_what_a_real_check_costs():
    """An unknown email verifies against the dummy hash: it must carry the real parameters."""
    real = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, salt_len=16)
    assert not real.check_needs_rehash(hashing._DUMMY_HASH)
    assert not hashing.HASHER.check_needs_rehash(hashing._DUMMY_HASH)
    assert hashing.verify(None, "any password at all") is False
