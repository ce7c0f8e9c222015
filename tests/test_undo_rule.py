"""Issue 13, item 11: who may undo a load and why not, one rule for analysis.uploads.undo and the
Data page; a load's state in words."""

from datetime import datetime

import pandas as pd

from analysis.access import Principal
from analysis.undo_rule import NOT_YOURS, load_state, may_undo

ANN = Principal("ann@acme.test", "client_uploader", frozenset({1}))
VIEWER = Principal("vic@acme.test", "client_viewer", frozenset({1}))
MANAGER = Principal("max@provider.test", "account_manager", frozenset({1}))


def test_an_uploader_undoes_only_their_own_loads_and_is_told_why():
    assert may_undo(ANN, 1, "ann@acme.test") and may_undo(ANN, 1, "ann@acme.test").reason == ""
    refused = may_undo(ANN, 1, "bob@acme.test")
    assert (bool(refused), refused.reason) == (False, NOT_YOURS)
    assert NOT_YOURS == "Only the person who loaded it or your provider can undo this load."
    assert may_undo(MANAGER, 1, "bob@acme.test")  # the provider undoes anyone's load
    assert not may_undo(MANAGER, 2, "bob@acme.test")  # ... of their own organisations only
    assert may_undo(VIEWER, 1, "vic@acme.test").reason == "Your role cannot undo loads."


def test_an_undone_load_says_by_whom_and_when():
    when = datetime(2026, 12, 4, 7, 20)
    assert load_state(when, "max@provider.test") == "Undone by max@provider.test on 4 Dec 2026 07:20"
    assert load_state(pd.NaT, None) == load_state(None, None) == "Active"
    assert (
        may_undo(MANAGER, 1, "bob", when, "max@provider.test").reason
        == "Already undone by max@provider.test on 4 Dec 2026 07:20."
    )
