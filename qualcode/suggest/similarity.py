"""Zero-shot stage: how close each segment is to each code's profile, from the codebook alone.

TF-IDF over lemmas (words and word pairs) fitted on the profiles and the segments
being scored; cosine similarity to each code's profile and to its theme's rolled-up
profile. Raw cosines depend on profile length, so they are also standardised per
code (how unusual is this segment for the code) and per segment (which code fits it best).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from ..codebook import Codebook


def make_vectorizer() -> TfidfVectorizer:
    """The text representation shared by zero-shot similarity and the learned models."""
    return TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        stop_words="english",
        token_pattern=r"(?u)\b[a-z][a-z']+\b",
        dtype=np.float32,
    )


class ProfileSimilarity:
    """Cosine similarity of lemmatised segments to code and theme profiles."""

    def __init__(self, codebook: Codebook, profile_lemmas: dict[str, str], code_ids: list[str]) -> None:
        self.code_ids = code_ids
        self.theme_ids = [codebook.theme_of(code_id) for code_id in code_ids]
        self.profile_lemmas = profile_lemmas

    def fit(self, segment_lemmas: list[str]) -> sparse.csr_matrix:
        """Fit on the profiles and the corpus; returns the corpus's vectors."""
        self.vectorizer = make_vectorizer()
        names = list(self.profile_lemmas)
        matrix = self.vectorizer.fit_transform(
            [*self.profile_lemmas.values(), *segment_lemmas]
        )  # one pass over the text
        row = {name: i for i, name in enumerate(names)}
        self.codes = matrix[[row[c] for c in self.code_ids]]
        self.themes = matrix[[row[t] for t in self.theme_ids]]
        corpus = matrix[len(names) :]
        self.code_stats = _stats(np.asarray((corpus @ self.codes.T).todense()))
        self.theme_stats = _stats(np.asarray((corpus @ self.themes.T).todense()))
        return corpus

    def state(self) -> dict[str, np.ndarray]:
        """What `fit` learned from the corpus (vocabulary, weights, statistics), for `restore` in a later run."""
        vocabulary = sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.get)
        return {
            "vocabulary": np.array(vocabulary, dtype=str),
            "idf": self.vectorizer.idf_.astype(np.float64),
            "code_mean": self.code_stats[0],
            "code_std": self.code_stats[1],
            "theme_mean": self.theme_stats[0],
            "theme_std": self.theme_stats[1],
        }

    def restore(self, state: dict[str, np.ndarray]) -> None:
        """Take a fitted state instead of fitting, so passages are read as the corpus they came from was."""
        self.vectorizer = make_vectorizer()
        self.vectorizer.vocabulary_ = {str(term): i for i, term in enumerate(state["vocabulary"])}
        self.vectorizer.idf_ = state["idf"]
        self.codes = self.vectorizer.transform([self.profile_lemmas[c] for c in self.code_ids])
        self.themes = self.vectorizer.transform([self.profile_lemmas[t] for t in self.theme_ids])
        self.code_stats = (state["code_mean"], state["code_std"])
        self.theme_stats = (state["theme_mean"], state["theme_std"])

    def transform(self, segment_lemmas: list[str]) -> sparse.csr_matrix:
        return self.vectorizer.transform(segment_lemmas)

    def features(self, vectors: sparse.csr_matrix) -> dict[str, np.ndarray]:
        """Per segment x code: raw cosine to code and theme, and both standardised."""
        code_sim = np.asarray((vectors @ self.codes.T).todense())
        theme_sim = np.asarray((vectors @ self.themes.T).todense())
        return {
            "similarity": code_sim,
            "theme_similarity": theme_sim,
            "z_code": (code_sim - self.code_stats[0]) / self.code_stats[1],
            "z_segment": (code_sim - code_sim.mean(axis=1, keepdims=True)) / _safe(code_sim.std(axis=1, keepdims=True)),
            "z_theme": (theme_sim - self.theme_stats[0]) / self.theme_stats[1],
        }


def _stats(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (non-zero) standard deviation of each column over the corpus."""
    return values.mean(axis=0, keepdims=True), _safe(values.std(axis=0, keepdims=True))


def _safe(std: np.ndarray) -> np.ndarray:
    return np.where(std > 1e-9, std, 1.0)
