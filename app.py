"""qualcode's Streamlit app: `streamlit run app.py -- --db PATH` (default $QUALCODE_DB or ./qualcode.db)."""

from qualcode.ui.main import run

run()
