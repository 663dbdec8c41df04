"""The root command group, shared options and the one place errors become sentences."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from .. import __version__
from ..credentials import hide_password
from ..errors import QualcodeError, sentence
from ..export.writer import quiet_broken_pipe
from ..project import Store, open_project, store_location

# How the command line words an error's hint: the option or command that puts it right.
HINTS = {
    "replace": "--replace",
    "speaker_pattern": "--speaker-pattern REGEX --replace",
    "labels_or_replace": "--interviewer LABEL, or --replace",
    "coder": "--coder NAME",
    "coders": "--coders A,B",
    "store": "--db PATH",
    "create_store": "`qualcode --db PATH init --codebook FILE`",
    "new_store": "`qualcode --db NEW.db import project FILE`",
    "import_project": "`qualcode import project FILE.qdpx`",
    "import_codings": "`qualcode import-codings FILE --coder NAME`",
    "meta": "--meta FILE",
    "list_documents": "`qualcode documents` lists them",
    "list_codings": "`qualcode export codings` lists them",
    "list_codes": "`qualcode codebook show` lists them",
    "codable": "`qualcode codebook show` marks the codes that cannot be applied",
    "codebook_log": "`qualcode codebook log`",
    "codebook_update": "`qualcode codebook import FILE`",
    "validate": "`qualcode codebook validate FILE`",
    "speakers": "`qualcode speakers set DOCUMENT SPEAKER --role participant`",
    "interviewer": "`qualcode speakers set DOCUMENT SPEAKER --role interviewer`, or import it again with --replace --interviewer LABEL",
    "blind": "`qualcode blind CODER` lists them",
    "checked": "--i-have-checked",
    "filters": "--role, --where or --code",
    "max_words": "--max-words N",
    "per_cell": "--per-cell N",
}


def error_text(error: QualcodeError | str) -> str:
    """An error (or a report sentence) as the command line prints it, with the option that puts it right."""
    return hide_password(sentence(error, HINTS))


class QualcodeGroup(click.Group):
    """A click group that turns user mistakes into one sentence on stderr, with no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QualcodeError as error:
            if _debug(ctx):
                traceback.print_exc()
            click.echo(f"Error: {error_text(error)}", err=True)
            sys.exit(1)
        except BrokenPipeError:  # the reader stopped early (`| head`): end quietly
            quiet_broken_pipe()
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:  # a bug, not the user's fault: say so, keep the traceback for --debug
            if _debug(ctx):
                raise
            click.echo(
                f"Error: qualcode failed unexpectedly ({type(error).__name__}: {hide_password(error)}); run again with --debug to see where.",
                err=True,
            )
            sys.exit(2)


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.obj and ctx.obj.get("debug")) or "--debug" in sys.argv


@click.group(cls=QualcodeGroup)
@click.option(
    "--db",
    "db",
    metavar="PATH",
    help="Store location (SQLite file or database URL); default $QUALCODE_DB or ./qualcode.db.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.option("--verbose", is_flag=True, help="Log each step of long operations (import, suggest, migrate) on stderr.")
@click.version_option(__version__, prog_name="qualcode")
@click.pass_context
def main(ctx: click.Context, db: str | None, debug: bool, verbose: bool) -> None:
    """qualcode: code qualitative interviews with a shared codebook and NLP suggestions."""
    ctx.ensure_object(dict)
    show_log(verbose)
    _refuse_undecodable([db or "", *ctx.args])
    ctx.obj["db"] = store_location(db)
    ctx.obj["debug"] = debug


class _NoPasswords(logging.Formatter):
    """Log lines with the password of any store location in them replaced by ***."""

    def format(self, record: logging.LogRecord) -> str:
        return hide_password(super().format(record))


def show_log(verbose: bool) -> None:
    """Show qualcode's INFO log lines on stderr when `verbose`, else only warnings (Python's default)."""
    logger = logging.getLogger("qualcode")
    for handler in [h for h in logger.handlers if getattr(h, "qualcode_cli", False)]:
        logger.removeHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.NOTSET)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.qualcode_cli = True  # type: ignore[attr-defined]
        handler.setFormatter(_NoPasswords("%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
        logger.addHandler(handler)


def _refuse_undecodable(arguments: list[str]) -> None:
    """Refuse an argument holding bytes the system could not decode (a file name in another encoding) in one sentence."""
    for argument in arguments:
        if any("\udc80" <= ch <= "\udcff" or "\ud800" <= ch <= "\udfff" for ch in argument):
            shown = argument.encode("utf-8", "backslashreplace").decode("utf-8")
            raise click.UsageError(
                f"the argument `{shown}` holds bytes that are not text in this system's encoding; "
                "rename the file (or retype the value) in plain UTF-8."
            )


@contextmanager
def open_store(ctx: click.Context) -> Iterator[Store]:
    """Open the project store named by --db for the length of a command."""
    store = open_project(ctx.obj["db"])
    if store.opened.backup is not None:
        click.echo(
            f"Upgraded the store's schema from {store.opened.upgraded_from}; a backup of the old file is at {store.opened.backup}.",
            err=True,
        )
    try:
        yield store
    finally:
        store.close()


def echo_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Print rows as an aligned plain-text table."""
    widths = {c: max([len(c), *(len(str(r.get(c, ""))) for r in rows)]) for c in columns}
    click.echo("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        click.echo("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns).rstrip())
