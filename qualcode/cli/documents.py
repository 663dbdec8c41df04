"""Commands for a project's documents: init, import, documents, segments, export segments."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from .. import project as ops
from ..project.identifiers import masker_for
from ..words import count, listed
from .base import echo_table, error_text, main, open_store

SOME_REFUSED = 3  # exit status of an import that saved the good files and refused others


@main.command()
@click.option("--codebook", "codebook_path", required=True, type=click.Path(dir_okay=False), help="Codebook YAML file.")
@click.option("--author", default="", help="Who is creating the project (recorded with the codebook version).")
@click.pass_context
def init(ctx: click.Context, codebook_path: str, author: str) -> None:
    """Create a new project store holding a codebook.

    Example:

        \b
        qualcode --db study.db init --codebook codebooks/pb_employment.yaml
    """
    store = ops.init_project(ctx.obj["db"], codebook_path, author=author)
    codebook = store.codebook()
    click.echo(
        f"Created {store.location} with codebook `{codebook.name}` ({len(codebook)} codes, {len(codebook.themes())} themes)."
    )
    store.close()


@main.command(name="import")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--meta", type=click.Path(dir_okay=False), help="participants.csv with an `id` column and attribute columns."
)
@click.option("--replace", is_flag=True, help="Replace documents whose text changed (codings move with their quotes).")
@click.option(
    "--interviewer",
    "interviewers",
    multiple=True,
    metavar="LABEL",
    help="Another speaker label that means the interviewer (repeatable).",
)
@click.option(
    "--speaker-pattern",
    metavar="REGEX",
    help="Regular expression for speaker labels at the start of a line, with a `speaker` group and optionally `time`.",
)
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[str, ...],
    meta: str | None,
    replace: bool,
    interviewers: tuple[str, ...],
    speaker_pattern: str | None,
) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt), files or folders, and tables of units (.csv).

    A .csv named here is a table of units: a `text` column and a document column
    (document_id, respondent, ...), one transcript per document. Re-importing an unchanged file does nothing; a participants.csv inside a folder
    (or given with --meta) sets attributes such as role and site. Every good file is
    imported even when others are refused; each refused file is named with its reason.
    Exit status: 0 all imported, 3 some files refused and the others imported,
    1 nothing imported.

    Example:

        \b
        qualcode import transcripts_sample
        qualcode import interviews/ --meta participants.csv --interviewer Moderator
        qualcode import otter_export.txt --interviewer "Sara Lind"
        qualcode import survey_answers.csv
        qualcode import notes.txt --speaker-pattern "^>> (?P<speaker>[A-Z]+) "
    """
    if not paths and not meta:
        raise click.UsageError("name transcript files or folders to import (or --meta to update attributes).")
    with open_store(ctx) as store:
        report = _run_import(store, list(paths), meta, replace, list(interviewers), speaker_pattern)
        shown = masker_for(store).mask_value  # after the import: the speakers it read are masked too
    _print_report(report, shown)
    if not report.ok:
        sys.exit(SOME_REFUSED if (report.imported or report.unchanged) else 1)


def _run_import(
    store: ops.Store,
    paths: list[str],
    meta: str | None,
    replace: bool,
    interviewers: list[str],
    pattern: str | None = None,
) -> ops.ImportReport:
    files, _, _ = ops.find_transcripts(paths)
    if len(files) < 5 or not sys.stderr.isatty():
        return ops.import_transcripts(store, paths, meta, replace, interviewers, speaker_pattern=pattern)
    with click.progressbar(length=len(files), label="Importing", file=sys.stderr) as bar:
        return ops.import_transcripts(
            store, paths, meta, replace, interviewers, progress=lambda _: bar.update(1), speaker_pattern=pattern
        )


def _print_report(report: ops.ImportReport, shown: Callable[[str], str]) -> None:
    """The import report, every line as the project's masker shows it (full speaker names, listed identifiers)."""
    tables: dict[str, list[ops.ImportedFile]] = {}
    for item in report.imported:
        if item.format == ops.UNITS_FORMAT:
            tables.setdefault(item.path, []).append(item)
            continue
        encoding = f", {item.encoding}" if item.encoding else ""
        verb = "replaced" if item.replaced else "imported"
        click.echo(
            shown(
                f"{verb}  {item.document_id:<12} {item.path} ({item.format}{encoding}; {item.turns} turns, {item.segments} segments, {item.words} words)"
            )
        )
        if item.layout:
            speakers = listed(item.speakers, 6, "; ")
            click.echo(shown(f"          speakers: {item.layout}" + (f"; {speakers}" if speakers else "")))
    for path, items in tables.items():
        _print_table(shown(path), items)
    for level, note in report.notes():
        if level == "info":
            click.echo(shown(str(note)))
        else:
            click.echo(shown(f"{'Error' if level == 'error' else 'warning'}: {error_text(note)}"), err=True)
    click.echo(report.summary())


def _print_table(path: str, items: list[ops.ImportedFile]) -> None:
    """One line for the documents a table of units gave, with its totals."""
    replaced = sum(item.replaced for item in items)
    verbs = f"imported {count(len(items) - replaced, 'document')}" + (f", replaced {replaced}" if replaced else "")
    encoding = f", {items[0].encoding}" if items[0].encoding else ""
    click.echo(
        f"{verbs} from {path} ({items[0].format}{encoding}; {count(sum(i.turns for i in items), 'turn')}, "
        f"{count(sum(i.segments for i in items), 'segment')}, {count(sum(i.words for i in items), 'word')})"
    )
    click.echo(f"          speakers: {items[0].layout}")


@main.command()
@click.pass_context
def documents(ctx: click.Context) -> None:
    """List documents with their attributes and counts.

    Example:

        \b
        qualcode documents
    """
    with open_store(ctx) as store:
        rows = ops.list_documents(store)
        masker = masker_for(store)
    names = sorted({name for row in rows for name in row["attributes"]}, key=lambda n: (n != "role", n))
    table = [
        {
            "id": r["id"],
            "format": r["format"],
            "words": r["word_count"],
            "segments": r["segments"],
            "codings": r["codings"],
            **r["attributes"],
        }
        for r in rows
    ]
    echo_table(*masker.mask_rows(table, ["id", *names, "format", "words", "segments", "codings"]))


@main.command()
@click.option("--document", "document_id", required=True, help="Document id (see `qualcode documents`).")
@click.pass_context
def segments(ctx: click.Context, document_id: str) -> None:
    """Show the participant segments of one document, the units that get coded.

    Example:

        \b
        qualcode segments --document PB01
    """
    with open_store(ctx) as store:
        rows = ops.segments(store, document_id)
        shown = masker_for(store).mask_value
    for row in rows:
        click.echo(f"[{row['id']}] {shown(row['speaker'])} {row['start']}-{row['end']}")
        click.echo(f"    {shown(row['text'])}")
