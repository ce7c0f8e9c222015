"""Tickets from another system are not merged silently: ticket numbers such as INC0010001 repeat
across ServiceNow instances, so a file whose tickets share numbers with loaded tickets but were
opened on other days, or have other subjects, is asked about before it updates them."""

from __future__ import annotations


def _subject(value) -> str:
    return " ".join(str(value).split()).lower() if value else ""


def differs(old: dict, new: dict, opening: bool = True) -> bool:
    """Whether a loaded ticket and a ticket of the file with its number are two tickets: opened on
    another day (opening: not for an event log whose created_at is its first event in the file:
    a later export may start after it), or both with a subject and the subjects differ."""
    old_day, new_day = old.get("created_at"), new.get("created_at")
    if opening and old_day is not None and new_day is not None and old_day.date() != new_day.date():
        return True
    a, b = _subject(old.get("subject")), _subject(new.get("subject"))
    return bool(a and b and a != b)


def question(clashes: list[tuple[str, dict, dict]], opening: bool = True) -> str:
    """The refusal: how many tickets clash, with the first as an example."""
    ticket_id, old, new = clashes[0]
    what = []
    if opening and old["created_at"] is not None and old["created_at"].date() != new["created_at"].date():
        what.append(f"opened {old['created_at']:%Y-%m-%d} as loaded, {new['created_at']:%Y-%m-%d} in this file")
    if (
        _subject(old.get("subject"))
        and _subject(new.get("subject"))
        and _subject(old["subject"]) != _subject(new["subject"])
    ):
        what.append(f"subject {old['subject'][:60]!r} as loaded, {new['subject'][:60]!r} in this file")
    n = len(clashes)
    return (
        f"{n:,} ticket{'s have' if n != 1 else ' has'} the same number{'s' if n != 1 else ''} as already-loaded "
        f"tickets but different opening dates or subjects (e.g. {ticket_id}: {'; '.join(what)}): is this "
        "the same system? Nothing was loaded. If it is, load again confirming it is the same system "
        "(the checkbox on the Data page, same_system=True); if it is another system, load it into its "
        "own organisation, or give it its own source column"
    )
