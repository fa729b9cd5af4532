"""Covariance estimators for weighted least squares after absorbing fixed effects.

Each estimator takes a :class:`CovarianceInput` and returns a
:class:`Covariance`; they are looked up by name in :data:`VCOV_ESTIMATORS`.

Small-sample conventions follow R's fixest defaults as pyfixest 0.60
implements them (``ssc(k_adj=True, k_fixef="nonnested", G_adj=True)``):

* ``K`` counts the regressors plus the absorbed fixed-effect parameters,
  the latter as the sum of levels minus one per factor after the first
  (``fe_count="fixest"``) or exactly (``fe_count="exact"``, connected
  components);
* ``"iid"``: ``sum(w e^2) / (n - K) * (X'WX)^-1``, t with ``n - K`` df;
* ``"HC1"``: ``n / (n - K)`` times the sandwich, t with ``n - K`` df;
* ``"CR1"``: ``G/(G-1) * (n-1)/(n-K)`` times the clustered sandwich, where
  a factor nested in the clusters counts as one parameter instead of its
  levels; t with ``G - 1`` df;
* ``"CR2"``: Bell-McCaffrey bias-reduced, no further factor; t with the
  Bell-McCaffrey (Imbens-Kolesar) df per coefficient (see
  :mod:`hjeval.regression.cr2`).

Weights are analytic (pyfixest's ``aweights``): ``n`` counts rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, get_args

import numpy as np

from hjeval.errors import DataError
from hjeval.regression._covariance_types import Covariance, CovarianceInput, FeCount, cluster_scores
from hjeval.regression.cr2 import vcov_cr2

__all__ = [
    "VCOV_ESTIMATORS",
    "Covariance",
    "CovarianceInput",
    "FeCount",
    "VcovType",
    "compute_vcov",
    "counted_parameters",
    "cr1_from_scores",
]

VcovType = Literal["iid", "HC1", "CR1", "CR2"]
CLUSTERED: frozenset[str] = frozenset({"CR1", "CR2"})


def counted_parameters(inp: CovarianceInput, *, nested_rule: bool) -> int:
    """``K``: regressors plus absorbed parameters, by fixest's conventions.

    With ``nested_rule`` (clustered covariances) a factor whose levels each lie
    in one cluster counts as one parameter instead of its number of levels.
    """
    if inp.absorbed_parameters is not None:
        return inp.n_coef + inp.absorbed_parameters
    fe = inp.fixed_effects
    if fe is None or fe.n_factors == 0:
        return inp.n_coef
    if inp.fe_count == "exact":
        if not fe.fe_dof_exact:
            raise DataError(
                "fe_count='exact' needs the exact number of absorbed parameters, which is only known for "
                "one or two factors or when the other factors have few levels; use fe_count='fixest'"
            )
        absorbed = fe.fe_dof
    else:
        absorbed = fe.fe_dof_fixest
    if nested_rule and inp.cluster is not None:
        for nested, levels in zip(fe.nested_in(inp.cluster), fe.n_levels, strict=True):
            if nested:
                absorbed += 1 - levels
    return inp.n_coef + absorbed


def _residual_df(inp: CovarianceInput, n_params: int) -> int:
    return _df(inp.n_obs, n_params)


def _df(n_obs: int, n_params: int) -> int:
    df = n_obs - n_params
    if df <= 0:
        raise DataError(
            f"no residual degrees of freedom: {n_obs} observations for {n_params} parameters "
            "(regressors plus absorbed fixed effects)"
        )
    return df


def _sandwich(bread: np.ndarray, meat: np.ndarray, factor: float) -> np.ndarray:
    vcov = factor * (bread @ meat @ bread)
    return (vcov + vcov.T) / 2


def vcov_iid(inp: CovarianceInput) -> Covariance:
    """Homoskedastic: ``sum(w e^2) / (n - K) * (X~'WX~)^-1``."""
    n_params = counted_parameters(inp, nested_rule=False)
    df = _residual_df(inp, n_params)
    sigma2 = float(np.dot(inp.resid, inp.weighted_resid)) / df
    vcov = sigma2 * inp.bread
    return Covariance((vcov + vcov.T) / 2, np.full(inp.n_coef, float(df)), inp.n_obs / df, n_params)


def vcov_hc1(inp: CovarianceInput) -> Covariance:
    """Heteroskedasticity-robust with the ``n / (n - K)`` factor."""
    n_params = counted_parameters(inp, nested_rule=False)
    df = _residual_df(inp, n_params)
    scores = inp.x_tilde * inp.weighted_resid[:, None]
    factor = inp.n_obs / df
    return Covariance(_sandwich(inp.bread, scores.T @ scores, factor), np.full(inp.n_coef, float(df)), factor, n_params)


def vcov_cr1(inp: CovarianceInput) -> Covariance:
    """Cluster-robust with ``G/(G-1) * (n-1)/(n-K)``, nested factors counted once."""
    n_params = counted_parameters(inp, nested_rule=True)
    _residual_df(inp, n_params)
    cluster, g = inp.clusters()
    return cr1_from_scores(cluster_scores(inp.x_tilde, inp.weighted_resid, cluster, g), inp.bread, inp.n_obs, n_params)


def cr1_from_scores(scores: np.ndarray, bread: np.ndarray, n_obs: int, n_params: int) -> Covariance:
    """CR1 from per-cluster score sums, for callers that sum the scores themselves.

    Parameters
    ----------
    scores : numpy.ndarray, shape (G, k)
        ``sum_i w_i e_i x~_i`` per cluster.
    bread : numpy.ndarray, shape (k, k)
        ``(X~' W X~)^-1``.
    n_obs, n_params : int
        Rows, and ``K`` of the small-sample factor (see :func:`counted_parameters`).

    Returns
    -------
    Covariance
        As :func:`vcov_cr1`.

    Examples
    --------
    >>> scores = np.array([[0.3], [-0.1], [0.4]])
    >>> cov = cr1_from_scores(scores, np.array([[0.5]]), n_obs=30, n_params=1)
    >>> round(float(cov.vcov[0, 0]), 6), cov.df_t.tolist()
    (0.0975, [2.0])
    """
    g = scores.shape[0]
    if g < 2:
        raise DataError(f"vcov='CR1' needs at least 2 clusters, got {g}")
    df = _df(n_obs, n_params)
    factor = g / (g - 1) * (n_obs - 1) / df
    return Covariance(_sandwich(bread, scores.T @ scores, factor), np.full(bread.shape[0], g - 1.0), factor, n_params)


VCOV_ESTIMATORS: dict[str, Callable[[CovarianceInput], Covariance]] = {
    "iid": vcov_iid,
    "HC1": vcov_hc1,
    "CR1": vcov_cr1,
    "CR2": vcov_cr2,
}


def check_vcov_type(vcov: str, *, has_cluster: bool) -> None:
    """Raise DataError for an unknown name or a clustered type without clusters."""
    allowed = get_args(VcovType)
    if vcov not in VCOV_ESTIMATORS:
        raise DataError(f"vcov must be one of {allowed}, got {vcov!r}")
    if vcov in CLUSTERED and not has_cluster:
        raise DataError(f"vcov={vcov!r} needs cluster= (cluster codes per row); or use vcov='HC1' or 'iid'")


def compute_vcov(vcov: VcovType, inp: CovarianceInput) -> Covariance:
    """Run the estimator registered under ``vcov``.

    Examples
    --------
    >>> x = np.array([[1.0], [-1.0], [1.0], [-1.0]]); e = np.array([0.5, -0.5, 0.2, 0.1])
    >>> inp = CovarianceInput(x, e, None, np.linalg.inv(x.T @ x), np.array([0, 0, 1, 1]), 2, None)
    >>> round(float(compute_vcov("CR1", inp).vcov[0, 0]), 6)
    0.12625
    """
    check_vcov_type(vcov, has_cluster=inp.cluster is not None)
    if inp.cluster is not None and vcov in CLUSTERED and (inp.n_clusters or 0) < 2:
        raise DataError(f"vcov={vcov!r} needs at least 2 clusters, got {inp.n_clusters}")
    return VCOV_ESTIMATORS[vcov](inp)
