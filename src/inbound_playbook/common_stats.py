"""Statistics shared by several analyses: Wilson intervals, true medians, seeded bootstrap intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from statsmodels.stats.proportion import proportion_confint


@dataclass(frozen=True)
class Proportion:
    """A share with its Wilson 95% interval."""

    successes: int
    n: int
    share: float | None
    ci: tuple[float, float] | None


def wilson_interval(successes: int, n: int, alpha: float = 0.05) -> Proportion:
    """Share ``successes / n`` with the Wilson score interval (no continuity correction).

    Matches R's ``prop.test(x, n, correct = FALSE)$conf.int`` and ``binom::binom.wilson``; statsmodels does the
    arithmetic. With n = 0 the share and interval are None (nothing to estimate).

    Example
    -------
    >>> p = wilson_interval(81, 263)
    >>> round(p.ci[0], 4), round(p.ci[1], 4)
    (0.2553, 0.3662)
    """
    if n == 0:
        return Proportion(successes=0, n=0, share=None, ci=None)
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    return Proportion(successes=int(successes), n=int(n), share=successes / n, ci=(float(low), float(high)))


def true_median(values: np.ndarray) -> float | None:
    """The median: the middle value, or the mean of the two middle values for an even count (never a lower
    or upper median, and no interpolation beyond that)."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return None
    return float(np.median(values))


def bootstrap_median_ci(
    values: np.ndarray, *, seed: int, resamples: int = 2000, alpha: float = 0.05
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the true median, seeded so the same input gives the same interval.

    Resampling is done in blocks to bound memory on large inputs (a million durations x 2,000 resamples would
    not fit at once); results do not depend on the block size because every resample draws from one generator
    in a fixed order.
    """
    values = np.asarray(values, dtype=float)
    n = values.size
    if n == 0:
        return None
    if n == 1:
        return (float(values[0]), float(values[0]))
    rng = np.random.default_rng(seed)
    medians = np.empty(resamples)
    block = max(1, min(resamples, 20_000_000 // n))
    for start in range(0, resamples, block):
        stop = min(resamples, start + block)
        idx = rng.integers(0, n, size=(stop - start, n))
        medians[start:stop] = np.median(values[idx], axis=1)
    low, high = np.quantile(medians, [alpha / 2, 1 - alpha / 2])
    return (float(low), float(high))
