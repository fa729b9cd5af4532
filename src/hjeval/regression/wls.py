"""Weighted least squares after absorbing fixed effects (Frisch-Waugh-Lovell).

``y = X beta + D theta + e`` is solved as ``y~ = X~ beta + e`` with ``~`` the
weighted residuals on the fixed-effect dummies ``D``; the residuals of the
short regression are those of the full one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.stats
from numpy.typing import ArrayLike

from hjeval.errors import DataError
from hjeval.regression._checks import as_columns, as_weights, check_length
from hjeval.regression.covariance import (
    CovarianceInput,
    FeCount,
    VcovType,
    check_vcov_type,
    compute_vcov,
)
from hjeval.regression.encoding import encode
from hjeval.regression.fixed_effects import DemeanInfo, FixedEffects

__all__ = ["FitResult", "fit"]

# A regressor whose variance left after the fixed effects (or after the other
# regressors, as 1 - R^2) falls below this fraction is collinear.
COLLINEARITY_TOL = 1e-9


@dataclass(frozen=True, eq=False)
class FitResult:
    """A fitted weighted least-squares regression.

    Attributes
    ----------
    coef : numpy.ndarray, shape (k,)
    vcov : numpy.ndarray, shape (k, k)
    resid : numpy.ndarray, shape (n,)
        Residuals of the full model ``y - X beta - D theta`` (unweighted).
    names : tuple of str
    n_obs : int
        Rows (analytic weights do not change it).
    df_resid : int
        ``n_obs - k - fe_dof``.
    fe_dof : int
        Absorbed fixed-effect parameters (levels minus redundancies).
    n_clusters : int or None
    vcov_type : str
    df_t : numpy.ndarray, shape (k,)
        Degrees of freedom of the t distribution per coefficient.
    small_sample : float
        Factor applied to the uncorrected covariance.
    n_params : int
        ``K`` in the small-sample factor.
    bread : numpy.ndarray, shape (k, k)
        ``(X~' W X~)^-1``.
    demean_info : DemeanInfo or None
    """

    coef: np.ndarray
    vcov: np.ndarray
    resid: np.ndarray
    names: tuple[str, ...]
    n_obs: int
    df_resid: int
    fe_dof: int
    n_clusters: int | None
    vcov_type: str
    df_t: np.ndarray
    small_sample: float
    n_params: int
    bread: np.ndarray
    demean_info: DemeanInfo | None

    @property
    def se(self) -> np.ndarray:
        """Standard errors."""
        return np.sqrt(np.clip(np.diag(self.vcov), 0.0, None))

    @property
    def tstat(self) -> np.ndarray:
        """``coef / se`` (NaN where the standard error is zero)."""
        se = self.se
        return np.divide(self.coef, se, out=np.full_like(se, np.nan), where=se > 0)

    @property
    def pvalue(self) -> np.ndarray:
        """Two-sided p-values from the t distribution with ``df_t`` degrees of freedom."""
        return 2 * scipy.stats.t.sf(np.abs(self.tstat), self.df_t)

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Confidence intervals, shape (k, 2)."""
        half = scipy.stats.t.ppf(1 - alpha / 2, self.df_t) * self.se
        return np.column_stack([self.coef - half, self.coef + half])


def fit(
    y: ArrayLike,
    X: ArrayLike,
    *,
    fixed_effects: Sequence[ArrayLike] | FixedEffects = (),
    weights: ArrayLike | None = None,
    cluster: ArrayLike | None = None,
    vcov: VcovType = "CR1",
    names: Sequence[str] | None = None,
    fe_count: FeCount = "fixest",
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> FitResult:
    """Weighted least squares of ``y`` on ``X`` with absorbed fixed effects.

    Parameters
    ----------
    y : array_like, shape (n,)
    X : array_like, shape (n, k) or (n,)
        Regressors. There is no implicit intercept: without fixed effects,
        pass a column of ones; with fixed effects the intercept is absorbed
        and a constant column would be collinear.
    fixed_effects : sequence of array_like, or FixedEffects
        One label or code array per factor, or a prepared
        :class:`FixedEffects` (built with the same weights) to reuse.
    weights : array_like, optional
        Positive analytic weights (as pyfixest's ``aweights``). With a
        prepared :class:`FixedEffects`, its weights are used; passing
        different ones is an error.
    cluster : array_like, optional
        Cluster labels per row, needed by ``"CR1"`` and ``"CR2"``.
    vcov : {"CR1", "iid", "HC1", "CR2"}
        Covariance estimator (see :mod:`hjeval.regression.covariance`).
    names : sequence of str, optional
        Column names of ``X`` for results and error messages.
    fe_count : {"fixest", "exact"}
        How absorbed parameters enter the small-sample factor: fixest's
        count (sum of levels minus one per extra factor; the default, as R
        fixest and pyfixest) or the exact count.
    tol, maxiter : float, int
        Passed to :meth:`FixedEffects.build`.

    Returns
    -------
    FitResult

    Raises
    ------
    DataError
        On missing values, mismatched lengths, non-positive weights, an
        unknown ``vcov``, a clustered ``vcov`` without ``cluster``, or
        regressors absorbed by the fixed effects or collinear.

    Examples
    --------
    >>> unit = np.repeat([0, 1, 2, 3], 2); period = np.tile([0, 1], 4)
    >>> d = ((unit >= 2) & (period == 1)).astype(float)
    >>> y = 1.0 + unit + 0.5 * period + 2.0 * d + np.array([0.1, -0.1, 0.0, 0.0, 0.2, -0.2, 0.0, 0.0])
    >>> res = fit(y, d, fixed_effects=[unit, period], cluster=unit, names=["d"])
    >>> round(float(res.coef[0]), 6), res.fe_dof
    (1.9, 5)
    """
    y_col, was_vector = as_columns(y, name="y")
    if not was_vector:
        raise DataError(f"y: expected a 1-d array, got shape {np.shape(y)}")
    x, _ = as_columns(X, name="X")
    n_obs, k = len(y_col), x.shape[1]
    check_length(x, n_obs, name="X")
    names = _column_names(names, k)
    check_vcov_type(vcov, has_cluster=cluster is not None)
    fe = _prepare_fixed_effects(fixed_effects, weights, n_obs, tol, maxiter)
    w = fe.weights if fe.n_factors else as_weights(weights, n_obs)
    cluster_codes, n_clusters = _cluster_codes(cluster, n_obs)

    info = None
    if fe.n_factors:
        y_tilde, info = fe.demean(y_col[:, 0])
        x_tilde, _ = fe.demean(x)
    else:
        y_tilde, x_tilde = y_col[:, 0], x
    gram, xty = _weighted_cross_products(x_tilde, y_tilde, w)
    _check_collinearity(gram, x, w, names, has_fixed_effects=fe.n_factors > 0)
    coef, resid, bread = _solve(gram, xty, x_tilde, y_tilde, w)
    covariance = compute_vcov(
        vcov, CovarianceInput(x_tilde, resid, w, bread, cluster_codes, n_clusters, fe, fe_count)
    )
    return FitResult(
        coef, covariance.vcov, resid, names, n_obs, n_obs - k - fe.fe_dof, fe.fe_dof, n_clusters, vcov,
        covariance.df_t, covariance.small_sample, covariance.n_params, bread, info,
    )


def _column_names(names: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if names is None:
        return tuple(f"x{j}" for j in range(k))
    names = tuple(str(n) for n in names)
    if len(names) != k:
        raise DataError(f"names: {len(names)} names for {k} columns of X")
    return names


def _prepare_fixed_effects(
    fixed_effects: Sequence[ArrayLike] | FixedEffects, weights: ArrayLike | None, n_obs: int, tol: float, maxiter: int
) -> FixedEffects:
    if not isinstance(fixed_effects, FixedEffects):
        fe = FixedEffects.build(list(fixed_effects), weights, tol=tol, maxiter=maxiter)
    else:
        fe = fixed_effects
        if weights is not None and (fe.weights is None or not np.array_equal(fe.weights, np.asarray(weights))):
            raise DataError(
                "weights differ from those the FixedEffects were built with; rebuild them with these weights"
            )
    if fe.n_factors and fe.n_obs != n_obs:
        raise DataError(f"fixed_effects: have {fe.n_obs} rows, expected {n_obs}")
    return fe


def _cluster_codes(cluster: ArrayLike | None, n_obs: int) -> tuple[np.ndarray | None, int | None]:
    if cluster is None:
        return None, None
    codes, n_clusters = encode(cluster, name="cluster")
    check_length(codes, n_obs, name="cluster")
    return codes, n_clusters


def _weighted_cross_products(
    x_tilde: np.ndarray, y_tilde: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """``X~'WX~`` and ``X~'Wy~`` one column at a time (no weighted copy of X~)."""
    k = x_tilde.shape[1]
    gram = np.empty((k, k))
    xty = np.empty(k)
    for i in range(k):
        weighted = x_tilde[:, i] if w is None else x_tilde[:, i] * w
        xty[i] = weighted @ y_tilde
        for j in range(i + 1):
            gram[i, j] = gram[j, i] = weighted @ x_tilde[:, j]
    return gram, xty


def _weighted_transpose_times(x_tilde: np.ndarray, v: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """``X~' W v``."""
    wv = v if w is None else v * w
    return np.array([x_tilde[:, j] @ wv for j in range(x_tilde.shape[1])])


def _check_collinearity(
    gram: np.ndarray, x: np.ndarray, w: np.ndarray | None, names: tuple[str, ...], *, has_fixed_effects: bool
) -> None:
    """Raise DataError naming regressors absorbed by the fixed effects or collinear with others."""
    raw = np.array([_raw_sum_of_squares(x[:, j], w, centre=has_fixed_effects) for j in range(x.shape[1])])
    diag = np.diag(gram)
    absorbed = [j for j in range(len(names)) if diag[j] <= COLLINEARITY_TOL * raw[j] or diag[j] <= 0]
    if absorbed:
        listed = ", ".join(f"{names[j]!r} (column {j})" for j in absorbed)
        where = "absorbed by the fixed effects" if has_fixed_effects else "all zero"
        raise DataError(f"regressors {listed} are {where}: no variation left to estimate them; drop them")
    scale = np.sqrt(diag)
    corr = gram / np.outer(scale, scale)
    independent: list[int] = []
    problems = []
    for j in range(len(names)):
        if independent:
            sub = corr[np.ix_(independent, independent)]
            slope = np.linalg.solve(sub, corr[independent, j])
            unexplained = 1.0 - corr[independent, j] @ slope
            if unexplained <= COLLINEARITY_TOL:
                partners = [independent[i] for i in np.flatnonzero(np.abs(slope) > 1e-6)]
                problems.append((j, partners))
                continue
        independent.append(j)
    if problems:
        listed = "; ".join(
            f"{names[j]!r} (column {j}) with " + ", ".join(f"{names[i]!r} (column {i})" for i in partners)
            for j, partners in problems
        )
        context = " after absorbing the fixed effects" if has_fixed_effects else ""
        raise DataError(f"collinear regressors{context}: {listed}; drop one of each set")


def _raw_sum_of_squares(column: np.ndarray, w: np.ndarray | None, *, centre: bool) -> float:
    """Weighted sum of squares before absorbing, about the mean when fixed effects absorb a constant."""
    if centre:
        column = column - (np.average(column, weights=w))
    return float(column @ column if w is None else (column * w) @ column)


def _solve(
    gram: np.ndarray, xty: np.ndarray, x_tilde: np.ndarray, y_tilde: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients by an equilibrated Cholesky solve plus one refinement step; residuals; bread."""
    scale = 1.0 / np.sqrt(np.diag(gram))
    factor = scipy.linalg.cho_factor(gram * np.outer(scale, scale))

    def solve(rhs: np.ndarray) -> np.ndarray:
        row_scale = scale if rhs.ndim == 1 else scale[:, None]
        return row_scale * scipy.linalg.cho_solve(factor, row_scale * rhs)

    coef = solve(xty)
    resid = y_tilde - x_tilde @ coef
    correction = solve(_weighted_transpose_times(x_tilde, resid, w))
    coef = coef + correction
    resid -= x_tilde @ correction
    bread = solve(np.eye(len(coef)))
    return coef, resid, (bread + bread.T) / 2
