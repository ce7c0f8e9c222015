"""What the pages read on opening a rollout in the period the sidebar starts on (the newest day,
the rollout's window): the calls whose queries the recording evaluation keeps
(analysis/kept_figures.py). The pages call the same functions with the same values
(ui/cached.py FIGURES), so a page opened after an evaluation reads the kept results;
tests/test_kept_figures.py checks that the pages' first views compute none of them."""

from __future__ import annotations

from datetime import date

from analysis import kept_figures, metrics, support
from analysis.orgs import Rollout
from analysis.scope import Scope


def gathered(scope: Scope, rollout: Rollout, as_of: date) -> dict[tuple[str, str], bytes]:
    """The kept queries' results of the rollout's default view as of as_of, computed afresh."""
    with kept_figures.keeping() as found:
        metrics.freshness(scope, rollout)
        metrics.rolling_adoption(scope, rollout, as_of)
        metrics.weekly_active_users(scope, rollout, as_of)
        metrics.department_weekly_adoption(scope, rollout, as_of)  # every cohort: the page's first choice
        support.weekly_tickets(scope, rollout, as_of)
    return found
