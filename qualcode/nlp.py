"""The one place spaCy is set up: sentences and lemmas for segmentation and suggestions.

By default a blank English pipeline with a rule-based sentencizer and a lookup
lemmatizer (tables from spacy-lookups-data, shipped with the package; nothing is
downloaded). The lookup table is keyed on exact token text, so "Running" would not
be found: qualcode's lemmatizer looks up the lower-cased token and stores a
lower-cased lemma, leaving the text, and so every char offset, untouched. A trained
pipeline the user has installed can be named instead.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from .errors import NlpModelError

DEFAULT_MODEL = "blank:en"
LEMMATIZER = "qualcode_lemmatizer"


@Language.factory(LEMMATIZER)
def make_lemmatizer(nlp: Language, name: str) -> "LowerCaseLookupLemmatizer":
    return LowerCaseLookupLemmatizer(nlp.lang)


class LowerCaseLookupLemmatizer:
    """Sets `token.lemma_` to the lookup lemma of the lower-cased token text."""

    def __init__(self, lang: str) -> None:
        from spacy.lookups import load_lookups

        self.table = load_lookups(lang, ["lemma_lookup"]).get_table("lemma_lookup")
        self.cache: dict[str, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        cache = self.cache
        for token in doc:
            lower = token.lower_
            lemma = cache.get(lower)
            if lemma is None:
                lemma = self.table.get(lower, lower)
                if len(cache) < 200_000:
                    cache[lower] = lemma
            token.lemma_ = lemma
        return doc


def get_pipeline(model: str | None = None) -> Language:
    """The pipeline named by `model` (default: blank English + sentencizer + lemmas), built once."""
    return _build_pipeline(model or DEFAULT_MODEL)


@lru_cache(maxsize=4)
def _build_pipeline(model: str) -> Language:
    if model == DEFAULT_MODEL:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe(LEMMATIZER)
        return nlp
    try:
        nlp = spacy.load(model)
    except OSError:
        raise NlpModelError(f"spaCy pipeline `{model}` is not installed; install it with pip, or leave out the model name to use the built-in one.") from None
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


def sentence_bounds(texts: Iterable[str], model: str | None = None, batch_size: int = 256) -> Iterator[list[tuple[int, int]]]:
    """For each text, the (start, end) char offsets of its sentences, whitespace trimmed."""
    nlp = get_pipeline(model)
    enabled = sentence_pipes(nlp)
    with nlp.select_pipes(enable=enabled):
        for doc in nlp.pipe(texts, batch_size=batch_size):
            text = doc.text  # built anew on every access, so once per doc
            spans = (trim_span(text, sent.start_char, sent.end_char) for sent in doc.sents)
            yield [(start, end) for start, end in spans if end > start]


def lemma_docs(texts: Iterable[str], model: str | None = None, batch_size: int = 256) -> Iterator[Doc]:
    """Docs with lower-cased lemmas set, for matching and similarity."""
    nlp = get_pipeline(model)
    yield from nlp.pipe(texts, batch_size=batch_size)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) so the span neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
