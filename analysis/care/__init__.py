"""Data care (issue 17): load attempts (crash safety), backup and restore, erasure of one
person, off-boarding of an organisation. No Streamlit here."""
