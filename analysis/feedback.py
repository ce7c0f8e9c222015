"""Feedback (docs/metrics.md#feedback): pulse-survey answers (loaded as `--kind feedback`, from
Uptake's own columns or a Microsoft / Google Forms export), confidence (the mean score 1..5) by cohort
and department and by week, the champions' answers before the wider go-live, and the comments:
searchable by the provider; shown to client views only where the organisation allows it, never with
a name and never for a group under 5 answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from analysis.orgs import Rollout
from analysis.privacy import MINIMUM, fold_small_groups
from analysis.scope import Scope

DAYS = 28  # LOW_CONFIDENCE's default window (analysis/alerts/rules.py)
WHOLE = "whole rollout"


def answers(scope: Scope, rollout: Rollout) -> pd.DataFrame:
    """Every current answer: day, question, score (None: a comment alone), comment, user_id (None:
    anonymous), cohort, department (None where neither the file nor the roster gives one)."""
    frame = scope.df("feedback_answers", rollout_id=rollout.rollout_id).astype(object)
    frame = frame.where(frame.notna(), None)
    frame["day"] = [pd.Timestamp(d).date() for d in frame["day"]]
    return frame


def _scored(frame: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    # boolean Series, not lists: frame[[]] would select no *columns* once nothing is left
    kept = frame[frame["score"].map(lambda s: s is not None).astype(bool)]
    if start is not None:
        kept = kept[kept["day"].map(lambda d: d >= start).astype(bool)]
    if end is not None:
        kept = kept[kept["day"].map(lambda d: d <= end).astype(bool)]
    return kept.assign(score=[int(s) for s in kept["score"]])


def confidence(
    scope: Scope, rollout: Rollout, as_of: date, days: int = DAYS, frame: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per place (the whole rollout, each cohort, each department) the scored answers in the `days`
    days to as_of: level (rollout | cohort | department), place, answers, score_sum, mean. A client
    view folds departments of fewer than 5 answers (analysis/privacy.py)."""
    table = confidence_at(answers(scope, rollout) if frame is None else frame, as_of, days)
    if scope.principal.is_client and not table.empty:
        departments = table[table["level"] == "department"]
        folded = fold_small_groups(departments, "place", "answers", ratios={"mean": ("score_sum", "answers")}).assign(
            level="department"
        )
        table = pd.concat([table[table["level"] != "department"], folded], ignore_index=True)
    return table.reset_index(drop=True)


def confidence_at(frame: pd.DataFrame, as_of: date, days: int) -> pd.DataFrame:
    """confidence() of answers already read, unfolded (the rule's view)."""
    recent = _scored(frame, as_of - timedelta(days=days - 1), as_of)
    rows = [("rollout", WHOLE, recent)]
    rows += [("cohort", c, recent[recent["cohort"] == c]) for c in sorted(recent["cohort"].dropna().unique())]
    rows += [
        ("department", d, recent[recent["department"] == d]) for d in sorted(recent["department"].dropna().unique())
    ]
    table = pd.DataFrame(
        [
            {"level": level, "place": place, "answers": len(part), "score_sum": int(part["score"].sum())}
            for level, place, part in rows
            if len(part)
        ],
        columns=["level", "place", "answers", "score_sum"],
    )
    table["mean"] = [s / n if n else None for s, n in zip(table["score_sum"], table["answers"])]
    return table


def weekly(scope: Scope, rollout: Rollout, as_of: date, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """Confidence over time: per cohort and ISO week (its Monday) to as_of, answers and mean."""
    frame = answers(scope, rollout) if frame is None else frame
    scored = _scored(frame, None, as_of)
    scored = scored[scored["cohort"].map(lambda c: c is not None).astype(bool)]
    if scored.empty:
        return pd.DataFrame(columns=["cohort", "week_start", "answers", "mean"])
    scored = scored.assign(week_start=[d - timedelta(days=d.weekday()) for d in scored["day"]])
    grouped = scored.groupby(["cohort", "week_start"], sort=True)["score"]
    out = grouped.agg(answers="count", mean="mean").reset_index()
    if scope.principal.is_client:
        out = out[out["answers"] >= MINIMUM]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class ChampionVoice:
    before: date  # the first go-live after the champions'
    answers: int
    mean: float | None
    by_question: list[tuple[str, int, float]]  # (question, answers, mean)


def champions_before_wider(scope: Scope, rollout: Rollout, frame: pd.DataFrame | None = None) -> ChampionVoice | None:
    """The champion cohort's scored answers dated before the next cohort's go-live; None without a
    champion cohort or a later one."""
    champion = rollout.cohorts.get("champion")
    later = sorted(g for c, g in rollout.cohorts.items() if c != "champion" and champion and g > champion)
    if champion is None or not later:
        return None
    frame = answers(scope, rollout) if frame is None else frame
    theirs = _scored(frame, None, later[0] - timedelta(days=1))
    theirs = theirs[theirs["cohort"] == "champion"]
    per = [(str(q), len(g), float(g["score"].mean())) for q, g in theirs.groupby("question", sort=True)]
    if scope.principal.is_client and len(theirs) < MINIMUM:
        return ChampionVoice(later[0], len(theirs), None, [])
    return ChampionVoice(later[0], len(theirs), float(theirs["score"].mean()) if len(theirs) else None, per)


def comments_to_clients(scope: Scope) -> bool:
    return bool(scope.df("feedback_settings")["comments_to_clients"].iloc[0])


def set_comments_to_clients(scope: Scope, allowed: bool, now: datetime | None = None) -> str:
    """Let client views read the comments (or not); 'configure' only. Returns what changed, in words."""
    scope.require("configure")
    with scope.store.transaction("change comments to clients", org_id=scope.org_id) as cur:
        cur.execute(
            "INSERT INTO feedback_settings VALUES (?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
            "comments_to_clients = excluded.comments_to_clients, set_by = excluded.set_by, set_at = excluded.set_at",
            [scope.org_id, bool(allowed), scope.principal.name, now or datetime.now()],
        )
    return "Client views " + ("may now read" if allowed else "no longer read") + " the survey comments."


def comments(scope: Scope, rollout: Rollout, search: str = "", frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comments, newest first, whose text holds `search` (any case): day, question, score,
    comment, cohort, department, and for the provider the person. A client view gets none unless the
    organisation allows it, then without the person and only from places (department, else cohort)
    with at least 5 scored answers."""
    columns = ["day", "question", "score", "comment", "cohort", "department"]
    client = scope.principal.is_client
    if client and not comments_to_clients(scope):
        return pd.DataFrame(columns=columns)
    frame = answers(scope, rollout) if frame is None else frame
    said = frame[frame["comment"].map(bool).astype(bool)]
    if search.strip():
        said = said[said["comment"].map(lambda c: search.strip().lower() in str(c).lower()).astype(bool)]
    if client:
        scored = _scored(frame, None, None)
        place = [d if d is not None else c for d, c in zip(scored["department"], scored["cohort"])]
        sizes = pd.Series(place, dtype=object).value_counts()
        said = said[
            [
                (d if d is not None else c) is not None and sizes.get(d if d is not None else c, 0) >= MINIMUM
                for d, c in zip(said["department"], said["cohort"])
            ]
        ]
        return said[columns].iloc[::-1].reset_index(drop=True)
    return said[[*columns, "user_id"]].iloc[::-1].reset_index(drop=True)


def as_json(scope: Scope, rollout: Rollout, as_of: date) -> dict | None:
    """For `kpis --json` (key `feedback`): confidence by place over the last 28 days and by week,
    the champions before the wider go-live and how many comments there are (their text stays on
    the page); None when no answer is loaded."""
    frame = answers(scope, rollout)
    if frame.empty:
        return None
    place = confidence(scope, rollout, as_of, frame=frame)
    weeks = weekly(scope, rollout, as_of, frame=frame)
    voice = champions_before_wider(scope, rollout, frame=frame)
    return {
        "answers": int(sum(s is not None for s in frame["score"])),
        "days": DAYS,
        "confidence": [
            {"level": r.level, "place": r.place, "answers": int(r.answers), "mean_score": r.mean}
            for r in place.itertuples()
        ],
        "weekly": [
            {
                "cohort": r.cohort,
                "week_start": r.week_start.isoformat(),
                "answers": int(r.answers),
                "mean_score": r.mean,
            }
            for r in weeks.itertuples()
        ],
        "champions_before_wider": None
        if voice is None
        else {"before": voice.before.isoformat(), "answers": voice.answers, "mean_score": voice.mean},
        "comments": int(sum(bool(c) for c in frame["comment"])),
    }
