"""Store handle, who is signed in, and the shared sidebar (organisation and rollout pickers).

Authorise first, then call the cache: every cached function that returns client data takes the
organisation id and data version as arguments, and is only called with a Scope that
analysis.scope.open_scope has checked for the signed-in principal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import pandas as pd
import streamlit as st

from analysis import auth, metrics, settings, words
from analysis.access import AccessDenied, Principal
from analysis.alerts import alerts_version
from analysis.auth import Account
from analysis.charts import adoption_by_age_chart, in_period, snapshot_adoption_chart
from analysis.orgs import Rollout
from analysis.privacy import fold_small_groups
from analysis.rankings import departments_weakest_first
from analysis.scope import Scope, open_scope
from analysis.seed import ensure_demo
from analysis.store import Store, db_path, shared_store
from analysis.words import day, use_apart_words
from ui import cached, onboarding
from ui.cached import versions
from ui.cards import freshness_md
from ui.cookie import COOKIE  # noqa: F401 (imported from here by tests)
from ui.figures import show_chart
from ui.text import literal

ONBOARDING_ORG = "_onboarding_org"  # not a widget's key: Streamlit keeps it across pages
WINDOWS = (7, 28)


@st.cache_resource(show_spinner="Opening the database")
def store() -> Store:
    handle = shared_store(db_path())
    ensure_demo(handle)
    return handle


def current_account() -> Account | None:
    """The signed-in account, from this tab's token or the browser's cookie, checked on the
    server on every run (revoked, expired, idle and disabled sign-ins return None)."""
    handle = store()
    token = st.session_state.get("token")
    if not isinstance(token, str):
        token = auth.token_from_cookie(handle, st.context.cookies.get(COOKIE))
    who = auth.session_account(handle, token)
    if who is None:
        for key in ("token", "account"):
            st.session_state.pop(key, None)
    else:
        st.session_state["token"] = token
        st.session_state["account"] = who
    return who


def single_sign_on_configured() -> bool:
    """Whether .streamlit/secrets.toml has an [auth] section (OIDC, e.g. Microsoft Entra ID)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return False


def principal() -> Principal:
    """Who is asking: set by app.py from the checked sign-in on every run."""
    who = st.session_state.get("account")
    if not isinstance(who, Account):
        st.error("Sign in first.")
        st.stop()
    return who.principal


def sign_in(handle: Store, who: Account) -> None:
    """Start a sign-in for this tab and queue the cookie for reloads and new tabs."""
    token = auth.start_session(handle, who.account_id)
    st.session_state["token"] = token
    st.session_state["claim"] = auth.claim_code(handle, token)


def post_to(path: str, **fields: str) -> None:
    """Send the browser to one of the app's own state-changing routes by POST (they refuse GET and
    other origins, see ui/origin.py): a script made here builds a form and submits it."""
    _script(
        "const form = document.createElement('form'); form.method = 'post'; form.action = PATH;"
        "for (const [name, value] of Object.entries(FIELDS)) {"
        " const input = document.createElement('input'); input.type = 'hidden';"
        " input.name = name; input.value = value; form.appendChild(input); }"
        "document.body.appendChild(form); form.submit();",
        path,
        fields,
    )


def post_behind(path: str, **fields: str) -> None:
    """POST to one of the app's own routes from the tab without leaving the page: a same-origin
    fetch (it sends the Origin the route checks), its redirect not followed. The claim route's
    cookie is set from the response all the same, and the tab, signed in already through its
    session, draws its page once instead of twice (the form's reload cost 1-1.5 s a sign-in)."""
    _script(
        "fetch(PATH, {method: 'POST', body: new URLSearchParams(FIELDS), credentials: 'same-origin', redirect: 'manual'});",
        path,
        fields,
    )


def _script(script: str, path: str, fields: dict[str, str]) -> None:
    """Run a script of this module's in the page. The path and the fields are server-made strings,
    never user data."""
    run_in_page(script.replace("PATH", json.dumps(path)).replace("FIELDS", json.dumps(fields)))


def run_in_page(script: str) -> None:
    """Run a script of the app's own in the page (never one holding client data); "<" is escaped all
    the same, so no value in it can end the script."""
    st.html("<script>" + script.replace("<", "\\u003c") + "</script>", unsafe_allow_javascript=True)


def _chosen(key: str, picker: str) -> None:
    """A sidebar picker changed: keep the choice under a key of no widget (Streamlit drops a
    widget's state on a run that does not draw it, and each page draws its own copy)."""
    st.session_state[key] = st.session_state[picker]


def _asked_organisation(labels: dict[int, str]) -> int | None:
    """The organisation named in the URL (`?org=ID`), when it is one the account may see."""
    asked = st.query_params.get("org")
    if isinstance(asked, str) and asked.isdigit() and int(asked) in labels:
        return int(asked)
    return None


def pick_scope(action: str = "view") -> tuple[Scope | None, Rollout | None]:
    """The sidebar's organisation and rollout pickers; returns the checked scope and rollout.

    The choice stays chosen on every page: it lives in session state under "org_id" (and
    "rollout_<org id>": the rollout's name), keys of no widget, and each page's pickers start from
    it. The organisation is also in the URL (`?org=ID`), so a reload, a new tab or a shared link
    opens it; a URL or state naming an organisation the account may not see is ignored."""
    who = principal()
    handle = store()
    choices = cached.organisations(handle, who)
    if choices.empty:
        st.info("No organisation is shared with you yet: ask your provider.")
        return None, None
    labels = {int(r.org_id): r.name + (" (synthetic demo)" if r.is_synthetic else "") for r in choices.itertuples()}
    opened = st.session_state.pop(ONBOARDING_ORG, None)  # a checklist button's organisation (ui/onboarding.py)
    if type(opened) is int and opened in labels:
        st.session_state["org_id"] = opened
    asked = _asked_organisation(labels)
    if asked is not None and "org_id" not in st.session_state:  # a new tab or a reload: the URL says
        st.session_state["org_id"] = asked
    current = st.session_state.get("org_id")
    if type(current) is not int or current not in labels:  # True == 1 and 1.0 == 1: check the type too
        current = next(iter(labels))
    st.session_state["org_id"] = st.session_state["org_picker"] = current
    org_id = st.sidebar.selectbox(
        "Organisation",
        list(labels),
        format_func=labels.get,
        key="org_picker",
        on_change=_chosen,
        args=("org_id", "org_picker"),
    )
    if st.query_params.get("org") != str(org_id):
        st.query_params["org"] = str(org_id)
    try:
        scope = open_scope(handle, who, org_id, action)
    except AccessDenied:
        st.error("You do not have access to that organisation.")
        st.stop()
    found = cached.rollouts(scope)
    rollout = None
    if found:
        names = [r.name for r in found]
        key, picker = f"rollout_{org_id}", f"rollout_picker_{org_id}"
        chosen = st.session_state.get(key)
        if not isinstance(chosen, str) or chosen not in names:
            chosen = names[0]
        st.session_state[key] = st.session_state[picker] = chosen
        name = st.sidebar.selectbox("Rollout", names, key=picker, on_change=_chosen, args=(key, picker))
        rollout = next(r for r in found if r.name == name)
    else:
        st.sidebar.caption("This organisation has no rollout yet.")
    return scope, rollout


def organisation_name(scope: Scope) -> str:
    """The name of the scope's organisation (as the sidebar lists it, without the demo label)."""
    names = cached.organisations(scope.store, scope.principal).set_index("org_id")["name"]
    return str(names[scope.org_id])


def date_limits(*days: date | None) -> dict:
    """min_value and max_value for a date picker of a rollout (go-lives, annotations, baselines):
    1990 to five years ahead, widened to the days given. Streamlit's default stops ten years back,
    and a client's history (tickets from 2012, say) can be older."""
    shown = [d for d in days if d is not None]
    latest = date(date.today().year + 5, 12, 31)
    return {"min_value": min([date(1990, 1, 1), *shown]), "max_value": max([latest, *shown])}


def synthetic_banner(scope: Scope) -> None:
    if cached.is_synthetic(scope):
        st.info(
            "**Synthetic demo data.** Demo Co and everyone in it are made up, to show what Uptake does.",
            icon=":material/science:",
        )


# -- the shared period controls and the frame of every rollout page --------------------------------


def _remember(slot: tuple, field: str, key: str) -> None:
    """A period widget changed: keep its value for every page (widget state is per page)."""
    st.session_state["_period"].setdefault(slot, {})[field] = st.session_state[key]


def pick_period(scope: Scope, rollout: Rollout, fresh: dict | None = None) -> tuple[date | None, int]:
    """The sidebar's as-of date and window, shared by every page: (as_of, window). The as-of date
    defaults to metrics.default_day (the newest usage day of the rollout's people, else the newest
    ticket day), and may be set anywhere from the oldest to the newest day of the organisation's
    usage and tickets (metrics.as_of_range); the window to the rollout's (7 or 28 days). A choice
    is remembered per organisation and rollout across pages (Streamlit keeps a widget's state per
    page, so the value lives in session state and is handed to each page's widget), and the as-of
    date follows new data while it is left at the newest day. as_of is None when the rollout has
    no data yet."""
    if fresh is None:
        fresh = cached.freshness(scope, scope.org_id, versions(scope), rollout, rollout.rollout_id)
    if not isinstance(st.session_state.get("_period"), dict):
        st.session_state["_period"] = {}
    slot = (scope.org_id, rollout.rollout_id)
    remembered = st.session_state["_period"].get(slot)
    if not isinstance(remembered, dict):
        remembered = st.session_state["_period"][slot] = {}

    window = remembered.get("window")
    if type(window) is not int or window not in WINDOWS:
        window = rollout.window_days if rollout.window_days in WINDOWS else 28
    window_key = f"window_{scope.org_id}_{rollout.rollout_id}"
    st.session_state[window_key] = remembered["window"] = window
    window = st.sidebar.radio(
        "Window",
        WINDOWS,
        key=window_key,
        horizontal=True,
        format_func=lambda days: f"{days} days",
        on_change=_remember,
        args=(slot, "window", window_key),
        help="The active window: a person is active when they used the new system in "
        "the window's days, ending on the as-of date. The rollout's own window is "
        f"{rollout.window_days:d} days.",
    )
    newest = metrics.default_day(fresh)
    if newest is None:
        return None, window
    low, high = metrics.as_of_range(fresh)
    value = remembered.get("as_of")
    if remembered.get("default") != newest and value == remembered.get("default"):
        value = newest  # left at the newest day: follow new data
    if type(value) is not date or not low <= value <= high:
        value = newest
    day_key = f"as_of_{scope.org_id}_{rollout.rollout_id}"
    st.session_state[day_key] = remembered["as_of"] = value
    remembered["default"] = newest
    as_of = st.sidebar.date_input(
        "As of",
        key=day_key,
        min_value=low,
        max_value=high,
        format="YYYY-MM-DD",
        on_change=_remember,
        args=(slot, "as_of", day_key),
        help="The day the figures are computed for (its end). By default the newest "
        "day on which one of the rollout's people (its roster) used its "
        "activities; else the newest ticket day.",
    )
    return as_of, window


@dataclass(frozen=True)
class View:
    """What a rollout page shows: the checked scope, the rollout, the cache version, how fresh the
    data is, and the period chosen in the sidebar."""

    scope: Scope
    rollout: Rollout
    version: tuple
    fresh: dict
    as_of: date | None
    window: int

    @cached_property
    def alerts_version(self) -> tuple:
        """analysis.alerts.alerts_version of the organisation, read once a run (the Overview asked
        for it five times: a query each) and kept until the next write (ui/cached.py until_written)."""
        return cached.until_written(self.scope, "alerts_version", alerts_version)

    @property
    def client(self) -> bool:
        """Client leadership is looking: small groups fold, names only where allowed."""
        return self.scope.principal.is_client

    @property
    def period(self) -> tuple[date, date]:
        """The time charts' x range: from analysis.settings.chart_start (the baseline window before
        the first go-live) to the as-of date."""
        return settings.chart_start(self.rollout, self.as_of), self.as_of

    def figure(self, name: str, option: object = None):
        """A cached figure of analysis (ui.cached.FIGURES) for this rollout and period."""
        return cached.figure(
            self.scope,
            self.scope.org_id,
            self.version,
            self.rollout,
            self.rollout.rollout_id,
            name,
            self.as_of,
            self.window,
            option,
        )


def period_markers(view: View, markers: list[dict]) -> list[dict]:
    """The markers the time charts draw: those in the charts' period (View.period). The others
    (a stale-data flag dated years before the rollout, an annotation far ahead) are said in a
    caption, not drawn, so they cannot stretch the axis."""
    start, end = view.period
    inside, outside = in_period(markers, start, end)
    if outside:
        outside_md = literal("; ".join(f"{m['label']} ({words.day(m['day'])})" for m in outside))
        st.caption(
            f"The time charts run from {words.day(start)} to {words.day(end)} (the rollout's period). "
            f"Not drawn, outside it: {outside_md}."
        )
    return inside


def not_computable(view: View, figure: str) -> bool:
    """Says why a figure is not computable from this data (snapshot exports too far apart, see
    metrics.not_computable) and returns True; False when it can be shown."""
    why = view.figure("not_computable").get(figure)
    if why:
        st.info(literal(why), icon=":material/block:")
    return bool(why)


def snapshot_adoption(view: View, markers: list[dict]) -> None:
    """In place of daily and weekly adoption, what snapshot exports do tell: adoption at each
    refresh date."""
    frame = view.figure("snapshot_adoption")
    if frame.empty:
        return
    st.caption(
        f"What the snapshots do tell: the share of each cohort's licensed people active in the {view.window:d} "
        "days before each snapshot's refresh date (exact there; nothing is drawn between snapshots)."
    )
    show_chart(view.scope.org_id, snapshot_adoption_chart, frame, view.window, markers, view.period)


def adoption_by_age(view: View, markers: list[dict], caption_md: str) -> pd.DataFrame | None:
    """Each cohort's 7-day adoption from its own go-live, with the target; or, where the snapshot
    exports cannot give 7-day adoption, why not and adoption at each snapshot. Returns the 7-day
    series (for the calendar chart), None when it is not computable."""
    if not_computable(view, "adoption_by_age"):
        snapshot_adoption(view, markers)
        return None
    rollout = view.rollout
    series = cached.rolling_adoption(
        view.scope, view.scope.org_id, view.version, rollout, rollout.rollout_id, view.as_of
    )
    st.caption(caption_md)
    show_chart(view.scope.org_id, adoption_by_age_chart, series, rollout.target_adoption, rollout.target_age_days)
    return series


def use_apart_note(apart: dict, newest: date | None) -> None:
    """Says that the view is as of a few days of use that stand apart (analysis.metrics.use_apart),
    and the day to choose to see the rollout as it was."""
    st.info(
        f"{use_apart_words(apart, newest)} The figures follow the newest day: to see the rollout as "
        f"it was, set As of to {day(apart['before'])} in the sidebar.",
        icon=":material/event_busy:",
    )


def rollout_view(action: str = "view", without_rollout=None) -> View:
    """The frame of every rollout page: the organisation and rollout pickers, the synthetic-data
    banner, the period controls and the one-line freshness caption. Stops the page, saying why
    (with the onboarding checklist for the provider's roles, see ui/onboarding.py), when there is
    no organisation, no rollout or no data yet; without_rollout(scope), when given, shows what the
    page can show with no rollout."""
    scope, rollout = pick_scope(action)
    if scope is None:
        st.stop()
    synthetic_banner(scope)
    if rollout is None:
        (without_rollout or onboarding.no_rollout)(scope)
        st.stop()
    version = versions(scope)
    fresh = cached.freshness(scope, scope.org_id, version, rollout, rollout.rollout_id)
    as_of, window = pick_period(scope, rollout, fresh)
    st.caption(freshness_md(rollout, fresh, as_of, window))
    apart = metrics.use_apart(fresh, as_of)
    if apart:
        use_apart_note(apart, fresh.get("newest_usage_day"))
    if as_of is None:
        onboarding.no_data(scope, rollout.name)
        st.stop()
    return View(scope, rollout, version, fresh, as_of, window)


def for_viewer(
    view: View, frame: pd.DataFrame, group_column: str, size_column: str, by: tuple = (), ratios: dict | None = None
) -> pd.DataFrame:
    """A breakdown as the person looking may see it: for client leadership, groups of fewer than
    5 people fold into "Other (small groups)" (hidden when that is under 5 too)."""
    if not view.client:
        return frame
    return fold_small_groups(frame, group_column, size_column, by=by, ratios=ratios)


def department_table(view: View, cohort: str) -> pd.DataFrame:
    """One cohort's ('all': every cohort's) figures per department, as the person looking may see them."""
    kpis = view.figure("department_kpis")
    return for_viewer(
        view,
        kpis[kpis["cohort"] == cohort].drop(columns="cohort"),
        "department",
        "licensed_users",
        ratios={
            "adoption_rate": ("active_users", "licensed_users"),
            "activation_rate": ("activated_users", "licensed_users"),
        },
    )


def departments(view: View, cohort: str) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The department x week heatmap data and the department table of one cohort ('all': every
    cohort) as the person looking may see them, and the departments weakest first (by adoption
    in the newest week, then in the window)."""
    heat = for_viewer(
        view,
        view.figure("department_weekly_adoption", None if cohort == "all" else cohort),
        "department",
        "licensed_users",
        by=("week_start",),
        ratios={"adoption": ("active_users", "licensed_users")},
    )
    table = department_table(view, cohort)
    if heat.empty:
        return heat, table, []
    table, order = departments_weakest_first(heat, table)
    return heat, table.round({"adoption_rate": 2, "activation_rate": 2}), order  # whole per cents on screen


def file_name(*parts: object, extension: str = "csv") -> str:
    """A download's file name from its parts (letters, digits, - and . only) and its extension."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", "-".join(str(p) for p in parts)).strip("-").lower() + "." + extension
