"""The pack's "compared with" section: analysis/comparison.py's rows and departments, as the
Overview shows them (ui/comparison.py)."""

from __future__ import annotations

from datetime import date

from analysis.comparison import change_words, compare
from analysis.orgs import Rollout
from analysis.reports.model import Section, Table
from analysis.scope import Scope
from analysis.words import day, pct, plain

MAX_DEPARTMENTS = 8  # as the departments section


def comparison_section(scope: Scope, rollout: Rollout, as_of: date, window: int, against: str) -> Section:
    found = compare(scope, rollout, as_of, window, against, fold=scope.principal.is_client)
    rows = [list(r.words().values()) for r in found.rows]
    blocks: list = [Table(["Figure", "Cohort", "Then", "Now", "Change"], rows, [3.0, 2.2, 1.3, 1.3, 2.4], size=10)]
    if found.departments is None:
        blocks.append("A baseline keeps no department figures, so departments are not compared.")
    elif not found.departments.empty:
        shown = found.departments.head(MAX_DEPARTMENTS)
        blocks.append(
            Table(
                ["Department", "Licensed", "Adoption then", "Adoption now", "Change"],
                [
                    [
                        plain(d.department),
                        f"{int(d.licensed_users):,}",
                        pct(d.then),
                        pct(d.now),
                        change_words(d.then, d.now, "share"),
                    ]
                    for d in shown.itertuples()
                ],
                [3.0, 1.2, 1.5, 1.5, 2.4],
                size=10,
            )
        )
    return Section(
        f"Compared with {found.then_label}",
        f"Now ({day(as_of)}) against then, each over a {window}-day window; changes of shares in percentage points.",
        blocks,
    )
