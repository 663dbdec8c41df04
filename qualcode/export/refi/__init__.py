"""Exchange with other qualitative analysis tools through the REFI-QDA standard, in both directions.

- common: GUIDs, safe XML parsing and the code tree every REFI file shares.
- qdc: codebook files; qdpx: project files (read into and written from plain data).
- project: a store to and from a .qdpx project (the step that touches the store).
"""
