"""`qualcode export ...`: tables out of the store."""

from __future__ import annotations

import click

from .. import project as ops
from ..exports import write_table
from .base import main, project

FORMATS = click.Choice(["csv", "xlsx", "md"])


def output_options(function):
    """--format and -o, shared by every export command."""
    function = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write ('-' for stdout).")(function)
    return click.option("--format", "fmt", type=FORMATS, default="csv", show_default=True, help="File format.")(function)


@main.group()
def export() -> None:
    """Write segments, codings and report tables to files."""


@export.command(name="segments")
@output_options
@click.pass_context
def export_segments(ctx: click.Context, fmt: str, output: str) -> None:
    """Participant segments: document_id, role, segment_id, start, end, speaker, text.

    Example:

        qualcode export segments --format csv -o segments.csv
    """
    with project(ctx) as store:
        rows = ops.export_segments_rows(store)
    write_table(rows, ["document_id", "role", "segment_id", "start", "end", "speaker", "text"], fmt, output)
    if output != "-":
        click.echo(f"Wrote {len(rows)} segments to {output}.")
