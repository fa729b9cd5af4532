"""Placebo-in-space permutation inference for designs with few treated groups.

The treatment is re-assigned to other groups with the same timing; each
re-assignment gives an estimate. Because the estimator is linear in the
outcome, the estimate under re-assignment ``s`` of the outcome with a
hypothesised effect ``tau0`` removed is ``tau_s - a_s * tau0``, where ``a_s``
is the coefficient of the re-assigned indicator when the actual treatment is
regressed on the design. This gives exact permutation p-values for every
``tau0`` and so a confidence set by test inversion, without re-running the
regressions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PermutationDistribution", "conley_taber_interval", "invert_permutation_test"]


@dataclass(frozen=True)
class PermutationDistribution:
    """Estimates under each treatment assignment.

    Attributes
    ----------
    estimates : numpy.ndarray
        ``tau_s`` for every assignment, the actual one first.
    slopes : numpy.ndarray
        ``a_s``: the actual one is 1.
    labels : tuple
        Who was treated in each assignment.
    exact : bool
        True when all assignments were enumerated, False when drawn at random.
    """

    estimates: np.ndarray
    slopes: np.ndarray
    labels: tuple[object, ...]
    exact: bool

    @property
    def estimate(self) -> float:
        """The estimate under the actual assignment."""
        return float(self.estimates[0])

    def pvalue(self, tau0: float = 0.0) -> float:
        """Two-sided permutation p-value of H0: effect = tau0.

        The share of assignments (the actual one included) whose estimate of
        the outcome net of ``tau0`` is at least as far from 0 as the actual
        estimate's distance from ``tau0``.

        Examples
        --------
        >>> dist = PermutationDistribution(np.array([3.0, 1.0, -2.0, 4.0]),
        ...                                np.array([1.0, 0.0, 0.0, 0.0]), ("a", "b", "c", "d"), True)
        >>> dist.pvalue(0.0)
        0.5
        """
        shifted = np.abs(self.estimates - self.slopes * tau0)
        actual = abs(self.estimate - tau0)
        # Ties count as at least as far: the actual assignment itself, and every assignment at the
        # points where the test switches (the interval's ends). Both sides are differences of terms of
        # the size of the estimates and tau0, so rounding is measured against those terms, not against
        # the difference, which is small near the ends and would let rounding decide the interval.
        terms = np.abs(self.estimates) + np.abs(self.slopes * tau0) + abs(self.estimate) + abs(tau0)
        return float(np.mean(shifted >= actual - 1e-10 * terms))

    def null_spread(self, tau: float) -> np.ndarray:
        """Placebo estimates (actual assignment excluded) with ``tau`` removed."""
        return self.estimates[1:] - self.slopes[1:] * tau


def invert_permutation_test(dist: PermutationDistribution, alpha: float) -> tuple[float, float]:
    """Confidence interval: all tau0 whose permutation p-value exceeds alpha.

    Each comparison ``|tau_s - a_s t| >= |tau - t|`` changes truth only where
    the two sides are equal, a quadratic in ``t``; the p-value is constant
    between consecutive roots, so checking one point in each piece is exact.

    Returns
    -------
    (low, high) : tuple of float
        The hull of the accepted set; infinite ends when the p-value never
        falls to alpha (too few assignments for that level).

    Examples
    --------
    >>> est = np.array([5.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1.5, -1.5, 0.2])
    >>> slopes = np.r_[1.0, np.zeros(9)]
    >>> dist = PermutationDistribution(est, slopes, tuple(range(10)), True)
    >>> invert_permutation_test(dist, 0.2)
    (3.0, 7.0)
    """
    tau = dist.estimate
    roots: list[float] = []
    for est, slope in zip(dist.estimates[1:], dist.slopes[1:], strict=True):
        # (est - slope t)^2 - (tau - t)^2 = 0  ->  (slope^2 - 1) t^2 + 2 (tau - est slope) t + est^2 - tau^2
        coeffs = [slope**2 - 1.0, 2.0 * (tau - est * slope), est**2 - tau**2]
        if abs(coeffs[0]) < 1e-14:
            if abs(coeffs[1]) > 1e-14:
                roots.append(-coeffs[2] / coeffs[1])
            continue
        for root in np.roots(coeffs):
            if abs(root.imag) < 1e-9:
                roots.append(float(root.real))
    points = np.unique(np.r_[roots, tau])
    span = max(1.0, float(np.ptp(points)) if len(points) > 1 else abs(tau))
    probes = np.r_[points[0] - span, (points[:-1] + points[1:]) / 2, points, points[-1] + span]
    accepted = np.array([dist.pvalue(t) > alpha for t in probes])
    if not accepted.any():
        return (tau, tau)
    inside = probes[accepted]
    low = -np.inf if accepted[0] else float(inside.min())
    high = np.inf if dist.pvalue(points[-1] + span) > alpha else float(inside.max())
    return (low, high)


def conley_taber_interval(
    estimate: float, control_errors: np.ndarray, alpha: float
) -> tuple[tuple[float, float], float]:
    """Conley-Taber (2011) interval from the comparison groups' error draws.

    With one (or few) treated groups the estimator's error is approximated by
    the distribution of the same estimator applied to comparison groups'
    residuals. The interval is ``[tau - q(1 - alpha/2), tau - q(alpha/2)]``.

    Parameters
    ----------
    estimate : float
    control_errors : numpy.ndarray
        One error draw per comparison group.
    alpha : float

    Returns
    -------
    ((low, high), pvalue)
        The interval and the p-value of no effect: the share of draws at
        least as large in absolute value as the estimate, counting the
        estimate itself as one draw (as the placebo test does), so that it
        is never below ``1 / (n_draws + 1)``.

    Examples
    --------
    >>> (low, high), p = conley_taber_interval(10.0, np.arange(-5.0, 6.0), 0.2)
    >>> (low, high), round(p, 3)
    ((6.0, 14.0), 0.083)
    """
    draws = np.sort(np.asarray(control_errors, dtype=np.float64))
    low_q, high_q = np.quantile(draws, [alpha / 2, 1 - alpha / 2], method="inverted_cdf")
    pvalue = float((1 + np.sum(np.abs(draws) >= abs(estimate))) / (len(draws) + 1))
    return (estimate - float(high_q), estimate - float(low_q)), pvalue
