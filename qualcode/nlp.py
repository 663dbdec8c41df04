"""The one place spaCy is set up: sentences and lemmas for segmentation and suggestions.

By default a blank English pipeline with a rule-based sentencizer and a lookup
lemmatizer (tables from spacy-lookups-data, shipped with the package; nothing is
downloaded). The lookup table is keyed on exact token text, so "Running" would not
be found: qualcode's lemmatizer looks up the lower-cased token and stores a
lower-cased lemma, leaving the text, and so every char offset, untouched. A trained
pipeline the user has installed can be named instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from .errors import NlpModelError

if TYPE_CHECKING:  # spaCy is imported when a pipeline is first built, so commands that need none start quickly
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "blank:en"
LEMMATIZER = "qualcode_lemmatizer"


def make_lemmatizer(nlp: Language, name: str) -> LowerCaseLookupLemmatizer:
    return LowerCaseLookupLemmatizer(nlp.lang or "en")


def _register_lemmatizer() -> None:
    """Make the lemmatizer known to spaCy by name, once, before the first pipeline is built."""
    from spacy.language import Language

    if not Language.has_factory(LEMMATIZER):
        Language.factory(LEMMATIZER)(make_lemmatizer)


class LowerCaseLookupLemmatizer:
    """Sets each token's lemma to the lookup lemma of its lower-cased text.

    Works on the doc's arrays of string hashes (no Python object per token), with
    a cache from lower-case hash to lemma hash, because lemmatising is on the hot
    path of every suggestion run.
    """

    def __init__(self, lang: str) -> None:
        from spacy.lookups import load_lookups

        self.table = load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
        self.cache: dict[int, int] = {}

    def __call__(self, doc: Doc) -> Doc:
        from spacy.attrs import LEMMA, LOWER

        if not len(doc):
            return doc
        lowers = doc.to_array(LOWER)
        unique, inverse = np.unique(lowers, return_inverse=True)
        lemmas = np.fromiter(
            (self._lemma(int(h), doc.vocab.strings) for h in unique), dtype=np.uint64, count=len(unique)
        )
        doc.from_array([LEMMA], lemmas[inverse].reshape(-1, 1))  # type: ignore[arg-type]  # spaCy's Ints2d is a numpy array
        return doc

    def _lemma(self, lower: int, strings) -> int:
        found = self.cache.get(lower)
        if found is None:
            text = strings[lower]
            found = strings.add(self.table.get(text, text))
            if len(self.cache) < 500_000:
                self.cache[lower] = found
        return found


def get_pipeline(model: str | None = None) -> Language:
    """The pipeline named by `model` (default: blank English + sentencizer + lemmas), built once."""
    return _build_pipeline(model or DEFAULT_MODEL)


@lru_cache(maxsize=4)
def _build_pipeline(model: str) -> Language:
    import spacy

    if model == DEFAULT_MODEL:
        _register_lemmatizer()
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe(LEMMATIZER)
        return nlp
    try:
        nlp = spacy.load(model)
    except OSError:
        raise NlpModelError(
            f"spaCy pipeline `{model}` is not installed; install it with pip, or leave out the model name to use the built-in one."
        ) from None
    if not ({"parser", "senter", "sentencizer"} & set(nlp.pipe_names)):
        nlp.add_pipe("sentencizer")
    return nlp


def sentence_pipes(nlp: Language) -> list[str]:
    """The components needed for sentence boundaries alone (the rest can be skipped)."""
    for name in ("sentencizer", "senter", "parser"):
        if name in nlp.pipe_names:
            needed = ["tok2vec", name] if name != "sentencizer" else [name]
            return [pipe for pipe in nlp.pipe_names if pipe in needed]
    return []


def sentence_bounds(
    texts: Iterable[str], model: str | None = None, batch_size: int = 256
) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) char offsets of its sentences, whitespace trimmed."""
    nlp = get_pipeline(model)
    enabled = sentence_pipes(nlp)
    skip = [name for name in nlp.pipe_names if name not in enabled]
    for doc in nlp.pipe(texts, batch_size=batch_size, disable=skip):  # not select_pipes: another thread may be reading
        text = doc.text  # built anew on every access, so once per doc
        ends = _without_trailing_openings(text, [sent.end_char for sent in doc.sents])
        spans = (trim_span(text, start, end) for start, end in zip([0, *ends[:-1]], ends))
        yield [(start, end) for start, end in spans if end > start]


OPENING = "([{“‘"


def _without_trailing_openings(text: str, ends: list[int]) -> list[int]:
    """Sentence ends moved before any opening bracket or quote they swallowed (the sentencizer keeps
    punctuation after a full stop with its sentence, so "the job. [name] said" split inside "[name]")."""
    moved, previous = [], 0
    for end in ends[:-1]:  # the last sentence keeps what it ends with: nothing follows to take it
        body = text[:end].rstrip()
        while len(body) > previous and body[-1] in OPENING:
            body = body[:-1].rstrip()
        previous = max(previous, len(body))
        moved.append(previous)
    return moved + ends[-1:]


def lemma_docs(texts: Iterable[str], model: str | None = None, batch_size: int = 256) -> Iterator[Doc]:
    """Docs with lower-cased lemmas set, for matching and similarity (sentence splitting skipped)."""
    nlp = get_pipeline(model)
    skip = [name for name in ("sentencizer", "senter", "parser", "ner") if name in nlp.pipe_names]
    yield from nlp.pipe(texts, batch_size=batch_size, disable=skip)  # leaves the shared pipeline as it is


def lemma_texts(docs: Iterable[Doc]) -> Iterator[tuple[Doc, str]]:
    """Each doc with its lemmas of word tokens joined by spaces (the text similarity works on)."""
    from spacy.attrs import IS_ALPHA, LEMMA

    cache: dict[int, str] = {}
    for doc in docs:
        if not len(doc):
            yield doc, ""
            continue
        values = doc.to_array([LEMMA, IS_ALPHA])
        strings = doc.vocab.strings
        words = []
        for lemma, alpha in values:
            if alpha:
                text = cache.get(int(lemma))
                if text is None:
                    text = cache[int(lemma)] = strings[int(lemma)]
                words.append(text)
        yield doc, " ".join(words)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) so the span neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """The English lookup table (lower-case word form -> lemma) the lemmatizer uses, as plain strings."""
    import gzip
    import json
    from pathlib import Path

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as source:
        return {form.lower(): lemma.lower() for form, lemma in json.load(source).items()}


@lru_cache(maxsize=1)
def word_forms() -> dict[str, frozenset[str]]:
    """Per lemma, every word form the lookup table gives it (the lemma itself included): what a lemma search matches."""
    forms: dict[str, set[str]] = {}
    for form, lemma in lemma_table().items():
        forms.setdefault(lemma, {lemma}).add(form)
    return {lemma: frozenset(found) for lemma, found in forms.items()}
