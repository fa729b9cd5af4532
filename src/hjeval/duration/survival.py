"""Kaplan-Meier curves, medians and restricted means from counts by duration in months.

Durations are whole months, so the Kaplan-Meier estimator needs only, for
each duration ``d``, the spells ending there (``events[d]``) and the
censored spells leaving the risk set there (``censored[d]``): the risk set
is ``n[d] = sum over d' >= d of (events + censored)[d']``, the exit hazard
``events[d] / n[d]`` and the curve ``S(d) = prod over d' <= d of (1 - events
/ n)``. This is exactly the estimator on the individual spells (with tied
durations), and summing counts over municipalities gives any pooled curve,
which is what makes every placebo re-assignment cheap. Leading axes are
carried through, so many curves are computed at once.

The curve is a step function: ``S(t) = S(floor t)``. Beyond the longest
observed duration it is held at its last value.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = [
    "greenwood_se",
    "kaplan_meier",
    "median",
    "median_ci",
    "restricted_mean",
    "restricted_mean_se",
    "risk_set",
]

_MEDIAN_TOLERANCE = 1e-12


def risk_set(events: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """Spells at risk at each duration: those whose survival time is at least ``d``.

    Examples
    --------
    >>> risk_set(np.array([0, 2, 1]), np.array([1, 0, 1])).tolist()
    [5, 4, 2]
    """
    total = np.asarray(events) + np.asarray(censored)
    return np.flip(np.cumsum(np.flip(total, axis=-1), axis=-1), axis=-1)


def kaplan_meier(events: np.ndarray, censored: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier curve ``S(d)`` at durations ``0, 1, ...`` and the risk sets.

    Parameters
    ----------
    events, censored : numpy.ndarray, shape (..., D + 1)
        Counts by survival time in months.

    Returns
    -------
    (survival, at_risk) : tuple of numpy.ndarray
        ``survival[..., d] = P(duration > d)``; NaN where a curve has no spells.

    Examples
    --------
    >>> s, n = kaplan_meier(np.array([0, 1, 1, 1]), np.array([0, 0, 1, 0]))
    >>> s.round(4).tolist(), n.tolist()
    ([1.0, 0.75, 0.5, 0.0], [4.0, 4.0, 3.0, 1.0])
    """
    events = np.asarray(events, dtype=np.float64)
    n = risk_set(events, censored).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        hazard = np.where(n > 0, events / n, 0.0)
    survival = np.cumprod(1.0 - hazard, axis=-1)
    empty = n[..., :1] <= 0
    return np.where(empty, np.nan, survival), n


def _integral_to(survival: np.ndarray, tau: float) -> np.ndarray:
    """``int_0^tau S(u) du`` of the step curve, held flat beyond its last duration."""
    whole = math.floor(tau)
    frac = tau - whole
    top = survival.shape[-1] - 1
    if whole <= top:
        inside = survival[..., :whole].sum(axis=-1)
        return inside + frac * survival[..., whole]
    last = survival[..., top]
    return survival.sum(axis=-1) + (whole - top - 1 + frac) * last


def restricted_mean(survival: np.ndarray, tau: float) -> np.ndarray:
    """Restricted mean duration ``int_0^tau S(u) du``, in months (``E[min(duration, tau)]``).

    Examples
    --------
    >>> s, _ = kaplan_meier(np.array([0, 1, 1, 1]), np.array([0, 0, 0, 0]))
    >>> round(float(restricted_mean(s, 2.5)), 4)
    1.8333
    """
    return _integral_to(np.asarray(survival, dtype=np.float64), float(tau))


def restricted_mean_se(survival: np.ndarray, events: np.ndarray, at_risk: np.ndarray, tau: float) -> np.ndarray:
    """Standard error of the restricted mean (Greenwood-type delta method).

    ``Var = sum over event durations d < tau of A(d)^2 e_d / (n_d (n_d - e_d))``
    with ``A(d) = int_d^tau S(u) du`` (Klein and Moeschberger 2003, sec. 4.5).

    Examples
    --------
    >>> e, c = np.array([0, 2, 1, 1]), np.zeros(4)
    >>> s, n = kaplan_meier(e, c)
    >>> round(float(restricted_mean_se(s, e, n, 3.0)), 6)
    0.414578
    """
    survival = np.asarray(survival, dtype=np.float64)
    events = np.asarray(events, dtype=np.float64)
    at_risk = np.asarray(at_risk, dtype=np.float64)
    total = _integral_to(survival, tau)
    top = survival.shape[-1] - 1
    last = min(math.ceil(tau) - 1, top)
    if last < 1:
        return np.zeros(survival.shape[:-1])
    d = np.arange(1, last + 1)
    before = np.concatenate([np.zeros((*survival.shape[:-1], 1)), np.cumsum(survival, axis=-1)], axis=-1)
    area = total[..., None] - before[..., d]
    e, n = events[..., d], at_risk[..., d]
    with np.errstate(invalid="ignore", divide="ignore"):
        term = np.where((e > 0) & (n > e), area**2 * e / (n * (n - e)), 0.0)
    return np.sqrt(term.sum(axis=-1))


def median(survival: np.ndarray) -> float:
    """Median duration in months: the smallest ``d`` with ``S(d) <= 0.5``; NaN if never reached.

    Examples
    --------
    >>> median(np.array([1.0, 0.8, 0.5, 0.2]))
    2.0
    """
    below = np.flatnonzero(np.asarray(survival) <= 0.5 + _MEDIAN_TOLERANCE)
    return float(below[0]) if len(below) else math.nan


def greenwood_se(survival: np.ndarray, events: np.ndarray, at_risk: np.ndarray) -> np.ndarray:
    """Greenwood standard errors of ``S(d)`` (NaN from a duration where everyone at risk left, as statsmodels)."""
    events = np.asarray(events, dtype=np.float64)
    n = np.asarray(at_risk, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        increment = np.where(events > 0, events / (n * (n - events)), 0.0)
    increment = np.where((events > 0) & (n <= events), np.nan, increment)
    return np.asarray(survival) * np.sqrt(np.cumsum(increment, axis=-1))


def median_ci(survival: np.ndarray, events: np.ndarray, at_risk: np.ndarray, alpha: float) -> tuple[float, float]:
    """Confidence interval of the median by inverting the test of ``S(t) = 0.5`` (Brookmeyer and Crowley 1982).

    The complementary log-log transform of ``S`` with Greenwood errors, as
    statsmodels' ``SurvfuncRight.quantile_ci`` (and SAS ``PROC LIFETEST``):
    the interval holds the event durations whose curve is not significantly
    different from 0.5; the upper end is infinite when that includes the last one.

    Returns
    -------
    (low, high) : tuple of float
        In months; NaN when no duration qualifies.
    """
    events = np.asarray(events)
    times = np.flatnonzero(events > 0)
    if not len(times):
        return math.nan, math.nan
    s = np.asarray(survival)[times]
    se = greenwood_se(survival, events, at_risk)[times]
    z = float(stats.norm.ppf(1 - alpha / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = (np.log(-np.log(s)) - math.log(-math.log(0.5))) / (se * (-1.0 / (s * np.log(s))))
    inside = np.flatnonzero(np.abs(statistic) <= z)
    if not len(inside):
        return math.nan, math.nan
    low = float(times[inside[0]])
    high = math.inf if inside[-1] == len(times) - 1 else float(times[inside[-1] + 1])
    return low, high
