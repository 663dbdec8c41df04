"""`qualcode codebook ...`: check, inspect, compare, merge and exchange the shared codebook."""

from __future__ import annotations

import dataclasses
import getpass
import sys

import click

from ..codebook import load_codebook, validate_codebook
from ..codebook.diff import diff_codebooks, summary
from ..codebook.merge import merge_codebooks
from ..export.writer import write_text
from ..project import codebook as versions
from .base import main, open_store


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


author_option = click.option(
    "--author", default=_login, show_default="your login name", help="Who made the change (kept with the version)."
)


@main.group()
def codebook() -> None:
    """Validate, inspect, compare, merge and exchange codebooks."""


@codebook.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--for",
    "tool",
    type=click.Choice(["qualcoder"]),
    help="Also check what this tool needs (QualCoder: unique code labels).",
)
def validate(file: str, tool: str | None) -> None:
    """Check a codebook file; print every problem with its line and field.

    Example:

    \b
        qualcode codebook validate codebooks/pb_employment.yaml
        qualcode codebook validate codebooks/pb_employment.yaml --for qualcoder
    """
    yaml_file = not file.lower().endswith((".qdc", ".qdpx", ".xlsx", ".csv", ".txt"))
    problems = [str(p) for p in validate_codebook(file)] if yaml_file else []
    book = (load_codebook(file) if yaml_file else versions.read_codebook_file(file).codebook) if not problems else None
    problems += versions.label_problems(book, tool) if book is not None and tool else []
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"{file}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; fix them and validate again.",
            err=True,
        )
        sys.exit(1)
    assert book is not None  # read whenever no problem was found
    click.echo(f"{file}: valid: {len(book)} codes in {len(book.themes())} themes.")


@codebook.command()
@click.option("--changes", is_flag=True, help="List every change each version made, not just a count.")
@click.pass_context
def log(ctx: click.Context, changes: bool) -> None:
    """List the store's codebook versions, newest first: who, when, why, and what changed.

    Example:

    \b
        qualcode codebook log --changes
    """
    with open_store(ctx) as store:
        history = versions.codebook_history(store)
    for row in reversed(history):
        current = "  (current)" if row is history[-1] else ""
        click.echo(f"v{row['version']}{current}  {row['created_at']}  by {row['author'] or 'an unnamed author'}")
        click.echo(f"    {row['message'] or '(no message)'}")
        what = summary(row["changes"]) if row["version"] != history[0]["version"] else "first version"
        click.echo(f"    {row['codes']} codes; {what}")
        for change in row["changes"] if changes else []:
            click.echo(f"      - {change}")


@codebook.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option("--version", "version", type=int, help="A store version (default: the current one).")
@click.option("--definitions", is_flag=True, help="Print each code's definition under it.")
@click.pass_context
def show(ctx: click.Context, file: str | None, version: int | None, definitions: bool) -> None:
    """Print a codebook as a tree of labels (ids in brackets): a file, or a store version.

    Example:

    \b
        qualcode codebook show --version 2
    """
    source = _source(ctx, file, version)
    book = source.codebook
    click.echo(f"{book.name} ({source.label}: {len(book)} codes in {len(book.themes())} themes)")
    for theme in book.themes():
        for code in [theme, *book.descendants(theme.id)]:
            indent = "  " * book.depth(code.id)
            click.echo(f"{indent}{code.label}  [{code.id}]{'' if code.codable else '  (not codable)'}")
            if definitions and code.definition:
                click.echo(f"{indent}    {code.definition}")
    for name, members in book.groups.items():
        click.echo(f'group "{name}": {", ".join(members) or "no codes"}')


@codebook.command()
@click.argument("old")
@click.argument("new")
@click.pass_context
def diff(ctx: click.Context, old: str, new: str) -> None:
    """Say what changed from codebook OLD to NEW (YAML or .qdc files, or store versions such as 3 or v3).

    Codes are matched by id: added, removed, renamed (new label), moved (new parent),
    redefined (definition, include, exclude, examples or keywords) and recoloured.

    Example:

    \b
        qualcode codebook diff v1 v3
        qualcode codebook diff codebooks/pb_employment.yaml v2
    """
    before, after = _ref(ctx, old), _ref(ctx, new)
    changes = diff_codebooks(before.codebook, after.codebook)
    if not changes:
        click.echo(f"{before.label} and {after.label} hold the same codebook.")
        return
    click.echo(f"From {before.label} to {after.label}:")
    for change in changes:
        click.echo(f"  {change}")
    click.echo(f"In all: {summary(changes)}.")


@codebook.command()
@click.argument("base")
@click.argument("ours")
@click.argument("theirs")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the merged YAML.")
@click.option("--message", "-m", help="Also store a clean merge as a new codebook version with this message.")
@author_option
@click.pass_context
def merge(ctx: click.Context, base: str, ours: str, theirs: str, output: str, message: str | None, author: str) -> None:
    """Three-way merge of two edited copies (OURS, THEIRS) of a codebook (BASE), by code id and field.

    Changes to different codes or fields combine; the same change on both sides is kept
    once. A field changed differently on both sides is written between git-style markers
    (<<<<<<< ours, ||||||| base, =======, >>>>>>> theirs) and the command exits with 1.
    Each argument is a YAML file or a store version (3 or v3). As a git merge driver:
    `qualcode codebook merge %O %A %B -o %A`.

    Example:

    \b
        qualcode codebook merge base.yaml mine.yaml theirs.yaml -o merged.yaml
    """
    sides = [_ref(ctx, ref, allow_empty=(i == 0)) for i, ref in enumerate((base, ours, theirs))]
    result = merge_codebooks(sides[0].codebook, sides[1].codebook, sides[2].codebook, ours_text=sides[1].text)
    write_text(output, result.text, [ctx.obj["db"]])
    if not result.clean:
        for conflict in result.conflicts:
            click.echo(f"conflict: {conflict}", err=True)
        n = len(result.conflicts)
        click.echo(
            f"{output}: written with {n} conflict{'s' if n != 1 else ''} between <<<<<<< ours and >>>>>>> theirs markers; "
            f"keep the lines you want, delete the rest and the markers, then run `qualcode codebook validate {output}`.",
            err=True,
        )
        sys.exit(1)
    merged = result.codebook(output)
    click.echo(f"Merged cleanly into {output}: {summary(diff_codebooks(sides[1].codebook, merged))} next to ours.")
    if message:
        with open_store(ctx) as store:
            number = versions.update_codebook(store, merged, author, message, source=output)
        click.echo(f"Stored the merged codebook as version {number}.")


@codebook.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the codebook to this YAML file instead of the store."
)
@click.option("--message", "-m", default=None, help="Why the codebook changed (kept with the new version).")
@click.option("--name", default=None, help="The codebook's name (a .qdc file carries none).")
@author_option
@click.pass_context
def import_(
    ctx: click.Context, file: str, output: str | None, message: str | None, name: str | None, author: str
) -> None:
    """Take a codebook from YAML, REFI-QDA (.qdc, or a .qdpx project's codebook), a spreadsheet or a QualCoder list.

    Spreadsheets (.xlsx, .csv) name codes by a path column (`Parent > Child`, as MAXQDA
    and NVivo write, or `Parent\\Child`) or by name and parent columns, with
    description and colour where present; Taguette's CSV (tag, description) is one.
    QualCoder's list (.txt) has `category>>code`, a tab, then a memo. With -o the
    codebook is written as YAML to that file; without it, it becomes the store's next
    codebook version (refused if it leaves out codes that codings use).

    Example:

    \b
        qualcode codebook import atlas_export.qdc -o codebooks/imported.yaml
        qualcode codebook import team_codes.xlsx -m "the team's spreadsheet"
        qualcode codebook import codebooks/pb_employment.yaml -m "split benefits worries"
    """
    source = versions.read_codebook_file(file, name)
    book = source.codebook
    for note in source.notes:
        click.echo(f"note: {note}")
    if output:
        versions.write_codebook(book, output, "yaml", [ctx.obj["db"]])
        click.echo(f"Read {len(book)} codes in {len(book.themes())} themes from {file}; wrote {output}.")
        return
    with open_store(ctx) as store:
        current = store.codebook()
        if not file.lower().endswith((".yaml", ".yml")) and not name:
            book = dataclasses.replace(
                book, name=current.name, description=current.description, version=current.version
            )
        before = store.codebook_version()
        number = versions.update_codebook(store, book, author, message or f"imported from {file}", source=file)
    if number == before:
        click.echo(f"{file} holds the same codebook as the store's version {number}; nothing stored.")
    else:
        click.echo(f"Stored {file} as codebook version {number}: {summary(diff_codebooks(current, book))}.")


@codebook.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option("--version", "version", type=int, help="A store version (default: the current one).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["qdc", "yaml", "xlsx", "csv"]),
    help="Output format (default: from the extension of -o); csv is Taguette's (tag, description).",
)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the codebook.")
@click.pass_context
def export(ctx: click.Context, file: str | None, version: int | None, fmt: str | None, output: str) -> None:
    """Write a codebook (a file, or a store version) as REFI-QDA .qdc, YAML, an .xlsx sheet or Taguette's CSV.

    The .qdc validates against REFI-QDA's Codebook.xsd; its GUIDs come from the code
    ids (or are the ones codes came with), so they stay the same from one export to
    the next. The .xlsx has one row per code (path, id and every field) for a team to
    edit and import again; the .csv has Taguette's columns, tag and description.

    Example:

    \b
        qualcode codebook export --format qdc -o pb_employment.qdc
        qualcode codebook export codebooks/pb_employment.yaml --format qdc -o pb.qdc
        qualcode codebook export -o for_taguette.csv
    """
    fmt = versions.export_format(output, fmt)
    source = _source(ctx, file, version)
    versions.write_codebook(source.codebook, output, fmt, [ctx.obj["db"]])
    click.echo(f"Wrote {len(source.codebook)} codes ({source.label}) to {output} as {fmt}.")


def _source(ctx: click.Context, file: str | None, version: int | None) -> versions.CodebookFile:
    """A codebook from a file, or from the store (a version, else the current one)."""
    if file and version:
        raise click.UsageError("give a FILE or --version, not both.")
    if file:
        return versions.read_codebook_file(file)
    with open_store(ctx) as store:
        return versions.stored_codebook(store, version)


def _ref(ctx: click.Context, ref: str, allow_empty: bool = False) -> versions.CodebookFile:
    """A codebook named by a file path or a store version (3 or v3)."""
    number = versions.version_number(ref)
    if number is None:
        return versions.read_codebook_file(ref, allow_empty=allow_empty)
    with open_store(ctx) as store:
        return versions.stored_codebook(store, number)
