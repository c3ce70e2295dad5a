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
    # The exact bounds at the edges are 0 and 1; floating point leaves 4e-19 or 0.9999999999999999, which would
    # put the share outside its own interval.
    low = 0.0 if successes == 0 else float(low)
    high = 1.0 if successes == n else float(high)
    return Proportion(successes=int(successes), n=int(n), share=successes / n, ci=(low, high))
