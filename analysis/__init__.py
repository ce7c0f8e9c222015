"""Uptake's analysis layer: storage, loading and metrics. Pure Python and SQL, no Streamlit."""
