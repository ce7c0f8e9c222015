"""`python -m analysis ...`: the command line (analysis/cli/)."""

import os
import sys

from analysis.cli import main, parser  # noqa: F401 (parser: tests/test_docs.py lists the commands)

# 128 + SIGPIPE: what a shell reports for a command whose reader went away (`... | head -1`)
CLOSED_PIPE = 141


def run() -> int:
    """main(), and its output flushed; a reader that closed the pipe early (`| head -1`) ends the
    command quietly (no traceback, exit 141) instead of failing at the next write."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the interpreter flushes stdout once more on its way out: point it at /dev/null first
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return CLOSED_PIPE
    return code


if __name__ == "__main__":
    sys.exit(run())
