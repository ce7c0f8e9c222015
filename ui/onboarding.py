"""What a page shows when an organisation has nothing to show yet: for the provider's roles, the
onboarding checklist (analysis/onboarding.py) with a button per step to the page that does it,
the organisation kept chosen; for client roles, plain read-only words (no uploads, settings or
command lines: they cannot act on them). Also the Support page of an organisation with tickets
and no rollout, and the page a role may not open."""

from __future__ import annotations

import streamlit as st

from analysis import onboarding, words
from analysis.access import Principal
from analysis.scope import Scope
from ui import cached
from ui.tables import show_table
from ui.text import literal

# step -> (page file, its title, the action a role needs to open it: see app.py)
STEP_PAGES = {
    "rollout": ("pages/settings.py", "Settings", "configure"),
    "roster": ("pages/data.py", "Data", "upload"),
    "usage": ("pages/data.py", "Data", "upload"),
    "tickets": ("pages/data.py", "Data", "upload"),
    "accounts": ("pages/admin.py", "Administration", "manage_users"),
}
PAGE_FILES = {page for page, _, _ in STEP_PAGES.values()} | {"pages/overview.py"}
PROVIDER_PAGE = "This page is for your provider's team."
BLOCKED_PAGES = (
    ("portfolio", "Portfolio"),
    ("settings", "Settings"),
    ("data", "Data"),
    ("admin", "Administration"),
)  # app.py's pages some roles may not open: url path, title


def plain(text: str, who: Principal | None = None) -> str:
    """A message of analysis as the person looking (default: who is signed in) should read it
    (analysis/onboarding.py for_reader)."""
    account = st.session_state.get("account")
    return onboarding.for_reader(text, who or getattr(account, "principal", None))


def _go(page: str, org_id: int) -> None:
    """A step's button: keep the organisation chosen (ui/session.py pick_scope's choice), then open
    the page on this run (Streamlit cannot switch pages from a callback)."""
    st.session_state["org_id"] = org_id
    st.session_state["_onboarding_org"] = org_id  # ui/session.py ONBOARDING_ORG: survives the page switch
    st.session_state["_onboarding_page"] = page


def follow() -> None:
    """Open the page a button of _go asked for (on this run: Streamlit cannot switch in a callback)."""
    if isinstance(page := st.session_state.pop("_onboarding_page", None), str) and page in PAGE_FILES:
        st.switch_page(page)


def set_up_buttons(waiting: dict[int, str]) -> None:
    """For the Portfolio: the organisations with no rollout yet, each a button to its Overview (where
    its checklist is)."""
    follow()
    st.markdown("**Not set up yet** (no rollout): open one for the steps that set it up.")
    row = st.container(horizontal=True)
    for org_id, name in waiting.items():
        row.button(
            literal(name),
            key=f"set_up_{org_id}",
            icon=":material/checklist:",
            on_click=_go,
            args=("pages/overview.py", org_id),
        )


def checklist(scope: Scope, expanded: bool = True) -> bool:
    """The organisation's onboarding checklist for the provider's roles, until every step is done.
    Returns whether it is complete (nothing shown then, nor to client roles)."""
    follow()
    who = scope.principal
    steps = onboarding.checklist(scope, cached.onboarding_counts(scope, scope.org_id, cached.versions(scope)))
    if onboarding.complete(steps) or not who.is_provider:
        return onboarding.complete(steps)
    done = sum(step.done for step in steps)
    box = st.expander(
        f"Getting started: {done:d} of {len(steps):d} steps done", expanded=expanded, icon=":material/checklist:"
    )
    with box:
        st.caption(
            "What this organisation needs before its figures mean anything. Each button opens the page "
            "that does it, with this organisation chosen."
        )
        for step in steps:
            page, title, action = STEP_PAGES[step.key]
            mark, what = st.columns([3, 1], vertical_alignment="center")
            unit = step.unit if step.count == 1 else step.units
            icon_md = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
            done_md = "done: " if step.done else ""
            mark.markdown(f"{icon_md} **{literal(step.title)}** ({done_md}{step.count:,} {literal(unit)})")
            if who.may(action, scope.org_id):
                what.button(
                    f"Open {literal(title)}",
                    key=f"onboarding_{step.key}",
                    on_click=_go,
                    args=(page, scope.org_id),
                    type="secondary" if step.done else "primary",
                    width="stretch",
                )
            else:
                what.caption("An administrator does this.")
    return False


def no_rollout(scope: Scope) -> None:
    """A rollout page of an organisation with no rollout yet."""
    if scope.principal.is_provider:
        st.warning("This organisation has no rollout yet: the steps below set it up.", icon=":material/info:")
        checklist(scope)
    else:
        st.info("This organisation has no rollout yet: its figures show here once your provider has set one up.")


def no_data(scope: Scope, rollout_name: str) -> None:
    """A rollout page of a rollout with no usage nor tickets yet."""
    if scope.principal.is_provider:
        st.info(f"No usage or tickets for {literal(rollout_name)} yet: the steps below load them.")
        checklist(scope)
    else:
        st.info(f"No figures for {literal(rollout_name)} yet: they show here once your provider has the data.")


def organisation_support(scope: Scope) -> None:
    """The Support page of an organisation with no rollout: every ticket it has, over the tickets'
    own range (a rollout's scope, cohorts and go-lives come with a rollout)."""
    summary = onboarding.ticket_summary(scope)
    if not summary["tickets"]:
        no_rollout(scope)
        return
    first, last = summary["first_day"], summary["last_day"]
    st.caption(
        f"No rollout yet: every ticket of the organisation, {summary['tickets']:,} created from "
        f"{words.day(first)} to {words.day(last)}. With a rollout, this page narrows them to its scope and "
        "compares before and after its go-lives."
    )
    a, b, c, d = st.columns(4)
    a.metric("Tickets", f"{summary['tickets']:,}", border=True)
    b.metric(
        "Median resolution",
        _hours(summary["median_resolution_hours"]),
        border=True,
        help="Half of the resolved tickets took longer than this (closed tickets with no resolution time "
        "have no duration).",
    )
    c.metric(
        "Backlog", f"{summary['backlog']:,}", border=True, help=f"Tickets still open at the end of {words.day(last)}."
    )
    d.metric(
        "Reopened",
        "n/a" if summary["reopen_rate"] is None else f"{summary['reopen_rate']:.0%}",
        border=True,
        help="Share of resolved tickets reopened at least once.",
    )
    st.subheader("Tickets created each week")
    st.bar_chart(onboarding.weekly_tickets(scope), x="week_start", y="tickets", x_label="Week", y_label="Tickets")
    categories = onboarding.top_categories(scope)
    st.subheader("What people ask about")
    show_table(
        categories.rename(columns={"category": "Category", "tickets": "Tickets", "share": "Share"}),
        hide_index=True,
        column_config={"Share": st.column_config.NumberColumn(format="percent")},
    )
    if scope.principal.is_provider:
        no_rollout(scope)
    else:
        st.caption("Your provider adds the rollout's details (who is in it, when it goes live) for the full picture.")


def _hours(value) -> str:
    return "n/a" if value is None else f"{value:,.1f} h"


def not_for_you() -> None:
    """In place of a page the signed-in role may not open (a bookmark, a link from someone else)."""
    st.title("Not available")
    st.info(PROVIDER_PAGE + " Your pages are in the menu.", icon=":material/lock:")
