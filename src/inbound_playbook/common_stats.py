"""Statistics shared by several analyses: proportions with Wilson intervals.

The true median and its seeded bootstrap interval live in ``baseline.stats`` (``median_ci``), which draws the
bootstrap median's order statistics directly and so scales to millions of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

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

    Parameters
    ----------
    successes : int
        Count of successes, 0..n.
    n : int
        Trials.
    alpha : float, default 0.05
        One minus the interval's coverage.

    Returns
    -------
    Proportion
        Successes, n, share and interval; share and interval None when n = 0 (nothing to estimate).

    Notes
    -----
    (p + z^2 / 2n +- z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n), z = z_(1 - alpha/2); statsmodels
    ``proportion_confint(method="wilson")`` does the arithmetic. Matches R's ``prop.test(x, n, correct = FALSE)``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference. JASA 22, 209-212.
    Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of seven methods.
    Statistics in Medicine 17, 857-872 (method 3).

    Examples
    --------
    >>> p = wilson_interval(81, 263)
    >>> round(p.ci[0], 4), round(p.ci[1], 4)
    (0.2553, 0.3662)
    """
    if n == 0:
        return Proportion(successes=0, n=0, share=None, ci=None)
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    low, high = proportion_confint(successes, n, alpha=alpha, method="wilson")
    # The exact bounds at the edges are 0 and 1; floating point leaves 4e-19 or 0.9999999999999999, which would
    # put the share outside its own interval.
    low = 0.0 if successes == 0 else float(low)
    high = 1.0 if successes == n else float(high)
    return Proportion(successes=int(successes), n=int(n), share=successes / n, ci=(low, high))
