"""Cluster-robust covariance (CR1) for fixed-effects regressions."""

from __future__ import annotations

import numpy as np

__all__ = ["cr1_factor", "cr1_vcov"]


def cr1_factor(n_obs: int, n_params: int, n_clusters: int) -> float:
    """The CR1 small-sample factor ``G/(G-1) * (n-1)/(n-K)``.

    Examples
    --------
    >>> cr1_factor(100, 2, 10)
    1.1224489795918366
    """
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - n_params)


def cr1_vcov(
    x_tilde: np.ndarray,
    resid: np.ndarray,
    weight: np.ndarray,
    cluster: np.ndarray,
    gram: np.ndarray,
    *,
    n_params: int,
) -> tuple[np.ndarray, int]:
    """CR1 covariance with the small-sample factor ``G/(G-1) * (n-1)/(n-K)``.

    Parameters
    ----------
    x_tilde, resid, weight : numpy.ndarray
        Projected regressors (n, k), residuals and weights per row.
    cluster : numpy.ndarray of int
        Cluster code per row.
    gram : numpy.ndarray
        ``X~' W X~``.
    n_params : int
        K: the regressors plus the fixed-effect parameters not nested in the
        clusters (the convention of R's fixest and pyfixest).

    Returns
    -------
    (vcov, n_clusters) : tuple

    Examples
    --------
    >>> x = np.array([[1.0], [-1.0], [1.0], [-1.0]]); e = np.array([0.5, -0.5, 0.2, 0.1])
    >>> v, g = cr1_vcov(x, e, np.ones(4), np.array([0, 0, 1, 1]), x.T @ x, n_params=1)
    >>> g, round(float(v[0, 0]), 6)
    (2, 0.12625)
    """
    n, k = x_tilde.shape
    n_clusters = int(cluster.max()) + 1
    weighted_resid = weight * resid
    summed = np.stack(  # per-cluster scores, one column at a time
        [np.bincount(cluster, weights=x_tilde[:, j] * weighted_resid, minlength=n_clusters) for j in range(k)],
        axis=1,
    )
    bread = np.linalg.inv(gram)
    meat = summed.T @ summed
    vcov = cr1_factor(n, n_params, n_clusters) * bread @ meat @ bread
    return (vcov + vcov.T) / 2, n_clusters
