"""Overview: how the rollout is landing, cohort by cohort."""

import streamlit as st

from analysis import alerts as rules
from analysis.alerts import actions as flag_actions
from analysis.charts import adoption_calendar_chart
from analysis.reports import kpi_line
from analysis.reports.pack import LABELS, MIME, build_pack
from analysis.summary import summary
from analysis.words import day, plural
from ui import cached
from ui.cards import DEFINITIONS, cohort_cards, headline_cards
from ui.comparison import compare_with
from ui.feedback import feedback_section
from ui.figures import show_chart
from ui.flags import KPI_COLUMNS, current_alerts, kpi_frame, rule_title, with_alert_markers
from ui.kpi_series import kpi_series_section
from ui.onboarding import checklist
from ui.phase_settings import phase_table
from ui.readiness import readiness_table
from ui.root_causes import action_rows
from ui.session import adoption_by_age, department_table, file_name, period_markers, rollout_view
from ui.tables import show_table
from ui.text import literal

st.title("Overview")
view = rollout_view()
rollout, window = view.rollout, view.window
if not cached.is_synthetic(view.scope):  # the demo is not a client to onboard
    checklist(view.scope, expanded=False)

flags = rules.red_flag_counts(
    current_alerts(
        view.scope,
        view.scope.org_id,
        view.version,
        view.alerts_version,
        rollout,
        rollout.rollout_id,
        view.as_of,
    )
)
figures = view.figure("cohort_figures")
tickets = view.figure("support_kpis") if view.fresh.get("newest_ticket_day") else None
# the page's own cohort and support figures, so the KPI table does not compute them a second time
kpi_rows = kpi_frame(
    view.scope, rollout, view.as_of, window, view.version, view.alerts_version, figures=figures, desk=tickets
)
# the same sentences as the report pack's cover, from the figures this page shows below
summary_md = "\n".join(
    f"- {literal(s)}"
    for s in summary(list(kpi_rows.itertuples()), department_table(view, "all"), flags, view.figure("phase_results"))
)
st.markdown(summary_md)

cohort_cards(figures, window)
headline_cards(figures["all"], tickets, window, view.figure("not_computable"))

if flags["high"] or flags["medium"]:
    st.warning(
        f"**{plural(flags['high'] + flags['medium'], 'open red flag')}** ({flags['high']:d} high, "
        f"{flags['medium']:d} medium): see the Red flags page for the evidence and the next step.",
        icon=":material/flag:",
    )
else:
    unjudged = flags["not_enough_data"]
    st.success(
        "No open red flag."
        + (
            f" {unjudged:d} check{'s' if unjudged > 1 else ''} cannot be judged yet (see the Red flags page for why)."
            if unjudged
            else ""
        ),
        icon=":material/flag:",
    )

overdue = flag_actions.overdue_actions(view.scope, rollout)
if not overdue.empty:
    st.warning(
        f"**{len(overdue):d} action{'s' if len(overdue) > 1 else ''} on red flags overdue**: "
        "see the Red flags page, under each rule's card.",
        icon=":material/event_busy:",
    )
    show_table(
        action_rows(overdue).assign(Flag=[rule_title(r) for r in overdue["rule"]])[
            ["Flag", "Action", "Owner", "Due", "Status"]
        ],
        hide_index=True,
    )

ready = view.figure("readiness")
if ready:
    st.subheader("Readiness: trained before go-live")
    st.caption(
        "Per cohort, its licensed people named on a training session's list before its go-live (or counted "
        "at its own sessions), and its training sessions in the 28 days before go-live."
    )
    show_table(readiness_table(ready), hide_index=True)

feedback_section(view)

phase_results = view.figure("phase_results")
if phase_results:
    st.subheader("Phases: did each meet its targets?")
    phase_table(phase_results)

st.subheader("KPIs: baseline, now and target")
st.caption(
    "Each KPI against its baseline (by default the 28 days before the first go-live) and its target; "
    "before a target's due age the status compares with the target and says when it is due."
)
kpis = [kpi_line(r) for r in kpi_rows.itertuples()]  # worded as the report pack words it
show_table(kpis, hide_index=True, column_config=KPI_COLUMNS, height=38 + 35 * len(kpis), org_id=view.scope.org_id)

against = compare_with(view)

markers = period_markers(view, with_alert_markers(view, view.figure("markers")))
st.subheader("Adoption by age: each cohort from its own go-live")
series = adoption_by_age(
    view,
    markers,
    "Share of each cohort's licensed people who used it in the last 7 days, "
    "counted from that cohort's go-live, so the wider rollout is compared with the champions "
    "at the same age.",
)
if series is not None:
    st.subheader("Adoption on the calendar")
    st.caption("The same 7-day adoption by date, with each cohort's go-live and the annotations marked.")
    show_chart(view.scope.org_id, adoption_calendar_chart, series, rollout.cohorts, markers, view.period)
kpi_series_section(view, markers)
with st.expander("How these figures are defined"):
    st.markdown(DEFINITIONS)

st.subheader("Report pack")
st.caption(
    f"For a quarterly business review: this rollout as of {day(view.as_of)} with the {window:d}-day window, "
    "as a PowerPoint, a PDF and an HTML page with live charts that opens offline (headline figures, adoption by "
    "age, the KPI table, red flags, departments, support, and an appendix: the loads behind it and what each "
    "figure means), with the comparison chosen above when there is one. It counts people and never names them."
)
made_for = (
    view.scope.org_id,
    rollout.rollout_id,
    view.as_of,
    window,
    view.version,  # a pack of this view only
    view.alerts_version,
    against,
)
if st.button("Build the report pack", icon=":material/slideshow:"):
    with st.status("Building the report pack", expanded=True) as status:
        say = lambda line: status.write(literal(line))  # status.write renders markdown
        pack = build_pack(view.scope, rollout, view.as_of, window, progress=say, compare=against)
        status.update(label=f"Report pack ready ({pack.seconds:.1f} s)", state="complete", expanded=False)
    st.session_state["report_pack"] = (made_for, pack.contents.organisation, pack.files, pack.why_missing)
built = st.session_state.get("report_pack")
if isinstance(built, tuple) and built[0] == made_for:
    _, organisation, files, why = built
    if why:
        st.warning(f"The charts could not be drawn ({literal(why)}): the pack says so in their place.")
    row = st.container(horizontal=True)
    for kind, data in files.items():
        row.download_button(
            f"Download the {LABELS[kind]}",
            data,
            mime=MIME[kind],
            icon=":material/download:",
            file_name=file_name(organisation, rollout.name, view.as_of, "report", extension=kind),
            on_click="ignore",
        )
