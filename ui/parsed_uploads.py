"""Each uploaded file is read once per (organisation, content), not on every rerun of the Data page.

The table is kept in this session's state only (never shared between sessions, so never between
organisations), keyed by organisation id, sha256 and file name, and dropped when the file leaves
the uploader; so are the file's bytes Streamlit holds (release below). Reading holds the
organisation's load slot (analysis/load_slots.py), so a big file read by one person does not run
alongside another load for the same organisation.
"""

from __future__ import annotations

import hashlib

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from analysis.files import FileRefused, Table, read_head, read_table
from analysis.load_slots import load_slot

# Above this a file is kept as its header and first rows only: the loader reads the rest itself
# (a usage CSV straight into DuckDB: analysis/ingest/staging.py), so a 200 MB upload is never
# held twice, once as bytes and once as Python rows.
WHOLE_BELOW = 10 * 1024 * 1024

TABLES = "_parsed_uploads"
HASHES = "_upload_sha256"


def sha256(upload) -> str:
    """The file's sha256, computed once per uploaded file (hashing 200 MB takes a while)."""
    hashes = st.session_state.setdefault(HASHES, {})
    if upload.file_id not in hashes:
        hashes[upload.file_id] = hashlib.sha256(upload.getvalue()).hexdigest()
    return hashes[upload.file_id]


def parsed(org_id: int, upload) -> Table | FileRefused:
    """The file read by read_table (its head only when it is big), or why it was refused; LoadBusy
    (not kept) while another load for the organisation runs."""
    tables = st.session_state.setdefault(TABLES, {})
    key = (org_id, sha256(upload), upload.name)
    if key not in tables:
        with load_slot(org_id, upload.name):
            try:
                data = upload.getvalue()
                read = read_table if len(data) < WHOLE_BELOW else read_head
                tables[key] = read(upload.name, data)
            except FileRefused as exc:
                tables[key] = exc
    return tables[key]


def keep_only(org_id: int, uploads) -> None:
    """Forget the tables, hashes and bytes of files no longer in the uploader (their memory goes)."""
    ids = {u.file_id for u in uploads}
    hashes = st.session_state.setdefault(HASHES, {})
    for file_id in set(hashes) - ids:
        del hashes[file_id]
        release(file_id)
    current = {(org_id, hashes[u.file_id], u.name) for u in uploads if u.file_id in hashes}
    tables = st.session_state.setdefault(TABLES, {})
    for key in set(tables) - current:
        del tables[key]


def forget_all() -> None:
    """Forget every file of the Data page's uploader: it is not on the page any more (another page, or
    another tab of the Data page, was chosen), and Streamlit shows it empty when it comes back."""
    if st.session_state.get(HASHES) or st.session_state.get(TABLES):
        keep_only(0, [])


def release(file_id: str) -> None:
    """Drop an uploaded file's bytes from Streamlit's uploaded-file store.

    Streamlit frees them only when the browser removes the file from its uploader, or when the
    session ends. The Data page's uploader gets a new key after a load and for another organisation,
    and the browser never removes a file from an uploader that is gone: without this, a 200 MB file
    stayed in the server's memory for the rest of the session after it had loaded
    (docs/performance.md#a-200-mb-file-uploaded-in-the-browser). st.chat_input frees its files the
    same way; remove_file belongs to Streamlit's in-memory store, not to its protocol, hence the guard."""
    ctx = get_script_run_ctx()
    remove = getattr(ctx.uploaded_file_mgr, "remove_file", None) if ctx is not None else None
    if remove is not None:
        remove(session_id=ctx.session_id, file_id=file_id)
