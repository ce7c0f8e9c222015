"""First start: create the first admin account with the one-time code from the app's console."""

import streamlit as st

from analysis import auth
from ui import session
from ui.text import literal

handle = session.store()
if not auth.has_setup_code(handle):
    print(f"Uptake setup code (valid 24 hours): {auth.new_setup_code(handle)}", flush=True)

st.title("Set up Uptake")
st.markdown(
    "Uptake has no accounts yet. Create the first **admin** account. The **setup code** is "
    "printed on the console where the app was started (`make run`), so only someone with "
    "access to the server can do this."
)
with st.form("setup"):
    code = st.text_input("Setup code")
    email = st.text_input("Email")
    password = st.text_input("Password", type="password", help=f"At least {auth.MIN_PASSWORD} characters.")
    again = st.text_input("Password again", type="password")
    submitted = st.form_submit_button("Create the admin account", type="primary")
if submitted:
    if password != again:
        st.error("The two passwords differ.")
    else:
        try:
            who = auth.create_first_admin(handle, code, email, password)
        except auth.AccountError as exc:
            st.error(f"Not created: {literal(exc)}.")
        else:
            session.sign_in(handle, who)
            st.rerun()
