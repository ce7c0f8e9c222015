"""The peers' measured steps of bench/run.py, each in a fresh process that imports only what the
peer needs (DuckDB alone; pandas), so its peak memory is the peer's own:

    python -m bench.peers STEP '{"json": "arguments"}'

prints one JSON line on stdout: the seconds of the timed part and what the step found.
"""

from __future__ import annotations

import json
import sys
import time

import duckdb


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def ctas(db: str, path: str) -> dict:
    """DuckDB alone: CREATE TABLE AS SELECT * FROM read_csv of the file, in a new file database."""
    with duckdb.connect(db) as con:
        seconds, _ = timed(lambda: con.execute("CREATE TABLE t AS SELECT * FROM read_csv($path)", {"path": path}))
        rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    return {"seconds": seconds, "rows": rows}


def parse(path: str) -> dict:
    """DuckDB's raw parse of the file: count(*) over read_csv."""
    with duckdb.connect() as con:
        seconds, rows = timed(lambda: con.execute("SELECT count(*) FROM read_csv($path)", {"path": path}).fetchall())
    return {"seconds": seconds, "rows": rows[0][0]}


def kpis_pandas(usage: str, roster: str, as_of: str, window: int) -> dict:
    """The pandas peer: read the usage and roster CSVs and compute the same headline figures."""
    from datetime import date

    from bench import headline

    seconds, figures = timed(lambda: headline.compute(usage, roster, date.fromisoformat(as_of), window))
    return {"seconds": seconds, "figures": figures}


STEPS = {"ctas": ctas, "parse": parse, "kpis_pandas": kpis_pandas}

if __name__ == "__main__":
    found = STEPS[sys.argv[1]](**json.loads(sys.argv[2]))
    print(json.dumps(found, default=str))
