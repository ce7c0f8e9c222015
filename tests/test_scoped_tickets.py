"""scoped_tickets (analysis/queries/macros/4_tickets.sql): the rollout's tickets in scope without the
requester matched to the roster, which the rollout-wide support figures read (the matching was
most of their time: docs/performance.md). The same rows and hours as rollout_tickets, and the
support figures' queries read it rather than rollout_tickets."""

from __future__ import annotations

from analysis import orgs
from analysis.scope import query_text
from tests.conftest import TINY

ROLLOUT_WIDE = ("support_kpis", "ticket_days", "backlog_by_day", "top_categories")


def test_scoped_tickets_are_rollout_tickets_without_the_requester(acme, load):
    for kind in ("roster", "usage", "tickets"):
        load(acme, kind, (TINY / f"{kind}.csv").read_bytes())
    rollout = orgs.rollout(acme, "MFA")
    cur = acme.store.cursor()
    params = [acme.org_id, rollout.rollout_id]
    matched = cur.execute(
        "SELECT * EXCLUDE (requester_user_id, requester_cohort) FROM rollout_tickets(?, ?) ORDER BY ticket_id", params
    ).fetchall()
    scoped = cur.execute("SELECT * FROM scoped_tickets(?, ?) ORDER BY ticket_id", params).fetchall()
    assert len(matched) > 0 and scoped == matched


def test_the_rollout_wide_figures_do_not_match_requesters():
    for name in ROLLOUT_WIDE:
        text = query_text(name)
        assert "scoped_tickets(" in text and "rollout_tickets(" not in text, name
