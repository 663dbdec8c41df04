"""Turn the bytes of a text file into text, saying which encoding was used.

Order: a byte-order mark (UTF-8, UTF-16) decides; then UTF-16 without a mark (Word's
"Unicode text" is full of zero bytes); then strict UTF-8; then Windows-1252, the
encoding of text saved by Word and Notepad on Western Windows machines. UTF-8 text with
a few stray bytes (a paste from another program) stays UTF-8: each bad byte becomes
U+FFFD and a note says where, rather than every accent being reread as Windows-1252.
Anything else is refused with a sentence that says how to fix it, never guessed silently.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ..errors import EncodingError

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def read_text_file(path: Path) -> tuple[str, str, list[str]]:
    """(text, encoding, notes) of a text transcript: refused when too large or binary, then decoded."""
    from ..limits import read_bytes, refuse_binary

    data = read_bytes(path, EncodingError, "transcript")
    refuse_binary(data, path, EncodingError)
    return decode_noting(data, path)


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (normalised text, encoding name) for the bytes of a file."""
    text, encoding, _ = decode_noting(data, path)
    return text, encoding


def decode_noting(data: bytes, path: str | Path) -> tuple[str, str, list[str]]:
    """(normalised text, encoding name, notes on bytes that had to be replaced) for the bytes of a file."""
    encoding = detect_encoding(data, path)
    if encoding == "utf-8-replaced":
        text = data.decode("utf-8", errors="replace")
        return normalise(text), "utf-8", [_replaced_note(text, data, path)]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:  # UTF-16 with a lone surrogate or an odd byte count
        line = data[: error.start].count(b"\n" if encoding.startswith("utf-8") else b"\n\x00") + 1
        raise EncodingError(
            f"{path}, line {line}: the {encoding.upper()} text is broken ({error.reason}); "
            "open it in a text editor and save it as UTF-8, then import it again."
        ) from None
    return normalise(text), encoding, []


def _replaced_note(text: str, data: bytes, path: str | Path) -> str:
    """Where the bytes that are not UTF-8 were, as a sentence (text is the data decoded with replacement)."""
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    first = text.index("\ufffd")
    line = text.count("\n", 0, first) + 1
    column = first - text.rfind("\n", 0, first)
    count = f"{bad} bytes that are" if bad > 1 else "1 byte that is"
    return (
        f"{path}: {count} not UTF-8 replaced by U+FFFD (first at line {line}, column {column}); "
        "check those places against the original."
    )


def detect_encoding(data: bytes, path: str | Path) -> str:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    if _looks_like_utf16(data):
        return "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return "utf-8-replaced"
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise EncodingError(
            f"{path}: cannot tell its text encoding (not UTF-8, UTF-16 or Windows-1252); "
            "open it in a text editor and save it as UTF-8, then import it again."
        ) from None


def _mostly_utf8(data: bytes) -> bool:
    """True when valid multi-byte UTF-8 sequences outnumber the bytes that are not UTF-8 (a UTF-8 file with strays)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return good > 0 and bad <= good


def _looks_like_utf16(data: bytes) -> bool:
    sample = data[:4000]
    if len(sample) < 4:
        return False
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    half = len(sample) / 2
    return max(zeros_even, zeros_odd) > 0.3 * half and min(zeros_even, zeros_odd) < 0.05 * half


def normalise(text: str) -> str:
    """Unicode NFC, no BOM, and `\\n` line endings whatever the file used (CRLF, CR, LF)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)
