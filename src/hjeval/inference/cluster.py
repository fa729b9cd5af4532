"""Cluster-robust covariances of a fitted design, through the kernel's covariance registry."""

from __future__ import annotations

from typing import Literal

import numpy as np

from hjeval.design.panel import PanelDesign
from hjeval.regression import Covariance, CovarianceInput, FixedEffects
from hjeval.regression.covariance import compute_vcov, cr1_from_scores

__all__ = ["ClusterVcov", "cluster_covariance", "cluster_covariance_from_scores"]

ClusterVcov = Literal["CR1", "CR2"]


def cluster_covariance(
    design: PanelDesign, x_tilde: np.ndarray, resid: np.ndarray, gram: np.ndarray, *, kind: ClusterVcov = "CR1"
) -> Covariance:
    """CR1 or CR2 covariance of a fitted two-way design, clustered by ``design.cluster``.

    ``K`` counts the fixed effects as fixest does (:meth:`PanelDesign.fixed_effect_parameters`).
    CR2 (Bell-McCaffrey) needs the fixed effects themselves and is built only
    when asked; it refuses designs whose non-nested effects would be too large.

    Parameters
    ----------
    design : PanelDesign
    x_tilde, resid : numpy.ndarray
        Projected regressors (n, k) and residuals.
    gram : numpy.ndarray
        ``X~' W X~``.
    kind : {"CR1", "CR2"}, default "CR1"

    Returns
    -------
    Covariance
        ``vcov``, per-coefficient t degrees of freedom ``df_t`` and the
        small-sample factor.
    """
    fixed_effects = (
        FixedEffects.build([design.unit, design.period], design.weight) if kind == "CR2" else None
    )
    inputs = CovarianceInput(
        x_tilde=x_tilde, resid=resid, weights=design.weight, bread=np.linalg.inv(gram),
        cluster=design.cluster, n_clusters=design.n_clusters, fixed_effects=fixed_effects,
        absorbed_parameters=design.fixed_effect_parameters() if kind == "CR1" else None,
    )
    return compute_vcov(kind, inputs)


def cluster_covariance_from_scores(design: PanelDesign, scores: np.ndarray, gram: np.ndarray) -> Covariance:
    """CR1 covariance of a fitted two-way design from its per-cluster score sums.

    The same estimator as ``cluster_covariance(..., kind="CR1")`` for a fit that
    sums its scores chunk by chunk instead of holding projected rows.

    Parameters
    ----------
    design : PanelDesign
    scores : numpy.ndarray, shape (G, k)
        ``sum_i w_i e_i x~_i`` per cluster.
    gram : numpy.ndarray
        ``X~' W X~``.

    Returns
    -------
    Covariance
    """
    n_params = gram.shape[0] + design.fixed_effect_parameters()
    return cr1_from_scores(scores, np.linalg.inv(gram), design.n_obs, n_params)
