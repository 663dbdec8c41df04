"""How near a passage is to a code's decisions (the learner's nearness evidence) is the mean cosine of its three
most similar coded (or passed-over) passages in other transcripts, whatever the shape of the references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.preprocessing import normalize
from sqlalchemy import select
from test_suggest_scale import coded, coded_db  # noqa: F401  (fixtures shared)

from qualcode import project
from qualcode.store import Store
from qualcode.store.schema import fitted_models
from qualcode.suggest.learned import NEIGHBOURS, References
from qualcode.suggest.training import NEGATIVE, POSITIVE


def _by_hand(unit: np.ndarray, groups: np.ndarray, rows: np.ndarray, columns: list) -> np.ndarray:
    """The evidence worked out one passage and one code at a time, as its definition says."""
    result = np.zeros((len(rows), len(columns), 3))
    for i, row in enumerate(rows):
        for col, (references, labels) in enumerate(columns):
            near = []
            for label in (POSITIVE, NEGATIVE):
                others = [r for r in references[labels == label] if groups[r] != groups[row]]
                cosines = sorted((max(0.0, float(unit[row] @ unit[r])) for r in others), reverse=True)
                k = min(NEIGHBOURS, len(references[labels == label]))
                near.append(sum(cosines[:k]) / k if k else 0.0)
            result[i, col] = [near[0], near[1], near[0] - near[1]]
    return result * 3.0


@pytest.fixture(scope="module")
def corpus() -> tuple[np.ndarray, np.ndarray, list]:
    """400 passages over 60 words in 20 transcripts, and codes with many, few, one and no references."""
    rng = np.random.default_rng(3)
    words = sparse.random(400, 60, density=0.08, random_state=4, dtype=np.float64).toarray()
    words[:, :3] += rng.random((400, 3)) * (rng.random((400, 1)) < 0.7)  # a few words most passages use
    unit = normalize(words)
    groups = np.array([f"T{i % 20:02d}" for i in range(400)])
    shared = rng.permutation(400)  # passed-over passages mostly the same for every code
    columns = []
    for positives, negatives in [(40, 150), (12, 150), (2, 150), (1, 0), (0, 0), (25, 30)]:
        chosen = rng.choice(400, positives, replace=False)
        passed = [r for r in shared if r not in set(chosen)][:negatives]
        if negatives == 30:
            passed = list(rng.choice([r for r in range(400) if r not in set(chosen)], 30, replace=False))
        rows = np.array(sorted([*chosen, *passed]), dtype=int)
        labels = np.where(np.isin(rows, chosen), POSITIVE, NEGATIVE).astype(np.int8)
        columns.append((rows, labels))
    return unit, groups, columns


def test_nearness_is_the_mean_of_the_nearest_references_in_other_transcripts(corpus) -> None:
    unit, groups, columns = corpus
    rows = np.arange(0, 400, 3)
    found = References(sparse.csr_matrix(unit), groups, columns).evidence(rows, chunk=50)
    assert np.allclose(found, _by_hand(unit, groups, rows, columns), atol=1e-5)


def test_only_the_wanted_codes_are_worked_out(corpus) -> None:
    unit, groups, columns = corpus
    rows = np.arange(0, 400, 7)
    found = References(sparse.csr_matrix(unit), groups, columns).evidence(rows, [5, 1])
    expected = _by_hand(unit, groups, rows, columns)
    assert np.allclose(found[:, [1, 5]], expected[:, [1, 5]], atol=1e-5)
    assert not found[:, [0, 2, 3, 4]].any()
    assert expected[:, 1, 0].any() and expected[:, 5, 1].any()  # the codes compared are near something


def nearness_entries(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        query = select(fitted_models.c.key).where(fitted_models.c.kind == "nearness")
        return set(connection.execute(query).scalars())


def test_a_whole_run_works_out_nearness_only_for_codes_whose_decisions_changed(coded):  # noqa: F811
    first = project.suggest(coded, min_confidence=0.0)
    kept = nearness_entries(coded)
    assert first.fitted > 0 and len(kept) >= 3
    project.suggest(coded, min_confidence=0.0)
    assert nearness_entries(coded) == kept  # nothing new: every code's nearness read back, none worked out
    uncoded = coded.codings(document_ids=["T3"], statuses=["pending"])
    project.reject(coded, [uncoded[0]["id"]], "ann")  # a new negative of one code (no passage passed over)
    project.suggest(coded, min_confidence=0.0)
    assert len(nearness_entries(coded) - kept) == 1  # that code's references changed, no other code's
