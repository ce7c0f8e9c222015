"""Hostile uploads against the limits of analysis/upload_limits.py: time and peak memory.

`PYTHONPATH=. .venv/bin/python bench/upload_bombs.py` runs each case in a fresh process (so each
peak RSS is its own): the file is built in that process (a zip bomb is built in a streamed way,
never whole in memory), then read with analysis.files.read_table, as the Data page does.
It prints the outcome, the seconds the read took and the process's peak RSS (ru_maxrss), and
checks each against its bound (BOUNDS: a refusal costs at most 1 s and 64 MB on top of the file;
a file within the limits at most 20 s and 1 GiB in all); it exits 1 when one is missed.
tests/test_upload_limits.py uses the same builders and asserts the refusals (not the times:
timed tests fail on a busy machine, a benchmark says by how much).
"""

from __future__ import annotations

import io
import resource
import struct
import subprocess
import sys
import time
import zipfile

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
ROW = b'<row><c t="inlineStr"><is><t>%s</t></is></c></row>'


def _parts() -> dict[str, bytes]:
    """Every part of a minimal workbook but its sheet (from the tests' own .xlsx writer)."""
    from tests.test_formats import xlsx

    with zipfile.ZipFile(io.BytesIO(xlsx([["x"]]))) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "xl/worksheets/sheet1.xml"}


def zip_bomb(megabytes: int = 300, declared: int | None = None, varied: bool = False) -> bytes:
    """An .xlsx whose sheet XML is `megabytes` MB of one repeated cell, packed to a few hundred
    KB (varied: rows that differ, packed about 20 to 1, under the ratio limit). declared: the size
    its directory claims for the sheet (a lie), else the true size."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1 if varied else 9) as archive:
        for name, text in _parts().items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_HEAD)
            block = 1000
            for n in range(megabytes * 1024 * 1024 // (block * 52)):
                cells = (ROW % b"%09d" % (n * block + i) for i in range(block)) if varied else (ROW % b"boom",)
                sheet.write(b"".join(cells) * (1 if varied else block))
            sheet.write(b"</sheetData></worksheet>")
    data = bytearray(out.getvalue())
    if declared is not None:
        _declare(data, "xl/worksheets/sheet1.xml", declared)
    return bytes(data)


def _declare(data: bytearray, name: str, size: int) -> None:
    """Overwrite the uncompressed size that the local header and the central directory give name."""
    encoded = name.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while at >= 0:
            if data[at + name_at : at + name_at + len(encoded)] == encoded:
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)


def big_csv(megabytes: int = 150) -> bytes:
    line = b"someone.with.a.long.name@acme.test,2025-01-02 10:00:00,mfa,1\n"
    return b"user_id,timestamp,activity,count\n" + line * (megabytes * 1024 * 1024 // len(line))


CASES = {
    "xlsx bomb, 300 MB sheet": lambda: zip_bomb(300),
    "xlsx bomb, 733 MB sheet declared as 733 MB": lambda: zip_bomb(733),
    "xlsx bomb, 300 MB sheet declared as 1 KB": lambda: zip_bomb(300, declared=1024),
    "xlsx, 500 MB sheet of varied rows (packed ~20:1)": lambda: zip_bomb(500, varied=True),
    "xlsx, 150 MB sheet of 3 million rows (over the row limit)": lambda: zip_bomb(150, varied=True),
    "xlsx, 45 MB sheet of 907,000 rows (within the limits: read whole)": lambda: zip_bomb(45, varied=True),
    "CSV of 150 MB": lambda: big_csv(150),
    "CSV of 57 MB, 964,000 lines (within the limits: read whole)": lambda: big_csv(57),
    "CSV of 150 MB, header and first rows only (read_head)": lambda: big_csv(150),
}


REFUSAL = (1.0, 64, None)  # seconds, MB added by the read, MB in all
WHOLE_READ = (20.0, None, 1024)
BOUNDS = {case: (WHOLE_READ if "within the limits" in case else REFUSAL) for case in CASES}


def run(case: str) -> bool:
    from analysis.files import FileRefused, read_head, read_table

    data = CASES[case]()
    built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    try:
        table = (read_head if "read_head" in case else read_table)("upload", data)
        outcome = f"read {len(table.rows):,} rows"
    except FileRefused as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    max_seconds, max_added, max_peak = BOUNDS[case]
    ok = (
        seconds <= max_seconds
        and (max_added is None or peak - built <= max_added)
        and (max_peak is None or peak <= max_peak)
    )
    bound = f"<= {max_seconds:g} s, " + (f"<= {max_added} MB added" if max_added else f"<= {max_peak} MB in all")
    print(
        f"{'ok  ' if ok else 'MISS'} {case}: file {len(data) / 1e6:.1f} MB, {seconds:.2f} s, peak RSS {peak:.0f} MB "
        f"({built:.0f} MB after building the file; bound {bound})\n    {outcome[:160]}"
    )
    return ok


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(0 if run(sys.argv[1]) else 1)
    missed = [name for name in CASES if subprocess.run([sys.executable, __file__, name]).returncode]
    print(f"{len(CASES) - len(missed)} of {len(CASES)} cases within their bounds")
    sys.exit(1 if missed else 0)
