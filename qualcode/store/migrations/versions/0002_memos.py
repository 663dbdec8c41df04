"""Memos: a coder's notes attached to a document, a segment or a coding.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memos",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.String(200), nullable=False),
        sa.Column("segment_id", sa.Integer),
        sa.Column("coding_id", sa.Integer),
        sa.Column("coder", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_memos"),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], ondelete="CASCADE", name="fk_memos_document_id_documents"
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], ondelete="SET NULL", name="fk_memos_segment_id_segments"
        ),
        sa.ForeignKeyConstraint(["coding_id"], ["codings.id"], ondelete="SET NULL", name="fk_memos_coding_id_codings"),
    )


def downgrade() -> None:
    op.drop_table("memos")
