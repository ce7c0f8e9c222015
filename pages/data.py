"""Data: load files (preview and validation before anything is stored), the load history,
rejected rows and undo."""
import hashlib

import pandas as pd
import streamlit as st

from analysis.canonical import OPTIONAL, REQUIRED
from analysis.exports import safe_csv
from analysis.files import FileRefused, read_table
from analysis.ingest import load_file
from analysis.uploads import UndoError, data_version, rejected_rows, undo
from ui import cached
from ui.session import pick_scope, principal, synthetic_banner

KINDS = {"usage": "Usage (who used what, when)", "tickets": "Support tickets",
         "roster": "Roster (the rollout's people and cohorts)"}

st.title("Data")
scope, rollout = pick_scope()
if scope is None:
    st.stop()
synthetic_banner(scope)
who = principal()
version = data_version(scope)
if "upload_round" not in st.session_state:
    st.session_state.upload_round = 0

load_tab, history_tab = st.tabs(["Load files", "Load history"])

with load_tab:
    if not who.may("upload", scope.org_id):
        st.info("Your role can look at the data but not load files.")
    else:
        for line in st.session_state.pop("load_report", []):
            st.success(line)
        kind = st.radio("What is in the files?", list(KINDS), format_func=KINDS.get, horizontal=True)
        rollout_name = rollout.name if rollout else None
        if kind == "roster" and rollout is None:
            st.warning("A roster belongs to a rollout: add a rollout first.")
        st.caption(f"Files load into **{rollout_name or 'the organisation'}**. Columns of a {kind} file: "
                   + ", ".join(f"`{c}`" for c in REQUIRED[kind] + OPTIONAL[kind])
                   + " (in any order and case; see the README for every rule).")
        files = st.file_uploader("CSV files", type=["csv"], accept_multiple_files=True,
                                 key=f"files_{st.session_state.upload_round}")
        ready = []
        for f in files or []:
            data = f.getvalue()
            key = ("preview", hashlib.sha256(data).hexdigest(), kind, rollout_name, version)
            if key not in st.session_state:
                try:
                    st.session_state[key] = load_file(scope, kind, f.name, data, rollout=rollout_name,
                                                      dry_run=True)
                except (FileRefused, LookupError, ValueError) as exc:
                    st.session_state[key] = exc
            outcome = st.session_state[key]
            with st.container(border=True):
                if isinstance(outcome, Exception):
                    messages = getattr(outcome, "messages", [str(outcome)])
                    st.error("**Refused, nothing will be stored.** " + " ".join(messages))
                    continue
                ready.append((f.name, data))
                st.markdown(f"**{f.name}**: {outcome.rows_read:,} rows read → {outcome.rows_loaded:,} new, "
                            f"{outcome.rows_updated:,} updated, {outcome.rows_duplicate:,} already loaded, "
                            f"{outcome.rows_rejected:,} rejected")
                for message in outcome.messages:
                    if "download them" not in message:
                        st.caption(message)
                table = read_table(f.name, data)
                st.dataframe(
                    [dict(zip(table.header, row)) for row in table.rows[:5]], hide_index=True)
                if outcome.rejects:
                    st.markdown("Rows that will be rejected (the rest loads):")
                    st.dataframe([{"line": r.line, "column": r.column, "reason": r.reason}
                                  for r in outcome.rejects[:200]], hide_index=True)
        if ready and st.button(f"Load {len(ready)} file{'s' if len(ready) > 1 else ''}", type="primary"):
            report = []
            with st.status("Loading", expanded=True) as status:
                bar = st.progress(0.0)
                for i, (name, data) in enumerate(ready):
                    def step(fraction, text, i=i, name=name):
                        bar.progress((i + fraction) / len(ready), text=f"{name}: {text}")
                    try:
                        result = load_file(scope, kind, name, data, rollout=rollout_name, progress=step)
                    except (FileRefused, LookupError, ValueError) as exc:
                        st.error(str(exc))
                        continue
                    report.append(f"{name}: load {result.upload_id} stored {result.rows_loaded:,} new rows, "
                                  f"updated {result.rows_updated:,}, skipped {result.rows_duplicate:,} "
                                  f"already loaded, rejected {result.rows_rejected:,}.")
                status.update(label="Loaded", state="complete")
            st.session_state.load_report = report
            st.session_state.upload_round += 1
            st.rerun()

with history_tab:
    history = cached.upload_history(scope, scope.org_id, version)
    if history.empty:
        st.info("Nothing loaded yet.")
    else:
        shown = history[["upload_id", "loaded_at", "kind", "rollout", "file_name", "rows_read", "rows_loaded",
                         "rows_updated", "rows_rejected", "rows_duplicate", "unknown_people", "loaded_by",
                         "undone_at"]]
        number = lambda label: st.column_config.NumberColumn(label, format="%d")
        st.dataframe(shown, hide_index=True, column_config={
            "upload_id": number("Load"), "kind": "Kind", "rollout": "Rollout", "file_name": "File",
            "loaded_at": st.column_config.DatetimeColumn("Loaded", format="D MMM YYYY HH:mm"),
            "rows_read": number("Read"), "rows_loaded": number("New"), "rows_updated": number("Updated"),
            "rows_rejected": number("Rejected"), "rows_duplicate": number("Already loaded"),
            "unknown_people": number("Unknown people"), "loaded_by": "By",
            "undone_at": st.column_config.DatetimeColumn("Undone", format="D MMM YYYY HH:mm"),
        })
        ids = history["upload_id"].tolist()
        labels = {int(r.upload_id): f"{r.upload_id}: {r.kind} · {r.file_name}" for r in history.itertuples()}
        chosen = st.selectbox("Load", ids, format_func=lambda i: labels[int(i)])
        row = history[history["upload_id"] == chosen].iloc[0]
        for message in row["messages"]:
            st.caption(message)
        left, right = st.columns(2)
        if row["rows_rejected"]:
            rejects = rejected_rows(scope, int(chosen))
            left.download_button(f"Download the rejected rows ({len(rejects)})", safe_csv(rejects),
                                 file_name=f"load-{chosen}-rejected.csv", mime="text/csv")
        own = who.role != "client_uploader" or row["loaded_by"] == who.name   # uploaders undo their own loads
        if who.may("undo", scope.org_id) and own and pd.isna(row["undone_at"]):
            confirm = right.checkbox(f"Yes, undo load {chosen}", key=f"confirm_{chosen}")
            if right.button("Undo this load", disabled=not confirm):
                try:
                    done = undo(scope, int(chosen))
                    st.session_state.load_report = [f"Undid load {done['upload_id']} ({done['kind']})."]
                except UndoError as exc:
                    st.error(str(exc))
                st.rerun()
