"""KPI baselines, targets and the KPI table (docs/metrics.md#the-kpi-table) on hand-checked data.

The tiny set (tests/data/tiny): champion a b c d (go-live Mon 2025-01-06), wider e f (g
unlicensed; go-live 2025-02-03): 6 licensed. Usage (mfa counts, sms is legacy): a 01-03; b 01-07;
c 01-20; e 02-03, 02-10; f 01-25 (mfa), 02-05 (sms); g 02-04. The baseline window is the 28 days
before the first go-live: 2024-12-09 .. 2025-01-05.

Tickets (all in scope):
    ticket  created       resolved           notes
    B1      12-09 09:00   12-09 13:00 (4 h)  the window's first day
    B2      12-16 09:00   12-17 09:00 (24 h) rated good
    B3      01-02 09:00   open               in the backlog at the window's end
    N1      02-05 09:00   02-05 19:00 (10 h) rated bad
Baseline: 3 tickets -> 100 x 3 x 7 / 28 / 6 = 12.5 per 100 people per 7 days; median resolution
(4, 24) = 14 h; backlog 1; reopen rate 0 of 2; satisfaction 1 of 1.
As of 2025-02-10 (window 01-14 .. 02-10; 7 days 02-04 .. 02-10): N1 -> 100 x 1 / 6 = 16.67;
median 10 h; backlog 1 (B3); satisfaction 0 of 1.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from analysis import alerts, kpis, orgs, uploads
from analysis.access import AccessDenied, Principal
from analysis.kpis import kpi_status
from analysis.scope import Scope
from tests.cli_run import run_in_process
from tests.conftest import TINY

D = date(2025, 2, 10)
TICKETS = """\
ticket_id,created_at,status,resolved_at,satisfaction
B1,2024-12-09 09:00,solved,2024-12-09 13:00,
B2,2024-12-16 09:00,solved,2024-12-17 09:00,good
B3,2025-01-02 09:00,open,,
N1,2025-02-05 09:00,solved,2025-02-05 19:00,bad
"""


@pytest.fixture
def tiny(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    load(acme, "tickets", TICKETS)
    return acme, orgs.rollout(acme, "MFA")


def rows(scope, rollout, **kw) -> dict:
    return {(r.kpi, r.cohort): r for r in kpis.kpi_rows(scope, rollout, D, **kw)}


@pytest.mark.parametrize(
    "current,target,direction,status",
    [
        (0.8, 0.8, "higher", "on track"),  # on the target
        (0.9, 0.8, "higher", "on track"),
        (0.75, 0.8, "higher", "at risk"),  # 0.05 short < 0.08 (10 % of the target)
        (0.7201, 0.8, "higher", "at risk"),  # just inside 10 %
        (0.72, 0.8, "higher", "off track"),  # exactly 10 % short is not less than 10 %
        (0.5, 0.8, "higher", "off track"),
        (10.0, 10.0, "lower", "on track"),
        (9.0, 10.0, "lower", "on track"),
        (10.99, 10.0, "lower", "at risk"),
        (11.0, 10.0, "lower", "off track"),
        (0.0, 0.0, "lower", "on track"),  # a zero target: on it or off it
        (1.0, 0.0, "lower", "off track"),
        (None, 0.8, "higher", "no data"),
        (0.5, None, "higher", "no target"),
    ],
)
def test_kpi_status(current, target, direction, status):
    assert kpi_status(current, target, direction) == status


def test_the_kpi_table_by_hand(tiny):
    scope, rollout = tiny
    k = rows(scope, rollout)
    champion = k[("adoption_rate", "champion")]
    # champions: their baseline is the target; 1 of 4 active (c) -> 0.25; 35 days old, due at 30
    assert (champion.baseline, champion.current, champion.target) == (0.8, 0.25, 0.8)
    assert (champion.change, champion.change_pct) == pytest.approx((-0.55, -0.6875))
    assert (champion.status, champion.age_days, champion.due, champion.note) == (
        "off track",
        35,
        True,
        "baseline: the target (champions go first)",
    )
    wider = k[("adoption_rate", "wider")]
    # the wider cohort is 7 days old; the champions at age 7 (as of 01-13, window 12-17..01-13):
    # a (01-03) and b (01-07) of 4 -> 0.5. Now: e and f of 2 -> 1.0
    assert (wider.baseline, wider.current, wider.change, wider.change_pct) == (0.5, 1.0, 0.5, 1.0)
    assert (wider.status, wider.due, wider.note) == (
        "on track",
        False,
        "due by day 30; baseline: champions on their day 7",
    )
    activation = k[("activation_rate", "wider")]
    # champions activated by 01-13: b (a's use came before go-live) -> 0.25; wider: e (f's mfa
    # use on 01-25 came before the wider go-live) -> 0.5; no activation target by default
    assert (activation.baseline, activation.current, activation.status) == (0.25, 0.5, "no target")
    assert k[("activation_rate", "champion")].note.endswith("no baseline: champions go first, and no target")
    everyone = k[("adoption_rate", "all")]
    # all: over the baseline window (as of 01-05, 28 days): a -> 1 of 6; now c, e, f -> 3 of 6
    assert (everyone.baseline, everyone.current) == pytest.approx((1 / 6, 0.5))
    assert everyone.note.endswith("baseline: the baseline window")
    assert k[("habitual_share", "wider")].current is None  # under 84 days
    tickets = k[("tickets_per_100_users_7d", None)]
    assert (tickets.baseline, tickets.current) == pytest.approx((12.5, 100 / 6))
    assert tickets.change_pct == pytest.approx((100 / 6 - 12.5) / 12.5)
    assert (tickets.direction, tickets.status, tickets.age_days) == ("lower", "no target", 7)
    assert (k[("median_resolution_hours", None)].baseline, k[("median_resolution_hours", None)].current) == (14.0, 10.0)
    assert (k[("backlog", None)].baseline, k[("backlog", None)].current) == (1, 1)
    assert (k[("backlog", None)].change, k[("backlog", None)].change_pct) == (0, 0.0)
    assert (k[("satisfaction", None)].baseline, k[("satisfaction", None)].current) == (1.0, 0.0)
    assert (k[("reopen_rate", None)].baseline, k[("reopen_rate", None)].current) == (0.0, 0.0)
    table = kpis.kpi_table(scope, rollout, D)
    assert len(table) == 3 * 3 + 5 and list(table.columns[:3]) == ["kpi", "label", "cohort"]


def test_targets_with_a_due_age(tiny):
    scope, rollout = tiny
    assert kpis.targets(scope, rollout)["adoption_rate"] == kpis.Target("adoption_rate", 0.8, 30, "rollout")
    assert kpis.targets(scope, rollout)["backlog"].value is None
    kpis.set_target(scope, rollout, "tickets_per_100_users_7d", 16, due_age_days=45)
    tickets = rows(scope, rollout)[("tickets_per_100_users_7d", None)]
    # 16.67 is 0.67 over 16, less than 1.6: at risk; the rollout's last go-live was 7 days ago
    assert (tickets.target, tickets.status, tickets.due_age_days, tickets.note) == (16, "at risk", 45, "due by day 45")
    kpis.set_target(scope, rollout, "adoption_rate", 0.9, due_age_days=20)
    again = orgs.rollout(scope, "MFA")
    assert (again.target_adoption, again.target_age_days) == (0.9, 20)  # the rollout's own target
    assert rows(scope, again)[("adoption_rate", "champion")].baseline == 0.9
    kpis.set_target(scope, rollout, "tickets_per_100_users_7d", None)
    assert kpis.targets(scope, rollout)["tickets_per_100_users_7d"].value is None


@pytest.mark.parametrize(
    "kpi,value,due,message",
    [
        ("nope", 1, None, "unknown KPI"),
        ("satisfaction", 1.2, None, "between 0 and 1"),
        ("backlog", -1, None, "0 or more"),
        ("backlog", 5, 0, "1 to 730"),
        ("adoption_rate", None, None, "above 0"),
    ],
)
def test_bad_targets_are_refused(tiny, kpi, value, due, message):
    scope, rollout = tiny
    with pytest.raises(ValueError, match=message):
        kpis.set_target(scope, rollout, kpi, value, due)


def test_the_baseline_window_can_be_set(tiny):
    scope, rollout = tiny
    assert kpis.baseline_window(scope, rollout) == (date(2024, 12, 9), date(2025, 1, 5))
    with scope.store.transaction(housekeeping="the test's baseline window") as cur:  # as the app writes
        cur.execute("UPDATE rollouts SET baseline_start = ? WHERE org_id = ?", [date(2024, 12, 16), scope.org_id])
    assert kpis.baseline_window(scope, rollout) == (date(2024, 12, 16), date(2025, 1, 12))
    with scope.store.transaction(housekeeping="the test's baseline window") as cur:
        cur.execute("UPDATE rollouts SET baseline_end = ? WHERE org_id = ?", [date(2025, 1, 5), scope.org_id])
    window = kpis.baseline(scope, rollout)
    # 12-16 .. 01-05 (21 days): B2 and B3 -> 100 x 2 x 7 / 21 / 6
    assert (window.start, window.end, window.days, window.support_figure("tickets")) == (
        date(2024, 12, 16),
        date(2025, 1, 5),
        21,
        2,
    )
    assert window.tickets_per_100_users_7d(6) == pytest.approx(100 * 2 * 7 / 21 / 6)
    assert window.ticket_data_covers_window()  # B1 (12-09) is before 12-16


def test_a_locked_baseline_keeps_its_values_after_later_uploads(tiny, load):
    scope, rollout = tiny
    when = datetime(2025, 2, 11, 9, 30)
    locked = kpis.lock_baseline(scope, rollout, "pre-go-live", now=when)
    assert (locked.start, locked.end, locked.locked_by, locked.locked_at) == (
        date(2024, 12, 9),
        date(2025, 1, 5),
        "operator",
        when,
    )
    loads = uploads.history(scope)
    assert sorted(locked.upload_ids) == sorted(int(u) for u in loads["upload_id"])  # roster, usage, tickets

    # a later load adds a ticket to the baseline window and a champion's use on 01-10
    more = load(scope, "tickets", "ticket_id,created_at,status\nB4,2024-12-20 10:00,open\n")
    load(scope, "usage", "user_id,date,activity,count\nd@acme.test,2025-01-10,mfa,1\n", name="late.csv")
    computed, kept = rows(scope, rollout), rows(scope, rollout, baseline_name="pre-go-live")
    # computed: 4 tickets -> 16.67 per 100, backlog 2 at the window's end; champions at age 7:
    # a, b, d -> 0.75. Locked: as it was.
    assert computed[("tickets_per_100_users_7d", None)].baseline == pytest.approx(100 * 4 * 7 / 28 / 6)
    assert kept[("tickets_per_100_users_7d", None)].baseline == pytest.approx(12.5)
    assert (computed[("backlog", None)].baseline, kept[("backlog", None)].baseline) == (2, 1)
    assert (computed[("adoption_rate", "wider")].baseline, kept[("adoption_rate", "wider")].baseline) == (0.75, 0.5)
    assert kept[("adoption_rate", "wider")].baseline_name == "pre-go-live"

    # undoing loads under it does not move it either
    uploads.undo(scope, more.upload_id)
    uploads.undo(scope, int(loads[loads["kind"] == "tickets"]["upload_id"].iloc[0]))
    # no ticket left at all: the computed baseline and the current figure are missing, not 0; the locked one stays
    gone = rows(scope, rollout)[("tickets_per_100_users_7d", None)]
    assert (gone.baseline, gone.current, gone.note) == (None, None, "due by day 30; no tickets loaded")
    assert rows(scope, rollout, baseline_name="pre-go-live")[("tickets_per_100_users_7d", None)].baseline == 12.5
    again = kpis.baseline(scope, rollout, "PRE-GO-LIVE")
    assert (again.support_figure("tickets"), again.figures, again.upload_ids) == (3, locked.figures, locked.upload_ids)


def test_the_selected_baseline_drives_the_table_and_the_ticket_rules(tiny, load):
    scope, rollout = tiny
    kpis.lock_baseline(scope, rollout, "pre-go-live")
    load(scope, "tickets", "ticket_id,created_at,status\nB4,2024-12-20 10:00,open\n")
    chosen = kpis.select_baseline(scope, rollout, "pre-go-live")
    assert (chosen.name, chosen.selected) == ("pre-go-live", True)
    assert rows(scope, rollout)[("tickets_per_100_users_7d", None)].baseline == pytest.approx(12.5)
    assert rows(scope, rollout)[("adoption_rate", "all")].note.endswith("baseline: 'pre-go-live' (locked)")
    listed = kpis.baseline_list(scope, rollout)
    assert listed[["name", "locked", "selected", "tickets"]].values.tolist() == [
        ["computed", False, False, 4],
        ["pre-go-live", True, True, 3],
    ]
    spike = [f for f in alerts.findings(scope, rollout, D, datetime(2025, 2, 11)) if f.rule == "TICKET_SPIKE"]
    # the locked baseline holds 3 tickets: fewer than 5, so the ticket rule cannot be judged
    assert spike[0].status == "not_enough_data" and "(pre-go-live," in spike[0].message
    assert kpis.select_baseline(scope, rollout, None).name == "computed"
    assert rows(scope, rollout)[("tickets_per_100_users_7d", None)].baseline_name == "computed"


@pytest.mark.parametrize(
    "name,start,end,message",
    [
        ("pre-go-live", None, None, "already has a baseline named"),
        ("Computed", None, None, "name of the default baseline"),
        ("  ", None, None, "needs a name"),
        ("half", date(2024, 12, 1), None, "both the start and the end"),
        ("backwards", date(2025, 1, 5), date(2024, 12, 1), "start is after its end"),
    ],
)
def test_bad_locks_are_refused(tiny, name, start, end, message):
    scope, rollout = tiny
    kpis.lock_baseline(scope, rollout, "pre-go-live")
    with pytest.raises(ValueError, match=message):
        kpis.lock_baseline(scope, rollout, name, start, end)
    assert [b.name for b in kpis.locked_baselines(scope, rollout)] == ["pre-go-live"]
    with pytest.raises(LookupError):
        kpis.baseline(scope, rollout, "nope")


@pytest.mark.parametrize("role", ["client_viewer", "client_uploader"])
def test_only_the_provider_locks_selects_and_sets_targets(tiny, store, role):
    scope, rollout = tiny
    client = Scope(store, Principal("x@acme.test", role, frozenset({scope.org_id})), scope.org_id)
    for attempt in (
        lambda: kpis.lock_baseline(client, rollout, "mine"),
        lambda: kpis.select_baseline(client, rollout, None),
        lambda: kpis.set_target(client, rollout, "backlog", 3),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    assert kpis.locked_baselines(scope, rollout) == []
    assert kpis.kpi_table(client, rollout, D).shape[0] == 14  # reading is for everyone


def test_baseline_and_target_commands(tmp_path):
    from tests.test_alerts import tiny_acme

    tiny_acme(tmp_path / "cli.duckdb")

    def cli(*args, ok=True):  # in this process (tests/cli_run.py)
        done = run_in_process(tmp_path / "cli.duckdb", *args)
        assert (done.returncode == 0) == ok, done.stderr
        assert "Traceback" not in done.stderr
        return done

    where = ["--org", "Acme", "--rollout", "MFA"]
    out = cli("baseline", "lock", *where, "--name", "pre-go-live", "--start", "2024-12-09", "--end", "2025-01-05")
    assert "locked baseline 'pre-go-live'" in out.stdout and "2024-12-09 .. 2025-01-05 (28 days)" in out.stdout
    assert "already has" in cli("baseline", "lock", *where, "--name", "pre-go-live", ok=False).stderr
    cli("baseline", "select", *where, "--name", "pre-go-live")
    listed = json.loads(cli("baseline", "list", *where, "--json").stdout)
    assert [(b["name"], b["selected"]) for b in listed] == [("computed", False), ("pre-go-live", True)]
    cli("target", "set", *where, "--kpi", "adoption_rate", "--value", "0.75", "--due-age", "21")
    table = json.loads(cli("target", "list", *where, "--as-of", "2025-02-10", "--json").stdout)
    wider = next(r for r in table if r["kpi"] == "adoption_rate" and r["cohort"] == "wider")
    assert (wider["baseline"], wider["current"], wider["target"], wider["status"]) == (0.5, 1.0, 0.75, "on track")
    assert wider["baseline_name"] == "pre-go-live" and wider["note"].startswith("due by day 21")
