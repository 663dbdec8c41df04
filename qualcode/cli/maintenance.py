"""`qualcode check | backup FILE | restore FILE`: look after the store itself."""

from __future__ import annotations

import sys

import click

from ..store import maintenance
from .base import main, project


@main.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check the store's integrity: database, links between rows, and every quote against its text.

    Example:

        qualcode check
    """
    with project(ctx) as store:
        problems = maintenance.check(store)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problems found in {store.location}; restore a backup or re-import the documents named.", err=True)
        sys.exit(1)
    click.echo(f"{store.location}: no problems found.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def backup(ctx: click.Context, file: str) -> None:
    """Write a consistent snapshot of the store to FILE (safe while the app is open).

    Example:

        qualcode backup snapshots/study-2026-11-23.db
    """
    with project(ctx) as store:
        maintenance.backup(store, file)
    click.echo(f"Backed up {store.location} to {file}.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def restore(ctx: click.Context, file: str) -> None:
    """Replace the store with a backup made by `qualcode backup` (the current store is kept as a .bak).

    Example:

        qualcode restore snapshots/study-2026-11-23.db
    """
    with project(ctx) as store:
        safety = maintenance.restore(store, file)
    click.echo(f"Restored {store.location} from {file}; its previous contents are in {safety}.")
