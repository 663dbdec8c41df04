"""`qualcode export project` and `qualcode import project`: REFI-QDA project exchange (.qdpx)."""

from __future__ import annotations

import os
from typing import Any

import click

from ..credentials import hide_password
from ..project import exchange
from ..words import count
from .base import main, open_store
from .documents import import_ as import_transcripts
from .export import export


@export.command(name="project")
@click.option("--format", "fmt", type=click.Choice(["qdpx"]), default="qdpx", show_default=True, help="File format.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The .qdpx file to write.")
@click.option("--coder", "coders", multiple=True, help="Only these coders' codings (repeatable); default every coder.")
@click.option(
    "--positions",
    type=click.Choice(["codepoints", "utf16"]),
    default="codepoints",
    show_default=True,
    help="Count selection positions in characters (the standard) or in UTF-16 units (for NVivo).",
)
@click.option(
    "--for",
    "tool",
    type=click.Choice(["any", "qualcoder"]),
    default="any",
    show_default=True,
    help="qualcoder: name codes whose labels repeat `Label (Parent)`, since QualCoder merges codes of one name, "
    "and stamp each selection with its coder, as QualCoder reads it.",
)
@click.pass_context
def export_project(
    ctx: click.Context, fmt: str, output: str, coders: tuple[str, ...], positions: str, tool: str
) -> None:
    """The whole project for NVivo, ATLAS.ti, MAXQDA or QualCoder (REFI-QDA .qdpx).

    Writes every document's text, its attributes (as Variables and Cases), the current
    codebook, the coders (as Users) and their accepted codings. Pending suggestions and
    rejected decisions are not part of the standard and are not written.

    Example:

    \b
        qualcode export project --format qdpx -o study.qdpx
        qualcode export project -o alice.qdpx --coder alice
        qualcode export project -o for_nvivo.qdpx --positions utf16
    """
    with open_store(ctx) as store:
        report = exchange.export_project(
            store,
            output,
            coders or None,
            positions,
            distinct_labels=tool == "qualcoder",
            coder_selections=tool == "qualcoder",
        )
    for label, ids in report.duplicate_labels.items():
        fix = (
            "written with their parent's label added"
            if report.renamed
            else "QualCoder merges them; export with --for qualcoder"
        )
        click.echo(f"warning: the label `{label}` names {len(ids)} codes ({', '.join(ids)}); {fix}.", err=True)
    for note in report.left_out:
        click.echo(f"warning: {note}; not written.", err=True)
    if report.not_carried:
        click.echo(f"note: not part of a .qdpx, so not written: {', '.join(report.not_carried)}.", err=True)
    for note in report.carried:
        click.echo(f"note: {note}", err=True)
    click.echo(
        "note: a .qdpx holds the project itself, transcripts unmasked; share it only where the whole project may go.",
        err=True,
    )
    who = ", ".join(report.coders) or "no coder"
    click.echo(
        f"Wrote {output}: {report.documents} documents, {report.codes} codes, {report.codings} codings by {who}."
    )


@click.command(name="project")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--author", default="", help="Who is importing (recorded with a new codebook version).")
@click.option(
    "--interviewer",
    "interviewers",
    multiple=True,
    metavar="LABEL",
    help="Another speaker label that means the interviewer (repeatable).",
)
@click.option(
    "--positions",
    type=click.Choice(["auto", "codepoints", "utf16"]),
    default="auto",
    show_default=True,
    help="The unit of the file's selection positions; auto judges it (NVivo counts UTF-16 units).",
)
@click.pass_context
def import_project(ctx: click.Context, file: str, author: str, interviewers: tuple[str, ...], positions: str) -> None:
    """Import a REFI-QDA project (.qdpx): documents, attributes, codebook, codings and coders.

    Without a store at --db, one is created holding the file's codebook; into an
    existing store, codes it lacks are added as a new codebook version, documents it
    already has with the same text are kept, and codings it already has are skipped.
    A text the file lacks is skipped and named; the rest comes in. Positions counted
    in UTF-16 units (NVivo) are converted, and the report says so. A file that cannot
    be used changes nothing.

    Example:

    \b
        qualcode --db team.db import project study.qdpx
    """
    report = exchange.import_project(
        ctx.obj["db"],
        file,
        author=author,
        interviewer_labels=list(interviewers),
        positions=None if positions == "auto" else positions,
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for item in report.skipped:
        click.echo(f"skipped: {item}.", err=True)
    _print_import(hide_password(ctx.obj["db"]), file, report)


def _print_import(db: str, file: str, report: exchange.ProjectImport) -> None:
    if report.created_store:
        click.echo(f"Created {db} with the codebook of {file} ({len(report.codes_added)} codes).")
    elif report.codes_added:
        click.echo(
            f"Codebook version {report.codebook_version} adds {len(report.codes_added)} codes: {', '.join(report.codes_added)}."
        )
    if report.documents_unchanged:
        click.echo(f"Already in the store with the same text: {', '.join(report.documents_unchanged)}.")
    coders = f" by {', '.join(report.coders)}" if report.coders else ""
    skipped = f" ({report.codings_already_there} already in the store)" if report.codings_already_there else ""
    memos = f", {count(report.memos_added, 'memo')}" if report.memos_added else ""
    click.echo(
        f"Imported {count(len(report.documents_added), 'document')} and {count(report.codings_added, 'coding')}{coders}{memos} from {file}{skipped}."
    )
    if report.skipped:
        click.echo(
            f"Skipped {count(len(report.skipped), 'item')} the file could not give; see the lines starting `skipped:`."
        )


class ImportCommand(click.Command):
    """`qualcode import`: `import project FILE.qdpx` goes to the project importer, anything else to transcripts."""

    def __init__(self, transcripts: click.Command, projects: click.Command) -> None:
        super().__init__(name=transcripts.name, help=transcripts.help, short_help=transcripts.short_help)
        self.transcripts, self.projects = transcripts, projects

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if _is_project_import(args):
            return self.projects.make_context(f"{info_name} project", args[1:], parent=parent, **extra)
        return self.transcripts.make_context(info_name, args, parent=parent, **extra)

    def get_short_help_str(self, limit: int = 45) -> str:
        return self.transcripts.get_short_help_str(limit)


def _is_project_import(args: list[str]) -> bool:
    """`import project ...`, unless `project` is a folder of transcripts and no .qdpx follows."""
    if not args or args[0] != "project":
        return False
    return not os.path.exists("project") or any(a.lower().endswith(".qdpx") for a in args[1:]) or "--help" in args[1:]


import_transcripts.epilog = "A REFI-QDA project is imported with `qualcode import project FILE.qdpx`."
main.add_command(ImportCommand(import_transcripts, import_project), name="import")
