"""The store: canonical schema, ingest, repository, demo workspace. Never imports streamlit."""
