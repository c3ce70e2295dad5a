"""The pinned statistical conventions (DESIGN.md), stated on every report and in the book's reference."""

from __future__ import annotations

COMMON = (
    "Intervals are 95%. Durations are in hours. Random steps (bootstrap) use the run's seed, recorded in run.json: "
    "the same input gives the same numbers on every run."
)

BASELINE = (
    "Pairing: for each ticket, the first start-step event, then the first end-step event at or after it. "
    "The median is the true median (the mean of the two middle values for an even count), with a seeded "
    "percentile bootstrap interval. The Kaplan-Meier median counts tickets without an end event as censored at "
    "the data's last timestamp. Proportions (SLA share) use Wilson intervals."
)

SURVEY = (
    "CSAT is the top-2-box share of the overall item (the two highest codes of the declared scale), not the mean, "
    "with a Wilson interval. Reverse-keyed items are recoded as scale_min + scale_max - x before scoring. "
    "Cronbach's alpha comes from pingouin with its confidence interval, on complete rows (listwise deletion); a "
    "scale score is the mean of the answered items when at least half are answered. Wave comparisons: "
    "Mann-Whitney p and rank-biserial r (r > 0: the later wave answered higher); the CSAT difference has Newcombe's "
    "hybrid score interval. Groups smaller than min_group_size are suppressed everywhere, and one more group is "
    "hidden when the suppressed ones could be recovered by subtraction from the totals. Free text is shown only "
    "after e-mail addresses, phone numbers and long digit runs are redacted."
)

ITS = (
    "Segmented regression: the level term is 1 from the first post period; the slope term is the number of "
    "periods since the intervention, 0 at the first post period ((t - t0) x post), so the level change is the jump "
    "at the intervention date. Durations are modelled on the log scale by default (OLS on log(outcome): effects "
    "as % changes with exponentiated intervals, counterfactuals exp(x'b) above 0; the level change is also given "
    "in the outcome's units at the first post period); scale: linear is OLS on the outcome. Gaussian periods are "
    "weighted by their tickets (WLS) when the series has the count; periods with too few tickets and the last "
    "periods still mostly open are left out and counted. Errors: Newey-West, small-sample correction on, t-based "
    "intervals (as Stata newey and R sandwich::NeweyWest(prewhite = FALSE, adjust = TRUE)), with the lag "
    "reported; when the Ljung-Box test on those residuals gives p < 0.05, iterated Prais-Winsten AR(p) instead "
    "(as Stata prais). Count models: log link with log(offset); quasi-Poisson scales by Pearson chi-square / df; "
    "Wald intervals on the log scale, then exponentiated. Seasonality: Fourier pairs sin/cos(2 pi k t / period). "
    "Excluded periods keep their place in time, and lags are counted in periods, never across a gap or between "
    "the treated and control series (panel Newey-West for comparative models). Placebo dates are read with a "
    "Bonferroni adjustment for their number."
)

FEASIBILITY = (
    "Sample size per arm for a two-sided two-sample comparison of means at the given alpha and power. "
    "Design effect for randomising people whose units are correlated: 1 + (m - 1) x ICC, with m the units per "
    "person over the weeks available. The effective sample counts both arms together. When not given, the "
    "metric's SD and the ICC(1) (one-way ANOVA for unequal group sizes) are estimated per agent from the "
    "baseline's hours, with seeded cluster-bootstrap intervals; Kohavi's 355 x skewness^2 rule checks whether the "
    "mean is near-normal at the required n."
)

BY_ANALYSIS = {"baseline": BASELINE, "survey": SURVEY, "its": ITS, "feasibility": FEASIBILITY}


def statement(analysis: str) -> str:
    """The conventions paragraph for one analysis's report."""
    return f"{BY_ANALYSIS[analysis]} {COMMON}"
