"""The first schema: codebook versions, documents with turns and segments, codings.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "codebook_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("version", name="pk_codebook_versions"),
    )
    op.create_table(
        "codes",
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("code_id", sa.String(200), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("parent_id", sa.String(200)),
        sa.Column("theme_id", sa.String(200), nullable=False),
        sa.Column("colour", sa.String(16)),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("version", "code_id", name="pk_codes"),
        sa.ForeignKeyConstraint(
            ["version"], ["codebook_versions.version"], ondelete="CASCADE", name="fk_codes_version_codebook_versions"
        ),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("source_path", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("encoding", sa.String(32)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("word_count", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
    )
    op.create_table(
        "attributes",
        sa.Column("document_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "name", name="pk_attributes"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], ondelete="CASCADE", name="fk_attributes_document_id_documents"
        ),
    )
    op.create_table(
        "turns",
        sa.Column("document_id", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("speaker", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "position", name="pk_turns"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], ondelete="CASCADE", name="fk_turns_document_id_documents"
        ),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(200), nullable=False),
        sa.Column("turn_position", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("speaker", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_segments"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], ondelete="CASCADE", name="fk_segments_document_id_documents"
        ),
    )
    op.create_index("ix_segments_document", "segments", ["document_id", "position"])
    op.create_table(
        "codings",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(200), nullable=False),
        sa.Column("segment_id", sa.Integer),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("code_id", sa.String(200), nullable=False),
        sa.Column("coder", sa.Text, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("codebook_version", sa.Integer, nullable=False),
        sa.Column("quote", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("decided_at", sa.String(32)),
        sa.PrimaryKeyConstraint("id", name="pk_codings"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_codings_document_id_documents"),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], ondelete="SET NULL", name="fk_codings_segment_id_segments"
        ),
        sa.ForeignKeyConstraint(
            ["codebook_version"], ["codebook_versions.version"], name="fk_codings_codebook_version_codebook_versions"
        ),
    )
    op.create_index("ix_codings_document", "codings", ["document_id"])
    op.create_index("ix_codings_segment", "codings", ["segment_id"])
    op.create_index("ix_codings_code_status", "codings", ["code_id", "status"])


def downgrade() -> None:
    for table in ("codings", "segments", "turns", "attributes", "documents", "codes", "codebook_versions"):
        op.drop_table(table)
