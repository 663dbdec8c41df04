"""Commands for the decision log: `history` shows it, `undo` reverts a coder's last action."""

from __future__ import annotations

import click

from .. import project as ops
from ..project.identifiers import masker_for
from .base import echo_table, main, open_store

COLUMNS = [
    "decision",
    "time",
    "coder",
    "action",
    "document_id",
    "coding_id",
    "code_id",
    "status",
    "codebook_version",
    "undoes",
]


@main.command()
@click.option("--document", "document_id", help="Only decisions on this transcript.")
@click.option("--coder", help="Only this coder's decisions.")
@click.option("--last", type=click.IntRange(min=1), help="Only the last N decisions.")
@click.pass_context
def history(ctx: click.Context, document_id: str | None, coder: str | None, last: int | None) -> None:
    """The decision log, oldest first: who decided what, when, under which codebook version.

    Every suggestion, accept, reject, added or removed coding, memo and undo is a row;
    nothing in the log is ever changed.

    Example:

        \b
        qualcode history --document JC05 --coder carol
    """
    with open_store(ctx) as store:
        rows = ops.history(store, document_id, coder, last)
        masker = masker_for(store)
    if not rows:
        click.echo(
            "No decisions yet" + (f" by {coder}" if coder else "") + (f" on {document_id}" if document_id else "") + "."
        )
        return
    echo_table(*masker.mask_rows(rows, COLUMNS))


@main.command()
@click.option("--coder", required=True, help="Whose last action to revert.")
@click.pass_context
def undo(ctx: click.Context, coder: str) -> None:
    """Revert the coder's last action (a bulk accept counts as one); the undo is logged. Repeat to go further back.

    Example:

        \b
        qualcode undo --coder carol
    """
    with open_store(ctx) as store:
        reverted = ops.undo(store, coder)
    for row in reverted:
        state = row["after"] or row["before"] or {}
        if row["memo_id"] is not None:
            click.echo(f"Undid {row['coder']}'s memo {row['memo_id']} (decision {row['id']}).")
        else:
            click.echo(
                f"Undid {row['coder']}'s {row['action']} of {state.get('code_id')} (decision {row['id']}, coding {row['coding_id']})."
            )
