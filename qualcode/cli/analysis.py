"""`qualcode search`, `qualcode saturation`, `qualcode export framework` and `qualcode export cooccurrence`."""

from __future__ import annotations

import click

from ..project import analysis as ops
from ..project.identifiers import masker_for
from .base import echo_table, main, open_store
from .export import export
from .reports import _where

WHERE = click.option(
    "--where",
    "wheres",
    multiple=True,
    metavar="ATTR=VALUE",
    help="Only documents with this attribute value (repeatable; values of one attribute are alternatives).",
)
ROLE = click.option(
    "--role", "roles", multiple=True, metavar="ROLE", help="Only participants with this role (repeatable)."
)


@main.command()
@click.argument("query")
@click.option(
    "--lemma", "mode", flag_value="lemma", help="Match every form of each word's lemma (child finds children)."
)
@click.option("--regex", "mode", flag_value="regex", help="Read the query as a regular expression (case-insensitive).")
@click.option(
    "--all-speech", is_flag=True, help="Search interviewers' turns and notes too, not only participants' answers."
)
@WHERE
@ROLE
@click.option(
    "--context", default=ops.CONTEXT, show_default=True, metavar="N", help="Characters of context each side of a hit."
)
@click.option(
    "--code",
    "code_id",
    metavar="ID",
    help="Code every segment holding a hit with this code (one logged decision each; `qualcode undo` reverts them).",
)
@click.option("--coder", metavar="NAME", help="Who codes the hits (needed with --code).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the hits to a file (.csv, .xlsx or .md) instead of the terminal.",
)
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    mode: str | None,
    all_speech: bool,
    wheres: tuple[str, ...],
    roles: tuple[str, ...],
    context: int,
    code_id: str | None,
    coder: str | None,
    output: str | None,
) -> None:
    """Find QUERY in the transcripts, each hit in its context: words (all must occur in a turn), "a phrase", --lemma or --regex.

    Example:

        \b
        qualcode search '"job coach"' --role "Family member"
        qualcode search child --lemma --code transition_focus --coder ann
    """
    with open_store(ctx) as store:
        hits = ops.search_hits(
            store,
            query,
            mode or "words",
            "all" if all_speech else "participant",
            _where(wheres, roles) or None,
            context,
        )
        if output:
            ops.export_hits(store, hits, output)
            click.echo(f"Wrote {len(hits)} hits to {output}.", err=True)
        else:
            width = max([len(h["left"]) for h in hits] or [0])
            for hit in hits:
                where = ", ".join(p for p in (hit["participant"], hit["role"], hit["media_time"]) if p)
                keyword = click.style(hit["keyword"], bold=True)  # bold on a terminal; «» set it apart in a pipe too
                click.echo(f"{hit['left'].rjust(width)}«{keyword}»{hit['right']}  ({where})")
            documents = len({h["document_id"] for h in hits})
            click.echo(
                f"{len(hits)} hit{'s' * (len(hits) != 1)} in {documents} transcript{'s' * (documents != 1)}.", err=True
            )
        if code_id:
            report = ops.code_hits(store, hits, code_id, coder or "")
            click.echo(
                f"Coded {len(report.added)} segment{'s' * (len(report.added) != 1)} with `{code_id}` as {coder} "
                f"({report.already_coded} already carried it, {report.outside_segments} hits were outside participants' "
                "answers and were left); `qualcode undo --coder NAME` reverts them.",
                err=True,
            )


@main.command()
@click.option(
    "--window",
    default=3,
    show_default=True,
    metavar="K",
    help="The rule: saturation when K interviews in a row bring no new code.",
)
@WHERE
@ROLE
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write every interview's row to a file (.csv, .xlsx or .md).",
)
@click.pass_context
def saturation(
    ctx: click.Context, window: int, wheres: tuple[str, ...], roles: tuple[str, ...], output: str | None
) -> None:
    """New codes per interview in interview order (date attribute, else import order), overall and per role.

    Example:

        \b
        qualcode saturation --window 3 -o saturation.xlsx
    """
    with open_store(ctx) as store:
        result = ops.saturation(store, window, _where(wheres, roles) or None)
        if output:
            rows = ops.export_saturation(store, result, output)
            click.echo(f"Wrote {rows} rows to {output}.", err=True)
        else:
            echo_table(
                ops.saturation_rows(result, store=store)[: len(result.overall.rows)],
                ["position", "document_id", "role", "date", "codes", "new", "cumulative"],
            )
        click.echo(result.rule())
        shown = masker_for(store).mask_value  # a verdict names the interview it was reached at
        for curve in [result.overall, *result.by_role]:
            click.echo(shown(curve.verdict(window)))


@export.command("framework")
@click.option(
    "--by",
    default="role",
    show_default=True,
    metavar="ATTR",
    help="Rows: an attribute's values, or participant for one row per person.",
)
@click.option(
    "--level",
    type=click.Choice(["theme", "code"]),
    default="theme",
    show_default=True,
    help="Columns: themes or codes.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(ops.FRAMEWORK_FORMATS)),
    default=None,
    help="File format (default: from the file's suffix).",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write (.md, .xlsx or .docx)."
)
@click.pass_context
def export_framework(ctx: click.Context, by: str, level: str, fmt: str | None, output: str) -> None:
    """The framework matrix: a summary of what each group said on each theme, with counts; identifiers masked.

    Example:

        \b
        qualcode export framework --by role --format docx -o framework.docx
    """
    with open_store(ctx) as store:
        matrix = ops.export_framework(store, output, fmt, by, level)
        edited = sum(1 for cell in matrix.cells.values() if cell.edit)
        click.echo(
            f"Wrote a framework matrix of {len(matrix.rows)} rows and {len(matrix.columns)} columns to {output} "
            f"({edited} summaries written by researchers).",
            err=True,
        )


@export.command("cooccurrence")
@click.option(
    "--level",
    type=click.Choice(["code", "theme"]),
    default="code",
    show_default=True,
    help="Codes, or themes with their sub-codes.",
)
@click.option(
    "--unit",
    type=click.Choice(["segment", "participant"]),
    default="segment",
    show_default=True,
    help="Count segments, or participants, where both apply.",
)
@click.option(
    "--measure",
    type=click.Choice(["count", "jaccard"]),
    default="count",
    show_default=True,
    help="Raw count, or Jaccard (both / either).",
)
@WHERE
@ROLE
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "md"]),
    default=None,
    help="File format (default: from the file's suffix, else csv).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write ('-' for stdout).")
@click.pass_context
def export_cooccurrence(
    ctx: click.Context,
    level: str,
    unit: str,
    measure: str,
    wheres: tuple[str, ...],
    roles: tuple[str, ...],
    fmt: str | None,
    output: str,
) -> None:
    """Codes x codes: how many segments (or participants) carry both; the diagonal is each code's own count.

    Example:

        \b
        qualcode export cooccurrence --measure jaccard --unit participant -o cooccurrence.xlsx
    """
    with open_store(ctx) as store:
        rows = ops.export_cooccurrence(store, output, fmt, level, unit, measure, _where(wheres, roles) or None)
        if output != "-":
            click.echo(f"Wrote a {rows} x {rows} co-occurrence matrix ({measure} of {unit}s) to {output}.", err=True)
