"""The inputs, outputs and score sums shared by the covariance estimators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from hjeval.errors import DataError
from hjeval.regression.fixed_effects import FixedEffects

__all__ = ["Covariance", "CovarianceInput", "FeCount", "cluster_scores"]

FeCount = Literal["fixest", "exact"]


@dataclass(frozen=True, eq=False)
class CovarianceInput:
    """What every covariance estimator may use.

    Attributes
    ----------
    x_tilde : numpy.ndarray, shape (n, k)
        Regressors after absorbing the fixed effects.
    resid : numpy.ndarray, shape (n,)
        Residuals of the full model.
    weights : numpy.ndarray or None
        Analytic row weights.
    bread : numpy.ndarray, shape (k, k)
        ``(X~' W X~)^-1``.
    cluster : numpy.ndarray of int64 or None
        Cluster codes ``0..G-1``.
    n_clusters : int or None
    fixed_effects : FixedEffects or None
        The absorbed factors.
    fe_count : {"fixest", "exact"}
        How absorbed parameters enter ``K``.
    absorbed_parameters : int, optional
        The absorbed parameters' count in ``K`` when the caller knows it (e.g.
        an exact two-way projection, with the nested rule already applied);
        overrides the count from ``fixed_effects``.
    """

    x_tilde: np.ndarray
    resid: np.ndarray
    weights: np.ndarray | None
    bread: np.ndarray
    cluster: np.ndarray | None
    n_clusters: int | None
    fixed_effects: FixedEffects | None
    fe_count: FeCount = "fixest"
    absorbed_parameters: int | None = None

    @property
    def n_obs(self) -> int:
        """Rows."""
        return self.x_tilde.shape[0]

    @property
    def n_coef(self) -> int:
        """Regressors."""
        return self.x_tilde.shape[1]

    def clusters(self) -> tuple[np.ndarray, int]:
        """Cluster codes and their number; DataError when there are none."""
        if self.cluster is None or self.n_clusters is None:
            raise DataError("this covariance needs cluster codes (cluster=)")
        return self.cluster, self.n_clusters

    @property
    def weighted_resid(self) -> np.ndarray:
        """``w * e`` (``e`` when unweighted)."""
        return self.resid if self.weights is None else self.resid * self.weights


@dataclass(frozen=True, eq=False)
class Covariance:
    """An estimated covariance and what inference needs with it.

    Attributes
    ----------
    vcov : numpy.ndarray, shape (k, k)
    df_t : numpy.ndarray, shape (k,)
        Degrees of freedom of the t reference distribution per coefficient.
    small_sample : float
        Factor applied to the uncorrected estimator (1 for CR2).
    n_params : int
        ``K`` in the small-sample factor.
    """

    vcov: np.ndarray
    df_t: np.ndarray
    small_sample: float
    n_params: int


def cluster_scores(x_tilde: np.ndarray, weighted_resid: np.ndarray, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per-cluster score sums ``sum_i w_i e_i x~_i``, shape (G, k)."""
    return np.column_stack(
        [np.bincount(cluster, x_tilde[:, j] * weighted_resid, n_clusters) for j in range(x_tilde.shape[1])]
    )
