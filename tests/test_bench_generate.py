"""bench/generate.py: the same seed writes the same bytes; another seed other bytes; the small
usage file holds the distinct events, ghosts and bad counts the benchmark's checks expect."""

import duckdb

from bench.generate import BAD_COUNTS, GHOSTS, SIZES, generate


def test_same_seed_same_bytes_and_the_counts_the_checks_expect(tmp_path):
    first = generate("small", 7, tmp_path / "a")
    second = generate("small", 7, tmp_path / "b")
    other = generate("small", 8, tmp_path / "c")
    for kind in ("roster", "usage", "tickets"):
        assert first.path(kind).read_bytes() == second.path(kind).read_bytes(), kind
    assert first.usage.read_bytes() != other.usage.read_bytes()
    usage = f"read_csv('{first.usage}', all_varchar = true)"
    rows, distinct, ghost_rows, ghosts, bad = duckdb.sql(
        "SELECT count(*), count(DISTINCT (user_id, date, activity)), count(*) FILTER (user_id LIKE 'ghost%'), "  # noqa: S608 -- a test's own file
        f"count(DISTINCT user_id) FILTER (user_id LIKE 'ghost%'), count(*) FILTER (count = 'several') FROM {usage}"
    ).fetchall()[0]
    assert (rows, distinct, ghost_rows, ghosts, bad) == (100_000, 100_000, 1_000, GHOSTS, BAD_COUNTS)
    tickets = f"read_csv('{first.tickets}', all_varchar = true)"
    assert duckdb.sql(f"SELECT count(*), count(DISTINCT ticket_id) FROM {tickets}").fetchall()[0] == (  # noqa: S608
        SIZES["small"].ticket_rows,
        SIZES["small"].tickets,
    )
