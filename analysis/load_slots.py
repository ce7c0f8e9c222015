"""One load at a time per organisation, so one client's big upload cannot take every core.

A load (or preview) of a file holds its organisation's slot while it reads and merges; a second
one for the same organisation is refused at once with LoadBusy (nothing is read or stored, the
file can be loaded again when the first has finished); other organisations are not held up.
The slots live in this process: the app is one process (DuckDB admits only one writer).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from analysis.files import FileRefused

_busy: set[int] = set()
_guard = threading.Lock()


class LoadBusy(FileRefused):
    """Another load for the organisation is running: try again when it has finished."""


@contextmanager
def load_slot(org_id: int, file_name: str) -> Iterator[None]:
    with _guard:
        if org_id in _busy:
            raise LoadBusy(
                file_name,
                "a load for this organisation is already running: nothing was read or "
                "stored; load the file again when it has finished",
            )
        _busy.add(org_id)
    try:
        yield
    finally:
        with _guard:
            _busy.discard(org_id)
