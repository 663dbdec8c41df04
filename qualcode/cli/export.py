"""`qualcode export ...`: tables out of the store."""

from __future__ import annotations

import click

from .. import project as ops
from ..errors import UnmaskedExportError
from ..export.writer import TABLE_FORMATS, output_format, store_files, write_table
from ..project.identifiers import masker_for
from ..words import count
from .base import main, open_store

FORMATS = click.Choice(list(TABLE_FORMATS))


def output_options(function):
    """--format, -o and the files-only opt-out of masking, shared by every table export."""
    function = click.option(
        "--i-have-checked", "checked", is_flag=True, help="Confirm you have read every row for names before --no-mask."
    )(function)
    function = click.option(
        "--no-mask", is_flag=True, help="Write names unmasked, to a file only (needs --i-have-checked)."
    )(function)
    function = click.option(
        "-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write ('-' for stdout)."
    )(function)
    return click.option(
        "--format", "fmt", type=FORMATS, default=None, help="File format (default: from the file's suffix, else csv)."
    )(function)


def write_rows(
    store,
    rows: list[dict],
    columns: list[str],
    fmt: str | None,
    output: str,
    no_mask: bool = False,
    checked: bool = False,
) -> str:
    """Mask a table (unless opted out for a file) and write it through the guarded writer; returns the format used."""
    fmt = output_format(output, fmt, TABLE_FORMATS, protect=store_files(store))
    if no_mask and (output == "-" or not checked):
        raise UnmaskedExportError(
            "names can be left unmasked only in a file, after reading every row: "
            "give a file name and add --i-have-checked, or leave out --no-mask."
        )
    rows, columns = masker_for(store, not no_mask).mask_rows(rows, columns)
    write_table(rows, columns, fmt, output, store_files(store))
    return fmt


@main.group()
def export() -> None:
    """Write segments, codings and report tables to files."""


def with_units(columns: list[str], rows: list[dict]) -> list[str]:
    """The columns with `unit_id` after `document_id` when the rows come from a table of units."""
    if not any("unit_id" in row for row in rows):
        return columns
    at = columns.index("document_id") + 1
    return [*columns[:at], "unit_id", *columns[at:]]


@export.command(name="segments")
@output_options
@click.pass_context
def export_segments(ctx: click.Context, fmt: str | None, output: str, no_mask: bool, checked: bool) -> None:
    """Participant segments: document_id, role, segment_id, start, end, speaker, media_time, text.

    Segments of a table of units also carry their unit_id.

    Example:

        \b
        qualcode export segments --format csv -o segments.csv
    """
    with open_store(ctx) as store:
        rows = ops.export_segments_rows(store)
        write_rows(
            store,
            rows,
            with_units(["document_id", "role", "segment_id", "start", "end", "speaker", "media_time", "text"], rows),
            fmt,
            output,
            no_mask,
            checked,
        )
    if output != "-":
        click.echo(f"Wrote {len(rows)} segments to {output}.")


CODING_COLUMNS = [
    "id",
    "document_id",
    "segment_id",
    "start",
    "end",
    "code_id",
    "theme_id",
    "coder",
    "source",
    "status",
    "confidence",
    "codebook_version",
    "created_at",
    "decided_at",
    "quote",
]


@export.command(name="codings")
@output_options
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["pending", "accepted", "rejected"]),
    help="Only these statuses (repeatable).",
)
@click.option("--coder", "coders", multiple=True, help="Only these coders (repeatable).")
@click.pass_context
def export_codings(
    ctx: click.Context,
    fmt: str | None,
    output: str,
    no_mask: bool,
    checked: bool,
    statuses: tuple[str, ...],
    coders: tuple[str, ...],
) -> None:
    """Every coding decision with its coder, source, status and codebook version (and unit_id, for units).

    Example:

        \b
        qualcode export codings --format csv -o codings.csv --status accepted
    """
    with open_store(ctx) as store:
        rows = ops.coding_rows(store, statuses=statuses or None, coders=coders or None)
        write_rows(store, rows, with_units(CODING_COLUMNS, rows), fmt, output, no_mask, checked)
    if output != "-":
        click.echo(f"Wrote {count(len(rows), 'coding')} to {output}.")
