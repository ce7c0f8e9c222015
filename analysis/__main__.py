"""`python -m analysis ...`: the command line (analysis/cli/)."""

import sys

from analysis.cli import main, parser  # noqa: F401 (parser: tests/test_docs.py lists the commands)

if __name__ == "__main__":
    sys.exit(main())
