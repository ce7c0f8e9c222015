"""What a load reports: its counts, messages and rejected rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Reject:
    line: int
    column: str | None
    reason: str
    raw: str
    user: str | None = None  # the person the row names, where it names one
    left_out: bool = False  # a row of another client's company: not this organisation's, not bad
    system: bool = False  # a row of the tool itself (administrator, cron): set aside, not bad


@dataclass
class LoadResult:
    upload_id: int | None
    format: str
    rows_read: int
    rows_loaded: int = 0
    rows_updated: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    unknown_people: int = 0
    system_rows: int = 0  # of rows_rejected: system activity, not people (formats.SystemActivity)
    repeated_in_file: int = 0  # of rows_duplicate: repeated within this file (not loaded before)
    cohorts_to_map: list[str] = field(default_factory=list)  # roster cohort values no cohort takes
    people_left: int = 0  # roster: people of the previous roster not in this file
    roster_as_of: str | None = None  # roster: the day (ISO) from which it holds (docs/metrics.md#roster-history)
    already_loaded: bool = False  # the same bytes were loaded before and changed nothing: no load recorded
    messages: list[str] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)  # the first rows as they will be stored

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("rejects")
        data.pop("preview")
        return data


def raw_line(raw: list[str], delimiter: str) -> str:
    return delimiter.join(raw)[:2000]
