"""Users of the project, who brought each source in, and the GUIDs of memos from other tools.

`users`: everyone a project knows by name (coders, and users another tool listed who made
no coding), with the GUID that tool gave them, so an exported .qdpx names them again.
`documents.creator` and `documents.created_at`: who brought the transcript into the tool it came from, and when.
`memos.guid`: the GUID a memo (a REFI-QDA Note) had in the tool it came from, written back on export.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("guid", sa.String(64)),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_users"),
    )
    op.add_column("documents", sa.Column("creator", sa.Text))
    op.add_column("documents", sa.Column("created_at", sa.String(32)))
    op.add_column("memos", sa.Column("guid", sa.String(64)))


def downgrade() -> None:
    """Back to a store that knows coders only by their work: idle users, source origins and memo GUIDs go."""
    op.drop_column("memos", "guid")
    op.drop_column("documents", "created_at")
    op.drop_column("documents", "creator")
    op.drop_table("users")
