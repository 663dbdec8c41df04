"""Segment encodings: each segment's meaning vector, computed once per embedder and kept, so suggesting again does not re-encode.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "segment_encodings",
        sa.Column("segment_id", sa.Integer, nullable=False),
        sa.Column("embedder", sa.String(100), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name="fk_segment_encodings_segment_id_segments", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("segment_id", "embedder", name="pk_segment_encodings"),
    )


def downgrade() -> None:
    op.drop_table("segment_encodings")
