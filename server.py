"""The app server: app.py (the Streamlit router) plus a background pass over the inbox folder,
so scheduled loads (a nightly export dropped by a script) reach the database the app holds.

`make run` starts this with `streamlit run server.py`.
"""
import asyncio
import logging
import os
from contextlib import asynccontextmanager

import streamlit as st

from analysis.inbox import process_inbox
from analysis.seed import ensure_demo
from analysis.store import db_path, shared_store

log = logging.getLogger("uptake.inbox")
INTERVAL = float(os.environ.get("UPTAKE_INBOX_SECONDS", "30"))


async def _watch_inbox():
    store = shared_store(db_path())
    ensure_demo(store)
    while True:
        try:
            for record in await asyncio.to_thread(process_inbox, store):
                log.warning("inbox: %s", record)
        except Exception:  # keep watching; the failure is in the log
            log.exception("inbox pass failed")
        await asyncio.sleep(INTERVAL)


@asynccontextmanager
async def lifespan(app):
    task = asyncio.create_task(_watch_inbox())
    yield
    task.cancel()


app = st.App("app.py", lifespan=lifespan)
