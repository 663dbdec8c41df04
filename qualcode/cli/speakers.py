"""`qualcode speakers DOC` and `qualcode speakers set DOC NAME --role ROLE`: who speaks in a document, and as whom."""

from __future__ import annotations

import click

from .. import project as ops
from ..project.identifiers import masker_for
from ..words import count
from .base import echo_table, main, open_store


class _ListByDefault(click.Group):
    """A group whose first argument, when it is not a subcommand, is the document to list (`speakers DOC`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@main.group(cls=_ListByDefault)
def speakers() -> None:
    """List a document's speakers, or set a speaker's role (by name, or by the number the list gives).

    Example:

    \b
        qualcode speakers BSR01
        qualcode speakers set BSR01 "Sara Lind" --role interviewer
        qualcode speakers set BSR01 2 --role interviewer
    """


@speakers.command(name="list")
@click.argument("document_id")
@click.pass_context
def list_(ctx: click.Context, document_id: str) -> None:
    """Speakers of one document with their number, role, turns and words (full names masked).

    Example:

        \b
        qualcode speakers list BSR01
    """
    with open_store(ctx) as store:
        rows = ops.list_speakers(store, document_id)
        masker = masker_for(store)
    if not rows:
        click.echo(f"Document {document_id} has no speaker turns.")
        return
    echo_table(*masker.mask_rows(rows, ["number", "speaker", "role", "turns", "words"]))


@speakers.command(name="set")
@click.argument("document_id")
@click.argument("speaker")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["interviewer", "participant"]),
    help="The speaker's role in this document.",
)
@click.pass_context
def set_(ctx: click.Context, document_id: str, speaker: str, role: str) -> None:
    """Set a speaker's role (SPEAKER: a name, or a number from the list) in one document and re-segment it;
    every coding stays on its text.

    Example:

        \b
        qualcode speakers set BSR01 "Sara Lind" --role interviewer
    """
    with open_store(ctx) as store:
        change = ops.set_speaker_role(store, document_id, speaker, role)
        shown = masker_for(store).mask_value
    click.echo(
        f"{shown(change.speaker)} is now {change.role} in {change.document_id}: {change.turns} turns changed, "
        f"{change.segments} participant segments."
    )
    if change.outside:
        click.echo(
            f"{count(len(change.outside), 'coding')} {'is' if len(change.outside) == 1 else 'are'} kept on text that is now interviewer speech (not a segment):"
        )
        for coding in change.outside:
            click.echo(
                f"  coding {coding['id']} {coding['code_id']} ({coding['status']}, {coding['coder']}) "
                f"{coding['start']}-{coding['end']}: {shown(coding['quote'][:60])}"
            )
