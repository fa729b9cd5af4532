"""Cluster-robust covariances of a fitted design, through the kernel's covariance registry."""

from __future__ import annotations

from typing import Literal

import numpy as np

from hjeval.design.panel import PanelDesign
from hjeval.regression import Covariance, CovarianceInput, FixedEffects
from hjeval.regression.covariance import compute_vcov

__all__ = ["ClusterVcov", "cluster_covariance"]

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
