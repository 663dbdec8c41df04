"""Commands for assisted coding: suggest, review, evaluate, export suggestions."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack

import click

from .. import project as ops
from ..export.writer import write_table
from ..project.identifiers import masker_for
from ..words import count
from .base import echo_table, main, open_store
from .export import export, output_options, write_rows

SUGGESTION_COLUMNS = [
    "coding_id",
    "document_id",
    "role",
    "segment_id",
    "start",
    "end",
    "speaker",
    "text",
    "code_id",
    "theme_id",
    "confidence",
    "status",
    "source",
    "coder",
    "terms",
    "similar",
]


@main.command()
@click.option("--document", "document_ids", multiple=True, help="Only this document (repeatable); default all.")
@click.option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Offer codes from this confidence, or from lower where coders agree with a code best from there.",
)
@click.option("--codes", "code_ids", multiple=True, help="Only these codes or themes (repeatable).")
@click.pass_context
def suggest(
    ctx: click.Context, document_ids: tuple[str, ...], min_confidence: float, code_ids: tuple[str, ...]
) -> None:
    """Propose codes for participant segments, stored as pending suggestions with their evidence.

    Decisions already made are kept; re-running updates pending suggestions. Only what
    changed is redone, and each transcript is saved as it is finished, so a run stopped
    with Ctrl-C keeps the transcripts it finished.

    Example:

        \b
        qualcode suggest --min-confidence 0.6
        qualcode suggest --document PB01 --codes demand
    """
    with open_store(ctx) as store, ExitStack() as shown:
        bars: list = []  # the bar is drawn at the run's first step: a refused run prints only its error

        def progress(done: int, total: int) -> None:
            if not bars:
                label = "Reading passages, then saving transcripts"
                bars.append(shown.enter_context(click.progressbar(length=total, label=label, file=sys.stderr)))
            bars[0].length = total
            bars[0].update(done - bars[0].pos)

        sync = ops.suggest(store, list(document_ids) or None, list(code_ids) or None, min_confidence, progress)
    click.echo(
        f"{sync.added} new suggestions, {sync.updated} updated, {sync.withdrawn} withdrawn; "
        f"{sync.kept_decisions} segment-code pairs already decided were left alone."
    )
    if sync.fitted or sync.reused:
        click.echo(
            f"Learned from decisions: {sync.fitted} models fitted ({sync.fit_seconds:.1f} s), "
            f"{sync.reused} unchanged since they were fitted."
        )
    if sync.own_levels:
        lowest = min(sync.own_levels.values())
        click.echo(
            f"{count(len(sync.own_levels), 'code was', 'codes were')} offered below {min_confidence:.2f} "
            f"(from {lowest:.2f} at the lowest), where coders' decisions agree with them best; "
            "a confidence is still the share of passages like it that coders coded so."
        )
    if sync.from_codebook:
        click.echo(
            f"{count(len(sync.from_codebook), 'code')} no coder has decided on yet "
            f"{'was' if len(sync.from_codebook) == 1 else 'were'} offered from {sync.codebook_level:.2f}: "
            "on real coded text, people agree with suggestions from the codebook alone best from there."
        )
    if sync.pruned:
        click.echo(
            f"{count(sync.pruned, 'stored passage analysis', 'stored passage analyses')} no passage uses were dropped."
        )
    click.echo(f"Meaning read with the {ops.meaning_source()}.")


def _coder_option(function):
    return click.option(
        "--coder",
        default=lambda: os.environ.get("QUALCODE_CODER", ""),
        show_default="$QUALCODE_CODER",
        help="Your name, stamped on every decision.",
    )(function)


@main.group(invoke_without_command=True)
@_coder_option
@click.option("--document", "document_id", help="Review only this document.")
@click.option("--min-confidence", type=float, default=0.0, help="Skip suggestions below this confidence.")
@click.pass_context
def review(ctx: click.Context, coder: str, document_id: str | None, min_confidence: float) -> None:
    """Accept or reject pending suggestions, one segment at a time, with their evidence.

    Example:

        \b
        qualcode review --coder ann
        qualcode review accept 12 13 --coder ann
    """
    if ctx.invoked_subcommand is not None:
        return
    with open_store(ctx) as store:
        queue = ops.review_queue(store, document_id, min_confidence)
        if not queue:
            click.echo("No pending suggestions to review.")
            return
        _review_loop(store, queue, coder or click.prompt("Your name (coder)"), min_confidence)


def _review_loop(store: ops.Store, queue: list[dict], coder: str, min_confidence: float) -> None:
    """Each suggestion with its passage and evidence, decided at a prompt; names on the identifiers list are masked.

    After each decision the transcript's pending suggestions are suggested again (as in the app), and
    what is left of it to review is read again: a suggestion may have moved or been withdrawn."""
    decided, seen, n, shown, last = 0, set(), 0, masker_for(store).mask_value, None
    while queue:
        item = queue.pop(0)
        segment = item["segment"]
        fresh = [coding for coding in item["suggestions"] if coding["id"] not in seen]
        if not fresh:
            continue
        if segment["id"] != last:  # the segment decided on goes on with its other suggestions, as updated
            n, last = n + 1, segment["id"]
            role = f" ({shown(item['role'])})" if item["role"] else ""
            click.echo(
                f"\n[{n}/{n + len(queue)}] {shown(segment['document_id'])}{role}, "
                f"segment {segment['id']}, {shown(segment['speaker'])}:"
            )
            click.echo(click.wrap_text(shown(segment["text"]), width=100, initial_indent="  ", subsequent_indent="  "))
        for coding in fresh:
            seen.add(coding["id"])
            click.echo(f"  -> {coding['code_id']} ({coding['label']}) confidence {coding['confidence']:.2f}")
            click.echo(f"     why: {shown(ops.explain(coding['evidence']))}")
            choice = click.prompt(
                "     [a]ccept, [r]eject, [s]kip, [q]uit",
                type=click.Choice(["a", "r", "s", "q"]),
                default="s",
                show_choices=False,
            )
            if choice == "q":
                click.echo(f"Stopped; {count(decided, 'decision')} saved.")
                return
            if choice in "ar":
                status = "accepted" if choice == "a" else "rejected"
                ops.decide(store, [coding["id"]], status, coder, follow=lambda update: update())
                decided += 1
                document_id = segment["document_id"]
                again = ops.review_queue(store, document_id, min_confidence)
                queue = [*again, *(other for other in queue if other["segment"]["document_id"] != document_id)]
                break
    click.echo(f"Done; {count(decided, 'decision')} saved.")


@review.command(name="accept")
@click.argument("coding_ids", nargs=-1, type=int, required=True)
@_coder_option
@click.pass_context
def review_accept(ctx: click.Context, coding_ids: tuple[int, ...], coder: str) -> None:
    """Accept codings by id (for scripts).

    Example:

        \b
        qualcode review accept 12 13 --coder ann
    """
    _decide_by_id(ctx, coding_ids, coder, ops.accept, "Accepted")


@review.command(name="reject")
@click.argument("coding_ids", nargs=-1, type=int, required=True)
@_coder_option
@click.pass_context
def review_reject(ctx: click.Context, coding_ids: tuple[int, ...], coder: str) -> None:
    """Reject codings by id (for scripts); rejected suggestions are kept for the learner.

    Example:

        \b
        qualcode review reject 14 --coder ann
    """
    _decide_by_id(ctx, coding_ids, coder, ops.reject, "Rejected")


def _decide_by_id(ctx: click.Context, coding_ids: tuple[int, ...], coder: str, decide, verb: str) -> None:
    """Record one decision on codings named by id, by the coder given here or to `review`."""
    with open_store(ctx) as store:
        given = ctx.parent.params.get("coder", "") if ctx.parent else ""
        changed = decide(store, list(coding_ids), coder or given)
    click.echo(f"{verb} {count(changed, 'coding')}.")


@main.command()
@click.option(
    "--gold",
    required=True,
    type=click.Path(dir_okay=False),
    help="Human coding: CSV document_id, start, end, code_id[, quote], or unit_id, code for a table of units.",
)
@click.option("--by", "level", type=click.Choice(["code", "theme"]), default="code", show_default=True)
@click.option(
    "--mode",
    type=click.Choice(["auto", "zero-shot", "stored"]),
    default="auto",
    show_default=True,
    help="auto: learn from the store's decisions, one held-out document at a time; zero-shot: codebook only; stored: the suggestions in the store.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Confidence at which a suggestion counts.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True)
@click.pass_context
def evaluate(ctx: click.Context, gold: str, level: str, mode: str, threshold: float, fmt: str) -> None:
    """Precision, recall, F1 and Cohen's kappa of suggestions against a human coding, per code or theme.

    Example:

        \b
        qualcode evaluate --gold transcripts_sample/gold_codings.csv --by theme
    """
    from ..project.evaluation import evaluate as run_evaluation

    with open_store(ctx) as store:
        result = run_evaluation(store, gold, level, mode, threshold)
    columns = ["id", "gold", "suggested", "tp", "fp", "fn", "precision", "recall", "f1", "kappa"]
    rows = [_scores_shown(row) for row in result.rows]
    rows.append({"id": "macro average", **{k: f"{v:.3f}" for k, v in result.macro.items()}})
    if fmt == "csv":
        write_table(rows, columns, "csv", "-")
        return
    click.echo(
        f"{result.units} segments in {result.documents} documents; mode {result.mode}; threshold {threshold}; "
        f"meaning read with the {ops.meaning_source()}."
    )
    echo_table(rows, columns)
    if result.calibration:
        click.echo(
            "\nWhat a confidence means here (segment x code pairs in each range, and the share the human coding coded):"
        )
        echo_table(
            [
                {
                    "confidence": f"{b['from']:.1f}-{b['to']:.1f}",
                    "pairs": b["pairs"],
                    "coded": "" if b["coded"] is None else f"{b['coded']:.0%}",
                }
                for b in result.calibration
            ],
            ["confidence", "pairs", "coded"],
        )


@export.command(name="suggestions")
@output_options
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["pending", "accepted", "rejected"]),
    help="Only these statuses (repeatable).",
)
@click.pass_context
def export_suggestions(
    ctx: click.Context, fmt: str | None, output: str, no_mask: bool, checked: bool, statuses: tuple[str, ...]
) -> None:
    """Suggestions with their segment, role, code, theme, confidence and evidence.

    Example:

        \b
        qualcode export suggestions --format csv -o suggestions.csv
    """
    with open_store(ctx) as store:
        rows = ops.suggestion_rows(store, list(statuses) or None)
        write_rows(store, rows, SUGGESTION_COLUMNS, fmt, output, no_mask, checked)
    if output != "-":
        click.echo(f"Wrote {count(len(rows), 'suggestion')} to {output}.")


def _scores_shown(row: dict) -> dict:
    """A code's row with its scores to three places; none for a code neither the human coding nor the suggester
    used (nothing to score, and left out of the macro average)."""
    unused = not row["gold"] and not row["suggested"]
    return {k: ("" if unused else f"{v:.3f}") if isinstance(v, float) else v for k, v in row.items()}
