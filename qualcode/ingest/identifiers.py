"""Identifier lists: a text or CSV file of names to mask, one a line, optionally with a kind.

Each line is `NAME` or `NAME,KIND` (CSV quoting allowed, so a name with a comma is
written in quotes); blank lines and lines starting with `#` are ignored, and a first
row `identifier,kind` (or `name,kind`) is taken as a header.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import EncodingError, IdentifiersFileError
from ..limits import read_bytes
from .encoding import decode

HEADERS = ("identifier", "name", "identifiers", "names")


@dataclass(frozen=True)
class IdentifierLine:
    """One name read from a file, with its kind if the line gave one, and where it was."""

    line: int
    identifier: str
    kind: str | None


def read_identifiers(path: str | Path) -> list[IdentifierLine]:
    """The names in an identifiers file, in file order."""
    path = Path(path)
    try:
        text, _ = decode(read_bytes(path, IdentifiersFileError, "identifiers file"), path)
    except (FileNotFoundError, IsADirectoryError):
        raise IdentifiersFileError(f"{path}: no such identifiers file; check the path.") from None
    except EncodingError as error:
        raise IdentifiersFileError(str(error)) from None
    found: list[IdentifierLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader(io.StringIO(line)), [])]
        if len(cells) > 2:
            raise IdentifiersFileError(
                f"{path}, line {number}: has {len(cells)} fields; write NAME or NAME,KIND, quoting a name that holds a comma."
            )
        if not found and cells[0].lower() in HEADERS:
            continue
        if not cells[0]:
            raise IdentifiersFileError(f"{path}, line {number}: the name is empty; write the name before the comma.")
        found.append(
            IdentifierLine(
                number, " ".join(cells[0].split()), cells[1].lower() if len(cells) > 1 and cells[1] else None
            )
        )
    return found
