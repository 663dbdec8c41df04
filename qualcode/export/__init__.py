"""What crosses the project's edge: the one guarded writer, masking, report tables and REFI-QDA files.

- writer: every file qualcode writes goes through it (atomic, never onto the store).
- masking, names: identifiers masked in every export and on screen.
- reports/: quote, frequency and code-report tables for a write-up.
- refi/: REFI-QDA codebooks (.qdc) and projects (.qdpx), read and written.
"""
