"""`qualcode export quotes|frequencies` (report tables) and `qualcode identifiers` (names to mask)."""

from __future__ import annotations

import click

from ..export.writer import output_format
from ..project import identifiers as names_to_mask
from ..project import reports
from .base import echo_table, main, open_store
from .export import export

STATUSES = {"accepted": ("accepted",), "pending": ("pending",), "all": ("accepted", "pending")}


def report_options(function):
    """--format, -o and the filters shared by both report exports."""
    options = [
        click.option(
            "--where",
            "wheres",
            multiple=True,
            metavar="ATTR=VALUE",
            help="Only documents with this attribute value (repeatable; values of one attribute are alternatives).",
        ),
        click.option(
            "--role", "roles", multiple=True, metavar="ROLE", help="Only participants with this role (repeatable)."
        ),
        click.option(
            "--coder", "coders", multiple=True, metavar="NAME", help="Only codings by this coder (repeatable)."
        ),
        click.option(
            "--status",
            type=click.Choice(list(STATUSES)),
            default="accepted",
            show_default=True,
            help="Which decisions count; `all` is accepted and pending (rejected suggestions never do).",
        ),
        click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="File to write."),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(reports.FORMATS),
            help="File format (default: from the file's suffix, else csv).",
        ),
    ]
    for option in options:
        function = option(function)
    return function


def _format(fmt: str | None, output: str) -> str:
    if output == "-":
        raise click.UsageError("report exports write a file (and its provenance); give a file name to -o.")
    return output_format(output, fmt, reports.FORMATS)


def _where(wheres: tuple[str, ...], roles: tuple[str, ...]) -> dict[str, list[str]]:
    where: dict[str, list[str]] = {}
    for item in wheres:
        name, equals, value = item.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise click.BadParameter(
                f"`{item}` is not ATTR=VALUE (for example --where site=Site A).", param_hint="--where"
            )
        where.setdefault(name.strip(), []).append(value.strip())
    if roles:
        where.setdefault("role", []).extend(roles)
    return where


@export.command(name="quotes")
@report_options
@click.option("--theme", "themes", multiple=True, metavar="ID", help="Only this theme (repeatable).")
@click.option("--code", "codes", multiple=True, metavar="ID", help="Only this code and its sub-codes (repeatable).")
@click.option(
    "--per-cell",
    type=int,
    metavar="N",
    help="N illustrative quotes per theme (or --code) and role, as the app picks them.",
)
@click.option(
    "--min-confidence",
    type=float,
    metavar="X",
    help="Leave out codings less confident than X (hand codings count as 1).",
)
@click.option(
    "--max-words", type=int, metavar="N", help="Shorten quotes longer than N words, with an ellipsis (never mid-word)."
)
@click.option("--no-mask", is_flag=True, help="Do not mask identifiers (needs --i-have-checked).")
@click.option(
    "--i-have-checked", "checked", is_flag=True, help="Confirm you have read every quote for names before --no-mask."
)
@click.pass_context
def export_quotes(
    ctx: click.Context,
    fmt: str | None,
    output: str,
    status: str,
    coders: tuple[str, ...],
    roles: tuple[str, ...],
    wheres: tuple[str, ...],
    themes: tuple[str, ...],
    codes: tuple[str, ...],
    per_cell: int | None,
    min_confidence: float | None,
    max_words: int | None,
    no_mask: bool,
    checked: bool,
) -> None:
    """Quote tables for a report: theme, code, quote, participant, role, position, coder, status.

    Names on the project's identifiers list are replaced by [name], [place], ...
    CSV comes with FILE.about.json; XLSX, Markdown and Word record the store,
    codebook version, filters and time inside the file.

    Example:

        \b
        qualcode export quotes --format docx -o quotes.docx --per-cell 3
        qualcode export quotes -o sw.csv --theme demand --role "Social worker" --max-words 60
    """
    fmt = _format(fmt, output)
    selection = reports.QuoteSelection(
        theme_ids=list(themes),
        code_ids=list(codes),
        where=_where(wheres, roles),
        statuses=STATUSES[status],
        coders=list(coders),
        per_cell=per_cell,
        min_confidence=min_confidence,
        max_words=max_words,
    )
    with open_store(ctx) as store:
        result = reports.export_quotes(store, output, fmt, selection, mask=not no_mask, checked=checked)
    _wrote(result, "quotes")
    if result.masking:
        detail = ", ".join(f"{name} {n}" for name, n in sorted(result.hits.items()))
        click.echo(
            f"Masked {result.masked} identifier{'s' if result.masked != 1 else ''}{f' ({detail})' if detail else ''}."
        )
    else:
        click.echo("Identifiers were not masked (--no-mask --i-have-checked).", err=True)


@export.command(name="frequencies")
@report_options
@click.option(
    "--by", "by", multiple=True, metavar="ATTR", help="Group participants by this attribute (repeatable; default role)."
)
@click.option("--no-mask", is_flag=True, help="Do not mask identifiers in group names (needs --i-have-checked).")
@click.option(
    "--i-have-checked", "checked", is_flag=True, help="Confirm you have read every group name before --no-mask."
)
@click.pass_context
def export_frequencies(
    ctx: click.Context,
    fmt: str | None,
    output: str,
    status: str,
    coders: tuple[str, ...],
    roles: tuple[str, ...],
    wheres: tuple[str, ...],
    by: tuple[str, ...],
    no_mask: bool,
    checked: bool,
) -> None:
    """Segments coded and participants raising each theme and code, per group, with totals and "n of m".

    Example:

        \b
        qualcode export frequencies --by role --format xlsx -o frequencies.xlsx
        qualcode export frequencies --by role --by site -o frequencies.md
    """
    fmt = _format(fmt, output)
    with open_store(ctx) as store:
        result = reports.export_frequencies(
            store,
            output,
            fmt,
            list(by) or ["role"],
            STATUSES[status],
            list(coders) or None,
            _where(wheres, roles) or None,
            mask=not no_mask,
            checked=checked,
        )
    _wrote(result, "rows")


def _wrote(result: reports.ReportResult, noun: str) -> None:
    sidecar = f" (provenance in {result.sidecar})" if result.sidecar else ""
    if result.rows == 0:
        where = result.sidecar or result.path
        click.echo(f"Warning: nothing matches this selection; {where} says the report is empty.", err=True)
    click.echo(f"Wrote {result.rows} {noun} to {result.path}{sidecar}.")


@main.group()
def identifiers() -> None:
    """Names of people, places, councils and providers that every export masks."""


KIND = click.option(
    "--kind",
    default=names_to_mask.DEFAULT_KIND,
    show_default=True,
    type=click.Choice(names_to_mask.KINDS),
    help="What the names are; decides the placeholder ([name], [place], ...).",
)


@identifiers.command(name="add")
@click.argument("names", nargs=-1, required=True)
@KIND
@click.pass_context
def identifiers_add(ctx: click.Context, names: tuple[str, ...], kind: str) -> None:
    """Add names to mask (quote a name of several words).

    Example:

        \b
        qualcode identifiers add Sandra "Brightway Works" --kind person
    """
    with open_store(ctx) as store:
        added = names_to_mask.add_identifiers(store, names, kind)
    click.echo(
        f"Added {len(added)} identifier{'s' if len(added) != 1 else ''} ({kind}); {len(names) - len(added)} already listed."
    )


@identifiers.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@KIND
@click.pass_context
def identifiers_import(ctx: click.Context, file: str, kind: str) -> None:
    """Add the names in a text or CSV file: one a line, NAME or NAME,KIND.

    Example:

        \b
        qualcode identifiers import transcripts_sample/identifiers.txt
    """
    with open_store(ctx) as store:
        added, held = names_to_mask.import_identifiers(store, file, kind)
    click.echo(f"Added {len(added)} identifier{'s' if len(added) != 1 else ''} from {file}; {held} already listed.")


@identifiers.command(name="list")
@click.pass_context
def identifiers_list(ctx: click.Context) -> None:
    """Show the names every export masks, with their kind.

    Example:

        \b
        qualcode identifiers list
    """
    with open_store(ctx) as store:
        rows = names_to_mask.list_identifiers(store)
    if not rows:
        click.echo("No identifiers yet; add them with `qualcode identifiers add NAME` or `import FILE`.")
        return
    echo_table(
        [{**row, "placeholder": names_to_mask.PLACEHOLDERS.get(row["kind"], "")} for row in rows],
        ["identifier", "kind", "placeholder", "added_at"],
    )


@identifiers.command(name="remove")
@click.argument("names", nargs=-1, required=True)
@click.pass_context
def identifiers_remove(ctx: click.Context, names: tuple[str, ...]) -> None:
    """Stop masking names (any case).

    Example:

        \b
        qualcode identifiers remove Sandra
    """
    with open_store(ctx) as store:
        removed = names_to_mask.remove_identifiers(store, names)
    click.echo(f"Removed {removed} identifier{'s' if removed != 1 else ''}.")
