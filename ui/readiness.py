"""The readiness table of the Overview: per cohort, trained before go-live (docs/metrics.md#readiness)."""

from __future__ import annotations

import pandas as pd

from analysis.readiness import CohortReadiness
from analysis.words import day


def readiness_table(found: list[CohortReadiness]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Cohort": r.cohort,
                "Go-live": day(r.go_live),
                "Trained before go-live": f"{r.trained} of {r.licensed}",
                "Training sessions in the 28 days before": r.trainings_in_window,
                "Communications before go-live": r.communications,
                "Last training": day(r.last_training) if r.last_training else "none",
            }
            for r in found
        ]
    )
