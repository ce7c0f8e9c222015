"""The sign-in cookie's name, in a module of its own: server.py and ui/origin.py need it before
Streamlit's runtime exists, and importing ui/session.py for it would import ui/cached.py, whose
st.cache_data decorators then print "No runtime found, using MemoryCacheStorageManager" once each
at every start."""

COOKIE = "uptake_session"
