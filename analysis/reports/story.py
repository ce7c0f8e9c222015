"""The pack's pages on how the rollout is being led (docs/metrics.md#phases,
#root-causes-and-actions, #post-mortem-and-lessons): the phases against their targets, the root
causes and actions on its red flags, and its post-mortem. Each is left out when there is nothing
to say."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import lessons, phases
from analysis.alerts import actions, rule_title
from analysis.orgs import Rollout
from analysis.reports.model import Section, Table
from analysis.reports.record_story import record_sections
from analysis.scope import Scope
from analysis.words import day, plain

STATUS = {"met": "met", "not met": "not met", "on track": "on track", "off track": "off track", "no targets": "-"}


def story_sections(scope: Scope, rollout: Rollout, as_of: date, window: int) -> list[Section]:
    found = [
        *record_sections(scope, rollout, as_of),
        _phases(scope, rollout, as_of, window),
        _actions(scope, rollout, as_of),
        _post_mortem(scope, rollout),
    ]
    return [s for s in found if s is not None]


def _phases(scope: Scope, rollout: Rollout, as_of: date, window: int) -> Section | None:
    results = phases.results(scope, rollout, as_of, window)
    if not any(r["readings"] for r in results):
        return None  # no phase with a target has started: nothing to judge
    rows = []
    for r in results:
        p = r["phase"]
        readings = phases.readings_words(r["readings"])
        rows.append([plain(p.name), f"{day(p.starts)} - {day(p.ends)}", STATUS[r["status"]], readings or "-"])
    return Section(
        "Phases against their targets",
        "Each phase that has started: its baseline on the day before it began, its value on its last day "
        f"(or {day(as_of)} while it runs), against its target.",
        [Table(["Phase", "Dates", "Status", "Baseline -> value (target)"], rows, [1.6, 2.2, 1.1, 6.1], size=10.5)],
    )


def _actions(scope: Scope, rollout: Rollout, as_of: date) -> Section | None:
    causes = actions.root_causes(scope, rollout)
    planned = actions.actions(scope, rollout, as_of)
    if causes.empty and planned.empty:
        return None
    blocks: list = []
    for cause in causes.itertuples():
        why = " / ".join(plain(w) for w in cause.whys)
        blocks.append(
            f"{rule_title(cause.rule)}: {plain(cause.summary or 'root cause being worked out')}"
            + (f" ({', '.join(cause.categories)})" if len(cause.categories) else "")
            + (f". Why: {why}" if why else "")
        )
    if not planned.empty:
        rows = [
            [
                rule_title(a.rule),
                plain(a.title),
                plain(a.owner),
                day(pd.Timestamp(a.due).date()),
                f"{a.status} (overdue)" if a.overdue else a.status,
                plain(a.outcome) if isinstance(a.outcome, str) else "",  # missing: NaN in pandas, truthy
            ]
            for a in planned.itertuples()
        ]
        blocks.append(
            Table(
                ["Flag", "Action", "Owner", "Due", "Status", "Outcome"], rows, [1.5, 2.8, 1.4, 1.1, 1.2, 2.6], size=10
            )
        )
    return Section("Root causes and actions", "Why the red flags hold, and what is being done about them.", blocks)


def _post_mortem(scope: Scope, rollout: Rollout) -> Section | None:
    written = lessons.post_mortem(scope, rollout)
    if written is None:
        return None
    blocks: list = [
        f"{heading}: {plain(written[field])}" for field, heading in lessons.HEADINGS.items() if written[field]
    ]
    return Section("Post-mortem and lessons", "What this rollout teaches the next one.", blocks)
