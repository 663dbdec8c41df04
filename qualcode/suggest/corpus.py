"""What a suggester learned from the corpus itself (not from decisions): its vocabulary and word
weights, how close passages usually are to each code, how common each keyword is, and the
centre of the passages' meanings.

It is fitted on a full run and kept in the store, so suggesting for a new transcript reads
it as the rest of the project was read, without reading the project again; the next full
run over a changed corpus fits it afresh.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class CorpusState:
    """The corpus-fitted part of a suggester, known by `key` (what it was fitted on)."""

    key: str
    similarity: dict[str, np.ndarray]
    specificity: dict[str, float]
    centre: np.ndarray

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        terms = sorted(self.specificity)
        np.savez(buffer, centre=self.centre, terms=np.array(terms, dtype=str),
                 weights=np.array([self.specificity[t] for t in terms], dtype=np.float64),
                 **{f"similarity_{name}": value for name, value in self.similarity.items()})
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, key: str, data: bytes) -> "CorpusState":
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            similarity = {name[len("similarity_"):]: stored[name] for name in stored.files if name.startswith("similarity_")}
            specificity = dict(zip(stored["terms"].tolist(), stored["weights"].tolist()))
            return cls(key, similarity, specificity, stored["centre"])


def fingerprint(signature: str, segments: list[dict[str, Any]]) -> str:
    """A digest of the suggester's make and of every segment (id and text): the key of the state fitted on them."""
    digest = hashlib.sha256(signature.encode("utf-8"))
    for segment in segments:
        digest.update(f"{segment['id']}\x00".encode("utf-8"))
        digest.update(hashlib.sha256(segment["text"].encode("utf-8")).digest())
    return digest.hexdigest()
