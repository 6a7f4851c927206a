"""Pure analytics: one module per page, over canonical DataFrames (see data/schema.py). Never imports streamlit."""
