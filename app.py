"""Uptake: the router. Page config, navigation, then the chosen page runs."""
import streamlit as st

st.set_page_config(page_title="Uptake", page_icon=":material/trending_up:", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
]
st.navigation(pages).run()
