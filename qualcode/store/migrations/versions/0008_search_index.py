"""Text search and framework summaries: a full-text index of transcript turns, and the researcher's own cell summaries.

`turn_search`, one row per transcript turn (filled before the first search): on SQLite an
FTS5 table, on PostgreSQL a table of each turn's words as a tsvector under a GIN index. Both: `framework_edits`, a summary a researcher wrote
for one cell of a framework matrix, with its author and time (newest per cell in force).

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE turn_search USING fts5(document_id UNINDEXED, position UNINDEXED, "
            "fingerprint UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE turn_search (document_id VARCHAR(200) NOT NULL, position INTEGER NOT NULL, "
            "fingerprint TEXT NOT NULL, text TEXT NOT NULL, words TSVECTOR NOT NULL, "
            "CONSTRAINT pk_turn_search PRIMARY KEY (document_id, position))"
        )
        op.execute("CREATE INDEX ix_turn_search_words ON turn_search USING gin (words)")
    op.create_table(
        "framework_edits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rows_by", sa.String(200), nullable=False),
        sa.Column("row_value", sa.Text, nullable=False),
        sa.Column("code_id", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("edited_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_framework_edits"),
    )
    op.create_index("ix_framework_edits_cell", "framework_edits", ["rows_by", "row_value", "code_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_framework_edits_cell", "framework_edits")
    op.drop_table("framework_edits")
    op.execute("DROP TABLE turn_search")
