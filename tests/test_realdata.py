"""Every real file under shared/realdata loads: the tool exports through format auto, the research
sets through an explicit mapping. Counts reconcile, figures agree with the file read directly by
pandas, and a second load adds nothing."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from analysis import metrics, orgs
from analysis.access import OPERATOR
from analysis.ingest import load_file
from analysis.scope import open_scope
from tests.conftest import snapshot

REALDATA = Path(__file__).parents[2] / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real data set is not here ({REALDATA})")


@pytest.fixture
def org(store):
    return open_scope(store, OPERATOR, orgs.add_organisation(store, OPERATOR, "Real"), "upload")


def loaded(scope, kind, path, **kw):
    """Load path twice: the first load's result, after checking the second adds nothing."""
    data = (REALDATA / path).read_bytes()
    first = load_file(scope, kind, Path(path).name, data, **kw)
    assert first.rows_read == first.rows_loaded + first.rows_updated + first.rows_rejected + first.rows_duplicate
    before = snapshot(scope.store)
    again = load_file(scope, kind, Path(path).name, data, **kw)
    assert (again.rows_loaded, again.rows_updated, again.rows_rejected) == (0, 0, first.rows_rejected)
    after = snapshot(scope.store)
    assert {t: v for t, v in after.items() if t not in ("uploads", "rejected_rows")} == {
        t: v for t, v in before.items() if t not in ("uploads", "rejected_rows")
    }
    return first


def read(path, **kw) -> pd.DataFrame:
    return pd.read_csv(REALDATA / path, dtype=str, keep_default_na=False, **kw)


def query(scope, sql):
    return scope.store.cursor().execute(sql).fetchall()


def ticket_states(scope) -> dict:
    return {t: (s, r) for t, s, r in query(scope, "SELECT ticket_id, status, resolved_at FROM tickets")}


def test_zendesk_export(org):
    r = loaded(org, "tickets", "zendesk-tickets-plum/zendesk_tickets_export.csv")
    assert (r.format, r.rows_read, r.rows_loaded, r.rows_rejected) == ("zendesk", 16476, 16476, 0)
    assert r.messages[0] == "Recognised a Zendesk ticket export (23 of 23 identifying columns)"
    z = read("zendesk-tickets-plum/zendesk_tickets_export.csv")
    solved = z["Solved at"] != "1900-01-01 00:00:00"
    # 1900-01-01 is "never": 14,409 exact resolutions; the 2,067 others closed without a time
    exact, approx = query(
        org,
        "SELECT count(*) FILTER (NOT resolved_approx AND resolved_at IS NOT NULL), "
        "count(*) FILTER (resolved_approx) FROM tickets",
    )[0]
    assert (query(org, "SELECT count(DISTINCT ticket_id) FROM tickets")[0][0], exact) == (z.Id.nunique(), solved.sum())
    assert approx == ((~solved) & z.Status.isin(["Closed", "Solved"])).sum()
    scores = z["Satisfaction Score"]
    assert dict(query(org, "SELECT satisfaction, count(*) FROM tickets WHERE satisfaction IS NOT NULL GROUP BY 1")) == {
        "good": scores.isin(["4", "5"]).sum(),
        "bad": scores.isin(["1", "2", "3"]).sum(),
    }


def test_servicenow_list_export(org):
    r = loaded(org, "tickets", "servicenow-pdi-exports/incident_list_export.csv")
    assert (r.format, r.rows_loaded) == ("servicenow", 73)
    s = read("servicenow-pdi-exports/incident_list_export.csv")
    assert dict(query(org, "SELECT status, count(*) FROM tickets GROUP BY 1")) == s.state.value_counts().to_dict()


def test_servicenow_rest_dump_with_codes(org):
    r = loaded(org, "tickets", "servicenow-pdi-exports/incidents_REST.csv")
    assert (r.format, r.rows_loaded) == ("servicenow", 67)
    s = read("servicenow-pdi-exports/incidents_REST.csv")
    labels = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved", "7": "Closed", "8": "Canceled"}
    assert (
        dict(query(org, "SELECT status, count(*) FROM tickets GROUP BY 1"))
        == s.incident_state.map(labels).value_counts().to_dict()
    )
    assert query(org, "SELECT count(*) FROM tickets WHERE priority = '1 - Critical'")[0][0] == (s.priority == "1").sum()


def test_servicenow_event_log_collapses_to_tickets(org):
    r = loaded(org, "tickets", "servicenow-incident-eventlog-uci/incident_event_log_sample.csv")
    u = read("servicenow-incident-eventlog-uci/incident_event_log_sample.csv")
    assert (r.format, r.rows_read, r.rows_loaded, r.rows_updated) == (
        "servicenow",
        14905,
        u.number.nunique(),
        14905 - u.number.nunique(),
    )
    # the latest row by sys_updated_at (then file order) gives the state; a ticket whose latest
    # state is resolved was resolved when its first row in a resolved state was written (the
    # resolved_at and closed_at columns repeat the final values on every row)
    u["when"] = pd.to_datetime(u.sys_updated_at, format="%d/%m/%Y %H:%M")
    u["line"] = range(len(u))
    events = u.sort_values(["when", "line"])
    state = events.groupby("number").incident_state.last()
    resolved = events[events.incident_state.isin(["Resolved", "Closed"])].groupby("number").when.first()
    expected = {n: (s, resolved[n] if s in ("Resolved", "Closed") else None) for n, s in state.items()}
    assert ticket_states(org) == expected


def test_viva_person_query(org):
    r = loaded(org, "usage", "viva-insights-copilot-person-query/pq_data.csv")
    v = read("viva-insights-copilot-person-query/pq_data.csv")
    assert (r.format, r.rows_loaded, r.unknown_people) == ("viva_person_query", len(v), v.PersonId.nunique())
    total = v.Total_Copilot_actions_taken.astype(float).round().sum()
    assert query(org, "SELECT count(DISTINCT user_id), sum(events), min(day), max(day) FROM usage_daily")[0] == (
        250,
        total,
        pd.Timestamp("2024-09-07").date(),
        pd.Timestamp("2025-01-04").date(),
    )


def test_volvo_event_log_through_a_mapping(org):
    mapping = {"ticket_id": "SR Number", "created_at": "Change Date+Time", "status": "Status"}
    r = loaded(org, "tickets", "volvo-it-incidents-bpi2013/VINST-new_sample.csv", format="canonical", mapping=mapping)
    v = read("volvo-it-incidents-bpi2013/VINST-new_sample.csv", encoding="utf-8-sig")
    assert (r.format, r.rows_read, r.rows_loaded) == ("mapping", len(v), v["SR Number"].nunique())
    # created at the first event (times +01:00, stored in UTC), resolved at the first Completed
    # event unless the latest event is not Completed
    v["when"] = pd.to_datetime(v["Change Date+Time"], utc=True).dt.tz_convert(None)
    v["line"] = range(len(v))
    events = v.sort_values(["when", "line"])
    state = events.groupby("SR Number").Status.last()
    completed = events[events.Status == "Completed"].groupby("SR Number").when.first()
    expected = {n: (s, completed[n] if s == "Completed" else None) for n, s in state.items()}
    assert ticket_states(org) == expected
    created = dict(query(org, "SELECT ticket_id, created_at FROM tickets"))
    assert created == v.groupby("SR Number").when.min().to_dict()
    assert query(org, "SELECT count(*) FROM tickets WHERE resolved_approx")[0][0] == 0


def test_volvo_event_log_is_also_recognised(org):
    data = (REALDATA / "volvo-it-incidents-bpi2013/VINST-new_sample.csv").read_bytes()
    r = load_file(org, "tickets", "VINST.csv", data)
    assert (r.format, r.rows_loaded) == ("vinst", 2518)


def test_jira_change_history_through_a_mapping(org):
    mapping = {"ticket_id": "ticket", "created_at": "date_created", "updated_at": "date_updated", "status": "Status"}
    r = loaded(org, "tickets", "jira-aea-verification-history/jira.anon.csv", mapping=mapping)
    a = read("jira-aea-verification-history/jira.anon.csv")
    assert (r.format, r.rows_read, r.rows_loaded, r.rows_updated) == ("mapping", 19406, 1149, 19406 - 1149)
    # the file lists each ticket's changes newest first: its latest status is its first row
    latest = a.groupby("ticket").head(1).set_index("ticket").Status.to_dict()
    assert {t: s for t, (s, _) in ticket_states(org).items()} == latest


def test_jira_cycle_times_through_a_mapping(org):
    mapping = {"ticket_id": "id", "created_at": "created_date", "resolved_at": "finished_date"}
    r = loaded(org, "tickets", "jira-agile-cycle-time/jira.csv", mapping=mapping)
    j = read("jira-agile-cycle-time/jira.csv")
    negative = (j.finished_date < j.created_date).sum()
    # a task finished the day before it was created (40 %) is rejected, with the reason
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (len(j), len(j) - negative, negative)
    assert r.rejects[0].column == "finished_date" and "is before created_at" in r.rejects[0].reason


def test_moodle_logs(org):
    r = loaded(org, "usage", "moodle-logs-edify/moodle_module1_SP19.csv")
    m = read("moodle-logs-edify/moodle_module1_SP19.csv")
    m["user"] = m.Description.str.extract(r"(?i)user with id '?(-?\d+)")[0]
    # the administrator (id 2: 537 rows, PROVENANCE.md) is system activity, set aside, not a person
    system = m.user.isin(["-1", "0", "2"])
    people = m[~system]
    distinct = len(people.drop_duplicates(["user", "Time", "Component"]))
    # clicks in the same minute on the same component are one event (the usage key): repeats within the file
    assert (r.format, r.rows_read, r.rows_loaded, r.rows_duplicate, r.rows_rejected) == (
        "moodle_logs",
        len(m),
        distinct,
        len(people) - distinct,
        537,
    )
    assert (r.system_rows, r.repeated_in_file, r.unknown_people) == (537, len(people) - distinct, 41)
    assert query(org, "SELECT count(DISTINCT user_id) FROM usage_events")[0][0] == people.user.nunique() == 41
    assert query(org, "SELECT count(*) FROM usage_events WHERE user_id IN ('2', '158')")[0][0] == 0


def test_moodle_use_long_after_the_course_stands_apart(org):
    """The course ran in 2019; 3 person-days in 2021 (someone looking at the logs) move the default
    as-of date: the pages say so and name the day the course's use ends (analysis.metrics.use_apart)."""
    orgs.add_rollout(org, "Moodle", {"champion": date(2019, 3, 4), "wider": date(2019, 3, 18)})
    loaded(org, "usage", "moodle-logs-edify/moodle_module1_SP19.csv", rollout="Moodle")
    m = read("moodle-logs-edify/moodle_module1_SP19.csv")
    m["user"] = m.Description.str.extract(r"(?i)user with id '?(-?\d+)")[0]
    m["day"] = pd.to_datetime(m.Time, format="%d/%m/%y, %H:%M").dt.date
    person_days = m[m.user.notna() & ~m.user.isin(["-1", "0", "2"])].drop_duplicates(["user", "day"])
    late = person_days[person_days.day > date(2019, 12, 31)]
    assert sorted(late.day.unique()) == [date(2021, 3, 2), date(2021, 10, 17)]  # the stray days
    assert person_days[person_days.day <= date(2019, 12, 31)].day.max() == date(2019, 9, 25)
    fresh = metrics.freshness(org, orgs.rollout(org, "Moodle"))
    assert metrics.use_apart(fresh, fresh["newest_usage_day"]) == {
        "from": date(2021, 3, 2),
        "before": date(2019, 9, 25),
        "gap": (date(2021, 3, 2) - date(2019, 9, 25)).days,
        "person_days": len(late),
        "of": len(person_days),
    }
    assert metrics.use_apart(fresh, date(2019, 9, 25)) is None  # as of the course's own end: nothing to say


def test_helpdesk_columns_of_the_real_exports(org):
    """made_sla and business_stc (seconds) of the ServiceNow REST dump, and Zendesk's business-hours
    full resolution (minutes), stored as the files say (issue 16 part 4)."""
    loaded(org, "tickets", "servicenow-pdi-exports/incidents_REST.csv")
    s = read("servicenow-pdi-exports/incidents_REST.csv")
    got = dict(query(org, "SELECT ticket_id, sla_met FROM tickets WHERE source = 'servicenow'"))
    assert got == {n: m == "true" for n, m in zip(s.number, s.made_sla)}  # 67 verdicts, 24 met
    hours = dict(query(org, "SELECT ticket_id, business_resolution_hours FROM tickets WHERE source = 'servicenow'"))
    assert hours == {n: (int(b) / 3600 if b else None) for n, b in zip(s.number, s.business_stc)}
    loaded(org, "tickets", "zendesk-tickets-plum/zendesk_tickets_export.csv")
    z = read("zendesk-tickets-plum/zendesk_tickets_export.csv")
    column = z["Full resolution time in minutes within business hours"]
    stored = dict(query(org, "SELECT ticket_id, business_resolution_hours FROM tickets WHERE source = 'zendesk'"))
    assert stored == {i: (int(m) / 60 if m else None) for i, m in zip(z.Id, column)}
    assert query(org, "SELECT count(sla_met) FROM tickets WHERE source = 'zendesk'")[0][0] == 0  # no SLA column
