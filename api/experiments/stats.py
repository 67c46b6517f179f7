"""The statistics of an experiment report: pure functions on counts and summaries.

No Flask, no ORM: numbers in, numbers out, so the report, the console and the simulation use
the same arithmetic, and unit tests can check it against known answers. The distributions come
from SciPy and statsmodels; nothing here hand-writes a distribution.

- Sample-ratio mismatch: Pearson chi-square of people per arm against the planned weights,
  flagged below p = 0.001 (as GrowthBook does).
- A rate (binary outcome): difference from control with the Agresti-Caffo interval and test
  (one adjusted estimate and standard error for both, so "the interval includes zero" and
  "p >= 0.05" agree; coverage close to 95% already at 100 people per arm).
- A mean: Welch's t (unequal variances) with its interval.
- Across arms: Holm's step-down correction of the p-values.
- Before start: the minimum detectable effect for the planned sizes (alpha split over the
  comparisons, power 80%).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# SciPy and statsmodels are imported where they are used: together they take seconds to import,
# which every server process, CLI command and test run would pay at start for a report that
# few requests ask for.

SRM_ALPHA = 0.001
ALPHA = 0.05
POWER = 0.8
MIN_CELL = 10  # as the funnel report: a cell of fewer people is withheld


@dataclass(frozen=True)
class Srm:
    """Sample-ratio check: chi-square, its p-value and whether it is flagged."""

    chi2: float
    p_value: float
    flagged: bool


def sample_ratio(observed: Sequence[int], weights: Sequence[float]) -> Srm:
    """Are the arms' sizes what their weights promise? Flag when p < 0.001."""
    from scipy import stats as sps

    total = float(sum(observed))
    if total <= 0 or len(observed) < 2:
        return Srm(0.0, 1.0, False)
    w = np.asarray(weights, dtype=float)
    expected = total * w / w.sum()
    chi2, p = sps.chisquare(np.asarray(observed, dtype=float), expected)
    return Srm(float(chi2), float(p), bool(p < SRM_ALPHA))


@dataclass(frozen=True)
class Comparison:
    """An arm against control: difference, its 95% interval and the two-sided p-value."""

    difference: float
    low: float
    high: float
    p_value: float

    @property
    def includes_zero(self) -> bool:
        return self.low <= 0.0 <= self.high


def compare_rates(events: int, n: int, control_events: int, control_n: int) -> Comparison:
    """Rate of the arm minus rate of control (Agresti-Caffo interval and test)."""
    from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

    diff = events / n - control_events / control_n
    low, high = confint_proportions_2indep(
        events, n, control_events, control_n, method="agresti-caffo", compare="diff", alpha=ALPHA
    )
    result = test_proportions_2indep(
        events, n, control_events, control_n, method="agresti-caffo", compare="diff"
    )
    p = float(result.pvalue)
    if math.isnan(p):  # no variation at all (everyone or nobody in both arms)
        p = 1.0
    return Comparison(float(diff), float(low), float(high), p)


def compare_means(
    mean: float, sd: float, n: int, control_mean: float, control_sd: float, control_n: int
) -> Comparison:
    """Mean of the arm minus mean of control: Welch's t-test and interval from summaries."""
    from scipy import stats as sps

    diff = mean - control_mean
    v1, v0 = sd**2 / n, control_sd**2 / control_n
    se = math.sqrt(v1 + v0)
    if se == 0:
        return Comparison(diff, diff, diff, 1.0 if diff == 0 else 0.0)
    df = (v1 + v0) ** 2 / (v1**2 / (n - 1) + v0**2 / (control_n - 1))
    t = float(sps.t.ppf(1 - ALPHA / 2, df))
    p = float(2 * sps.t.sf(abs(diff / se), df))
    return Comparison(diff, diff - t * se, diff + t * se, p)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-adjusted p-values (same order) across the arms compared with control.

    One comparison needs no adjustment (Holm leaves a single p as it is); statsmodels is only
    asked for two or more, because its multipletests runs a full garbage collection each call.
    """
    if len(p_values) <= 1:
        return [float(p) for p in p_values]
    from statsmodels.stats.multitest import multipletests

    _, adjusted, _, _ = multipletests(list(p_values), alpha=ALPHA, method="holm")
    return [float(p) for p in adjusted]


@dataclass(frozen=True)
class Power:
    """What the planned sizes can detect: the smallest true difference found 80% of the time."""

    alpha: float
    power: float
    control_n: int
    arm_n: int  # the smallest treatment arm
    baseline: float | None  # rate (binary) or mean
    sd: float | None  # for a mean outcome
    mde: float | None  # absolute: percentage points as a fraction, or units of the mean


def mde_rate(baseline: float, control_n: int, arm_n: int, comparisons: int) -> Power:
    """Minimum detectable rise of a rate (Cohen's h back to an absolute difference)."""
    from statsmodels.stats.power import NormalIndPower

    alpha = ALPHA / max(1, comparisons)
    if control_n < 2 or arm_n < 2:
        return Power(alpha, POWER, control_n, arm_n, baseline, None, None)
    h = NormalIndPower().solve_power(
        effect_size=None, nobs1=arm_n, ratio=control_n / arm_n, alpha=alpha, power=POWER
    )
    p0 = min(max(baseline, 1e-6), 1 - 1e-6)
    angle = math.asin(math.sqrt(p0)) + float(h) / 2
    p1 = math.sin(min(angle, math.pi / 2)) ** 2
    return Power(alpha, POWER, control_n, arm_n, baseline, None, p1 - p0)


def mde_mean(baseline: float, sd: float, control_n: int, arm_n: int, comparisons: int) -> Power:
    """Minimum detectable change of a mean, in the outcome's own units."""
    from statsmodels.stats.power import TTestIndPower

    alpha = ALPHA / max(1, comparisons)
    if control_n < 2 or arm_n < 2 or sd <= 0:
        return Power(alpha, POWER, control_n, arm_n, baseline, sd, None)
    d = TTestIndPower().solve_power(
        effect_size=None, nobs1=arm_n, ratio=control_n / arm_n, alpha=alpha, power=POWER
    )
    return Power(alpha, POWER, control_n, arm_n, baseline, sd, float(d) * sd)


def planned_sizes(eligible: int, weights: Sequence[float]) -> list[int]:
    """People per arm if everyone eligible now is enrolled (weights as shares)."""
    w = np.asarray(weights, dtype=float)
    return [int(x) for x in np.floor(eligible * w / w.sum())]
