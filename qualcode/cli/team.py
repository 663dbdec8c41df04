"""Commands for a team of coders: agreement, disagreements, resolutions, and the blind view."""

from __future__ import annotations

import re
from typing import Any

import click

from ..export.writer import output_format, store_files, write_table, write_text
from ..project import team
from ..project.identifiers import Masker, masker_for
from ..words import count
from .base import main, open_store

TABLE_FORMATS = click.Choice(["table", "csv", "xlsx", "md"])
SPAN = re.compile(r"^(?P<document>.+):(?P<start>\d+)-(?P<end>\d+)$")


def unit_options(function):
    """--coders, --unit, --level and --documents, shared by the agreement commands."""
    function = click.option(
        "--documents", "documents", multiple=True, help="Only these documents (comma-separated or repeated)."
    )(function)
    function = click.option(
        "--level",
        type=click.Choice(team.LEVELS),
        default=None,
        help="Compare codes, or themes (top-level codes). [default: code]",
    )(function)
    function = click.option(
        "--unit", type=click.Choice(team.UNITS), default=None, help="Unit of comparison. [default: segment]"
    )(function)
    return click.option("--coders", default=None, metavar="A,B[,C...]", help="The coders to compare, comma-separated.")(
        function
    )


def output_options(function):
    function = click.option(
        "-o", "--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: the terminal)."
    )(function)
    return click.option(
        "--format",
        "fmt",
        type=TABLE_FORMATS,
        default=None,
        help="Output format (default: from the suffix of -o, else table).",
    )(function)


@main.group(invoke_without_command=True)
@unit_options
@click.option(
    "--uncoded",
    type=click.Choice(team.UNCODED),
    default="missing",
    show_default=True,
    help="In the overall row, a unit a coder left uncoded is missing, or carries the value `(uncoded)`.",
)
@click.option(
    "--resamples",
    type=click.IntRange(0, 100_000),
    default=team.RESAMPLES,
    show_default=True,
    help="Bootstrap resamples for the confidence intervals (0: none).",
)
@click.option(
    "--seed",
    type=int,
    default=team.SEED,
    show_default=True,
    help="Seed of the bootstrap, so a report can be reproduced.",
)
@output_options
@click.pass_context
def agreement(
    ctx: click.Context,
    coders: str | None,
    unit: str | None,
    level: str | None,
    documents: tuple[str, ...],
    uncoded: str,
    resamples: int,
    seed: int,
    fmt: str,
    output: str | None,
) -> None:
    """Inter-coder agreement per code: percent agreement, Cohen's kappa, Krippendorff's alpha.

    Counts only documents every named coder coded; a coder applied a code to a unit
    when one of their accepted codings with it overlaps the unit. The last row, `(all)`,
    is nominal alpha with one code per unit (several codes or none: missing).
    Intervals are 95% bootstrap intervals over segments.

    Example:

    \b
        qualcode agreement --coders alice,bob
        qualcode agreement --coders alice,bob,carol --unit sentence --level theme --format xlsx -o agreement.xlsx
        qualcode agreement disagreements --coders alice,bob --code benefits_worries
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_store(ctx) as store:
        report = team.agreement(
            store, _coders(coders), unit or "segment", level or "code", documents or None, uncoded, resamples, seed
        )
        masker, protect = masker_for(store), store_files(store)
    for line in report.left_out_lines():
        click.echo(masker.mask(f"note: {line}")[0], err=True)
    for note in report.notes:
        click.echo(masker.mask(f"note: {note}")[0], err=True)
    _emit(report.rows, report.columns(), fmt, output, _agreement_text(report), masker, protect)


@agreement.command(name="disagreements")
@unit_options
@click.option("--code", default=None, help="Only this code (a theme id with --level theme).")
@output_options
@click.pass_context
def disagreements(
    ctx: click.Context,
    coders: str | None,
    unit: str | None,
    level: str | None,
    documents: tuple[str, ...],
    code: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Units where the coders differ on a code, with each coder's yes/no and the text.

    Each row's `span` (DOCUMENT:START-END) can be passed to `qualcode agreement resolve`.

    Example:

    \b
        qualcode agreement disagreements --coders alice,bob
        qualcode agreement disagreements --coders alice,bob --code benefits_worries --format csv -o to_discuss.csv
    """
    options = _inherit(ctx, coders=coders, unit=unit, level=level, documents=documents)
    with open_store(ctx) as store:
        rows = team.disagreements(
            store,
            _coders(options["coders"]),
            options["unit"] or "segment",
            options["level"] or "code",
            options["documents"] or None,
            code,
        )
        names = team.require_coders(store, _coders(options["coders"]), at_least=2)
        masker, protect = masker_for(store), store_files(store)
    columns = ["span", "document_id", "segment_id", "start", "end", "code_id", "label", *names, "text"]
    _emit(rows, columns, fmt, output, _disagreements_text(rows, names), masker, protect)


@agreement.command(name="resolve")
@click.option(
    "--coder",
    required=True,
    help="Who decides (for example consensus); the decision is theirs, nothing is overwritten.",
)
@click.option(
    "--span", required=True, metavar="DOCUMENT:START-END", help="The unit, as in the `span` column of disagreements."
)
@click.option("--code", "code_id", required=True, help="The code decided on.")
@click.option("--applies/--does-not-apply", default=None, help="Whether the code applies to the span.")
@click.option("--memo", default="", help="Why, kept as a memo on the decision.")
@click.pass_context
def resolve(ctx: click.Context, coder: str, span: str, code_id: str, applies: bool | None, memo: str) -> None:
    """Record the outcome of a discussion as a new decision by a named coder.

    Compare that coder with the others afterwards (`qualcode agreement --coders
    alice,consensus`), or use them as the project's agreed coding.

    Example:

    \b
        qualcode agreement resolve --coder consensus --span PB01:120-245 --code benefits_worries --applies --memo "Both agreed after discussion"
    """
    if applies is None:
        raise click.UsageError("say whether the code applies: --applies or --does-not-apply.")
    found = SPAN.match(span.strip())
    if not found:
        raise click.UsageError(f"--span `{span}` is not DOCUMENT:START-END (for example PB01:120-245).")
    with open_store(ctx) as store:
        coding_id = team.resolve(
            store, coder, found["document"], int(found["start"]), int(found["end"]), code_id, applies, memo
        )
    verdict = "applies" if applies else "does not apply"
    click.echo(f"Recorded {coder}'s decision {coding_id}: `{code_id}` {verdict} at {span.strip()}.")


@main.command(name="blind")
@click.argument("coder")
@click.option("--document", "document_id", default=None, help="Only this document.")
@click.option(
    "--accept",
    "accepted",
    multiple=True,
    type=int,
    metavar="ID",
    help="Accept this coding or suggestion as CODER (repeatable).",
)
@click.option(
    "--reject",
    "rejected",
    multiple=True,
    type=int,
    metavar="ID",
    help="Reject this coding or suggestion as CODER (repeatable).",
)
@output_options
@click.pass_context
def blind(
    ctx: click.Context,
    coder: str,
    document_id: str | None,
    accepted: tuple[int, ...],
    rejected: tuple[int, ...],
    fmt: str,
    output: str | None,
) -> None:
    """Blind mode: a coder's own codings and the suggestions open to them, nobody else's decisions.

    Accepting or rejecting here adds CODER's decision and never changes a colleague's.
    Compare afterwards with `qualcode agreement`.

    Example:

    \b
        qualcode blind alice --document PB01
        qualcode blind alice --accept 12 --accept 15 --reject 13
    """
    with open_store(ctx) as store:
        if accepted or rejected:
            done = team.decide_blind(store, accepted, "accepted", coder) + team.decide_blind(
                store, rejected, "rejected", coder
            )
            click.echo(f"Recorded {count(len(done), 'decision')} by {coder}.")
            return
        rows = team.blind_codings(store, coder, [document_id] if document_id else None)
        masker, protect = masker_for(store), store_files(store)
    columns = ["id", "document_id", "start", "end", "code_id", "status", "source", "confidence", "quote"]
    _emit(rows, columns, fmt, output, _blind_text(rows, coder), masker, protect)


def _coders(text: str | None) -> list[str]:
    if not text:
        raise click.UsageError("name the coders to compare, for example --coders alice,bob.")
    return [name.strip() for name in text.split(",") if name.strip()]


def _inherit(ctx: click.Context, **given: Any) -> dict[str, Any]:
    """Options of a subcommand, falling back to those given to `qualcode agreement` before it."""
    parent = ctx.parent.params if ctx.parent else {}
    return {name: value or parent.get(name) for name, value in given.items()}


def _emit(
    rows: list[dict[str, Any]],
    columns: list[str],
    fmt: str | None,
    output: str | None,
    text: str,
    masker: Masker,
    protect: list[str],
) -> None:
    """Show or write a table, masked as every table leaving the project is, through the guarded writer."""
    if output and not fmt:
        fmt = output_format(output, None, ("csv", "xlsx", "md", "txt"), "table", protect).replace("txt", "table")
    fmt = fmt or "table"
    if fmt == "xlsx" and not output:
        raise click.UsageError("xlsx needs a file: add -o FILE.xlsx.")
    rows, columns = masker.mask_rows(rows, columns)
    text = masker.mask(text)[0]
    if fmt != "table":
        write_table(rows, columns, fmt, output or "-", protect)
    elif output:
        write_text(output, text, protect)
    else:
        click.echo(text, nl=False)
    if output:
        click.echo(f"Wrote {len(rows)} rows to {output}.", err=True)


def _agreement_text(report: team.AgreementReport) -> str:
    coders = ", ".join(report.coders)
    head = (
        f"Agreement of {coders} on {report.units} {report.unit}s in {len(report.documents)} documents "
        f"(level: {report.level}).\n"
    )
    if report.resamples:
        head += f"95% intervals from {report.resamples} bootstrap resamples of segments (seed {report.seed}).\n"
    per_coder = [f"units_{c}" for c in report.coders]
    table = [
        {
            "code": r["code_id"],
            "units": r["units"],
            "coded": r["units_coded"],
            **{c[6:]: r[c] for c in per_coder},
            "agree %": _show(r["agreement_pct"]),
            "kappa": _ci(r, "kappa"),
            "alpha": _ci(r, "alpha"),
        }
        for r in report.rows
    ]
    columns = ["code", "units", "coded", *report.coders, "agree %", "kappa", "alpha"]
    if len(report.coders) != 2:
        columns.remove("kappa")
    return head + "\n" + _table_text(table, columns)


def _ci(row: dict[str, Any], name: str) -> str:
    if row[name] is None:
        return "n/a"
    interval = f" ({row[name + '_low']:.3f} to {row[name + '_high']:.3f})" if row[name + "_low"] is not None else ""
    return f"{row[name]:.3f}{interval}"


def _show(value: Any) -> str:
    return "n/a" if value is None else str(value)


def _table_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    widths = {c: max([len(c), *(len(str(r.get(c, ""))) for r in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns).rstrip()]
    lines += ["  ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def _disagreements_text(rows: list[dict[str, Any]], coders: list[str]) -> str:
    if not rows:
        return "The coders agree on every unit.\n"
    lines = []
    for row in rows:
        verdicts = "  ".join(f"{c}: {row[c]}" for c in coders)
        lines.append(f"{row['span']}  {row['code_id']}  {verdicts}")
        lines.append(f"    {' '.join(row['text'].split())}")
    return "\n".join(lines) + f"\n{len(rows)} disagreements.\n"


def _blind_text(rows: list[dict[str, Any]], coder: str) -> str:
    lines = [
        f"[{r['id']}] {r['document_id']} {r['start']}-{r['end']}  {r['code_id']}  {r['status']} ({r['source']})\n"
        f"    {' '.join(r['quote'].split())}"
        for r in rows
    ]
    return "\n".join(lines) + f"\n{len(rows)} codings and open suggestions for {coder}.\n"
