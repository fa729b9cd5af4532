"""The size correction of Ferman and Pinto (2019) for inference with few treated groups.

With one treated municipality, placebo and Conley-Taber inference compare its
estimate with the same estimator applied to comparison municipalities. That
comparison is fair only if every group's error is drawn alike. When groups
differ in size, a small group's residual difference-in-differences ``W_j`` is
noisier than a large one's. Ferman and Pinto (2019, *Review of Economics and
Statistics* 101(3)) model ``Var(W_j | M_j) = A + B / M_j``: ``A`` for shocks
that hit a whole group (they do not average out), ``B / M_j`` for sampling
noise that shrinks with the number of persons ``M_j``. Fitting ``A`` and ``B``
on the comparison groups and rescaling each comparison statistic to the
treated group's variance restores a test of the right size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import nnls

from hjeval.inference.record import Reason, SizeCorrection, SizeMeasure

__all__ = ["fit_size_model", "set_variance"]

_MIN_FITTED_GROUPS = 3
_REWEIGHTING_STEPS = 4


def fit_size_model(
    errors: np.ndarray,
    sizes: np.ndarray,
    *,
    treated_size: float,
    all_sizes: np.ndarray,
    measure: SizeMeasure,
    enabled: bool = True,
) -> SizeCorrection:
    """Fit ``Var(W_j) = A + B / M_j`` on the comparison groups' residual estimates.

    Parameters
    ----------
    errors : numpy.ndarray
        ``W_j``, one per comparison group (non-finite values are ignored).
        The fit starts from the unweighted least squares of Ferman and Pinto
        and reweights by the fitted variances (see ``_variance_function``).
    sizes : numpy.ndarray
        ``M_j`` of the same groups.
    treated_size : float
        ``M`` of the treated group(s).
    all_sizes : numpy.ndarray
        Sizes of every group, treated ones included: when they are all equal
        there is nothing to correct.
    measure : {"persons", "weight sum", "rows"}
    enabled : bool, default True
        False records that the correction was switched off.

    Returns
    -------
    SizeCorrection
        ``applied`` is False, with the reason, when switched off, when every
        group has the same size, or when the comparison groups do not pin
        down a positive variance for the treated size.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sizes = np.repeat([10.0, 40.0, 160.0, 640.0], 250)
    >>> errors = rng.normal(size=len(sizes)) * np.sqrt(0.5 + 20.0 / sizes)
    >>> model = fit_size_model(errors, sizes, treated_size=25.0, all_sizes=sizes, measure="persons")
    >>> model.applied, abs(model.intercept - 0.5) < 0.15, abs(model.slope - 20.0) < 4.0
    (True, True, True)
    """
    size_range = (float(np.min(all_sizes)), float(np.max(all_sizes)))

    def record(applied: bool, reason: Reason, intercept: float = math.nan, slope: float = math.nan,
               fitted: int = 0) -> SizeCorrection:
        return SizeCorrection(applied, reason, measure, intercept, slope, float(treated_size), size_range, fitted)

    if not enabled:
        return record(False, "switched off")
    if size_range[1] - size_range[0] <= 1e-12 * size_range[1]:
        return record(False, "equal sizes")
    keep = np.isfinite(errors) & (sizes > 0)
    w, m = errors[keep], sizes[keep]
    fitted = int(keep.sum())
    if fitted < _MIN_FITTED_GROUPS or np.ptp(m) <= 1e-12 * m.max():
        return record(False, "no variance model", fitted=fitted)
    intercept, slope = _variance_function(w**2, m)
    smallest = min(size_range[0], float(treated_size))
    variance = intercept + slope / smallest
    applied = bool(math.isfinite(variance) and variance > 0)
    return record(applied, "sizes differ" if applied else "no variance model", intercept, slope, fitted)


def _variance_function(squares: np.ndarray, sizes: np.ndarray) -> tuple[float, float]:
    """``A, B >= 0`` of ``E[W^2] = A + B / M`` by iteratively reweighted non-negative least squares.

    A squared error's spread grows with its variance, so an unweighted fit is
    dominated by the noisiest (smallest) groups and pins ``A`` down poorly.
    Weighting each square by the inverse of its fitted variance squared (the
    Gaussian quasi-likelihood; Carroll and Ruppert 1988, ch. 3) uses the large
    groups where they are informative. The first step is the unweighted fit
    of Ferman and Pinto (2019).
    """
    design = np.column_stack([np.ones(len(sizes)), 1.0 / sizes])
    # scaled columns keep NNLS well conditioned when sizes run into the millions (weight sums)
    scale = design.max(axis=0)
    scaled = design / scale
    weight = np.ones(len(sizes))
    coef = np.zeros(2)
    for _ in range(_REWEIGHTING_STEPS + 1):
        coef, _ = nnls(scaled * weight[:, None], squares * weight)
        fitted = scaled @ coef
        if not fitted.max() > 0:  # every error exactly zero: nothing to reweight
            break
        floor = 1e-12 * float(fitted.max())
        weight = 1.0 / np.maximum(fitted, floor)
    return float(coef[0] / scale[0]), float(coef[1] / scale[1])


def set_variance(
    model: SizeCorrection, sizes: np.ndarray, shares: np.ndarray, groups: Sequence[int] | np.ndarray
) -> float:
    """Model variance of the estimate when the groups in ``groups`` are treated together.

    The estimate weighs each treated group by its share of the regression
    weight (``shares``), so ``Var = sum_j s_j^2 Var(M_j) / (sum_j s_j)^2``.

    Examples
    --------
    >>> model = SizeCorrection(True, "sizes differ", "persons", 1.0, 100.0)
    >>> set_variance(model, np.array([100.0, 100.0]), np.array([1.0, 1.0]), [0, 1])
    1.0
    """
    index = np.asarray(groups, dtype=np.intp)
    s = shares[index]
    variances = model.intercept + model.slope / sizes[index]
    return float(np.sum(s**2 * variances) / np.sum(s) ** 2)
