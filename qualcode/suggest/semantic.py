"""Semantic stage: what a segment means, as a static sentence embedding, so that passages
sharing meaning but no words ("nobody joins any of that up", "poor coordination") sit close.

The embedding is the mean of the segment's token vectors from WordLlama's bundled
table (the `wordllama` package ships the table and its tokenizer, so nothing is
downloaded). All 256 of the table's dimensions are kept and matched against the codes'
definitions: on real answers coded by their own analysts (NHS Friends and Family Test)
that puts a human code first more often than the leading 64 do. The table was trained
so that its leading dimensions carry the most meaning, and the learned models read only
the first 64 (LEARNING_DIMENSIONS): all 256 there learn barely better at about 2.5 times
the fitting time. Vectors are centred on the corpus being coded, because the common
direction every static embedding shares says nothing about any code.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path

import numpy as np

from ..errors import NlpModelError

TABLE = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
DIMENSIONS = 256
LEARNING_DIMENSIONS = 64
BATCH = 2000


class SentenceEmbedder:
    """Mean token vectors of texts, unit length."""

    name = "WordLlama static word-vector table (256 dimensions)"
    learning_dimensions: int | None = LEARNING_DIMENSIONS

    def __init__(self, table: np.ndarray, tokenizer) -> None:
        self.table = table
        self.tokenizer = tokenizer

    @property
    def dimensions(self) -> int:
        return int(self.table.shape[1])

    def embed(self, texts: list[str]) -> np.ndarray:
        """Texts x dimensions, each row of length 1 (zeros for a text with no tokens)."""
        result = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for begin in range(0, len(texts), BATCH):
            result[begin : begin + BATCH] = self._mean_vectors(texts[begin : begin + BATCH])
        return _unit(result)

    def _mean_vectors(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)
        lengths = np.array([len(e.ids) for e in encodings])
        means = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not lengths.sum():
            return means
        ids = np.concatenate([e.ids for e in encodings]).astype(np.int64)
        np.clip(ids, 0, len(self.table) - 1, out=ids)
        filled = lengths > 0
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])[filled]
        means[filled] = np.add.reduceat(self.table[ids], starts, axis=0) / lengths[filled, None]
        return means


def embedder():
    """The sentence encoder when it is chosen and installed (verified by hash), else the static word-vector table."""
    from . import encoder

    if not USE_ENCODER:
        return static_embedder()
    return encoder.installed() or static_embedder()


# The transformer encoder reads some hundreds of words a second in numpy (suggest_speed.py --encoder), far
# slower than the static table, so a project chooses it: QUALCODE_ENCODER=minilm.
USE_ENCODER = os.environ.get("QUALCODE_ENCODER", "").strip().lower() == "minilm"


@functools.lru_cache(maxsize=1)
def static_embedder() -> SentenceEmbedder:
    """The static embedder, loaded once per process from the installed `wordllama` package."""
    folder = _package_folder()
    table_path, tokenizer_path = folder / TABLE, folder / TOKENIZER
    if not table_path.exists() or not tokenizer_path.exists():
        raise NlpModelError(
            f"the embedding table in {folder} is incomplete; reinstall it with "
            "`pip install --force-reinstall wordllama`."
        )
    from safetensors import safe_open
    from tokenizers import Tokenizer

    with safe_open(str(table_path), framework="np") as handle:
        table = np.ascontiguousarray(handle.get_tensor("embedding.weight")[:, :DIMENSIONS], dtype=np.float32)
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return SentenceEmbedder(table, tokenizer)


def remembered(embedder, texts: list[str]) -> np.ndarray:
    """Meaning vectors of texts, remembered for this process (per embedder), so each text is embedded once."""
    known = _REMEMBERED.setdefault(embedder.name, {})
    missing = list(dict.fromkeys(t for t in texts if t not in known))
    if len(known) + len(missing) > REMEMBER_AT_MOST:
        known.clear()
        missing = list(dict.fromkeys(texts))
    for begin in range(0, len(missing), BATCH):
        chunk = missing[begin : begin + BATCH]
        known.update(zip(chunk, embedder.embed(chunk)))
    if not texts:
        return np.zeros((0, embedder.dimensions), dtype=np.float32)
    return np.vstack([known[t] for t in texts])


_REMEMBERED: dict[str, dict[str, np.ndarray]] = {}
REMEMBER_AT_MOST = 400_000


def for_learning(embedder, meanings: np.ndarray) -> np.ndarray:
    """The part of the meaning vectors the learned models read (the leading dimensions where the embedder says so), unit length."""
    dimensions = getattr(embedder, "learning_dimensions", None)
    return meanings if not dimensions else _unit(np.ascontiguousarray(meanings[:, :dimensions]))


def definition_features(meanings: np.ndarray, definitions: np.ndarray) -> dict[str, np.ndarray]:
    """Per segment x code: cosine of the segment's meaning to the code's definition, and how it ranks.

    `meaning` is the raw cosine (how close, in absolute terms: a passage about
    something else is far from every code); `meaning_margin` is the cosine minus the
    segment's best cosine to any code (0 for the best-fitting code).
    """
    cosine = meanings @ definitions.T if len(meanings) else np.zeros((0, len(definitions)), np.float32)
    best = cosine.max(axis=1, keepdims=True) if cosine.shape[1] else cosine
    return {"meaning": cosine.astype(np.float64), "meaning_margin": (cosine - best).astype(np.float64)}


# Cosine below which a passage's meaning is far from a code's definition (or from a coded
# passage), per embedder: below what nearly every passage human coders coded reaches
# (its 2nd percentile on the NHS Friends and Family Test answers; benchmarks/calibrate_codebook_only.py).
NEAR = {SentenceEmbedder.name: (0.110, 0.331), "all-MiniLM-L6-v2 sentence encoder": (0.140, 0.424)}


def near(embedder_name: str, coded: bool = False) -> float:
    """The cosine a passage needs to count as near a code's definition (or, `coded`, a coded passage)."""
    definition, passage = NEAR.get(embedder_name, NEAR[SentenceEmbedder.name])
    return passage if coded else definition


def centred(vectors: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Vectors minus the corpus centre, back to unit length: what is particular to each segment."""
    return _unit(vectors - centre)


def _package_folder() -> Path:
    spec = importlib.util.find_spec("wordllama")  # its files only: importing it would load a web client
    if spec is None or not spec.submodule_search_locations:
        raise NlpModelError(
            "suggestions need the `wordllama` package for their embedding table; "
            "install it with `pip install wordllama`."
        )
    return Path(list(spec.submodule_search_locations)[0])


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
