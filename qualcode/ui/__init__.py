"""The Streamlit app: one module per page (page_*.py) plus small shared helpers.

Pages only call the core package (qualcode.project, qualcode.analysis, ...) and draw.
"""
