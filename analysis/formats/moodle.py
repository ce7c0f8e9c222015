"""Moodle course "Logs" report, Download table data as CSV (usage; event level).

`Time,User full name,Affected user,Event context,Component,Event name,Description,Origin,IP address`.
Times are `d/mm/yy, HH:MM` (day first, two-digit year, a comma, minutes only, the site's local
time), newest first. Names are often anonymised (`-`), so the user is the id inside
`Description` ("The user with id '593' viewed ..."): the roster must list Moodle user ids.
Rows without such an id (some plugins' events) are rejected with that reason. Activity is the
`Component` (System, Assignment, Quiz, Turnitin, ...), or map another column with
`--map activity="Event name"`. Repeated clicks within a minute are identical rows: the usage key
(person, minute, activity) keeps the first and counts the rest as duplicates. The ids 2
(admin, cron) and -1 (system) are loaded like anyone else and show as unknown people.
"""
from __future__ import annotations

import re

from analysis.formats import Format

_USER = re.compile(r"\bid '(-?\d+)'")


def user_id(cell: str) -> str:
    match = _USER.search(cell)
    if match is None:
        raise ValueError("the description names no user id (\"The user with id '...'\")")
    return match.group(1)


FORMATS = [Format(
    name="moodle_logs", label="a Moodle logs report", kind="usage",
    columns=("Time", "User full name", "Affected user", "Event context", "Component", "Event name",
             "Description", "Origin", "IP address"),
    fields={"user_id": ("Description",), "timestamp": ("Time",), "activity": ("Component",)},
    values={"user_id": user_id}, needs=("activity",),
)]
