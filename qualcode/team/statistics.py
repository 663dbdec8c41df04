"""Inter-coder reliability over coded units: percent agreement, Cohen's kappa, Krippendorff's alpha.

Ratings are a coders x units matrix of category indices, -1 where a coder gave the
unit no single value (missing). Nominal Krippendorff's alpha comes from the
`krippendorff` package; the same coincidence-matrix formula, weighted by how often
each pattern of ratings occurs, gives the bootstrap. Confidence intervals are 95%
percentile intervals from RESAMPLES bootstrap resamples (seeded, so a report is
reproducible) that draw clusters of units with replacement: a cluster is a segment,
so sentences or characters of one segment are resampled together rather than treated
as independent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import krippendorff
import numpy as np

RESAMPLES = 1000
SEED = 0
CONFIDENCE = 0.95
PACKAGE_LIMIT = 20_000_000  # units x categories^2 above which alpha is computed from rating patterns


@dataclass
class Estimate:
    """A statistic with its bootstrap confidence interval (None where it is undefined)."""

    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass
class Reliability:
    """Agreement statistics for one variable (a code, or one-code-per-unit) over a set of units."""

    units: int
    percent: Estimate
    kappa: Estimate
    alpha: Estimate


@dataclass
class Bootstrap:
    """Resampling weights for clusters of units, shared by every statistic of one report."""

    clusters: int
    resamples: int = RESAMPLES
    seed: int = SEED
    _weights: np.ndarray | None = field(default=None, repr=False)

    @property
    def weights(self) -> np.ndarray:
        """How often each cluster is drawn in each resample (resamples x clusters)."""
        if self._weights is None:
            rng = np.random.default_rng(self.seed)
            self._weights = rng.multinomial(
                self.clusters, np.full(self.clusters, 1.0 / self.clusters), size=self.resamples
            )
        return self._weights


def reliability(
    ratings: np.ndarray, categories: int, clusters: np.ndarray, bootstrap: Bootstrap | None = None
) -> Reliability:
    """Percent agreement, Cohen's kappa (two coders only) and nominal alpha, with bootstrap intervals.

    `ratings` is coders x units (category index or -1); `clusters` gives each unit's
    cluster (0..bootstrap.clusters-1).
    """
    patterns, inverse = _patterns(np.asarray(ratings), categories)
    counts = (patterns[:, :, None] == np.arange(categories)[None, None, :]).sum(axis=1)
    weights = np.bincount(inverse, minlength=len(patterns)).astype(float)
    two = patterns.shape[1] == 2
    percent = _percent(patterns, counts, weights[None, :])[0]
    kappa = _kappa(patterns, categories, weights[None, :])[0] if two else np.nan
    alpha = _package_alpha(counts, inverse, weights, categories)
    pairable = int(weights[counts.sum(axis=1) >= 2].sum())
    if bootstrap is None or pairable == 0:
        return Reliability(pairable, Estimate(_num(percent)), Estimate(_num(kappa)), Estimate(_num(alpha)))
    per_cluster = np.zeros((bootstrap.clusters, len(patterns)))
    np.add.at(per_cluster, (np.asarray(clusters), inverse), 1.0)
    resampled = bootstrap.weights @ per_cluster
    return Reliability(
        pairable,
        _estimate(percent, _percent(patterns, counts, resampled)),
        _estimate(kappa, _kappa(patterns, categories, resampled)) if two else Estimate(None),
        _estimate(alpha, pattern_alpha(counts, resampled)),
    )


def _patterns(ratings: np.ndarray, categories: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct columns of `ratings` (patterns x coders) and each unit's pattern index."""
    coders = ratings.shape[0]
    if (categories + 1) ** coders >= 2**62:
        patterns, inverse = np.unique(ratings.T, axis=0, return_inverse=True)
        return patterns, inverse.reshape(-1)
    place = (categories + 1) ** np.arange(coders, dtype=np.int64)
    keys, inverse = np.unique(place @ (ratings.astype(np.int64) + 1), return_inverse=True)
    patterns = (keys[:, None] // place[None, :]) % (categories + 1) - 1
    return patterns, inverse.reshape(-1)


def pattern_alpha(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Nominal Krippendorff's alpha for each row of `weights` (how often each rating pattern occurs).

    `counts` is patterns x categories: how many coders gave each category.
    """
    weights = np.atleast_2d(weights)
    raters = counts.sum(axis=1)
    pairable = raters >= 2
    within = (counts[:, :, None] * counts[:, None, :] - counts[:, :, None] * np.eye(counts.shape[1])[None]).astype(
        float
    )
    within[pairable] /= (raters[pairable] - 1)[:, None, None]
    within[~pairable] = 0.0
    coincidence = np.einsum("bp,pck->bck", weights, within)
    marginals = coincidence.sum(axis=2)
    total = marginals.sum(axis=1)
    observed = total - np.trace(coincidence, axis1=1, axis2=2)
    expected = total**2 - (marginals**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1.0 - (total - 1.0) * observed / expected, np.nan)


def _package_alpha(counts: np.ndarray, inverse: np.ndarray, weights: np.ndarray, categories: int) -> float:
    """Nominal alpha from the krippendorff package (from rating patterns when the units are very many)."""
    if ((counts[counts.sum(axis=1) >= 2] > 0).sum(axis=0) > 0).sum() < 2:
        return np.nan  # fewer than two values among pairable ratings: alpha is undefined
    if len(inverse) * categories**2 > PACKAGE_LIMIT:
        return float(pattern_alpha(counts, weights)[0])
    return float(
        krippendorff.alpha(
            value_counts=counts[inverse], value_domain=list(range(categories)), level_of_measurement="nominal"
        )
    )


def _percent(patterns: np.ndarray, counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Share of pairable units on which every coder who rated them gave the same value."""
    raters = counts.sum(axis=1)
    pairable = raters >= 2
    unanimous = pairable & (counts.max(axis=1) == raters)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (weights @ unanimous) / (weights @ pairable)


def _kappa(patterns: np.ndarray, categories: int, weights: np.ndarray) -> np.ndarray:
    """Cohen's kappa of two coders over the units both rated."""
    both = (patterns >= 0).all(axis=1)
    table = np.zeros((weights.shape[0], categories, categories))
    for p in np.flatnonzero(both):
        table[:, patterns[p, 0], patterns[p, 1]] += weights[:, p]
    total = table.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.trace(table, axis1=1, axis2=2) / total
        chance = (table.sum(axis=2) * table.sum(axis=1)).sum(axis=1) / total**2
        return np.where(chance < 1, (observed - chance) / (1 - chance), np.nan)


def _estimate(value: float, resampled: np.ndarray) -> Estimate:
    finite = resampled[np.isfinite(resampled)]
    if not np.isfinite(value) or len(finite) == 0:
        return Estimate(_num(value))
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Estimate(_num(value), float(low), float(high))


def _num(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
