"""Codings by document, status and segment: one index so coding progress per transcript reads no table rows.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_codings_progress", "codings", ["document_id", "status", "segment_id"])


def downgrade() -> None:
    op.drop_index("ix_codings_progress", table_name="codings")
