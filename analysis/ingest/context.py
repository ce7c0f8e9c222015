"""What a file's rows are read against (its organisation's time zone and domains, the rollout, the
format's source and day offset, the retention horizon, a roster's cohorts): analysis/ingest/__init__.py
reads it once per load."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from analysis import formats, left_out, roster_import
from analysis.canonical import RECORD_KINDS
from analysis.files import Table
from analysis.ingest import organisation as org
from analysis.scope import Scope


def read_context(
    scope: Scope,
    kind: str,
    table: Table,
    choice: formats.Choice,
    rollout_id: int | None,
    cohort_values: dict[str, str] | None,
) -> tuple[dict, list[str]]:
    """(what the rows are read against, a roster's cohort values that no cohort takes)."""
    settings = org.org_settings(scope)
    own = {d.lower() for d in settings["email_domains"]}
    context: dict = {
        "tz": ZoneInfo(settings["time_zone"]),
        "domain_check": left_out.domain_check(scope.principal, own, org.foreign_domains(scope)),
        "rollout_id": rollout_id,
        "source": (choice.format.source if choice.format else None) or "canonical",
        "day_offset": dict(choice.format.day_offset) if choice.format else {},
        "events_kept_from": settings["events_kept_from"] if kind == "usage" else None,  # analysis/retention.py
    }
    cohorts_to_map: list[str] = []
    if kind in RECORD_KINDS and rollout_id is not None:  # _load refuses these without a rollout
        context["cohorts"] = roster_import.cohort_lookup(org.rollout_cohorts(scope, rollout_id), None)
        context["departments"] = org.roster_departments(scope, rollout_id)
    if kind == "roster" and rollout_id is not None:  # _load refuses a roster without a rollout
        cohorts = roster_import.cohort_lookup(org.rollout_cohorts(scope, rollout_id), cohort_values)
        context["cohorts"] = cohorts
        if "cohort" in choice.columns:
            index = choice.columns["cohort"]
            cohorts_to_map = roster_import.unknown_cohorts([r[index] for r in table.rows if index < len(r)], cohorts)
    if (
        kind == "usage"
        and "activity" not in choice.columns
        and not (choice.format and ("activity" in choice.format.constants or choice.format.expand))
    ):
        # file_kind.choose asks for the activity column when no rollout is chosen
        assert rollout_id is not None
        context["default_activity"] = org.rollout_name(scope, rollout_id).strip().lower()
    return context, cohorts_to_map
