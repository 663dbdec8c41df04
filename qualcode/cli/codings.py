"""Commands for codings: import a coding made elsewhere."""

from __future__ import annotations

import click

from .. import project as ops
from ..words import count
from .base import main, open_store


@main.command(name="import-codings")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--coder", help="Whose coding this is; overrides a `coder` column in the file (without it, the column says)."
)
@click.option("--status", type=click.Choice(["accepted", "pending"]), default="accepted", show_default=True)
@click.pass_context
def import_codings(ctx: click.Context, file: str, coder: str | None, status: str) -> None:
    """Load codings from a CSV (document_id, start, end, code_id[, quote]); all rows or none.

    A file of unit_id, code codes whole units of an imported table of units.

    A quote that no longer matches the text at its offsets is found again in the
    document; one that is nowhere refuses the file, naming the row.

    Example:

        \b
        qualcode import-codings transcripts_sample/gold_codings.csv --coder gold --status accepted
        qualcode import-codings unit_codings.csv --coder analyst
    """
    with open_store(ctx) as store:
        report = ops.import_codings(store, file, coder, status)
    for note in report.moved:
        click.echo(note, err=True)
    if report.overridden:
        click.echo(
            f"The file's coder column ({', '.join(report.overridden)}) was overridden: every row is stored as `{coder}`.",
            err=True,
        )
    names = report.coders or [coder or ""]
    whose = f"coder `{names[0]}`" if len(names) == 1 else "coders " + ", ".join(f"`{c}`" for c in names)
    were = "was" if report.already_there == 1 else "were"
    held = (
        f"; {report.already_there} {were} already in the store and {were} not added again"
        if report.already_there
        else ""
    )
    click.echo(f"Imported {count(report.added, 'coding')} from {file} as {whose} ({status}){held}.")
