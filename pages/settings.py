"""Settings: what the figures count (per rollout), the organisation's own settings, the
dated events drawn on every time chart, and who receives the rollout's report pack by e-mail.

One tab at a time: the page was eleven forms on one long page (1,743 elements in the browser, a
later view of 0.52 s at 20 M events: docs/performance.md#pages-in-a-real-browser). Tracked tabs run
only the chosen one, as the Data page's do."""

from datetime import date
from zoneinfo import available_timezones

import streamlit as st

from analysis import annotations, feedback, orgs, retention, settings, words
from analysis.access import AccessDenied
from analysis.orgs import Rollout
from ui import cached
from ui.cards import freshness_md
from ui.kpi_settings import baselines_and_targets, thresholds
from ui.lazy import opened
from ui.notifications import pack_subscriptions
from ui.phase_settings import phase_settings
from ui.session import date_limits, pick_period, pick_scope, synthetic_banner, versions
from ui.tables import show_table
from ui.text import literal

TABS = [
    "Rollout",
    "Baselines and targets",
    "Red-flag thresholds",
    "Phases",
    "Annotations",
    "Report pack by e-mail",
    "Organisation",
]  # tests choose one with session_state["settings_tab"]

st.title("Settings")
scope, rollout = pick_scope("configure")
if scope is None:
    st.stop()
synthetic_banner(scope)
version = versions(scope)
if rollout is not None:
    fresh = cached.freshness(scope, scope.org_id, version, rollout, rollout.rollout_id)
    as_of, window = pick_period(scope, rollout, fresh)
    st.caption(freshness_md(rollout, fresh, as_of, window))
for line in st.session_state.pop("settings_saved", []):
    st.success(literal(line))  # the saved names and categories are the data's words


def save(action, *args, **kwargs) -> None:
    try:
        said = action(scope, *args, **kwargs)
    except (ValueError, LookupError, AccessDenied) as exc:
        st.error(f"Not saved: {literal(exc)}")
        return
    st.session_state["settings_saved"] = (said if isinstance(said, list) else [said]) or ["Nothing changed."]
    st.rerun()


# Every widget below is keyed by the organisation (or its rollout): a widget keeps its value across
# runs by key, so a shared key would show, and save, the previous organisation's values.
org = scope.org_id
# its form runs only while it is open (ui/lazy.py): folded, it was drawn hidden on every view
if (adding := opened("Add a rollout", f"add_rollout_{org}", expanded=rollout is None)) is not None:
    with adding, st.form(f"add_rollout_{org}", clear_on_submit=True):
        name = st.text_input("Name", placeholder="e.g. MFA rollout, CRM go-live", key=f"new_rollout_{org}")
        left, right = st.columns(2)
        champion = left.date_input("Champion group goes live", value=None, key=f"new_champion_{org}", **date_limits())
        wider = right.date_input("Wider rollout goes live", value=None, key=f"new_wider_{org}", **date_limits())
        if st.form_submit_button("Add rollout"):
            cohorts = {c: d for c, d in (("champion", champion), ("wider", wider)) if d is not None}
            if not cohorts:  # said here in the form's words (analysis' message names the command line's option)
                st.error("Not saved: give the champion group's or the wider rollout's go-live date.")
            else:
                save(lambda sc: (orgs.add_rollout(sc, name, cohorts), f"Added the rollout {name.strip()}.")[1])


def rollout_settings(rollout: Rollout) -> None:
    """The rollout's cohorts and go-lives, what counts as use, the tickets in scope, its target."""
    known = cached.choices(scope, scope.org_id, version)
    st.subheader(
        f"Rollout: {literal(rollout.name)}",
        help="What the figures of this rollout count. Every figure "
        "is worked out again from the stored data with the new settings; nothing needs loading again.",
    )
    with st.form(f"rollout_settings_{rollout.rollout_id}"):
        st.markdown("**Cohorts and go-live dates** (a go-live can move; add a further wave below)")
        columns = st.columns(max(len(rollout.cohorts), 1) + 1)
        moved = {
            c: columns[i].date_input(
                literal(c.capitalize()), value=day, key=f"go_live_{rollout.rollout_id}_{c}", **date_limits(day)
            )
            for i, (c, day) in enumerate(rollout.cohorts.items())
        }
        wave = columns[-1].text_input("New wave", placeholder="wave 2", key=f"wave_{rollout.rollout_id}")
        wave_day = columns[-1].date_input(
            "Its go-live", value=None, key=f"wave_day_{rollout.rollout_id}", **date_limits()
        )
        left, right = st.columns(2)
        activities = left.multiselect(
            "Activities that count as use",
            sorted({*known["activities"], *rollout.activities}),
            default=rollout.activities,
            key=f"activities_{rollout.rollout_id}",
            help="None chosen: every activity that is not legacy.",
        )
        legacy = right.multiselect(
            "Legacy activities (the old way)",
            sorted({*known["activities"], *rollout.legacy_activities}),
            default=rollout.legacy_activities,
            key=f"legacy_{rollout.rollout_id}",
        )
        categories = left.multiselect(
            "Ticket categories",
            sorted({*known["categories"], *rollout.ticket_categories}),
            default=rollout.ticket_categories,
            key=f"categories_{rollout.rollout_id}",
            help="A ticket is in scope when its category is one of these or its subject holds one of the keywords; "
            "with neither, every ticket of the organisation is.",
        )
        keywords = right.text_input(
            "Ticket keywords in the subject (comma-separated)",
            value=", ".join(rollout.ticket_keywords),
            key=f"keywords_{rollout.rollout_id}",
        )
        a, b, c = st.columns(3)
        window_days = a.radio(
            "Active window",
            settings.WINDOWS,
            index=settings.WINDOWS.index(rollout.window_days) if rollout.window_days in settings.WINDOWS else 1,
            horizontal=True,
            format_func=lambda d: f"{d} days",
            key=f"window_{rollout.rollout_id}_setting",
        )
        # keyed by the stored values: a target set under Targets below shows here at once (and is not undone)
        target = b.slider(
            "Adoption target",
            5,
            100,
            round(rollout.target_adoption * 100),
            step=5,
            format="%d%%",
            key=f"target_{rollout.rollout_id}_{rollout.target_adoption}",
        )
        age = c.number_input(
            "…reached by this many days after go-live",
            1,
            730,
            rollout.target_age_days,
            key=f"age_{rollout.rollout_id}_{rollout.target_age_days}",
        )
        if st.form_submit_button("Save the rollout's settings", type="primary"):
            cohorts = dict(moved)
            if wave.strip() and wave_day:
                cohorts[wave] = wave_day
            save(
                settings.set_rollout,
                rollout.rollout_id,
                cohorts=cohorts,
                activities=activities,
                legacy=legacy,
                categories=categories,
                keywords=keywords.split(","),
                window_days=window_days,
                target_adoption=target / 100,
                target_age_days=int(age),
            )


def annotation_settings(rollout: Rollout) -> None:
    """The dated events drawn on every time chart of the rollout."""
    st.subheader(
        "Annotations",
        help="Dated events (a go-live, a training session, a communication, a "
        "remediation) drawn as a labelled line on every time chart of the rollout.",
    )
    notes = cached.annotation_list(scope, scope.org_id, version, rollout, rollout.rollout_id)
    if notes.empty:
        st.caption("None yet.")
    else:
        show_table(
            notes[["annotation_id", "day", "kind", "note", "created_by"]],
            hide_index=True,
            column_config={
                "annotation_id": st.column_config.NumberColumn("#", format="%d"),
                "day": st.column_config.DateColumn("Date", format="D MMM YYYY"),
                "kind": "Kind",
                "note": "Note",
                "created_by": "By",
            },
        )
    with st.form(f"annotate_{rollout.rollout_id}", clear_on_submit=True):
        a, b, c = st.columns([1, 1, 3])
        rid = rollout.rollout_id
        day = a.date_input("Date", value=date.today(), key=f"annotation_day_{rid}", **date_limits())
        kind = b.selectbox(
            "Kind", list(annotations.KINDS), format_func=annotations.KINDS.get, key=f"annotation_kind_{rid}"
        )
        note = c.text_input(
            "Note",
            max_chars=annotations.NOTE_LIMIT,
            placeholder="Drop-in training for Warehouse",
            key=f"annotation_note_{rid}",
        )
        if st.form_submit_button("Add annotation"):
            save(
                lambda s, *a: f"Added annotation {annotations.add_annotation(s, *a)}.",
                rollout.rollout_id,
                day,
                kind,
                note,
            )
    if not notes.empty:
        labels = {
            int(r.annotation_id): f"#{r.annotation_id} {words.day(r.day)} {r.kind}: {r.note}"
            for r in notes.itertuples()
        }
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        chosen = a.selectbox(
            "Remove an annotation", list(labels), format_func=labels.get, key=f"annotation_remove_{rid}"
        )
        if b.button("Remove", key=f"annotation_remove_button_{rid}"):
            save(lambda s, i: annotations.remove_annotation(s, i) or f"Removed annotation {i}.", chosen)


def organisation_settings() -> None:
    """The whole organisation's settings: time zone and domains, names to clients, retention, survey comments."""
    st.subheader("Organisation", help="Settings of the whole organisation.")
    now = cached.organisation_settings(scope, scope.org_id, version)
    with st.form(f"organisation_{org}"):
        zones = sorted(available_timezones() | {now.time_zone})
        zone = st.selectbox("Time zone", zones, index=zones.index(now.time_zone), key=f"org_time_zone_{org}")
        st.caption(settings.TIME_ZONE_NOTE)
        domains = st.text_input(
            "Email domains of its people (comma-separated)",
            value=", ".join(now.email_domains),
            key=f"org_domains_{org}",
            help="A file row with another organisation's domain is rejected.",
        )
        names = st.checkbox(
            "Client views may list lapsed and never-used people by name",
            value=now.list_names_to_clients,
            key=f"org_names_{org}",
            help="Off: client leadership sees how many people lapsed or never used it, not who.",
        )
        if st.form_submit_button("Save the organisation's settings"):
            save(
                settings.set_organisation, time_zone=zone, email_domains=domains.split(","), list_names_to_clients=names
            )

    with st.form(f"retention_{org}"):
        months, kept_from = retention.setting(scope)
        keep = st.number_input(
            "Keep raw usage events for (months; 0: for ever)",
            min_value=0,
            max_value=1200,
            value=months or 0,
            step=1,
            key=f"org_keep_months_{org}",
            help="The daily summaries every figure is computed from stay whatever you choose, so no figure changes. "
            "Older raw events are removed once a day; a load of rows dated before then is rejected (they cannot be "
            "checked against what is stored), and a load that lost events can no longer be undone.",
        )
        if kept_from:
            st.caption(f"Raw usage events before {words.day(kept_from)} have been removed.")
        if st.form_submit_button("Save the retention"):
            save(retention.set_keep_months, int(keep) or None)

    with st.form(f"survey_comments_{org}"):
        comments_allowed = st.checkbox(
            "Client views may read the survey comments",
            value=feedback.comments_to_clients(scope),
            key=f"org_comments_{org}",
            help="Never with a name, and never from a group of fewer than 5 answers.",
        )
        if st.form_submit_button("Save the survey setting"):
            save(feedback.set_comments_to_clients, comments_allowed)


if rollout is None:
    st.info("This organisation has no rollout yet: add one above.")
    organisation_settings()
else:
    rollout_tab, kpi_tab, threshold_tab, phase_tab, annotation_tab, pack_tab, organisation_tab = st.tabs(
        TABS, key="settings_tab", on_change="rerun"
    )
    # only the chosen tab runs (a tracked tab: choosing another reruns); the choice is kept across
    # organisations and the reruns after a save
    if rollout_tab.open:
        with rollout_tab:
            rollout_settings(rollout)
    if kpi_tab.open:
        with kpi_tab:
            baselines_and_targets(scope, rollout, as_of, version, save)
    if threshold_tab.open:
        with threshold_tab:
            thresholds(scope, rollout, save)
    if phase_tab.open:
        with phase_tab:
            phase_settings(scope, rollout, save)
    if annotation_tab.open:
        with annotation_tab:
            annotation_settings(rollout)
    if pack_tab.open:
        with pack_tab:
            pack_subscriptions(scope, rollout)
    if organisation_tab.open:
        with organisation_tab:
            organisation_settings()
