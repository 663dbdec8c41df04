"""No credential is shown or written: database URLs appear with their password replaced by ***.

`hide_password` takes a store location (or any text holding URLs, such as an error
message) and returns it safe to print, log or write into a file's provenance.
"""

from __future__ import annotations

import re

HIDDEN = "***"
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)(?P<password>[^\s@/]*)(?P<at>@)")


def hide_password(text: str | object) -> str:
    """The text with the password of every URL in it replaced by ***."""
    return _URL_PASSWORD.sub(lambda m: m["head"] + HIDDEN + m["at"], str(text))


def has_password(location: str | object) -> bool:
    """True when the location (a database URL) carries a password."""
    return bool(_URL_PASSWORD.search(str(location)))
