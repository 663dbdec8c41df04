"""Turn the bytes of a text file into text, saying which encoding was used.

Order: a byte-order mark (UTF-8, UTF-16) decides; then UTF-16 without a mark (Word's
"Unicode text" is full of zero bytes); then strict UTF-8; then Windows-1252, the
encoding of text saved by Word and Notepad on Western Windows machines. Anything else
is refused with a sentence that says how to fix it, never guessed silently.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from ..errors import EncodingError

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (normalised text, encoding name) for the bytes of a file."""
    encoding = detect_encoding(data, path)
    text = data.decode(encoding)
    return normalise(text), encoding


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
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise EncodingError(
            f"{path}: cannot tell its text encoding (not UTF-8, UTF-16 or Windows-1252); "
            "open it in a text editor and save it as UTF-8, then import it again."
        ) from None


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
