"""Moodle course "Logs" report, Download table data as CSV (usage; event level).

`Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address`.
Times are `d/mm/yy, HH:MM` (day first, two-digit year, a comma, minutes only, the site's local
time), newest first. Names are often anonymised (`-`), so the user is the id of the "user with
id" phrase of `Description` ("The user with id '593' viewed the course with id '502'.", or a
plugin's "User with id 593 ..."): never another id of the sentence (a course's). The roster
must list Moodle user ids. Rows without such a phrase (some plugins' events) are rejected with
that reason. Activity is the `Component` (System, Assignment, Quiz, Turnitin, ...), or map
another column with `--map activity="Event name"`. Repeated clicks within a minute are identical
rows: the usage key (person, minute, activity) keeps the first and counts the rest as repeated
within the file. The ids 2 (the administrator, which also runs cron and backups: the rows of
`Origin` cli), 0 and -1 (the system) are system activity: set aside and reported as such, never
counted as people.
"""

from __future__ import annotations

import re

from analysis.formats import Format, SystemActivity

_USER = re.compile(r"\buser with id '?(-?\d+)'?", re.I)
SYSTEM_IDS = {"-1", "0", "2"}  # the system, no user (cron), the administrator
SYSTEM_NAMES = {"-", "cli", "system"}  # how an id-less system row names its user


def user_id(cell: str) -> str:
    match = _USER.search(cell)
    if match is None:
        if cell.strip().lower() in SYSTEM_NAMES:
            raise SystemActivity(f"system activity ({cell.strip()!r}), not a person")
        raise ValueError("the description names no user id (\"The user with id '...'\")")
    if match.group(1) in SYSTEM_IDS:
        raise SystemActivity(f"system or administrator activity (Moodle user id '{match.group(1)}'), not a person")
    return match.group(1)


FORMATS = [
    Format(
        name="moodle_logs",
        label="a Moodle logs report",
        kind="usage",
        columns=(
            "Time",
            "User full name",
            "Affected user",
            "Event context",
            "Component",
            "Event name",
            "Description",
            "Origin",
            "IP address",
        ),
        fields={"user_id": ("Description",), "timestamp": ("Time",), "activity": ("Component",)},
        values={"user_id": user_id},
        needs=("activity",),
    )
]
