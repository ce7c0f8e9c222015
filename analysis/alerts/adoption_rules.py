"""The rules on usage: LOW_ADOPTION, CHAMPION_GAP, PILOT_NOT_READY, DECLINING_USAGE, LAPSING and
WORKAROUNDS, each a function of the evaluation's data and a day x giving its findings."""

from __future__ import annotations

from datetime import date, timedelta

from analysis.alerts.inputs import Finding, RuleData, below, cohort_gate, nobody_licensed, not_enough, share_words
from analysis.words import pct


def low_adoption(data: RuleData, x: date) -> list[Finding]:
    s, target, age_due = data.settings["LOW_ADOPTION"], data.adoption_target, data.target.due_age_days
    out = []

    def judge(counts: dict, **where) -> Finding:
        rate = counts["active_users"] / counts["licensed_users"]
        evidence = {
            "adoption_rate": rate,
            "active_users": counts["active_users"],
            "licensed_users": counts["licensed_users"],
            "target": target,
            "target_age_days": age_due,
            "window_days": data.window,
            "high_below": s["high_share_of_target"] * target,
        }
        if not below(rate, target):
            return Finding("LOW_ADOPTION", "clear", evidence=evidence, **where)
        high = below(rate, s["high_share_of_target"] * target)
        who = f"The {where['cohort']} cohort" if where.get("cohort") else where["department"]
        message = (
            f"{who}: {pct(rate)} adoption ({counts['active_users']} of {counts['licensed_users']} licensed "
            f"people active in the last {data.window} days), below the {pct(target)} target"
            + (f" - under {share_words(s['high_share_of_target'])} of it." if high else ".")
        )
        return Finding(
            "LOW_ADOPTION", "holds", severity="high" if high else "medium", message=message, evidence=evidence, **where
        )

    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        counts = by_cohort.get(cohort)
        gate = cohort_gate(data, "LOW_ADOPTION", cohort, x, counts, age_due, "adoption is judged against the target")
        if gate or not counts:  # cohort_gate passes only a cohort with licensed people
            out.append(gate or nobody_licensed("LOW_ADOPTION", cohort))
            continue
        found = judge(counts, cohort=cohort)
        found.evidence["age_days"] = (x - go_live).days
        out.append(found)
    if data.newest_usage is not None:
        for department, counts in sorted(data.department_counts(x, age_due).items()):
            if counts["licensed_users"] >= s["min_department_people"]:
                out.append(judge(counts, department=department))
    return out


NO_CHAMPION = (
    "This rollout has no champion cohort (a cohort named champion that goes live first): there is no "
    "early group to compare with. Add it on the Settings page if one went first."
)


def champion_gap(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["CHAMPION_GAP"]
    champion = data.cohorts.get("champion")
    if champion is None:  # said, never silently passed (docs/metrics.md#when-a-rule-cannot-be-judged)
        return [not_enough("CHAMPION_GAP", NO_CHAMPION)]
    out = []
    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        if cohort == "champion" or go_live < champion:
            continue
        gate = cohort_gate(
            data,
            "CHAMPION_GAP",
            cohort,
            x,
            by_cohort.get(cohort),
            int(s["min_age_days"]),
            "the comparison with the champions starts",
        )
        if gate is None and not (by_cohort.get("champion") or {}).get("licensed_users"):
            gate = not_enough("CHAMPION_GAP", "Nobody licensed is on the roster of the champion cohort.", cohort=cohort)
        if gate:
            out.append(gate)
            continue
        k = (x - go_live).days
        mine = data.rolling.get((cohort, x), 0.0)
        theirs = data.rolling.get(("champion", champion + timedelta(days=k)), 0.0)
        evidence = {
            "age_days": k,
            "adoption_by_age": mine,
            "champion_adoption_by_age": theirs,
            "share_of_champion": mine / theirs if theirs else None,
            "threshold_share": s["share_of_champion"],
        }
        if below(mine, s["share_of_champion"] * theirs):
            out.append(
                Finding(
                    "CHAMPION_GAP",
                    "holds",
                    cohort=cohort,
                    evidence=evidence,
                    message=(
                        f"At age {k} days the {cohort} cohort's 7-day adoption is {pct(mine)}, against {pct(theirs)} for "
                        f"the champions at the same age (under {pct(s['share_of_champion'])} of theirs)."
                    ),
                )
            )
        else:
            out.append(Finding("CHAMPION_GAP", "clear", cohort=cohort, evidence=evidence))
    return out


def pilot_not_ready(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["PILOT_NOT_READY"]
    champion = data.cohorts.get("champion")
    others = [g for c, g in data.cohorts.items() if c != "champion"]
    if champion is None:
        return [not_enough("PILOT_NOT_READY", NO_CHAMPION)]
    if not others:
        return []
    wider = min(others)
    if x >= wider:
        return [Finding("PILOT_NOT_READY", "clear", cohort="champion")]
    counts = data.cohort_counts(x).get("champion")
    gate = cohort_gate(
        data, "PILOT_NOT_READY", "champion", x, counts, int(s["min_champion_age_days"]), "the pilot is judged"
    )
    if gate or not counts:  # cohort_gate passes only a cohort with licensed people
        return [gate or nobody_licensed("PILOT_NOT_READY", "champion")]
    rate = counts["active_users"] / counts["licensed_users"]
    target = data.adoption_target
    evidence = {
        "adoption_rate": rate,
        "active_users": counts["active_users"],
        "licensed_users": counts["licensed_users"],
        "target": target,
        "champion_age_days": (x - champion).days,
        "wider_go_live": wider.isoformat(),
        "days_to_wider_go_live": (wider - x).days,
    }
    if not below(rate, target):
        return [Finding("PILOT_NOT_READY", "clear", cohort="champion", evidence=evidence)]
    return [
        Finding(
            "PILOT_NOT_READY",
            "holds",
            cohort="champion",
            evidence=evidence,
            message=(
                f"The champions are at {pct(rate)} adoption after {(x - champion).days} days, below the {pct(target)} "
                f"target, and the wider go-live is on {wider} ({(wider - x).days} days away)."
            ),
        )
    ]


def declining_usage(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["DECLINING_USAGE"]
    need = int(s["min_full_weeks"])
    out = []
    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        gate = cohort_gate(data, "DECLINING_USAGE", cohort, x, by_cohort.get(cohort), 0, "")
        if gate is None and "DECLINING_USAGE" in data.unknowable:
            gate = not_enough("DECLINING_USAGE", data.unknowable["DECLINING_USAGE"], cohort=cohort)
        full = [(w, n) for w, n in data.weekly.get(cohort, []) if w >= go_live and w + timedelta(days=6) <= x]
        if gate is None and len(full) < need:
            first = go_live + timedelta(days=(7 - go_live.weekday()) % 7)  # the first Monday on or after go-live
            gate = not_enough(
                "DECLINING_USAGE",
                f"The {cohort} cohort has {len(full)} full ISO weeks since go-live: "
                f"judged after {need} (from {first + timedelta(days=7 * need - 1)}).",
                cohort=cohort,
            )
        if gate:
            out.append(gate)
            continue
        last_week, last = full[-1]
        peak_week, peak = max(full, key=lambda item: (item[1], item[0]))
        evidence = {
            "last_week_start": last_week.isoformat(),
            "weekly_active_users": last,
            "peak_week_start": peak_week.isoformat(),
            "peak_weekly_active_users": peak,
            "share_of_peak": last / peak if peak else None,
            "full_weeks": len(full),
            "threshold_share": s["share_of_peak"],
        }
        if peak and below(last, s["share_of_peak"] * peak):
            out.append(
                Finding(
                    "DECLINING_USAGE",
                    "holds",
                    cohort=cohort,
                    evidence=evidence,
                    message=(
                        f"The {cohort} cohort had {last} weekly active people in the week of {last_week}, "
                        f"{pct(last / peak)} of its best week ({peak}, week of {peak_week})."
                    ),
                )
            )
        else:
            out.append(Finding("DECLINING_USAGE", "clear", cohort=cohort, evidence=evidence))
    return out


def lapsing(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["LAPSING"]
    out = []

    def judge(counts: dict, **where) -> Finding:
        lapsed, activated = counts["lapsed_users"], counts["activated_users"]
        evidence = {
            "lapsed_users": lapsed,
            "activated_users": activated,
            "share_of_activated": lapsed / activated if activated else None,
            "licensed_users": counts["licensed_users"],
            "window_days": data.window,
            "threshold_share": s["share_of_activated"],
        }
        if activated and not below(lapsed, s["share_of_activated"] * activated) and lapsed >= s["min_people"]:
            who = f"The {where['cohort']} cohort" if where.get("cohort") else where["department"]
            return Finding(
                "LAPSING",
                "holds",
                evidence=evidence,
                message=(
                    f"{who}: {lapsed} of {activated} activated people ({pct(lapsed / activated)}) used it before and "
                    f"not in the last {data.window} days."
                ),
                **where,
            )
        return Finding("LAPSING", "clear", evidence=evidence, **where)

    by_cohort = data.cohort_counts(x)
    for cohort in data.cohorts:
        gate = cohort_gate(
            data,
            "LAPSING",
            cohort,
            x,
            by_cohort.get(cohort),
            data.window,
            "people can lapse (a use, then none in the window)",
        )
        out.append(gate or judge(by_cohort[cohort], cohort=cohort))
    if data.newest_usage is not None:
        for department, counts in sorted(data.department_counts(x, data.window).items()):
            if counts["licensed_users"] >= s["min_department_people"]:
                out.append(judge(counts, department=department))
    return out


def workarounds(data: RuleData, x: date) -> list[Finding]:
    s = data.settings["WORKAROUNDS"]
    if not data.rollout.legacy_activities:
        return [
            not_enough(
                "WORKAROUNDS",
                "The rollout names no legacy activity (the old way), so workarounds "
                "cannot be seen: set one on the Settings page (or `rollout set --legacy`).",
            )
        ]
    min_age = int(s["min_age_days"])
    out = []

    def judge(counts: dict, **where) -> Finding:
        legacy, licensed = counts["legacy_users"], counts["licensed_users"]
        evidence = {
            "legacy_users": legacy,
            "licensed_users": licensed,
            "share_of_licensed": legacy / licensed,
            "legacy_activities": list(data.rollout.legacy_activities),
            "threshold_share": s["share_of_licensed"],
        }
        if not below(legacy, s["share_of_licensed"] * licensed) and legacy > 0:
            who = f"The {where['cohort']} cohort" if where.get("cohort") else where["department"]
            return Finding(
                "WORKAROUNDS",
                "holds",
                evidence=evidence,
                message=(
                    f"{who}: {legacy} of {licensed} licensed people ({pct(legacy / licensed)}) used the old way ("
                    f"{', '.join(data.rollout.legacy_activities)}) in the last 14 days."
                ),
                **where,
            )
        return Finding("WORKAROUNDS", "clear", evidence=evidence, **where)

    by_cohort = data.cohort_counts(x)
    for cohort, go_live in data.cohorts.items():
        gate = cohort_gate(data, "WORKAROUNDS", cohort, x, by_cohort.get(cohort), min_age, "the old way is watched")
        if gate:
            out.append(gate)
            continue
        found = judge(by_cohort[cohort], cohort=cohort)
        found.evidence["age_days"] = (x - go_live).days
        out.append(found)
    if data.newest_usage is not None:
        for department, counts in sorted(data.department_counts(x, min_age).items()):
            if counts["licensed_users"] >= s["min_department_people"]:
                out.append(judge(counts, department=department))
    return out
