"""Bell-McCaffrey bias-reduced cluster-robust covariance (CR2) and its degrees of freedom.

CR2 replaces each cluster's residuals ``e_g`` by ``A_g e_g`` with
``A_g = (I - H_gg)^(-1/2)`` (a pseudo-inverse square root where a cluster
has leverage one), ``H`` the hat matrix of the full model including the
fixed effects, all in the space scaled by the square root of the analytic
weights (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018, JBES 36(4)).

Fixed effects nested in the clusters can stay absorbed: the residuals and
regressors of a cluster lie in the range of its within-projection, on which
``I - H_gg`` equals ``I - Z_g B Z_g'`` with ``Z`` the demeaned regressors
(Pustejovsky & Tipton, Theorem 2). Factors not nested in the clusters enter
as explicit dummy columns, demeaned by the nested ones; the demeaned
regressors are orthogonal to them, so ``B`` is block diagonal and the
regressors' block of the covariance is unchanged in form.

``H_gg = Z_g B Z_g'`` has rank at most ``p`` (columns of ``Z``): with
``B = L L'`` and the eigen-decomposition ``L' M_g L = V diag(lam) V'``,
``M_g = Z_g' W_g Z_g``, every quantity reduces to ``p x p`` algebra per
cluster:

    Z_g' W_g^(1/2) A_g e*_g = s_g + M_g L V diag(phi / lam) V' L' s_g,
    phi = (1 - lam)^(-1/2) - 1,

with ``s_g = Z_g' W_g e_g``. No ``n_g x n_g`` matrix is formed, so the cost
is ``O(n p^2)`` whatever the cluster sizes.

Degrees of freedom (Bell & McCaffrey 2002; Imbens & Kolesar 2016, REStat
98(4)) for the coefficient ``c'beta`` under the working model of
independent homoskedastic errors: ``(sum lam_i)^2 / sum lam_i^2`` over the
eigenvalues of ``Q'Q``, ``Q_g = (I - H)_{., g} A_g Z_g B c``. With nested
fixed effects ``Q'Q = diag(d) - F B F'`` where ``d_g = c'B Z_g'A_g^2 Z_g B c``
and ``F_g = c'B Z_g' A_g Z_g``, so both sums need only ``p x p`` algebra.
"""

from __future__ import annotations

import numpy as np

from hjeval.errors import DataError
from hjeval.regression._covariance_types import Covariance, CovarianceInput, cluster_scores

__all__ = ["vcov_cr2"]

# Explicit dummy cells (rows x dummy columns of non-nested factors) CR2 will build.
MAX_DUMMY_CELLS = 25_000_000
# Per-cluster p x p blocks (clusters x p^2) CR2 will hold.
MAX_BLOCK_CELLS = 50_000_000
# Leverages at or above this are treated as one (pseudo-inverse).
_LEVERAGE_ONE = 1.0 - 1e-10
_OUTER_CHUNK = 4_000_000
_RANK_RTOL = 1e-12


def vcov_cr2(inp: CovarianceInput) -> Covariance:
    """CR2 covariance with Bell-McCaffrey degrees of freedom per coefficient.

    Raises
    ------
    DataError
        If factors not nested in the clusters have too many levels for
        explicit dummies, or there are too many clusters times columns.

    Examples
    --------
    >>> x = np.column_stack([np.ones(6), [0.0, 1, 2, 3, 4, 5]])
    >>> e = np.array([0.3, -0.1, -0.2, 0.4, -0.5, 0.1])
    >>> inp = CovarianceInput(x, e, None, np.linalg.inv(x.T @ x), np.array([0, 0, 1, 1, 2, 2]), 3, None)
    >>> cov = vcov_cr2(inp)
    >>> cov.vcov.shape, cov.small_sample
    ((2, 2), 1.0)
    """
    k = inp.n_coef
    cluster, n_clusters = inp.clusters()
    dummies = _non_nested_dummies(inp, cluster)
    z = inp.x_tilde if dummies is None else np.column_stack([inp.x_tilde, dummies])
    p = z.shape[1]
    if n_clusters * p * p > MAX_BLOCK_CELLS:
        raise DataError(
            f"CR2 with {n_clusters} clusters and {p} columns is too large; "
            "collapse to cells, cluster more coarsely, or use vcov='CR1'"
        )
    w = inp.weights
    bread_aug, root = _augmented_bread(inp.bread, dummies, w)
    grams = _cluster_grams(z, w, cluster, n_clusters)
    scores = cluster_scores(z, inp.weighted_resid, cluster, n_clusters)
    projected = root.T @ grams @ root
    leverage, vecs = np.linalg.eigh((projected + np.swapaxes(projected, 1, 2)) / 2)
    phi_over, psi_over = _adjustment_ratios(np.clip(leverage, 0.0, 1.0))
    root_vecs = root @ vecs  # (G, p, r)
    gram_root_vecs = grams @ root_vecs  # M_g L V
    along = np.einsum("gpr,gp->gr", root_vecs, scores)  # V' L' s_g
    adjusted = scores + np.einsum("gpr,gr->gp", gram_root_vecs, phi_over * along)
    u = adjusted[:, :k]
    vcov = inp.bread @ (u.T @ u) @ inp.bread
    df = _bell_mccaffrey_df(bread_aug[:, :k], bread_aug, grams, gram_root_vecs, phi_over, psi_over)
    fe = inp.fixed_effects
    n_params = k + (fe.fe_dof if fe is not None else 0)
    return Covariance((vcov + vcov.T) / 2, df, 1.0, n_params)


def _adjustment_ratios(leverage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``phi / lam`` and ``psi / lam`` per eigen-direction of ``H_gg``.

    ``A_g = I + U diag(phi) U'`` and ``A_g^2 = I + U diag(psi) U'`` with
    ``phi = (1 - lam)^(-1/2) - 1`` and ``psi = lam / (1 - lam)``; at leverage one
    the pseudo-inverse gives ``phi = psi = -1``. Directions with ``lam = 0`` carry
    no weight (``M_g L v = 0`` there) and get 0.
    """
    one = leverage >= _LEVERAGE_ONE
    positive = leverage > 0
    inner = np.where(one | ~positive, 0.5, leverage)
    phi_over = np.expm1(-0.5 * np.log1p(-inner)) / inner
    psi_over = 1.0 / (1.0 - inner)
    at_one = -1.0 / np.where(positive, leverage, 1.0)
    phi_over = np.where(one, at_one, np.where(positive, phi_over, 0.0))
    psi_over = np.where(one, at_one, np.where(positive, psi_over, 0.0))
    return phi_over, psi_over


def _bell_mccaffrey_df(
    contrasts: np.ndarray, bread_aug: np.ndarray, grams: np.ndarray, gram_root_vecs: np.ndarray,
    phi_over: np.ndarray, psi_over: np.ndarray,
) -> np.ndarray:
    """``(sum lam)^2 / sum lam^2`` of ``Q'Q`` for each contrast column ``B c``."""
    direct = np.einsum("gpq,qk->gpk", grams, contrasts)  # M_g B c
    along = np.einsum("gpr,pk->grk", gram_root_vecs, contrasts)  # (M_g L V)' B c
    f = direct + np.einsum("gpr,grk->gpk", gram_root_vecs, phi_over[:, :, None] * along)
    d = np.einsum("pk,gpk->gk", contrasts, direct) + np.einsum("grk,gr->gk", along**2, psi_over)
    fbf = np.einsum("gpk,pq,gqk->gk", f, bread_aug, f)
    total = d.sum(axis=0) - fbf.sum(axis=0)
    ff = np.einsum("gpk,gqk->kpq", f, f)
    bff = bread_aug[None, :, :] @ ff
    cross_trace = np.einsum("kpq,kqp->k", bff, bff)
    squares = (d**2).sum(axis=0) - 2 * (d * fbf).sum(axis=0) + cross_trace
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(squares > 0, total**2 / squares, np.nan)


def _non_nested_dummies(inp: CovarianceInput, cluster: np.ndarray) -> np.ndarray | None:
    """Dummies of factors not nested in the clusters, demeaned by the nested ones."""
    fe = inp.fixed_effects
    if fe is None or fe.n_factors == 0:
        return None
    nested = fe.nested_in(cluster)
    free = [j for j, is_nested in enumerate(nested) if not is_nested]
    if not free:
        return None
    kept = [j for j, is_nested in enumerate(nested) if is_nested]
    drops = [bool(kept) or position > 0 for position in range(len(free))]
    n_cols = sum(fe.n_levels[j] - drop for j, drop in zip(free, drops, strict=True))
    if inp.n_obs * n_cols > MAX_DUMMY_CELLS:
        names = ", ".join(f"factor {j} ({fe.n_levels[j]} levels)" for j in free)
        raise DataError(
            f"CR2 needs explicit dummies for fixed effects not nested in the clusters ({names}): "
            f"{inp.n_obs} rows x {n_cols} columns is too large; collapse to cells or use vcov='CR1'"
        )
    dummies = np.zeros((inp.n_obs, n_cols), order="F")
    rows = np.arange(inp.n_obs)
    start = 0
    for j, drop in zip(free, drops, strict=True):
        codes = fe.codes[j]
        keep = codes >= int(drop)
        dummies[rows[keep], start + codes[keep] - int(drop)] = 1.0
        start += fe.n_levels[j] - int(drop)
    if kept:
        dummies = fe.subset(kept).demean(dummies)[0]
    return dummies


def _augmented_bread(
    bread: np.ndarray, dummies: np.ndarray | None, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Block-diagonal ``B`` (pseudo-inverse on the dummy block) and ``L`` with ``B = L L'``."""
    vals, vecs = np.linalg.eigh(bread)
    root = vecs * np.sqrt(np.clip(vals, 0.0, None))
    if dummies is None:
        return bread, root
    weighted = dummies if w is None else dummies * w[:, None]
    gram = weighted.T @ dummies
    dvals, dvecs = np.linalg.eigh((gram + gram.T) / 2)
    keep = dvals > max(float(dvals[-1]), 0.0) * len(dvals) * _RANK_RTOL
    dvecs, dvals = dvecs[:, keep], dvals[keep]
    k, d = bread.shape[0], gram.shape[0]
    bread_aug = np.zeros((k + d, k + d))
    bread_aug[:k, :k] = bread
    bread_aug[k:, k:] = (dvecs / dvals) @ dvecs.T
    root_aug = np.zeros((k + d, k + dvals.size))
    root_aug[:k, :k] = root
    root_aug[k:, k:] = dvecs / np.sqrt(dvals)
    return bread_aug, root_aug


def _cluster_grams(z: np.ndarray, w: np.ndarray | None, cluster: np.ndarray, n_clusters: int) -> np.ndarray:
    """``M_g = sum_{i in g} w_i z_i z_i'`` for every cluster, shape (G, p, p)."""
    n, p = z.shape
    if np.all(cluster[1:] >= cluster[:-1]):
        order = np.arange(n)
    else:
        order = np.argsort(cluster, kind="stable")
    sorted_cluster = cluster[order]
    grams = np.zeros((n_clusters, p, p))
    step = max(1, _OUTER_CHUNK // (p * p))
    for lo in range(0, n, step):
        idx = order[lo:lo + step]
        rows = z[idx]
        weighted = rows if w is None else rows * w[idx, None]
        outer = weighted[:, :, None] * rows[:, None, :]
        labels = sorted_cluster[lo:lo + step]
        starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        grams[labels[starts]] += np.add.reduceat(outer, starts, axis=0)
    return grams
