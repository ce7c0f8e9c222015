"""Data: load files as they come out of the tools (preview and validation before anything is
stored), the load history with rejected rows and undo, unknown people, company mappings."""

from datetime import date

import pandas as pd
import streamlit as st

from analysis import file_kind, formats, people, presets, reject_groups, roster_import
from analysis.canonical import fields
from analysis.exports import safe_csv
from analysis.files import FileRefused
from analysis.ingest import load_file, table_kind
from analysis.load_slots import LoadBusy
from analysis.undo_rule import may_undo
from analysis.uploads import UndoError, data_version, rejected_rows, undo
from ui import cached, roster_history
from ui.parsed_uploads import forget_all, keep_only, parsed, sha256
from ui.session import organisation_name, pick_scope, principal, synthetic_banner
from ui.tables import show_table
from ui.text import literal

KIND_LABELS = {
    "detect": "Detect from the file",
    "usage": "Usage (who used what, when)",
    "tickets": "Support tickets",
    "roster": "Roster (the rollout's people and cohorts)",
    "readiness": "Readiness (training sessions and communications)",
    "feedback": "Feedback (pulse surveys, Microsoft Forms, Google Forms)",
    "kpi_series": "KPI series (any KPI by date, from another system)",
}
DATE_ORDERS = {"Decide from the values": None, "Day first (31/12/2025)": True, "Month first (12/31/2025)": False}
NOT_IN_FILE = "(not in this file)"
NO_COHORT = "(reject these rows)"
SAME_SYSTEM = "is this the same system?"


def _asked(rollout) -> tuple[dict[str, str], bool]:
    """The answers to what earlier previews asked: a cohort for each cohort value no cohort takes,
    and whether ticket files are from the same system. Once asked, a question stays on the page
    (a widget not drawn loses its value)."""
    values = {}
    asked = st.session_state.get("cohorts_asked", [])
    if asked and rollout is not None:
        with st.container(border=True):
            st.markdown(f"**Cohort values**: which cohort of {literal(rollout.name)} is each value of the file?")
            cols = st.columns(3)
            for i, value in enumerate(asked):
                picked = cols[i % 3].selectbox(
                    literal(value), [NO_COHORT, *rollout.cohorts], key=f"cohort_value_{value}"
                )
                if picked != NO_COHORT:
                    values[value] = picked
    same = False
    if st.session_state.get("same_system_asked"):
        same = st.checkbox(
            "The ticket files are from the same system as the tickets already loaded: update "
            "the tickets with the same numbers",
            key="same_system",
        )
    return values, same


def _ask_later(outcome) -> None:
    """Keep the questions a preview raised, and draw them (rerun) when they are new."""
    asked = st.session_state.get("cohorts_asked", [])
    new = [v for v in getattr(outcome, "cohorts_to_map", []) if v not in asked]
    clash = (
        isinstance(outcome, FileRefused)
        and SAME_SYSTEM in str(outcome)
        and not st.session_state.get("same_system_asked")
    )
    if new:
        st.session_state["cohorts_asked"] = [*asked, *new]
    if clash:
        st.session_state["same_system_asked"] = True
    if new or clash:
        st.rerun()


def _counts(outcome) -> str:
    """'120 rows read → 100 new, 0 updated, 5 already loaded, 10 repeated within this file, 5 rejected'."""
    before = outcome.rows_duplicate - outcome.repeated_in_file
    text = (
        f"{outcome.rows_read:,} rows read → {outcome.rows_loaded:,} new, {outcome.rows_updated:,} updated, "
        f"{before:,} already loaded"
    )
    if outcome.repeated_in_file:
        text += f", {outcome.repeated_in_file:,} repeated within this file"
    bad = outcome.rows_rejected - outcome.system_rows
    text += f", {bad:,} rejected"
    if outcome.system_rows:
        text += f", {outcome.system_rows:,} system activity (not people)"
    return text


st.title("Data")
scope, rollout = pick_scope()
if scope is None:
    st.stop()
synthetic_banner(scope)
who = principal()
version = data_version(scope)
st.session_state.setdefault("upload_round", 0)
for line in st.session_state.pop("load_report", []):
    st.success(literal(line))  # file names are the uploader's words
load_tab, history_tab, roster_tab, people_tab = st.tabs(
    ["Load files", "Load history", "Roster history", "Unknown people"], key="data_tab", on_change="rerun"
)

if not load_tab.open:
    forget_all()  # the uploader is not drawn, so it comes back empty: its files' bytes can go
if load_tab.open:  # only the chosen tab runs (a tracked tab: choosing another reruns)
    with load_tab:
        rollout_name = rollout.name if rollout else None
        target_md = f"the organisation **{literal(organisation_name(scope))}**" + (
            f", rollout **{literal(rollout_name)}**" if rollout_name else " (it has no rollout yet)"
        )
        st.info(f"Files load into {target_md}: choose another in the sidebar.", icon=":material/domain:")
        files = st.file_uploader(
            "Files: CSV or Excel, as exported from Microsoft 365, Zendesk, ServiceNow, Jira, "
            "Freshdesk ... or in Uptake's own columns",
            type=["csv", "tsv", "txt", "xlsx", "xls", "ods"],
            accept_multiple_files=True,
            key=f"files_{scope.org_id}_{st.session_state.upload_round}",
        )  # per organisation
        left, middle, right = st.columns(3)
        kind_choice = left.selectbox("What is in the files?", list(KIND_LABELS), format_func=KIND_LABELS.get)
        saved = presets.presets(scope)
        format_labels = {"auto": "Recognise automatically", "canonical": "Uptake's own columns"}
        format_labels.update({f.name: f.label[0].upper() + f.label[1:] for f in formats.registry()})
        format_labels.update({p.name: f"Saved mapping: {p.name}" for p in saved})
        format_choice = middle.selectbox("Format", list(format_labels), format_func=format_labels.get)
        dayfirst = DATE_ORDERS[right.radio("Dates like 03/04/2025", list(DATE_ORDERS), horizontal=False)]
        st.caption(
            "A file that cannot be read is refused whole; a bad row is rejected alone and kept with its line, "
            "column and reason."
        )
        roster_day = None
        if kind_choice in ("roster", "detect"):
            roster_day = st.date_input(
                "A roster holds from" if kind_choice == "roster" else "A roster among the files holds from",
                value=date.today(),
                max_value=date.today(),
                help="The day from which the roster says who is licensed: figures for earlier days keep the roster "
                "in effect then. Date it as another roster to replace that one.",
            )
        if kind_choice == "roster":  # a licence list also loads as it is: its columns are recognised by name
            st.download_button(
                "Download a roster template (CSV)",
                file_name="roster-template.csv",
                mime="text/csv",
                data=roster_import.template_csv(list(rollout.cohorts) if rollout else ("champion", "wider")),
            )
        mapping, prefill = {}, {}
        keep_only(scope.org_id, files or [])
        tables, busy = {}, []
        for f in files or []:
            try:
                tables[f.file_id] = parsed(scope.org_id, f)  # read once per (organisation, file), not per rerun
            except LoadBusy as exc:
                busy.append(f.name)
                st.warning(literal(" ".join(exc.messages)))
        if files:
            with st.expander("Map the columns by hand (for files of no known format)"):
                first = tables.get(files[0].file_id)
                readable = first is not None and not isinstance(first, FileRefused)
                header = first.header if readable else []
                kind_for_map = (
                    kind_choice
                    if kind_choice != "detect"
                    else (table_kind(first, scope) if readable else None) or "tickets"
                )
                st.caption(
                    f"Which column of **{literal(files[0].name)}** holds each of Uptake's fields "
                    f"({literal(kind_for_map)}; choose the kind above). Columns whose names say so are "
                    "filled in:"
                )
                # filled in from the column names (or the mapping remembered for these columns): only a
                # change is a mapping by hand, which is then remembered for files with these columns
                prefill = roster_import.prefill(scope, kind_for_map, header)
                columns_key = roster_import.header_set(header)
                cols = st.columns(3)
                for i, name in enumerate(fields(kind_for_map)):
                    options = [NOT_IN_FILE, *header]
                    start = options.index(prefill[name]) if prefill.get(name) in options else 0
                    picked = cols[i % 3].selectbox(
                        literal(name), options, index=start, key=f"map_{kind_for_map}_{name}_{columns_key}"
                    )
                    if picked != NOT_IN_FILE:
                        mapping[name] = picked
                if mapping and who.may("configure", scope.org_id):
                    preset_name = st.text_input("Save this mapping as")
                    if st.button("Save mapping", disabled=not preset_name.strip()):
                        try:
                            presets.save_preset(scope, preset_name, kind_for_map, mapping, dayfirst, header=header)
                            saved_md = literal(preset_name.strip())
                            st.success(f"Saved: choose \u201cSaved mapping: {saved_md}\u201d next time.")
                        except ValueError as exc:
                            st.error(literal(exc))
        if mapping == prefill:
            mapping = {}  # as filled in: load_file reads the file so by itself
        cohort_values, same_system = _asked(rollout)
        ready = []
        for f in files or []:
            table = tables.get(f.file_id)
            if table is None:
                continue  # another load for the organisation is running: said above, the file stays
            data = f.getvalue()
            refused = table if isinstance(table, FileRefused) else None
            kind = kind_choice if kind_choice != "detect" else (None if refused else table_kind(table, scope))
            key = (
                "preview",
                scope.org_id,
                sha256(f),
                kind,
                rollout_name,
                version,
                format_choice,
                tuple(sorted(mapping.items())),
                dayfirst,
                tuple(sorted(cohort_values.items())),
                same_system,
                roster_day if kind == "roster" else None,
            )
            with st.container(border=True):
                if refused is None and kind is None:
                    st.error(literal(file_kind.undetected_message(f.name, data)))
                    continue
                if key not in st.session_state:
                    try:
                        # the preview runs the whole load and rolls it back: seconds for a big file
                        with st.spinner(f"Checking {literal(f.name)}", show_time=True):
                            outcome = refused or load_file(
                                scope,
                                kind,
                                f.name,
                                data,
                                rollout=rollout_name,
                                dry_run=True,
                                format=format_choice,
                                mapping=mapping or None,
                                dayfirst=dayfirst,
                                table=table,
                                cohort_values=cohort_values,
                                same_system=same_system,
                                as_of=roster_day if kind == "roster" else None,
                            )
                        st.session_state[key] = outcome
                    except LoadBusy as exc:  # not kept: the preview runs again on the next rerun
                        busy.append(f.name)
                        st.warning(literal(" ".join(exc.messages)))
                        continue
                    except (FileRefused, LookupError, ValueError) as exc:
                        st.session_state[key] = exc
                outcome = st.session_state[key]
                _ask_later(outcome)
                if isinstance(outcome, Exception):
                    messages = getattr(outcome, "messages", [str(outcome)])
                    st.error("**Refused, nothing will be stored.** " + literal(" ".join(messages)))
                    continue
                if outcome.already_loaded:
                    st.info(literal(outcome.messages[0]))
                    continue
                ready.append((f.name, data, kind, table))
                st.markdown(f"**{literal(f.name)}** ({literal(kind)}): {literal(_counts(outcome))}")
                for message in outcome.messages:
                    if "download them" not in message:
                        st.caption(literal(message))
                if outcome.preview:
                    st.caption("The first rows as they will be stored:")
                    show_table(pd.DataFrame(outcome.preview), hide_index=True)
                if outcome.rejects:
                    st.markdown("Rows that will be rejected or set aside (the rest loads), by reason:")
                    show_table(reject_groups.table_rows(outcome.rejects), hide_index=True)
        if ready and st.button(f"Load {len(ready)} file{'s' if len(ready) > 1 else ''}", type="primary"):
            report = []
            with st.status("Loading", expanded=True) as status:
                bar = st.progress(0.0)
                for i, (name, data, kind, table) in enumerate(ready):

                    def step(fraction, text, i=i, name=name):
                        bar.progress((i + fraction) / len(ready), text=f"{literal(name)}: {literal(text)}")

                    try:
                        result = load_file(
                            scope,
                            kind,
                            name,
                            data,
                            rollout=rollout_name,
                            progress=step,
                            format=format_choice,
                            mapping=mapping or None,
                            dayfirst=dayfirst,
                            table=table,
                            cohort_values=cohort_values,
                            same_system=same_system,
                            as_of=roster_day if kind == "roster" else None,
                        )
                    except LoadBusy as exc:
                        busy.append(name)
                        st.warning(literal(" ".join(exc.messages)))
                        continue
                    except (FileRefused, LookupError, ValueError) as exc:
                        st.error(literal(exc))
                        continue
                    if result.already_loaded:
                        report.append(result.messages[0])
                        continue
                    before = result.rows_duplicate - result.repeated_in_file
                    # system activity apart from the bad rows, as the preview counts them (_counts)
                    aside = f", set aside {result.system_rows:,} as system activity (not people)"
                    report.append(
                        f"{name}: load {result.upload_id} stored {result.rows_loaded:,} new rows, "
                        f"updated {result.rows_updated:,}, skipped {before:,} already loaded and "
                        f"{result.repeated_in_file:,} repeated within the file, "
                        f"rejected {result.rows_rejected - result.system_rows:,}"
                        f"{aside if result.system_rows else ''}."
                    )
                status.update(label="Loaded", state="complete")
            st.session_state.load_report = report
            if not busy:  # a file refused as busy stays in the uploader, to be loaded again
                st.session_state.upload_round += 1
                st.rerun()

if history_tab.open:  # only the chosen tab runs (a tracked tab: choosing another reruns)
    with history_tab:
        history = cached.upload_history(scope, scope.org_id, version)
        if history.empty:
            st.info("Nothing loaded yet.")
        else:
            # the state first (an undone load looked active unless one scrolled sideways), undone rows
            # greyed; the rest of a load's figures are under the table for the chosen load
            shown = history[
                [
                    "state",
                    "upload_id",
                    "loaded_at",
                    "kind",
                    "file_name",
                    "rows_loaded",
                    "rows_updated",
                    "rows_rejected",
                    "loaded_by",
                    "undone_at",
                ]
            ]
            grey = lambda r: ["" if r["state"] == "Active" else "color: #9ca3af; font-style: italic"] * len(r)
            number = lambda label: st.column_config.NumberColumn(label, format="%d")
            show_table(
                shown,
                row_style=grey,
                hide_index=True,
                column_config={
                    "state": st.column_config.TextColumn("State", width="large"),
                    "upload_id": number("Load"),
                    "kind": "Kind",
                    "file_name": st.column_config.TextColumn("File", width="medium"),
                    "loaded_at": st.column_config.DatetimeColumn("Loaded", format="D MMM YYYY HH:mm"),
                    "rows_loaded": number("New"),
                    "rows_updated": number("Updated"),
                    "rows_rejected": number("Rejected"),
                    "loaded_by": "By",
                    "undone_at": None,
                },
            )
            ids = history["upload_id"].tolist()
            labels = {int(r.upload_id): f"{r.upload_id}: {r.kind} · {r.file_name}" for r in history.itertuples()}
            chosen = st.selectbox("Load", ids, format_func=lambda i: labels[int(i)])
            row = history[history["upload_id"] == chosen].iloc[0]
            count = lambda name: f"{int(row[name]):,}" if pd.notna(row[name]) else "0"
            st.caption(
                literal(
                    f"{row['state']}. Load {chosen} ({row['format']}"
                    + (f", into {row['rollout']}" if isinstance(row["rollout"], str) else "")
                    + f"): {count('rows_read')} rows read, {count('rows_loaded')} new, "
                    f"{count('rows_updated')} updated, {count('rows_duplicate')} already loaded, "
                    f"{count('rows_rejected')} rejected, {count('unknown_people')} unknown people."
                )
            )
            for message in row["messages"]:
                st.caption(literal(message))
            left, right = st.columns(2)
            if row["rows_rejected"]:
                rejects = rejected_rows(scope, int(chosen))
                left.download_button(
                    f"Download the rejected rows ({len(rejects)})",
                    safe_csv(rejects),
                    file_name=f"load-{chosen}-rejected.csv",
                    mime="text/csv",
                )
            allowed = may_undo(who, scope.org_id, row["loaded_by"], row["undone_at"], row["undone_by"])
            if not allowed and row["state"] == "Active":
                right.info(literal(allowed.reason), icon=":material/lock:")  # say why there is no undo
            if allowed:
                confirm = right.checkbox(f"Yes, undo load {chosen:d}", key=f"confirm_{chosen}")
                if right.button("Undo this load", disabled=not confirm):
                    try:
                        done = undo(scope, int(chosen))
                        st.session_state.load_report = [f"Undid load {done['upload_id']} ({done['kind']})."]
                    except UndoError as exc:
                        st.error(literal(exc))
                    st.rerun()

if roster_tab.open:  # only the chosen tab runs (a tracked tab: choosing another reruns)
    with roster_tab:
        roster_history.show(scope, rollout)

if people_tab.open:  # only the chosen tab runs (a tracked tab: choosing another reruns)
    with people_tab:
        if rollout is None:
            st.info("Unknown people are counted against a rollout's roster: add a rollout first.")
        else:
            unknown = people.unknown_people(scope, rollout.rollout_id)
            st.caption(
                f"People with usage who are on no roster of {literal(rollout.name)}: they are never counted as "
                "licensed. Add them to the roster, or mark them as not in scope (a service account, a "
                "contractor)."
            )
            if unknown.empty:
                st.success("Everyone with usage is on the roster.")
            else:
                st.metric("Unknown people", len(unknown))
                show_table(
                    unknown,
                    hide_index=True,
                    column_config={
                        "user_id": "Person",
                        "activities": "Activities",
                        "events": "Uses",
                        "active_days": "Days",
                        "first_day": st.column_config.DateColumn("First", format="D MMM YYYY"),
                        "last_day": st.column_config.DateColumn("Last", format="D MMM YYYY"),
                    },
                )
                if who.may("configure", scope.org_id):
                    picked = st.multiselect("People", unknown["user_id"].tolist())
                    left, middle, right = st.columns(3)
                    cohort = left.selectbox("Cohort", list(rollout.cohorts))
                    department = middle.text_input("Department", value="Unassigned")
                    if right.button("Add to the roster", disabled=not picked):
                        result = people.add_to_roster(
                            scope,
                            rollout.name,
                            [{"user_id": u, "department": department, "cohort": cohort} for u in picked],
                        )
                        st.session_state.load_report = [
                            f"Added {result.rows_loaded} to the roster (load "
                            f"{result.upload_id}; undo it in the load history)."
                        ]
                        st.rerun()
                    if right.button("Mark as not in scope", disabled=not picked):
                        people.mark_out_of_scope(scope, rollout.name, picked)
                        st.rerun()
