"""Settings the metrics use, annotations, and their command line (issue 3, parts 2 and 4).

The tiny set (tests/data/tiny): champions a, b, c, d (go-live 2025-01-06) and wider e, f (g
unlicensed, go-live 2025-02-03). a used it on 01-03 only, b on 01-07, c on 01-20, d never; e on
02-03 and 02-10, f on 01-25 (and sms on 02-05), g on 02-04.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from analysis import annotations, metrics, orgs, settings, support
from analysis.__main__ import main
from analysis.access import OPERATOR, AccessDenied, Principal
from analysis.scope import open_scope
from analysis.uploads import data_version
from tests.conftest import TINY, csv

AS_OF = date(2025, 2, 10)


@pytest.fixture
def tiny(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(acme, "usage", (TINY / "usage.csv").read_bytes())
    return acme


def champion(scope, as_of=AS_OF, window=28):
    return metrics.cohort_figures(scope, orgs.rollout(scope, "MFA"), as_of, window)["champion"]


def viewer(scope):
    return open_scope(
        scope.store, Principal("lead@acme.test", "client_viewer", frozenset({scope.org_id})), scope.org_id, "view"
    )


# -- rollout settings --------------------------------------------------------------------------------


def test_set_rollout_stores_every_setting_and_says_what_changed(acme):
    said = settings.set_rollout(
        acme,
        "MFA",
        cohorts={"wider": date(2025, 2, 10), "Wave 2": date(2025, 3, 3)},
        activities=["MFA", " Push "],
        legacy=["SMS", "voice"],
        categories=["Access", "access ", "MFA"],
        keywords=[" authenticator", ""],
        window_days=7,
        target_adoption=0.7,
        target_age_days=45,
    )
    assert said == [
        "Activities that count: mfa, push.",
        "Legacy activities: sms, voice.",
        "Ticket categories: Access, MFA.",
        "Ticket keywords: authenticator.",
        "Active window: 7 days.",
        "Adoption target: 70%.",
        "Target age: 45 days after go-live.",
        "wider go-live moved from 2025-02-03 to 2025-02-10.",
        "New cohort wave 2, go-live 2025-03-03.",
    ]
    r = orgs.rollout(acme, "MFA")
    assert r.cohorts == {"champion": date(2025, 1, 6), "wider": date(2025, 2, 10), "wave 2": date(2025, 3, 3)}
    assert (r.activities, r.legacy_activities) == (["mfa", "push"], ["sms", "voice"])
    assert (r.ticket_categories, r.ticket_keywords) == (["Access", "MFA"], ["authenticator"])
    assert (r.window_days, r.target_adoption, r.target_age_days) == (7, 0.7, 45)
    # None leaves a setting alone, an empty list clears it, the same value again changes nothing
    assert settings.set_rollout(acme, "MFA", window_days=7) == []
    assert settings.set_rollout(acme, "MFA", activities=[]) == ["Activities that count: none."]
    assert orgs.rollout(acme, "MFA").legacy_activities == ["sms", "voice"]


@pytest.mark.parametrize(
    "change,message",
    [
        (dict(window_days=14), "7 or 28 days"),
        (dict(target_adoption=1.5), "share between 0 and 1"),
        (dict(target_adoption=0), "share between 0 and 1"),
        (dict(target_age_days=0), "1 to 730"),
        (dict(activities=["sms"]), "both count as use and be legacy: sms"),
        (
            dict(cohorts={"wider": date(2025, 2, 10), "'; DROP TABLE cohorts; --": date(2025, 3, 1)}),
            "not a cohort name",
        ),
        (dict(cohorts={"wider": "2025-02-10"}), "is not a date"),
    ],
)
def test_a_bad_setting_changes_nothing(acme, change, message):
    before = settings.settings_version(acme)
    with pytest.raises(ValueError, match=message):
        settings.set_rollout(acme, "MFA", **change)
    assert settings.settings_version(acme) == before


def test_an_unknown_rollout_is_a_lookup_error(acme):
    with pytest.raises(LookupError):
        settings.set_rollout(acme, "Nope", window_days=7)


def test_client_roles_change_no_setting(tiny):
    scope = viewer(tiny)
    before = settings.settings_version(tiny)
    for attempt in (
        lambda: settings.set_rollout(scope, "MFA", window_days=7),
        lambda: settings.set_organisation(scope, time_zone="Europe/Paris"),
        lambda: annotations.add_annotation(scope, "MFA", date(2025, 1, 3), "training", "x"),
    ):
        with pytest.raises(AccessDenied):
            attempt()
    assert settings.settings_version(tiny) == before


def test_a_moved_go_live_changes_the_figures(tiny):
    before = champion(tiny)
    assert (before["activated_users"], before["median_days_to_first_use"]) == (2, 7.5)  # b (1 day), c (14)
    # earlier, to 01-02: a's use on 01-03 now counts as activation: a 1, b 5, c 18 days -> median 5
    settings.set_rollout(tiny, "MFA", cohorts={"champion": date(2025, 1, 2)})
    moved = champion(tiny)
    assert (moved["go_live"], moved["activated_users"], moved["median_days_to_first_use"]) == ("2025-01-02", 3, 5.0)
    days = metrics.days_to_first_use(tiny, orgs.rollout(tiny, "MFA"), AS_OF)
    assert sorted(days[days["cohort"] == "champion"]["days_to_first_use"]) == [1, 5, 18]
    # later, to 01-10: b's use on 01-07 came before it: only c (10 days) is activated
    settings.set_rollout(tiny, "MFA", cohorts={"champion": date(2025, 1, 10)})
    later = champion(tiny)
    assert (later["activated_users"], later["median_days_to_first_use"], later["never_used"]) == (1, 10.0, 1)


def test_activities_and_the_ticket_filter_change_the_figures(tiny, load):
    load(
        tiny,
        "tickets",
        csv("""
        ticket_id,created_at,requester,subject,category
        T1,2025-02-04 09:00,a@acme.test,Authenticator will not pair,Access
        T2,2025-02-05 09:00,b@acme.test,Printer jam,Hardware
        T3,2025-02-06 09:00,e@acme.test,New phone,MFA
    """),
    )
    rollout = lambda: orgs.rollout(tiny, "MFA")
    assert support.support_kpis(tiny, rollout(), AS_OF)["tickets"] == 3  # no filter: every ticket
    settings.set_rollout(tiny, "MFA", categories=["mfa"])
    assert support.support_kpis(tiny, rollout(), AS_OF)["tickets"] == 1  # T3
    settings.set_rollout(tiny, "MFA", keywords=["AUTHENTICATOR"])
    assert support.support_kpis(tiny, rollout(), AS_OF)["tickets"] == 2  # T3 or T1 by its subject
    # only "mfa" counts now: c's (mfa, 01-20) stays; making sms count instead leaves the champions with no use
    assert champion(tiny)["active_users"] == 1
    settings.set_rollout(tiny, "MFA", activities=["sms"], legacy=[])
    assert champion(tiny)["active_users"] == 0


# -- organisation settings ---------------------------------------------------------------------------


def test_organisation_settings_round_trip(acme):
    assert settings.organisation_settings(acme) == settings.OrganisationSettings("UTC", ("acme.test",), False)
    said = settings.set_organisation(acme, email_domains=["@Acme.test", "acme.co.uk", " "], list_names_to_clients=True)
    assert said == [
        "Email domains: acme.co.uk, acme.test.",
        "Client views may now list lapsed and never-used people by name.",
    ]
    assert settings.organisation_settings(acme) == settings.OrganisationSettings(
        "UTC", ("acme.co.uk", "acme.test"), True
    )
    with pytest.raises(ValueError, match="unknown time zone"):
        settings.set_organisation(acme, time_zone="Mars/Olympus")
    with pytest.raises(ValueError, match="not an email domain"):
        settings.set_organisation(acme, email_domains=["acme test"])


def test_names_are_listed_to_client_roles_only_where_allowed(acme):
    assert settings.may_list_names(acme) and not settings.may_list_names(viewer(acme))
    settings.set_organisation(acme, list_names_to_clients=True)
    assert settings.may_list_names(viewer(acme))


def test_a_time_zone_change_affects_later_loads_only(acme, load):
    load(acme, "roster", (TINY / "roster.csv").read_bytes())
    load(
        acme,
        "usage",
        csv("""
        user_id,timestamp,activity
        c@acme.test,2025-01-20T23:30:00Z,mfa
    """),
    )
    said = settings.set_organisation(acme, time_zone="Pacific/Auckland")  # UTC+13 in January
    assert said[0].startswith("Time zone UTC -> Pacific/Auckland. A new time zone applies to files loaded from now on")
    load(
        acme,
        "usage",
        csv("""
        user_id,timestamp,activity
        d@acme.test,2025-01-20T23:30:00Z,mfa
    """),
    )
    days = (
        acme.store.cursor()
        .execute("SELECT user_id, day FROM usage_daily WHERE org_id = ? ORDER BY user_id", [acme.org_id])
        .fetchall()
    )
    # the same instant: c's stays on the date it was given (UTC), d's is a day later in Auckland
    assert days == [("c@acme.test", date(2025, 1, 20)), ("d@acme.test", date(2025, 1, 21))]


# -- annotations -------------------------------------------------------------------------------------


def test_annotations_add_list_mark_and_remove(tiny):
    first = annotations.add_annotation(tiny, "MFA", date(2025, 1, 3), "Training", "  Drop-in   session ")
    second = annotations.add_annotation(tiny, "mfa", date(2025, 2, 12), "communication", "Why MFA, from the CEO")
    listed = annotations.annotations(tiny)
    assert listed[["annotation_id", "kind", "note", "created_by"]].values.tolist() == [
        [first, "training", "Drop-in session", "operator"],
        [second, "communication", "Why MFA, from the CEO", "operator"],
    ]
    marks = annotations.markers(tiny, orgs.rollout(tiny, "MFA"))
    assert [(m["day"].isoformat(), m["kind"], m["label"]) for m in marks] == [
        ("2025-01-03", "training", "Training session: Drop-in session"),
        ("2025-01-06", "go-live", "champion go-live"),
        ("2025-02-03", "go-live", "wider go-live"),
        ("2025-02-12", "communication", "Communication: Why MFA, from the CEO"),
    ]
    assert len(annotations.markers(tiny, orgs.rollout(tiny, "MFA"), start=date(2025, 1, 4), end=AS_OF)) == 2
    annotations.remove_annotation(tiny, first)
    assert annotations.annotations(tiny)["annotation_id"].tolist() == [second]
    with pytest.raises(LookupError):
        annotations.remove_annotation(tiny, first)


@pytest.mark.parametrize(
    "kind,note,message",
    [
        ("party", "x", "unknown kind"),
        ("training", "   ", "needs a note"),
        ("training", "x" * 201, "keep it to 200"),
    ],
)
def test_a_bad_annotation_is_refused(acme, kind, note, message):
    with pytest.raises(ValueError, match=message):
        annotations.add_annotation(acme, "MFA", date(2025, 1, 3), kind, note)
    assert annotations.annotations(acme).empty


def test_another_organisation_cannot_remove_or_see_an_annotation(acme, store):
    made = annotations.add_annotation(acme, "MFA", date(2025, 1, 3), "training", "Acme only")
    other_id = orgs.add_organisation(store, OPERATOR, "Globex")
    other = open_scope(store, OPERATOR, other_id, "configure")
    orgs.add_rollout(other, "MFA", {"champion": date(2025, 1, 6)})
    with pytest.raises(LookupError):
        annotations.remove_annotation(other, made)
    assert annotations.annotations(other).empty and len(annotations.annotations(acme)) == 1


def test_the_settings_version_follows_settings_not_data(tiny, load):
    data, version = data_version(tiny), settings.settings_version(tiny)
    annotations.add_annotation(tiny, "MFA", date(2025, 1, 3), "training", "x")
    assert settings.settings_version(tiny) != version and data_version(tiny) == data
    version = settings.settings_version(tiny)
    settings.set_rollout(tiny, "MFA", cohorts={"wider": date(2025, 2, 4)})
    assert settings.settings_version(tiny) != version
    version = settings.settings_version(tiny)
    load(
        tiny,
        "usage",
        csv("""
        user_id,date,activity
        d@acme.test,2025-02-09,mfa
    """),
    )
    assert settings.settings_version(tiny) == version and data_version(tiny) != data


def test_the_default_baseline_is_the_28_days_before_the_first_go_live(acme):
    assert settings.default_baseline_window(orgs.rollout(acme, "MFA")) == (date(2024, 12, 9), date(2025, 1, 5))
    assert settings.chart_start(orgs.rollout(acme, "MFA"), date(2024, 12, 1)) == date(2024, 12, 1)


# -- command line (in process: the same parser and handlers as `python -m analysis`) ------------------


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("UPTAKE_DB", str(tmp_path / "cli.duckdb"))
    monkeypatch.setenv("UPTAKE_DEMO", "0")

    def run(*args, code=0):
        assert main([str(a) for a in args]) == code
        out, err = capsys.readouterr()
        return out if code == 0 else err

    run("org", "add", "Acme", "--domain", "acme.test")
    run(
        "rollout",
        "add",
        "--org",
        "Acme",
        "--name",
        "MFA",
        "--cohort",
        "champion=2025-01-06",
        "--cohort",
        "wider=2025-02-03",
        "--legacy",
        "sms",
    )
    run("load", "--org", "Acme", "--rollout", "MFA", "--kind", "roster", TINY / "roster.csv")
    run("load", "--org", "Acme", "--kind", "usage", TINY / "usage.csv")
    return run


def test_cli_rollout_set_moves_a_go_live_and_changes_kpis(cli):
    kpis = lambda: json.loads(cli("kpis", "--org", "Acme", "--rollout", "MFA", "--as-of", "2025-02-10", "--json"))
    assert kpis()["cohorts"]["champion"]["activated_users"] == 2
    out = cli(
        "rollout",
        "set",
        "--org",
        "acme",
        "--name",
        "mfa",
        "--cohort",
        "champion=2025-01-02",
        "--window",
        "7",
        "--categories",
        "MFA,Access",
        "--keywords",
        "authenticator",
        "--target-adoption",
        "0.75",
        "--target-age",
        "45",
        "--activities",
        "mfa",
    )
    assert out.strip() == (
        "'MFA': Activities that count: mfa. Ticket categories: MFA, Access. Ticket keywords: "
        "authenticator. Active window: 7 days. Adoption target: 75%. Target age: 45 days after "
        "go-live. champion go-live moved from 2025-01-06 to 2025-01-02."
    )
    after = kpis()
    assert after["window_days"] == 7 and after["cohorts"]["champion"]["activated_users"] == 3
    assert after["cohorts"]["champion"]["go_live"] == "2025-01-02"
    assert (
        cli("rollout", "set", "--org", "Acme", "--name", "MFA", "--keywords", "").strip()
        == "'MFA': Ticket keywords: none."
    )


def test_cli_rollout_set_refuses_bad_input_in_one_line(cli):
    assert cli("rollout", "set", "--org", "Acme", "--name", "MFA", code=2).startswith("uptake: nothing to change")
    assert cli("rollout", "set", "--org", "Acme", "--name", "Nope", "--window", "7", code=2).startswith(
        "uptake: no rollout 'Nope'"
    )
    err = cli("rollout", "set", "--org", "Acme", "--name", "MFA", "--activities", "sms", code=2)
    assert err == "uptake: an activity cannot both count as use and be legacy: sms\n"
    with pytest.raises(SystemExit):
        main(["rollout", "set", "--org", "Acme", "--name", "MFA", "--window", "14"])


def test_cli_annotate(cli):
    out = cli(
        "annotate",
        "--org",
        "Acme",
        "--rollout",
        "MFA",
        "--date",
        "2025-01-03",
        "--kind",
        "Training",
        "--note",
        "Drop-in session for champions",
    )
    assert out.strip() == "added annotation 1 to 'MFA': 2025-01-03 training"
    assert cli(
        "annotate",
        "--org",
        "Acme",
        "--rollout",
        "MFA",
        "--date",
        "2025-01-03",
        "--kind",
        "training",
        "--note",
        " ",
        code=2,
    ).startswith("uptake: an annotation needs a note")
    with pytest.raises(SystemExit):
        main(
            ["annotate", "--org", "Acme", "--rollout", "MFA", "--date", "2025-01-03", "--kind", "party", "--note", "x"]
        )
