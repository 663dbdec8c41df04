"""Suggest keeps what it learned: each passage's lemmas and keyword matches, fitted models and corpus statistics,
so a run with no new decisions fits nothing and a new transcript is read alone.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "text_analyses",
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("lemmas", sa.Text, nullable=False),
        sa.Column("rules", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("signature", "text_hash", name="pk_text_analyses"),
    )
    op.create_table(
        "fitted_models",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_fitted_models"),
    )
    op.create_index("ix_fitted_models_signature", "fitted_models", ["signature", "kind"])


def downgrade() -> None:
    op.drop_index("ix_fitted_models_signature", table_name="fitted_models")
    op.drop_table("fitted_models")
    op.drop_table("text_analyses")
