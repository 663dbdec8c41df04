"""The decision log, and memos on the project and on codes.

Every existing coding becomes one log row for its creation (suggested, added or
imported) and, for a suggestion already decided, one row for the decision, so no
decision of an older store is lost. Memos may now belong to the project (no
document) or to a code; each existing memo gets its log row too.

Revision ID: 0005
Revises: 0004
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SUGGESTER = "qualcode"
CREATED = {"suggested": "suggest", "manual": "add", "imported": "import"}


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("batch", sa.String(32), nullable=False),
        sa.Column("coding_id", sa.Integer),
        sa.Column("memo_id", sa.Integer),
        sa.Column("document_id", sa.String(200)),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("coder", sa.Text, nullable=False),
        sa.Column("decided_at", sa.String(32), nullable=False),
        sa.Column("codebook_version", sa.Integer),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("undoes", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
    )
    op.create_index("ix_decisions_coder", "decisions", ["coder", "id"])
    op.create_index("ix_decisions_document", "decisions", ["document_id", "id"])
    op.create_index("ix_decisions_coding", "decisions", ["coding_id"])
    with op.batch_alter_table("memos") as batch:
        batch.alter_column("document_id", existing_type=sa.String(200), nullable=True)
        batch.add_column(sa.Column("code_id", sa.String(200)))
    _log_existing(op.get_bind())


def downgrade() -> None:
    """Back to memos that always belong to a transcript: project and code memos cannot exist there, so they go."""
    op.drop_table("decisions")
    op.execute("DELETE FROM memos WHERE document_id IS NULL")
    with op.batch_alter_table("memos") as batch:
        batch.drop_column("code_id")
        batch.alter_column("document_id", existing_type=sa.String(200), nullable=False)


def _log_existing(connection: sa.Connection) -> None:
    """One log row per creation and per decision already in the store, oldest first."""
    rows = []
    for coding in connection.execute(sa.text("SELECT * FROM codings ORDER BY id")).mappings():
        row = dict(coding)
        suggested = row["source"] == "suggested"
        created = dict(row, status="pending", coder=SUGGESTER, decided_at=None) if suggested else row
        rows.append(
            _entry(
                row["created_at"],
                row["id"],
                None,
                row["document_id"],
                CREATED.get(row["source"], "add"),
                created["coder"],
                row["codebook_version"],
                None,
                created,
            )
        )
        if suggested and row["status"] != "pending":
            action = "accept" if row["status"] == "accepted" else "reject"
            rows.append(
                _entry(
                    row["decided_at"] or row["created_at"],
                    row["id"],
                    None,
                    row["document_id"],
                    action,
                    row["coder"],
                    row["codebook_version"],
                    created,
                    row,
                )
            )
    for memo in connection.execute(sa.text("SELECT * FROM memos ORDER BY id")).mappings():
        rows.append(
            _entry(
                memo["created_at"], None, memo["id"], memo["document_id"], "memo", memo["coder"], None, None, dict(memo)
            )
        )
    rows.sort(key=lambda r: (r["decided_at"], r["coding_id"] or 0, r["memo_id"] or 0))
    for number, row in enumerate(rows, 1):
        row["batch"] = f"0005-{number}"
    if rows:
        connection.execute(
            sa.text(
                "INSERT INTO decisions (batch, coding_id, memo_id, document_id, action, coder, decided_at, codebook_version, before, after)"
                " VALUES (:batch, :coding_id, :memo_id, :document_id, :action, :coder, :decided_at, :codebook_version, :before, :after)"
            ),
            rows,
        )


def _entry(when, coding_id, memo_id, document_id, action, coder, version, before, after) -> dict:
    return {
        "decided_at": when,
        "coding_id": coding_id,
        "memo_id": memo_id,
        "document_id": document_id,
        "action": action,
        "coder": coder,
        "codebook_version": version,
        "before": json.dumps(before) if before is not None else None,
        "after": json.dumps(after) if after is not None else None,
    }
