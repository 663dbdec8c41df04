"""CSV files a researcher gives (codings, participants): read through every input guard, errors naming the file."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import EncodingError, QualcodeError
from ..limits import csv_error_line, csv_field_error, csv_rows, read_bytes, refuse_binary, refuse_surrogates
from .encoding import decode

T = TypeVar("T")


def read_csv_file(
    path: Path, error: type[QualcodeError], kind: str, missing: str, parse: Callable[[csv.DictReader, Path], T]
) -> T:
    """`parse(reader, path)` of a CSV file: refused in one sentence (of class `error`) when missing, binary, badly encoded or oversized."""
    try:
        data = read_bytes(path, error, kind)
    except (FileNotFoundError, IsADirectoryError):
        raise error(f"{path}: no such {kind}; {missing}") from None
    refuse_binary(data, path, error)
    try:
        text, _ = decode(data, path)
    except EncodingError as problem:
        raise error(str(problem)) from None
    refuse_surrogates(text, path, error)
    reader = csv_rows(text, path, error)
    try:
        return parse(reader, path)
    except csv.Error as problem:
        raise csv_field_error(problem, path, csv_error_line(problem, reader), error) from None
