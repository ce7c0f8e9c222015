"""The rollout in a few plain sentences, for the top of the Overview and the pack's cover.

Written only from figures the pack prints (its KPI table, its departments table, its red-flag
count), so each sentence can be traced to a figure there, and it claims nothing more: no cause,
no forecast. Streamlit-free: the page and analysis/reports/contents.py call the same function.

Example (the demo as of its newest day, window 28): "The champion cohort reached 96% adoption
120 days after go-live." / "The wider cohort reached 63% adoption 90 days after go-live, against
96% for the champion cohort at the same age." / "The target is 80% by day 30 after go-live: the
champion cohort is on track; the wider cohort is off track." / "Warehouse is the weakest department
at 35% (19 of 54 people active); the strongest is IT at 94%." / "The recovery began on 7 Sep
2026: stabilise and re-design met their measures; re-enable did not; monitor is off track so far." /
"18 red flags are open: 1 high, 17 medium." (figures illustrative; tests/test_summary.py works real
ones by hand).
"""

from __future__ import annotations

import pandas as pd

from analysis.privacy import OTHER
from analysis.words import day, number, pct, plain

CHAMPION_BASELINE = "baseline: champions on their day"  # analysis/kpis/table.py's note for such a row


def _cohort(cohort: str) -> str:
    return f"the {plain(cohort)} cohort"


def _known(value) -> bool:
    """Not None and not NaN: rows come as kpis.KpiRow or as kpi_table's DataFrame rows (NaN)."""
    return value is not None and value == value


def _cohort_rows(rows: list) -> list:
    """The KPI table's adoption rows of the cohorts themselves (not the rollout's, not "all")."""
    return [r for r in rows if r.kpi == "adoption_rate" and isinstance(r.cohort, str) and r.cohort != "all"]


def adoption_sentences(rows: list) -> list[str]:
    """One sentence per live cohort from the KPI table's adoption rows (kpis.KpiRow): its adoption
    now at its age, and the champions' at the same age where the table compares with them."""
    out = []
    for r in _cohort_rows(rows):
        if not _known(r.age_days):
            continue
        who, age = _cohort(r.cohort), int(r.age_days)
        if age < 0:
            out.append(f"{who.capitalize()} is not live yet: it goes live in {-age} days.")
            continue
        if not _known(r.current):
            continue
        days = "day" if age == 1 else "days"
        text = f"{who.capitalize()} reached {pct(r.current)} adoption {age} {days} after go-live"
        if _known(r.baseline) and isinstance(r.note, str) and CHAMPION_BASELINE in r.note:
            text += f", against {pct(r.baseline)} for the champion cohort at the same age"
        out.append(text + ".")
    return out


def target_sentence(rows: list) -> str | None:
    """The adoption target and where each live cohort stands against it (the table's status once
    its due day has come; its day of the due days before)."""
    live = [r for r in _cohort_rows(rows) if _known(r.age_days) and r.age_days >= 0 and _known(r.current)]
    if not live or not _known(live[0].target):
        return None
    first = live[0]
    parts = [
        f"{_cohort(r.cohort)} is {r.status}"
        if r.due
        else f"{_cohort(r.cohort)} is at day {int(r.age_days)} of {int(r.due_age_days)}"
        for r in live
    ]
    return f"The target is {pct(first.target)} by day {int(first.due_age_days)} after go-live: {'; '.join(parts)}."


def department_sentence(departments: pd.DataFrame) -> str | None:
    """The weakest and the strongest department by adoption, from the departments as the reader may
    see them (small groups already folded for client leadership); the folded group is not a
    department, so it is never named weakest or strongest."""
    named = departments[(departments["department"] != OTHER) & (departments["licensed_users"] > 0)]
    if len(named) < 2:
        return None
    ranked = named.sort_values(["adoption_rate", "department"]).reset_index(drop=True)
    weak, strong = ranked.iloc[0], ranked.iloc[-1]
    if weak["adoption_rate"] == strong["adoption_rate"]:
        return f"Every department stands at {pct(weak['adoption_rate'])} adoption."
    return (
        f"{plain(weak['department'])} is the weakest department at {pct(weak['adoption_rate'])} "
        f"({int(weak['active_users']):,} of {int(weak['licensed_users']):,} people active); the strongest is "
        f"{plain(strong['department'])} at {pct(strong['adoption_rate'])}."
    )


def flag_sentence(counts: dict[str, int]) -> str:
    """The open red flags (firing, high or medium), as the pack's red-flag section counts them."""
    held = counts.get("high", 0) + counts.get("medium", 0)
    if not held:
        return "No red flag is open."
    flags = "1 red flag is" if held == 1 else f"{held} red flags are"
    high, medium = counts.get("high", 0), counts.get("medium", 0)
    if high and medium:
        return f"{flags} open: {high} high, {medium} medium."
    severity = "high" if high else "medium"
    return f"{flags} open, {'' if held == 1 else 'all '}{severity}."


def ticket_sentence(rows: list) -> str | None:
    """Tickets per 100 people over the last 7 days, against the baseline: none without tickets."""
    row = next((r for r in rows if r.kpi == "tickets_per_100_users_7d"), None)
    if row is None or not _known(row.current):
        return None
    if row.current == 0:  # "0.0 per 100, against 0.0" reads as a figure; none is the fact
        text = "No ticket was created in the last 7 days"
        if _known(row.baseline) and row.baseline:
            text += f", against {number(row.baseline)} per 100 people in the baseline"
        return text + "."
    text = f"The support desk had {number(row.current)} tickets per 100 people in the last 7 days"
    if _known(row.baseline):
        text += f", against {number(row.baseline)} in the baseline"
    return text + "."


def _names(phases: list[str]) -> str:
    return phases[0] if len(phases) == 1 else ", ".join(phases[:-1]) + " and " + phases[-1]


def recovery_sentence(results: list[dict]) -> str | None:
    """Where a recovery stands, from the phases' own verdicts (analysis/phases.py results, the pack's
    phases page): none when no recovery phase has started.

    Example: "The recovery began on 7 Sep 2026: stabilise and re-design met their measures;
    re-enable did not; monitor is off track so far."
    """
    started = [r for r in results if r["phase"].kind == "recovery"]
    if not started:
        return None
    said = {
        s: [r["phase"].name for r in started if r["status"] == s] for s in ("met", "not met", "on track", "off track")
    }
    parts = []
    if said["met"]:
        parts.append(f"{_names(said['met'])} met {'its' if len(said['met']) == 1 else 'their'} measures")
    if said["not met"]:
        parts.append(f"{_names(said['not met'])} did not")
    for running in ("on track", "off track"):
        if said[running]:
            parts.append(f"{_names(said[running])} {'is' if len(said[running]) == 1 else 'are'} {running} so far")
    text = f"The recovery began on {day(started[0]['phase'].starts)}"
    return text + (": " + "; ".join(parts) if parts else "") + "."


def summary(
    rows: list, departments: pd.DataFrame, flag_counts: dict[str, int], phase_results: list[dict] | None = None
) -> list[str]:
    """The sentences, in reading order: adoption per cohort, the target, departments, the
    recovery, red flags, the support desk. rows: kpis.kpi_rows; departments: one row per department
    over all cohorts (department, licensed_users, active_users, adoption_rate); flag_counts:
    alerts.red_flag_counts; phase_results: analysis.phases.results."""
    out = adoption_sentences(rows)
    out += [s for s in (target_sentence(rows), department_sentence(departments)) if s]
    recovery = recovery_sentence(phase_results or [])
    out += [recovery] if recovery else []
    out.append(flag_sentence(flag_counts))
    tickets = ticket_sentence(rows)
    return out + ([tickets] if tickets else [])
