"""The pack's pages on readiness and feedback (docs/metrics.md#readiness, #feedback): per cohort
trained before go-live, and confidence by place with the champions' answers before the wider
go-live. Each is left out when nothing is loaded. (KPI series are rows of the KPI table.)"""

from __future__ import annotations

from datetime import date

from analysis import feedback, readiness
from analysis.orgs import Rollout
from analysis.reports.model import Section, Table
from analysis.scope import Scope
from analysis.words import day, plain


def record_sections(scope: Scope, rollout: Rollout, as_of: date) -> list[Section]:
    found = [_readiness(scope, rollout), _feedback(scope, rollout, as_of)]
    return [s for s in found if s is not None]


def _readiness(scope: Scope, rollout: Rollout) -> Section | None:
    if not readiness.has_record(scope, rollout):
        return None
    rows = [
        [
            plain(r.cohort),
            day(r.go_live),
            f"{r.trained} of {r.licensed}",
            str(r.trainings_in_window),
            str(r.communications),
            day(r.last_training) if r.last_training else "none",
        ]
        for r in readiness.cohort_readiness(scope, rollout)
    ]
    return Section(
        "Readiness: trained before go-live",
        "Per cohort, its licensed people trained before its go-live, its training sessions in the 28 days "
        "before it, and its communications.",
        [
            Table(
                ["Cohort", "Go-live", "Trained", "Sessions (28 days)", "Communications", "Last training"],
                rows,
                [1.6, 1.4, 1.3, 1.6, 1.6, 1.5],
                size=10.5,
            )
        ],
    )


def _feedback(scope: Scope, rollout: Rollout, as_of: date) -> Section | None:
    answers = feedback.answers(scope, rollout)
    if answers.empty:
        return None
    table = feedback.confidence(scope, rollout, as_of, frame=answers)
    rows = [
        [r.level, plain(r.place), str(int(r.answers)), "n/a" if r.mean is None else f"{r.mean:.1f}"]
        for r in table.itertuples()
    ]
    blocks: list = []
    voice = feedback.champions_before_wider(scope, rollout, frame=answers)
    if voice is not None:
        said = f"a mean of {voice.mean:.1f} of 5" if voice.mean is not None else "too few answers to show"
        blocks.append(f"The champions before the wider go-live ({day(voice.before)}): {voice.answers} answers, {said}.")
    if rows:
        blocks.append(Table(["Level", "Place", "Answers", "Mean (of 5)"], rows, [1.4, 3.0, 1.2, 1.4], size=10.5))
    else:
        blocks.append(f"No survey answer in the {feedback.DAYS} days to {day(as_of)}.")
    return Section(
        "Feedback: confidence",
        f"Pulse-survey answers in the {feedback.DAYS} days to {day(as_of)}, by place (a client's pack folds "
        "departments of fewer than 5 answers). The comments stay in the app.",
        blocks,
    )
