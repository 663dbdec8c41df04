"""The coding store's tables (SQLAlchemy Core). Migrations create them; queries use these objects.

Keep this file and the newest migration in step: a test checks they describe the same schema.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

codebook_versions = Table(
    "codebook_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("yaml", Text, nullable=False),
    Column("author", Text, nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
    Column("created_at", String(32), nullable=False),
)

codes = Table(
    "codes",
    metadata,
    Column("version", Integer, ForeignKey("codebook_versions.version", ondelete="CASCADE"), primary_key=True),
    Column("code_id", String(200), primary_key=True),
    Column("label", Text, nullable=False),
    Column("parent_id", String(200)),
    Column("theme_id", String(200), nullable=False),
    Column("colour", String(16)),
    Column("position", Integer, nullable=False),
)

documents = Table(
    "documents",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("title", Text, nullable=False, default=""),
    Column("source_path", Text, nullable=False, default=""),
    Column("format", String(16), nullable=False),
    Column("encoding", String(32)),
    Column("content_hash", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("word_count", Integer, nullable=False),
    Column("imported_at", String(32), nullable=False),
    Column("creator", Text),  # the user who brought it into the tool it came from (a .qdpx's creatingUser)
    Column("created_at", String(32)),  # when it was brought into that tool (a .qdpx source's creationDateTime)
)

attributes = Table(
    "attributes",
    metadata,
    Column("document_id", String(200), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

turns = Table(
    "turns",
    metadata,
    Column("document_id", String(200), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("speaker", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("attributes", Text, nullable=False, default="{}"),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(200), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("turn_position", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speaker", Text, nullable=False),
    Column("text", Text, nullable=False),
    Index("ix_segments_document", "document_id", "position"),
)

codings = Table(
    "codings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(200), ForeignKey("documents.id"), nullable=False),
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="SET NULL")),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", String(200), nullable=False),
    Column("coder", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("confidence", Float),
    Column("evidence", Text, nullable=False, default="{}"),
    Column("codebook_version", Integer, ForeignKey("codebook_versions.version"), nullable=False),
    Column("quote", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("decided_at", String(32)),
    Index("ix_codings_document", "document_id"),
    Index("ix_codings_segment", "segment_id"),
    Index("ix_codings_code_status", "code_id", "status"),
    Index("ix_codings_progress", "document_id", "status", "segment_id"),
)

memos = Table(
    "memos",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", String(200), ForeignKey("documents.id", ondelete="CASCADE")),
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="SET NULL")),
    Column("coding_id", Integer, ForeignKey("codings.id", ondelete="SET NULL")),
    Column("code_id", String(200)),
    Column("coder", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("guid", String(64)),  # the GUID it had as a Note in the tool it came from, written back on export
)

# Everyone the project knows by name: coders, and users another tool listed who made no coding,
# with the GUID that tool gave them (so an exported .qdpx names them the same way).
users = Table(
    "users",
    metadata,
    Column("name", Text, primary_key=True),  # as a coding's coder: any length
    Column("guid", String(64)),
    Column("added_at", String(32), nullable=False),
)

# The decision log: append-only, one row per decision on a coding (or a memo), in the
# order made. `before` and `after` hold the coding row as JSON (None: it did not / no
# longer exists), so an undo restores exactly; an undo is itself a row naming the
# decision it reverts. Decisions made by one action (a bulk accept) share a batch.
decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch", String(32), nullable=False),
    Column("coding_id", Integer),
    Column("memo_id", Integer),
    Column("document_id", String(200)),
    Column("action", String(16), nullable=False),
    Column("coder", Text, nullable=False),
    Column("decided_at", String(32), nullable=False),
    Column("codebook_version", Integer),
    Column("before", Text),
    Column("after", Text),
    Column("undoes", Integer),
    Index("ix_decisions_coder", "coder", "id"),
    Index("ix_decisions_document", "document_id", "id"),
    Index("ix_decisions_coding", "coding_id"),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identifier", Text, nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("added_at", String(32), nullable=False),
)

segment_encodings = Table(
    "segment_encodings",
    metadata,
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True),
    Column("embedder", String(100), primary_key=True),
    Column("text_hash", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

# What suggesting learned, kept so a run repeats no work: each passage's lemmas and keyword
# matches (by text, per keyword set), and fitted models and corpus statistics (by what they saw).
text_analyses = Table(
    "text_analyses",
    metadata,
    Column("signature", String(64), primary_key=True),
    Column("text_hash", String(64), primary_key=True),
    Column("lemmas", Text, nullable=False),
    Column("rules", Text, nullable=False),
)

fitted_models = Table(
    "fitted_models",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("signature", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Index("ix_fitted_models_signature", "signature", "kind"),
)

# A summary a researcher wrote for one cell of a framework matrix (rows grouped by the
# attribute `rows_by`, the row `row_value`, the column `code_id`): appended, never
# overwritten; the newest per cell is in force and a recomputed summary never replaces it.
framework_edits = Table(
    "framework_edits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rows_by", String(200), nullable=False),
    Column("row_value", Text, nullable=False),
    Column("code_id", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("edited_at", String(32), nullable=False),
    Index("ix_framework_edits_cell", "rows_by", "row_value", "code_id", "id"),
)
