"""Cached reads. Each takes an already checked Scope (not hashed) plus the organisation id and
data version (hashed), so one organisation's entry can never answer another's."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis import metrics, uploads
from analysis.orgs import Rollout
from analysis.scope import Scope


def _check(scope: Scope, org_id: int) -> None:
    if scope.org_id != org_id:
        raise AssertionError("cache key and scope disagree")


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def cohort_kpis(_scope: Scope, org_id: int, version: tuple, _rollout: Rollout, rollout_id: int,
                as_of: date, window: int) -> dict:
    _check(_scope, org_id)
    return metrics.cohort_kpis(_scope, _rollout, as_of, window)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def rolling_adoption(_scope: Scope, org_id: int, version: tuple, _rollout: Rollout, rollout_id: int,
                     as_of: date) -> pd.DataFrame:
    _check(_scope, org_id)
    return metrics.rolling_adoption(_scope, _rollout, as_of)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def freshness(_scope: Scope, org_id: int, version: tuple, _rollout: Rollout | None, rollout_id: int | None) -> dict:
    _check(_scope, org_id)
    return metrics.freshness(_scope, _rollout)


@st.cache_data(ttl=600, max_entries=200, show_spinner=False)
def upload_history(_scope: Scope, org_id: int, version: tuple) -> pd.DataFrame:
    _check(_scope, org_id)
    return uploads.history(_scope)
