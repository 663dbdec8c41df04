"""`qualcode export code-report CODE` (every passage of a code) and `qualcode export memos`."""

from __future__ import annotations

import click

from .. import project as ops
from .base import open_store
from .export import FORMATS, export, write_rows
from .reports import STATUSES, _format, _where, report_options

MEMO_COLUMNS = ["id", "scope", "document_id", "segment_id", "coding_id", "code_id", "author", "created_at", "text"]


@export.command(name="code-report")
@click.argument("code_id", metavar="CODE")
@report_options
@click.pass_context
def export_code_report(
    ctx: click.Context,
    code_id: str,
    fmt: str | None,
    output: str,
    status: str,
    coders: tuple[str, ...],
    roles: tuple[str, ...],
    wheres: tuple[str, ...],
) -> None:
    """Every passage coded with CODE (a theme includes its sub-codes), across documents, with speaker, role, coder and memos.

    Identifiers on the project's list are masked in quotes, speakers and memos.

    Example:

        \b
        qualcode export code-report caseload_pressure --format docx -o caseload.docx --where role="Social worker"
    """
    fmt = _format(fmt, output)
    with open_store(ctx) as store:
        report = ops.export_code_report(
            store, code_id, output, fmt, _where(wheres, roles), list(coders), STATUSES[status]
        )
    click.echo(
        f"Wrote {len(report.rows)} passages of `{code_id}` to {output}; masked {report.masker.total} identifiers."
    )


@export.command(name="memos")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write ('-' for stdout).")
@click.option(
    "--format", "fmt", type=FORMATS, default=None, help="File format (default: from the suffix of -o, else csv)."
)
@click.option("--search", metavar="TEXT", help="Only memos whose text holds TEXT.")
@click.pass_context
def export_memos(ctx: click.Context, output: str, fmt: str | None, search: str | None) -> None:
    """Every memo (project, document, code, segment, coding) with its author and time; identifiers masked.

    Example:

        \b
        qualcode export memos --format md -o memos.md
    """
    with open_store(ctx) as store:
        rows = ops.memo_export_rows(store, search)
        write_rows(store, rows, MEMO_COLUMNS, fmt, output)
    if output != "-":
        click.echo(f"Wrote {len(rows)} memos to {output}.")
