"""`qualcode codebook ...`: check and manage the shared codebook."""

from __future__ import annotations

import sys

import click

from ..codebook import load_codebook, validate_codebook
from .base import main


@main.group()
def codebook() -> None:
    """Validate, inspect and exchange codebooks."""


@codebook.command()
@click.argument("file", type=click.Path(dir_okay=False))
def validate(file: str) -> None:
    """Check a codebook YAML file; print every problem with its line and field.

    Example:

        qualcode codebook validate codebooks/pb_employment.yaml
    """
    problems = validate_codebook(file)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{file}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; fix them and validate again.", err=True)
        sys.exit(1)
    book = load_codebook(file)
    click.echo(f"{file}: valid: {len(book)} codes in {len(book.themes())} themes.")
