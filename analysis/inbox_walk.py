"""The inbox folder walked without following a symbolic link anywhere below it.

Every folder below the inbox is opened relative to its parent's descriptor with O_NOFOLLOW, so
a link (to a file or to a folder) is never followed, even one swapped in while a pass runs.
These are refused, never read, and only their own name in the inbox is moved (a link's target,
a hard link's other name, stay untouched): a symbolic link, a file with other names (a hard
link: st_nlink > 1), anything that is not a regular file (a FIFO, a socket, a device), and a
file whose resolved path is outside its organisation's folder. A refusal names the path and the
reason, never anything the file holds. The inbox folder itself may be a link (the operator's
choice in UPTAKE_INBOX).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from analysis.canonical import KINDS

DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC  # a FIFO never blocks


class Unsafe(ValueError):
    """The entry is not a plain file of the inbox: why, in words that hold nothing of its content."""


@dataclass(frozen=True)
class Entry:
    parts: tuple[str, ...]  # organisation, kind, [rollout,] name
    refused: str | None = None  # why it is refused, or None

    @property
    def organisation(self) -> str:
        return self.parts[0]

    @property
    def kind(self) -> str | None:
        return self.parts[1] if len(self.parts) > 2 else None

    @property
    def rollout(self) -> str | None:
        return self.parts[2] if len(self.parts) == 4 else None

    @property
    def relative(self) -> str:
        return "/".join(self.parts)


def entries(root: Path, now: float, settle: float) -> list[Entry]:
    """The files waiting in the inbox (settled: unchanged for `settle` seconds) and the entries
    refused as unsafe, in path order. Names starting with a dot are skipped."""
    found: list[Entry] = []
    if not root.is_dir():
        return found
    with _opened(os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)) as root_fd:
        _walk(root_fd, (), now, settle, found)
    return sorted(found, key=lambda e: e.parts)


def _walk(fd: int, parts: tuple[str, ...], now: float, settle: float, found: list[Entry]) -> None:
    depth = len(parts)  # 0: the inbox, 1: an organisation, 2: a kind, 3: a rollout
    with os.scandir(fd) as listing:
        items = sorted(listing, key=lambda e: e.name)
    for item in items:
        here = (*parts, item.name)
        if item.name.startswith("."):
            continue
        if item.is_symlink():
            found.append(Entry(here, "a symbolic link: links are never followed in the inbox"))
            continue
        if item.is_dir(follow_symlinks=False):
            if depth == 0 or (depth == 1 and item.name in KINDS) or (depth == 2 and parts[1] in KINDS):
                try:
                    with _opened(os.open(item.name, DIRECTORY, dir_fd=fd)) as child:
                        _walk(child, here, now, settle, found)
                except OSError:  # replaced by a link or removed since it was listed
                    found.append(Entry(here, "the folder changed while it was read (now a link?)"))
            continue
        if depth < 2 or parts[1] not in KINDS:
            continue  # a stray file beside the organisation or kind folders: not a load
        info = item.stat(follow_symlinks=False)
        why = _unsafe(info)
        if why:
            found.append(Entry(here, why))
        elif now - info.st_mtime >= settle:
            found.append(Entry(here))


def _unsafe(info: os.stat_result) -> str | None:
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a FIFO, a socket or a device)"
    if info.st_nlink > 1:
        return "a hard link (the file has other names, perhaps outside this organisation's folder)"
    return None


@contextmanager
def _opened(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


@contextmanager
def _folder(root: Path, parts: tuple[str, ...]) -> Iterator[int]:
    """A descriptor of the folder root/parts[0]/..., every step opened without following a link."""
    current = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            try:
                step = os.open(part, DIRECTORY, dir_fd=current)
            except OSError:
                raise Unsafe(f"the folder {part} is a link or is gone") from None
            os.close(current)
            current = step
        yield current
    finally:
        os.close(current)


def processed_folder(root: Path, name: str) -> None:
    """Make root/name, where processed files go; Unsafe when it is a link or not a folder."""
    try:
        os.mkdir(root / name)
    except FileExistsError:
        pass
    with _folder(root, (name,)):
        pass


def write(root: Path, done: str, name: str, text: str) -> None:
    """Write a new file root/done/name, never through a link."""
    with _folder(root, (done,)) as folder:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o640, dir_fd=folder)
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write(text)


def read(root: Path, entry: Entry, limit: int) -> bytes:
    """The bytes of a waiting file (at most limit + 1 of them), read without following a link;
    Unsafe when it is not a plain file inside its organisation's folder."""
    outside = os.path.realpath(root / Path(*entry.parts))
    if not outside.startswith(os.path.realpath(root / entry.organisation) + os.sep):
        raise Unsafe("its resolved path is outside the organisation's folder")
    with _folder(root, entry.parts[:-1]) as folder:
        try:
            fd = os.open(entry.parts[-1], FILE, dir_fd=folder)
        except OSError:
            raise Unsafe("it could not be opened as a plain file (a link?)") from None
        with open(fd, "rb") as handle:  # closes fd
            why = _unsafe(os.fstat(handle.fileno()))
            if why:
                raise Unsafe(why)
            return handle.read(limit + 1)


def move(root: Path, entry: Entry, done: str, new_name: str) -> None:
    """Rename the entry's own name (never what a link points to) to root/done/new_name."""
    with _folder(root, entry.parts[:-1]) as folder, _folder(root, (done,)) as target:
        os.rename(entry.parts[-1], new_name, src_dir_fd=folder, dst_dir_fd=target)
