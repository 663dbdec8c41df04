"""The one guarded way out: every file qualcode writes for a researcher goes through here.

The rule: a target is never the project's store (nor its -wal, -shm, -journal or
backup files, nor any other SQLite database); a file appears whole or not at all
(written beside the target under a hidden temporary name, flushed to disk, then
renamed over it, the temporary file removed on any failure); the format comes from
the target's suffix when none is given and an unknown suffix is refused; a missing or
read-only folder is named in one sentence; and a spreadsheet cell that would start a
formula (=, +, -, @, tab, carriage return) is kept as text with a leading quote.

For callers: `output_format` picks the format, `atomic_target` (a context manager
yielding the temporary path to write) and `write_bytes` / `write_text` put a file in
place, `write_table` writes a row table as CSV, XLSX or Markdown (or to stdout), and
`table_bytes` gives the same bytes for a download button. `safe_cell` is the formula
escape on its own.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import OutputError

SQLITE_HEADER = b"SQLite format 3\x00"
STORE_COMPANIONS = ("-wal", "-shm", "-journal")
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_LEADS = frozenset(FORMULA_LEADS)
_TEMP = ".{name}.qualcode-{pid}-"
TABLE_FORMATS = ("csv", "xlsx", "md")


# -- choosing the format -------------------------------------------------------------------
def output_format(
    output: str | Path,
    fmt: str | None,
    formats: Sequence[str],
    default: str | None = "csv",
    protect: Iterable[str | Path | None] = (),
) -> str:
    """The format asked for, else the one the target's suffix names, else `default`; an unknown suffix is refused.

    The target is checked first (`check_target`), so a store given as the target is named as such.
    """
    if str(output) == "-":
        return fmt or default or formats[0]
    check_target(output, protect)
    if fmt:
        return fmt
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in formats:
        return suffix
    if suffix or default is None:
        raise OutputError(
            f"{output}: qualcode cannot write a .{suffix or '(no suffix)'} file here; "
            f"name a file ending in {_either(formats)}."
        )
    return default


def _either(formats: Sequence[str]) -> str:
    names = [f".{name}" for name in formats]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


# -- guarding the target -------------------------------------------------------------------
def store_files(store: Any) -> list[str]:
    """The file of a SQLite store (what `protect` takes), or nothing for a server database."""
    engine = getattr(store, "engine", None)
    if engine is not None and engine.dialect.name == "sqlite" and engine.url.database:
        return [engine.url.database]
    return []


def check_target(path: str | Path, protect: Iterable[str | Path | None] = ()) -> Path:
    """The target as a Path, after refusing a store (or its companion files) and a missing or read-only folder."""
    target = Path(path).expanduser()
    resolved = target.resolve()
    for location in protect:
        if location and _is_store_or_companion(resolved, location):
            raise OutputError(
                f"{path}: is the project's store (or one of its files); write the export to another file."
            )
    if _is_sqlite_file(resolved) or _is_companion_of_sqlite(resolved):
        raise OutputError(
            f"{path}: is a database file; qualcode never writes an export over a store, choose another file name."
        )
    if resolved.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name inside it.")
    if resolved.exists() and not resolved.is_file():
        raise OutputError(f"{path}: is not a plain file (a device or a pipe); give a file name, or - for the terminal.")
    folder = resolved.parent
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {target.parent} does not exist; create it first or write elsewhere.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {target.parent} is read-only; write the file somewhere you may write.")
    if resolved.exists() and not os.access(resolved, os.W_OK):
        raise OutputError(f"{path}: the file is read-only; remove its protection or write another file.")
    return target


def _is_store_or_companion(target: Path, location: str | Path) -> bool:
    text = str(location)
    if "://" in text:
        if not text.startswith("sqlite:///"):
            return False
        text = text.split("///", 1)[1]
    store = Path(text).expanduser().resolve()
    if target == store or (target.exists() and store.exists() and os.path.samefile(target, store)):
        return True
    name = target.name
    if target.parent == store.parent and name.startswith(store.name) and name != store.name:
        rest = name[len(store.name) :]
        return rest in STORE_COMPANIONS or rest.endswith(".bak")
    return False


def _is_sqlite_file(path: Path) -> bool:
    if not path.is_file():  # never open a pipe or a device to look
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _is_companion_of_sqlite(path: Path) -> bool:
    for companion in STORE_COMPANIONS:
        if path.name.endswith(companion) and _is_sqlite_file(path.with_name(path.name[: -len(companion)])):
            return True
    return False


# -- putting a file in place ---------------------------------------------------------------
@contextlib.contextmanager
def atomic_target(path: str | Path, protect: Iterable[str | Path | None] = ()) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write; on success it is flushed and renamed over `path`.

    On any failure (or interruption) the temporary file is removed and `path` is left
    as it was; a temporary file orphaned by a killed process is swept by the next write.
    """
    target = check_target(path, protect)
    _sweep_orphans(target)
    try:
        handle, name = tempfile.mkstemp(
            prefix=_TEMP.format(name=target.name, pid=os.getpid()), suffix=".tmp", dir=target.resolve().parent
        )
    except OSError as error:
        raise OutputError(
            f"{path}: cannot be written in the folder {target.parent} ({error.strerror or error}); "
            "write the file somewhere you may write."
        ) from None
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
        _fsync_folder(target.resolve().parent)
    except PermissionError as error:
        raise OutputError(
            f"{path}: cannot be written ({error.strerror}); write the file somewhere you may write."
        ) from None
    except OSError as error:
        if isinstance(error, BrokenPipeError):
            raise
        raise OutputError(
            f"{path}: cannot be written ({error.strerror or error}); check the folder and the free space."
        ) from None
    finally:
        for leftover in (temporary, *temporary.parent.glob(glob_escape(temporary.name) + ".*")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def write_bytes(path: str | Path, data: bytes, protect: Iterable[str | Path | None] = ()) -> Path:
    """Write bytes to `path` whole or not at all."""
    with atomic_target(path, protect) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str, protect: Iterable[str | Path | None] = (), encoding: str = "utf-8") -> Path:
    """Write text to `path` whole or not at all."""
    return write_bytes(path, text.encode(encoding), protect)


def _mode_for(target: Path) -> int:
    """The permissions the file gets: those of the file it replaces, else what the user's umask gives a new file."""
    try:
        return os.stat(target).st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _sweep_orphans(target: Path) -> None:
    """Remove temporary files of this target left by a process that no longer runs."""
    prefix = "." + target.name + ".qualcode-"
    for leftover in target.resolve().parent.glob(f".{glob_escape(target.name)}.qualcode-*"):
        pid = leftover.name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            with contextlib.suppress(OSError):
                leftover.unlink()


def glob_escape(text: str) -> str:
    """`text` with glob's special characters taken literally."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


# -- cells and tables ----------------------------------------------------------------------
def safe_cell(value: Any) -> Any:
    """A cell value a spreadsheet will not run: text starting a formula gets a leading quote; numbers stay numbers."""
    if value.__class__ is str and value[:1] in _LEADS and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through `safe_cell`."""
    return [
        ("'" + v if v.__class__ is str and v[:1] in _LEADS and not PLAIN_NUMBER.fullmatch(v) else v) for v in values
    ]


def write_table(
    rows: Iterable[dict[str, Any]],
    columns: list[str],
    fmt: str,
    output: str | Path,
    protect: Iterable[str | Path | None] = (),
) -> None:
    """Write rows in `fmt` (csv, xlsx or md) to a file whole, or to stdout when output is '-' (quietly ending on a closed pipe)."""
    rows = list(rows)
    if str(output) == "-":
        if fmt == "xlsx":
            raise OutputError("a spreadsheet cannot go to the terminal; name a file ending in .xlsx.")
        write_stdout(_csv_text(rows, columns) if fmt == "csv" else _markdown_text(rows, columns))
        return
    with atomic_target(output, protect) as temporary:
        _write_file(rows, columns, fmt, temporary)


def table_bytes(rows: Iterable[dict[str, Any]], columns: list[str], fmt: str) -> bytes:
    """The bytes `write_table` would write, for a download button."""
    rows = list(rows)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        _xlsx(rows, columns, buffer)
        return buffer.getvalue()
    return (_csv_text(rows, columns) if fmt == "csv" else _markdown_text(rows, columns)).encode("utf-8")


def write_stdout(text: str) -> None:
    """Write to stdout; a reader that stops early (`| head`) ends the command quietly."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_broken_pipe()


def quiet_broken_pipe() -> None:
    """After a closed pipe: point stdout at /dev/null so the exit flush raises nothing, and stop."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(0)


def _write_file(rows: list[dict[str, Any]], columns: list[str], fmt: str, path: Path) -> None:
    if fmt == "xlsx":
        _xlsx(rows, columns, path)
    else:
        text = _csv_text(rows, columns) if fmt == "csv" else _markdown_text(rows, columns)
        path.write_text(text, encoding="utf-8", newline="")


def _csv_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(safe_row(columns))
    writer.writerows(_line_breaks(safe_row(row.get(c) for c in columns)) for row in rows)
    return buffer.getvalue()


def _line_breaks(values: list[Any]) -> list[Any]:
    """Carriage returns inside cells as line breaks, which CSV quotes (a bare CR would split the row when read)."""
    return [v.replace("\r\n", "\n").replace("\r", "\n") if v.__class__ is str and "\r" in v else v for v in values]


def _markdown_text(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def cell(value: Any) -> str:
        return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _xlsx(rows: list[dict[str, Any]], columns: list[str], target: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(safe_row(columns))
    for row in rows:
        sheet.append(safe_row(row.get(c) for c in columns))
    workbook.save(target)
