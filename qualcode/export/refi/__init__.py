"""Exchange with other qualitative analysis tools through the REFI-QDA standard, in both directions.

- common: GUIDs, safe XML parsing and the code tree every REFI file shares.
- qdc: codebook files; qdpx: project files, read into and written from plain data (the
  service, `qualcode.project.exchange`, moves that data to and from the store).
"""
