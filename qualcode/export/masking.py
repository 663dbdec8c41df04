"""The anonymisation guard: one masking step for everything that shows or writes project text.

Every table, file, screen and log line holding transcript text, names or attributes
passes a Masker (`Masker.for_store(store)`; `mask_rows` for a table, `mask_value` for
any value, `mask_about` for provenance). Names are matched after both the name and the
text are normalised the same way (NFKC, so composed and decomposed accents agree;
casefold, so STRASSE meets Straße; curly and straight apostrophes alike; zero-width
characters dropped), as whole words or as parts of a compound (SarahJones,
Sarah_Jones, brightwayworks.co.uk for Brightway Works), across any spacing between the
words of a multi-word name, and before a possessive ("Sandra's" and "Sandras" become
"[name]'s" and "[name]s"). A web address holding a name is masked whole, and every
email address is masked, listed or not. Each hit is replaced by a bracketed
placeholder for its kind and counted by identifier.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import IdentifierError
from ..store import Store
from ..store import identifiers as stored

PLACEHOLDERS = {
    "person": "[name]",
    "place": "[place]",
    "council": "[council]",
    "provider": "[provider]",
    "organisation": "[organisation]",
    "other": "[identifier]",
}
KINDS = tuple(PLACEHOLDERS)
DEFAULT_KIND = "person"


def check_kind(kind: str, where: str = "") -> str:
    """A kind in lower case, or an error naming the kinds there are."""
    value = (kind or "").strip().lower()
    if value not in PLACEHOLDERS:
        prefix = f"{where}: " if where else ""
        raise IdentifierError(f"{prefix}unknown identifier kind `{kind}`; use one of {', '.join(KINDS)}.")
    return value


EMAIL_PLACEHOLDER = "[email]"
EMAIL_HIT = "email address"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
APOSTROPHES = "\u2019\u2018\u02bc\u02b9\u2032\u00b4\u0060\u02bb\uff07"
_FOLD = {**dict.fromkeys(map(ord, ZERO_WIDTH)), **{ord(c): "'" for c in APOSTROPHES}}
_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"')\]]+|[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|info|biz|io|co|uk|eu|ie|de|fr|nl|au|ca|nz)\b(?:/[^\s<>\"')\]]*)?",
    re.IGNORECASE,
)
_NAME_PARTS = re.compile(r"[\s_.\-]+")
_SEPARATOR = r"[\s_.\-]*"
_CACHE_LENGTH = 80


def fold(text: str) -> str:
    """Text as the masker compares it: zero-width characters dropped, apostrophes straight, NFKC, casefolded."""
    return unicodedata.normalize("NFKC", text.translate(_FOLD)).casefold()


def _folded_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """`fold(text)` built piece by piece, with each folded character's start and end in `text`."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        piece = fold(text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return "".join(out), starts, ends


def _first_part(name: str) -> str:
    """The start of a name's first word up to any apostrophe: every match of the name holds it (a fast first look)."""
    words = [word for word in _NAME_PARTS.split(fold(name)) if word]
    return words[0].split("'")[0] if words else ""


def _name_pattern(name: str) -> str:
    """A name's regular expression on folded text: its words joined by any spacing, _ . - or nothing; apostrophes optional."""
    words = [word for word in _NAME_PARTS.split(fold(name)) if word]
    return _SEPARATOR.join(re.escape(word).replace("'", "'?") for word in words)


@dataclass
class Masker:
    """Masks a fixed set of identifiers (and every email address) in text and counts every hit by identifier."""

    identifiers: list[tuple[str, str]]  # (name, kind)
    hits: Counter = field(default_factory=Counter)
    enabled: bool = True  # False only for a file the researcher chose to write unmasked

    def __post_init__(self) -> None:
        names = sorted(
            {name for name, _ in self.identifiers if fold(name).strip()}, key=lambda n: (-len(fold(n)), fold(n))
        )
        self._names: dict[str, tuple[str, str]] = {}  # folded, squeezed -> (name, placeholder)
        for name, kind in self.identifiers:
            self._names.setdefault(self._key(name), (name, PLACEHOLDERS.get(kind, "[identifier]")))
        self._pattern = re.compile("|".join(f"(?:{_name_pattern(name)})" for name in names)) if names else None
        firsts = sorted({_first_part(name) for name in names} - {""}, key=lambda w: (-len(w), w))
        self._hint = re.compile("|".join(map(re.escape, firsts))) if firsts else self._pattern
        self._cache: dict[str, tuple[str, tuple[str, ...]]] = {}

    @staticmethod
    def _key(text: str) -> str:
        return "".join(ch for ch in fold(text) if ch.isalnum())

    @classmethod
    def for_store(cls, store: Store) -> Masker:
        """A masker for the project's current identifiers list, and the speaker labels that are people's names."""
        listed = [(row["identifier"], row["kind"]) for row in stored.list_identifiers(store)]
        return cls(listed + [(name, DEFAULT_KIND) for name in speaker_names(store.speaker_labels())])

    def by_placeholder(self) -> Counter:
        """Hits counted by placeholder ([name] 3, [email] 1): what a message may say without naming anyone."""
        kinds = {name: placeholder for name, placeholder in self._names.values()}
        counts: Counter = Counter()
        for name, n in self.hits.items():
            counts[EMAIL_PLACEHOLDER if name == EMAIL_HIT else kinds.get(name, "[identifier]")] += n
        return counts

    @property
    def total(self) -> int:
        """How many hits were masked so far."""
        return sum(self.hits.values())

    def mask(self, text: str, count: bool = True) -> tuple[str, int]:
        """The text with every identifier replaced by its placeholder, and the number replaced (counted in `hits` when `count`)."""
        if not text or (
            text.isascii() and "@" not in text and (self._hint is None or not self._hint.search(text.lower()))
        ):
            return text, 0  # the common case, decided at once: plain text holding no name and no email
        cached = self._cache.get(text) if len(text) <= _CACHE_LENGTH else None
        if cached is None:
            cached = self._mask(text)
            if len(text) <= _CACHE_LENGTH:
                self._cache[text] = cached
        masked, found = cached
        if count:
            for name in found:
                self.hits[name] += 1
        return masked, len(found)

    def mask_value(self, value: Any) -> Any:
        """A cell or field value with identifiers masked; anything but text is returned as it is."""
        return self.mask(value)[0] if isinstance(value, str) else value

    def _mask(self, text: str) -> tuple[str, tuple[str, ...]]:
        if not self.enabled:
            return text, ()
        spans = self._email_spans(text) + self._name_spans(text)
        if not spans:
            return text, ()
        spans = self._whole_addresses(text, spans)
        spans.sort(
            key=lambda span: (span[0], -span[1])
        )  # the longest span at a place wins (an email over a name in it)
        pieces, found, last = [], [], 0
        for start, end, placeholder, name in spans:
            if start < last:
                continue
            pieces += [text[last:start], placeholder]
            found.append(name)
            last = end
        pieces.append(text[last:])
        return "".join(pieces), tuple(found)

    @staticmethod
    def _email_spans(text: str) -> list[tuple[int, int, str, str]]:
        if "@" not in text:
            return []
        return [(m.start(), m.end(), EMAIL_PLACEHOLDER, EMAIL_HIT) for m in _EMAIL.finditer(text)]

    def _name_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        if self._pattern is None or self._hint is None:
            return []
        if text.isascii():
            folded = text.lower()
            if not self._hint.search(folded):
                return []
            starts = ends = None
        else:
            if not self._hint.search(fold(text)):
                return []
            folded, starts, ends = _folded_with_offsets(text)
        spans: list[tuple[int, int, str, str]] = []
        position = 0
        while True:
            match = self._pattern.search(folded, position)
            if match is None:
                return spans
            begin, finish = match.span()
            tail = re.match(r"'s?|s", folded[finish:])
            possessive = tail is not None and not _continues(folded, finish + tail.end())
            if not _edge_ok(text, folded, begin, starts, ends) or not (
                possessive or _edge_ok(text, folded, finish, starts, ends)
            ):
                position = begin + 1
                continue
            start = begin if starts is None else starts[begin]
            end = finish if ends is None else ends[finish - 1]
            name, placeholder = self._names.get(self._key(match.group(0)), (match.group(0), "[identifier]"))
            spans.append((start, end, placeholder, name))
            position = finish

    def _whole_addresses(self, text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
        """A web address holding a masked name is masked whole."""
        if "." not in text:
            return spans
        for url in _URL.finditer(text):
            inside = [s for s in spans if s[0] >= url.start() and s[1] <= url.end() and s[2] != EMAIL_PLACEHOLDER]
            if inside:
                spans = [s for s in spans if s not in inside] + [(url.start(), url.end(), inside[0][2], inside[0][3])]
        return spans

    def mask_rows(self, rows: Iterable[dict[str, Any]], columns: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
        """A table with every text cell and every column name masked (column names name coders and groups)."""
        names = [self.mask_value(column) for column in columns]
        renamed = dict(zip(columns, names))
        masked = [{renamed.get(key, key): self.mask_value(value) for key, value in row.items()} for row in rows]
        return masked, names

    def mask_about(self, about: Any) -> Any:
        """Provenance (nested dicts and lists) with every text value masked."""
        if isinstance(about, dict):
            return {key: self.mask_about(value) for key, value in about.items()}
        if isinstance(about, (list, tuple)):
            return [self.mask_about(value) for value in about]
        return self.mask_value(about)


def _edge_ok(text: str, folded: str, index: int, starts: list[int] | None, ends: list[int] | None) -> bool:
    """True when a match edge at folded `index` does not cut a word, or cuts it at a capital (SarahJones)."""
    if index <= 0 or index >= len(folded) or not folded[index - 1].isalpha() or not folded[index].isalpha():
        return True
    before = text[index - 1] if ends is None else text[ends[index - 1] - 1]
    after = text[index] if starts is None else text[starts[index]]
    return before.islower() and after.isupper()


def _continues(folded: str, index: int) -> bool:
    return index < len(folded) and folded[index].isalpha()


_NAME_WORD = re.compile(r"[^\W\d_]['’]?[^\W\d_]*(?:['’-][^\W\d_]+)*\.?")  # Sara, O'Brien, Farías, Anne-Marie, F.
_TAG = re.compile(r"\s*\([^()]*\)\s*$")  # a role or initials after the name: `Ashlee Kupor (SL)`
SPEAKER_WORDS = {  # words of speaker labels that name a part in the conversation, not a person
    "interviewer", "interviewee", "participant", "speaker", "unknown", "host", "guest", "moderator", "facilitator",
    "respondent", "narrator", "researcher", "audience", "member", "student", "teacher", "doctor", "nurse",
    "question", "answer", "male", "female", "voice", "other", "person", "caller", "and", "coach", "worker",
    "manager", "officer", "adviser", "advisor", "commissioner", "provider", "parent", "carer", "mother", "father",
    "son", "daughter", "partner", "family", "social", "support", "team", "group", "panel", "chair", "staff",
    "patient", "client", "user", "service", "leader", "lead", "coordinator", "assistant", "practitioner",
    "therapist", "counsellor", "employer", "employee", "volunteer", "friend", "colleague", "job", "the",
}  # fmt: skip


def _name_word(word: str) -> bool:
    """A word of a person's name as a label writes it: capitalised (Sara, O'Brien, McDonald), or an initial (F.)."""
    initial = len(word.rstrip(".")) == 1
    return bool(_NAME_WORD.fullmatch(word)) and word[0].isupper() and (initial or any(c.islower() for c in word))


def speaker_names(labels: Iterable[str]) -> list[str]:
    """The speaker labels that are people's names (two or more capitalised words, as Otter and Zoom write them;
    `Surname, First` as Teams does, also in reading order): masked everywhere like a listed name, since a
    transcript names its speakers whoever keeps the list."""
    found = []
    for label in labels:
        name = _TAG.sub("", " ".join(label.split()))
        surname, comma, first = name.partition(", ")
        words = (first + " " + surname if comma else name).split()
        if len(words) < 2 or not all(_name_word(word) for word in words):
            continue
        if {word.strip(".").lower() for word in words} & SPEAKER_WORDS:
            continue
        found += [name, " ".join(words)] if comma else [name]
    return found


def masker_for(store: Store, mask: bool = True) -> Masker:
    """The project's masker, or one that masks nothing when the researcher opted out (files only)."""
    return Masker.for_store(store) if mask else Masker([], enabled=False)


def mask_rows(
    store: Store, rows: Iterable[dict[str, Any]], columns: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """A table (rows and column names) with the project's identifiers masked: for any table a face shows or writes."""
    return Masker.for_store(store).mask_rows(rows, columns)


def masked_texts(store: Store, texts: Iterable[str]) -> list[str]:
    """Texts with the project's identifiers masked, for any table that leaves the app or the CLI."""
    masker = Masker.for_store(store)
    return [masker.mask(text)[0] for text in texts]
