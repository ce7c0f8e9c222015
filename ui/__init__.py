"""The one Streamlit-aware helper layer between pages and analysis."""
