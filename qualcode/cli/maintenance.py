"""`qualcode check | backup FILE | restore FILE | migrate`: look after the store itself."""

from __future__ import annotations

import sys

import click

from ..credentials import hide_password
from ..project import maintenance
from ..project.migration import migrate_store
from .base import main, open_store


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check the store's integrity: database, links between rows, and every quote against its text.

    Example:

        \b
        qualcode check
    """
    problems = maintenance.check_location(ctx.obj["db"])
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(
            f"{len(problems)} problem{'s' if len(problems) > 1 else ''} found in {hide_password(ctx.obj['db'])}; restore a backup, recover the store, or re-import the documents named.",
            err=True,
        )
        sys.exit(1)
    click.echo(f"{hide_password(ctx.obj['db'])}: no problems found.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def backup(ctx: click.Context, file: str) -> None:
    """Write a consistent snapshot of the store to FILE (safe while the app is open).

    Example:

        \b
        qualcode backup snapshots/study-2026-11-23.db
    """
    with open_store(ctx) as store:
        maintenance.backup(store, file)
    click.echo(f"Backed up {store.location} to {file}.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def restore(ctx: click.Context, file: str) -> None:
    """Replace the store with a backup made by `qualcode backup` (the current store is kept as a .bak).

    Works when the store is missing or damaged too: a damaged file is moved aside as it is.

    Example:

        \b
        qualcode restore snapshots/study-2026-11-23.db
    """
    safety = maintenance.restore_location(ctx.obj["db"], file)
    kept = f"; its previous contents are in {safety}" if safety else ""
    click.echo(f"Restored {hide_password(ctx.obj['db'])} from {file}{kept}.")


@main.command()
@click.argument("damaged", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The new store file to write.")
def recover(damaged: str, output: str) -> None:
    """Copy every readable row of a damaged store into a new store, and report what was lost.

    The damaged file is only read. Rows on damaged pages, and rows whose parent row
    was lost (such as the segments of a lost document), are counted per table.

    Example:

        \b
        qualcode recover study.db -o study-recovered.db
    """
    report = maintenance.recover(damaged, output)
    for item in report:
        lost = f", {item.unreadable} unreadable" if item.unreadable else ""
        lost += ", the rest unreadable (how many rows is unknown)" if item.end_unreadable else ""
        lost += f", {item.orphaned} left out (their parent row was lost)" if item.orphaned else ""
        click.echo(f"{item.table:<18} {item.copied} rows copied{lost}")
    total = sum(item.lost for item in report)
    unknown = " and an unknown number more" if any(item.end_unreadable for item in report) else ""
    click.echo(
        f"Recovered {damaged} into {output}: {sum(i.copied for i in report)} rows copied, {total}{unknown} lost; "
        f"run `qualcode check` on {output} before using it."
    )
    if total or unknown:
        sys.exit(1)


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Upgrade the store to this version of qualcode (back up a PostgreSQL store with pg_dump first).

    A SQLite store is copied to a backup file beside it before the upgrade (and is
    also upgraded that way whenever it is opened); a store on a server is upgraded
    only by this command.

    \b
    Example:
        pg_dump -Fc study > study-before-upgrade.dump
        qualcode --db postgresql+psycopg://ana@dbhost/study migrate
    """
    done = migrate_store(ctx.obj["db"])
    if done.before is None:
        click.echo(f"{done.location}: already at schema {done.after}; nothing to upgrade.")
        return
    kept = f"; the old file is kept at {done.backup}" if done.backup else ""
    click.echo(f"Upgraded {done.location} from schema {done.before} to {done.after}{kept}.")
