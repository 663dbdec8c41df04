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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse


@dataclass
class CorpusState:
    """The corpus-fitted part of a suggester, known by `key` (what it was fitted on)."""

    key: str
    similarity: dict[str, np.ndarray]
    specificity: dict[str, float]
    centre: np.ndarray
    read: list[str] = field(default_factory=list)  # hashes of the lemmatised texts whose word vectors are kept
    vectors: sparse.csr_matrix | None = None  # their word vectors, one row each

    def keep_vectors(self, lemmas: list[str], vectors: sparse.csr_matrix) -> None:
        """Keep the word vectors of these texts (each once), so a later run reads only texts it has not seen."""
        first: dict[str, int] = {}
        for row, text in enumerate(lemmas):
            first.setdefault(lemma_hash(text), row)
        self.read = list(first)
        self.vectors = vectors[list(first.values())].tocsr()

    def word_vectors(self, lemmas: list[str], transform) -> sparse.csr_matrix:
        """Word vectors of lemmatised texts: the kept ones, and `transform` of the others."""
        at = {h: row for row, h in enumerate(self.read)}
        hashes = [lemma_hash(text) for text in lemmas]
        known = [i for i, h in enumerate(hashes) if h in at]
        missing = [i for i, h in enumerate(hashes) if h not in at]
        parts = []
        if known and self.vectors is not None:
            parts.append(self.vectors[[at[hashes[i]] for i in known]])
        if missing:
            parts.append(sparse.csr_matrix(transform([lemmas[i] for i in missing])))
        if not parts:
            return transform(lemmas)
        stacked = sparse.vstack(parts, format="csr")
        order = np.empty(len(lemmas), dtype=int)
        order[np.array(known + missing, dtype=int)] = np.arange(len(lemmas))
        return stacked[order]

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        terms = sorted(self.specificity)
        matrix = self.vectors if self.vectors is not None else sparse.csr_matrix((0, 0), dtype=np.float32)
        arrays: dict[str, np.ndarray] = {
            "centre": self.centre,
            "terms": np.array(terms, dtype=str),
            "weights": np.array([self.specificity[t] for t in terms], dtype=np.float64),
            "read": np.array(self.read, dtype="U40"),
            "data": matrix.data.astype(np.float32),
            "indices": matrix.indices,
            "indptr": matrix.indptr,
            "shape": np.array(matrix.shape),
            **{f"similarity_{name}": value for name, value in self.similarity.items()},
        }
        np.savez(buffer, **arrays)  # type: ignore[arg-type]  # numpy types savez's keywords as its options only
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, key: str, data: bytes) -> CorpusState:
        with np.load(io.BytesIO(data), allow_pickle=False) as stored:
            similarity = {
                name[len("similarity_") :]: stored[name] for name in stored.files if name.startswith("similarity_")
            }
            specificity = dict(zip(stored["terms"].tolist(), stored["weights"].tolist()))
            vectors = sparse.csr_matrix(
                (stored["data"], stored["indices"], stored["indptr"]), shape=tuple(stored["shape"])
            )
            return cls(key, similarity, specificity, stored["centre"], stored["read"].tolist(), vectors)


def lemma_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def fingerprint(signature: str, segments: list[dict[str, Any]]) -> str:
    """A digest of the suggester's make and of every segment (id and text): the key of the state fitted on them."""
    digest = hashlib.sha256(signature.encode("utf-8"))
    for segment in segments:
        digest.update(f"{segment['id']}\x00".encode())
        digest.update(hashlib.sha256(segment["text"].encode("utf-8")).digest())
    return digest.hexdigest()
