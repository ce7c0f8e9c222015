"""Data: load files as they come out of the tools (preview and validation before anything is
stored), the load history with rejected rows and undo, unknown people, company mappings."""
import pandas as pd
import streamlit as st

from analysis import formats, people, presets
from analysis.canonical import fields
from analysis.exports import safe_csv
from analysis.files import FileRefused
from analysis.ingest import load_file, table_kind
from analysis.load_slots import LoadBusy
from analysis.undo_rule import may_undo
from analysis.uploads import UndoError, data_version, rejected_rows, undo
from ui import cached
from ui.parsed_uploads import keep_only, parsed, sha256
from ui.session import pick_scope, principal, synthetic_banner
from ui.text import literal

KIND_LABELS = {"detect": "Detect from the file", "usage": "Usage (who used what, when)",
               "tickets": "Support tickets", "roster": "Roster (the rollout's people and cohorts)"}
DATE_ORDERS = {"Decide from the values": None, "Day first (31/12/2025)": True, "Month first (12/31/2025)": False}
NOT_IN_FILE = "(not in this file)"

st.title("Data")
scope, rollout = pick_scope()
if scope is None:
    st.stop()
synthetic_banner(scope)
who = principal()
version = data_version(scope)
st.session_state.setdefault("upload_round", 0)
load_tab, history_tab, people_tab = st.tabs(["Load files", "Load history", "Unknown people"])

with load_tab:
    for line in st.session_state.pop("load_report", []):
        st.success(literal(line))   # file names are the uploader's words
    rollout_name = rollout.name if rollout else None
    files = st.file_uploader("Files: CSV or Excel, as exported from Microsoft 365, Zendesk, ServiceNow, Jira, "
                             "Freshdesk ... or in Uptake's own columns",
                             type=["csv", "tsv", "txt", "xlsx", "xls", "ods"], accept_multiple_files=True,
                             key=f"files_{st.session_state.upload_round}")
    left, middle, right = st.columns(3)
    kind_choice = left.selectbox("What is in the files?", list(KIND_LABELS), format_func=KIND_LABELS.get)
    saved = presets.presets(scope)
    format_labels = {"auto": "Recognise automatically", "canonical": "Uptake's own columns"}
    format_labels.update({f.name: f.label[0].upper() + f.label[1:] for f in formats.registry()})
    format_labels.update({p.name: f"Saved mapping: {p.name}" for p in saved})
    format_choice = middle.selectbox("Format", list(format_labels), format_func=format_labels.get)
    dayfirst = DATE_ORDERS[right.radio("Dates like 03/04/2025", list(DATE_ORDERS), horizontal=False)]
    st.caption(f"Files load into **{rollout_name or 'the organisation'}**. A file that cannot be read is "
               "refused whole; a bad row is rejected alone and kept with its line, column and reason.")
    mapping = {}
    keep_only(scope.org_id, files or [])
    tables, busy = {}, []
    for f in files or []:
        try:
            tables[f.file_id] = parsed(scope.org_id, f)   # read once per (organisation, file), not per rerun
        except LoadBusy as exc:
            busy.append(f.name)
            st.warning(literal(" ".join(exc.messages)))
    if files:
        with st.expander("Map the columns by hand (for files of no known format)"):
            kind_for_map = kind_choice if kind_choice != "detect" else "tickets"
            first = tables.get(files[0].file_id)
            header = first.header if first is not None and not isinstance(first, FileRefused) else []
            st.caption(f"Which column of **{files[0].name}** holds each of Uptake's fields "
                       f"({kind_for_map}; choose the kind above):")
            cols = st.columns(3)
            for i, name in enumerate(fields(kind_for_map)):
                picked = cols[i % 3].selectbox(name, [NOT_IN_FILE, *header], key=f"map_{kind_for_map}_{name}")
                if picked != NOT_IN_FILE:
                    mapping[name] = picked
            if mapping and who.may("configure", scope.org_id):
                preset_name = st.text_input("Save this mapping as")
                if st.button("Save mapping", disabled=not preset_name.strip()):
                    try:
                        presets.save_preset(scope, preset_name, kind_for_map, mapping, dayfirst)
                        st.success(f"Saved: choose \u201cSaved mapping: {preset_name.strip()}\u201d next time, "
                                   f"or pass --format \"{preset_name.strip()}\" to the command line.")
                    except ValueError as exc:
                        st.error(str(exc))
    ready = []
    for f in files or []:
        table = tables.get(f.file_id)
        if table is None:
            continue      # another load for the organisation is running: said above, the file stays
        data = f.getvalue()
        refused = table if isinstance(table, FileRefused) else None
        kind = kind_choice if kind_choice != "detect" else (None if refused else table_kind(table))
        key = ("preview", scope.org_id, sha256(f), kind, rollout_name, version, format_choice,
               tuple(sorted(mapping.items())), dayfirst)
        with st.container(border=True):
            if refused is None and kind is None:
                st.error(f"**{literal(f.name)}**: Uptake cannot tell what this file holds. Choose what is in it above, "
                         "or map its columns by hand.")
                continue
            if key not in st.session_state:
                try:
                    st.session_state[key] = refused or load_file(
                        scope, kind, f.name, data, rollout=rollout_name, dry_run=True, format=format_choice,
                        mapping=mapping or None, dayfirst=dayfirst, table=table)
                except LoadBusy as exc:     # not kept: the preview runs again on the next rerun
                    busy.append(f.name)
                    st.warning(literal(" ".join(exc.messages)))
                    continue
                except (FileRefused, LookupError, ValueError) as exc:
                    st.session_state[key] = exc
            outcome = st.session_state[key]
            if isinstance(outcome, Exception):
                messages = getattr(outcome, "messages", [str(outcome)])
                st.error("**Refused, nothing will be stored.** " + literal(" ".join(messages)))
                continue
            ready.append((f.name, data, kind, table))
            st.markdown(f"**{literal(f.name)}** ({kind}): {outcome.rows_read:,} rows read → "
                        f"{outcome.rows_loaded:,} new, "
                        f"{outcome.rows_updated:,} updated, {outcome.rows_duplicate:,} already loaded, "
                        f"{outcome.rows_rejected:,} rejected")
            for message in outcome.messages:
                if "download them" not in message:
                    st.caption(literal(message))
            if outcome.preview:
                st.caption("The first rows as they will be stored:")
                st.dataframe(pd.DataFrame(outcome.preview), hide_index=True)
            if outcome.rejects:
                st.markdown("Rows that will be rejected (the rest loads):")
                st.dataframe([{"line": r.line, "column": r.column, "reason": r.reason}
                              for r in outcome.rejects[:200]], hide_index=True)
    if ready and st.button(f"Load {len(ready)} file{'s' if len(ready) > 1 else ''}", type="primary"):
        report = []
        with st.status("Loading", expanded=True) as status:
            bar = st.progress(0.0)
            for i, (name, data, kind, table) in enumerate(ready):
                def step(fraction, text, i=i, name=name):
                    bar.progress((i + fraction) / len(ready), text=f"{name}: {text}")
                try:
                    result = load_file(scope, kind, name, data, rollout=rollout_name, progress=step,
                                       format=format_choice, mapping=mapping or None, dayfirst=dayfirst,
                                       table=table)
                except LoadBusy as exc:
                    busy.append(name)
                    st.warning(literal(" ".join(exc.messages)))
                    continue
                except (FileRefused, LookupError, ValueError) as exc:
                    st.error(literal(exc))
                    continue
                report.append(f"{name}: load {result.upload_id} stored {result.rows_loaded:,} new rows, "
                              f"updated {result.rows_updated:,}, skipped {result.rows_duplicate:,} "
                              f"already loaded, rejected {result.rows_rejected:,}.")
            status.update(label="Loaded", state="complete")
        st.session_state.load_report = report
        if not busy:      # a file refused as busy stays in the uploader, to be loaded again
            st.session_state.upload_round += 1
            st.rerun()

with history_tab:
    history = cached.upload_history(scope, scope.org_id, version)
    if history.empty:
        st.info("Nothing loaded yet.")
    else:
        # the state first (an undone load looked active unless one scrolled sideways), undone rows
        # greyed; the rest of a load's figures are under the table for the chosen load
        shown = history[["state", "upload_id", "loaded_at", "kind", "file_name", "rows_loaded", "rows_updated",
                         "rows_rejected", "loaded_by", "undone_at"]]
        grey = lambda r: ["" if r["state"] == "Active" else "color: #9ca3af; font-style: italic"] * len(r)
        number = lambda label: st.column_config.NumberColumn(label, format="%d")
        st.dataframe(shown.style.apply(grey, axis=1), hide_index=True, column_config={
            "state": st.column_config.TextColumn("State", width="large"), "upload_id": number("Load"),
            "kind": "Kind", "file_name": st.column_config.TextColumn("File", width="medium"),
            "loaded_at": st.column_config.DatetimeColumn("Loaded", format="D MMM YYYY HH:mm"),
            "rows_loaded": number("New"), "rows_updated": number("Updated"), "rows_rejected": number("Rejected"),
            "loaded_by": "By", "undone_at": None,
        })
        ids = history["upload_id"].tolist()
        labels = {int(r.upload_id): f"{r.upload_id}: {r.kind} · {r.file_name}" for r in history.itertuples()}
        chosen = st.selectbox("Load", ids, format_func=lambda i: labels[int(i)])
        row = history[history["upload_id"] == chosen].iloc[0]
        count = lambda name: f"{int(row[name]):,}" if pd.notna(row[name]) else "0"
        st.caption(literal(f"{row['state']}. Load {chosen} ({row['format']}"
                           + (f", into {row['rollout']}" if isinstance(row["rollout"], str) else "")
                           + f"): {count('rows_read')} rows read, {count('rows_loaded')} new, "
                           f"{count('rows_updated')} updated, {count('rows_duplicate')} already loaded, "
                           f"{count('rows_rejected')} rejected, {count('unknown_people')} unknown people."))
        for message in row["messages"]:
            st.caption(literal(message))
        left, right = st.columns(2)
        if row["rows_rejected"]:
            rejects = rejected_rows(scope, int(chosen))
            left.download_button(f"Download the rejected rows ({len(rejects)})", safe_csv(rejects),
                                 file_name=f"load-{chosen}-rejected.csv", mime="text/csv")
        allowed = may_undo(who, scope.org_id, row["loaded_by"], row["undone_at"], row["undone_by"])
        if not allowed and row["state"] == "Active":
            right.info(allowed.reason, icon=":material/lock:")   # say why there is no undo
        if allowed:
            confirm = right.checkbox(f"Yes, undo load {chosen}", key=f"confirm_{chosen}")
            if right.button("Undo this load", disabled=not confirm):
                try:
                    done = undo(scope, int(chosen))
                    st.session_state.load_report = [f"Undid load {done['upload_id']} ({done['kind']})."]
                except UndoError as exc:
                    st.error(str(exc))
                st.rerun()

with people_tab:
    if rollout is None:
        st.info("Unknown people are counted against a rollout's roster: add a rollout first.")
    else:
        unknown = people.unknown_people(scope, rollout.rollout_id)
        st.caption(f"People with usage who are on no roster of {rollout.name}: they are never counted as "
                   "licensed. Add them to the roster, or mark them as not in scope (a service account, a "
                   "contractor).")
        if unknown.empty:
            st.success("Everyone with usage is on the roster.")
        else:
            st.metric("Unknown people", len(unknown))
            st.dataframe(unknown, hide_index=True, column_config={
                "user_id": "Person", "activities": "Activities", "events": "Uses", "active_days": "Days",
                "first_day": st.column_config.DateColumn("First", format="D MMM YYYY"),
                "last_day": st.column_config.DateColumn("Last", format="D MMM YYYY")})
            if who.may("configure", scope.org_id):
                picked = st.multiselect("People", unknown["user_id"].tolist())
                left, middle, right = st.columns(3)
                cohort = left.selectbox("Cohort", list(rollout.cohorts))
                department = middle.text_input("Department", value="Unassigned")
                if right.button("Add to the roster", disabled=not picked):
                    result = people.add_to_roster(scope, rollout.name, [
                        {"user_id": u, "department": department, "cohort": cohort} for u in picked])
                    st.session_state.load_report = [f"Added {result.rows_loaded} to the roster (load "
                                                    f"{result.upload_id}; undo it in the load history)."]
                    st.rerun()
                if right.button("Mark as not in scope", disabled=not picked):
                    people.mark_out_of_scope(scope, rollout.name, picked)
                    st.rerun()
