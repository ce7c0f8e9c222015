"""The database the load test runs on: the bench organisation of bench/generate.py, loaded through
the one ingest path as bench/build_org.py does, except that a file over the CSV row limit
(analysis/upload_limits.py: MAX_ROWS) is loaded in parts of at most that many rows, as the
refusal tells a person to do. The pages read the same stored rows either way."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python bench/loadtest_data.py` from the repo

from analysis.ingest import load_file  # noqa: E402
from analysis.upload_limits import MAX_ROWS  # noqa: E402
from bench.build_org import KINDS, ROLLOUT, new_scope  # noqa: E402
from bench.generate import generate  # noqa: E402


def parts(data: bytes, rows: int = MAX_ROWS - 1) -> list[bytes]:
    """The CSV split into files of at most rows data rows (and a header line each): one part when it fits."""
    header, _, body = data.partition(b"\n")
    lines = body.splitlines(keepends=True)
    if len(lines) <= rows:
        return [data]
    return [header + b"\n" + b"".join(lines[i : i + rows]) for i in range(0, len(lines), rows)]


def built_database(folder: Path, size: str, seed: int = 7) -> Path:
    """A new store in folder holding the organisation Bench at this size; every load's counts must reconcile."""
    db = folder / f"bench-{size}.duckdb"
    with tempfile.TemporaryDirectory(prefix="uptake-load-data-") as tmp:
        files = generate(size, seed, tmp)
        scope = new_scope(db)
        try:
            for kind in KINDS:
                for n, part in enumerate(parts(files.path(kind).read_bytes())):
                    result = load_file(scope, kind, f"{kind}-{n + 1}.csv", part, rollout=ROLLOUT)
                    done = result.rows_loaded + result.rows_updated + result.rows_rejected + result.rows_duplicate
                    if done != result.rows_read:
                        raise AssertionError(f"{kind} part {n + 1}: counts do not reconcile: {result.as_json()}")
        finally:
            scope.store.close()
    return db


if __name__ == "__main__":  # build one to keep: python bench/loadtest_data.py medium /tmp/load
    print(built_database(Path(sys.argv[2]), sys.argv[1]))
