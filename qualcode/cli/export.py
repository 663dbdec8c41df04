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
    """Participant segments: document_id, role, segment_id, start, end, speaker, media_time, text.

    Example:

        qualcode export segments --format csv -o segments.csv
    """
    with project(ctx) as store:
        rows = ops.export_segments_rows(store)
    write_table(rows, ["document_id", "role", "segment_id", "start", "end", "speaker", "media_time", "text"], fmt, output)
    if output != "-":
        click.echo(f"Wrote {len(rows)} segments to {output}.")


CODING_COLUMNS = ["id", "document_id", "segment_id", "start", "end", "code_id", "theme_id", "coder", "source", "status",
                  "confidence", "codebook_version", "created_at", "decided_at", "quote"]


@export.command(name="codings")
@output_options
@click.option("--status", "statuses", multiple=True, type=click.Choice(["pending", "accepted", "rejected"]), help="Only these statuses (repeatable).")
@click.option("--coder", "coders", multiple=True, help="Only these coders (repeatable).")
@click.pass_context
def export_codings(ctx: click.Context, fmt: str, output: str, statuses: tuple[str, ...], coders: tuple[str, ...]) -> None:
    """Every coding decision with its coder, source, status and codebook version.

    Example:

        qualcode export codings --format csv -o codings.csv --status accepted
    """
    with project(ctx) as store:
        rows = ops.coding_rows(store, statuses=statuses or None, coders=coders or None)
    write_table(rows, CODING_COLUMNS, fmt, output)
    if output != "-":
        click.echo(f"Wrote {len(rows)} codings to {output}.")
