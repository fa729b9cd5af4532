"""Wild cluster bootstrap with the null imposed (WCR), for fixed-effects DiD.

Under H0: tau = tau0 the restricted residuals ``e_r`` are fixed; a draw
multiplies them by one weight ``v_c`` per cluster. With the fixed effects
projected out, the bootstrap coefficient is ``tau0 + sum_c v_c g0' S_c`` and
every cluster's CR1 score is linear in ``v``: the period effects of
``v * e_r`` come from one T x T solve of cluster-period sums, and unit effects
drop out because units are nested in clusters. So each draw costs a C x C
matrix product instead of a refit (compare Roodman et al. 2019, "Fast and
wild", Stata Journal 19(1)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from hjeval.errors import DataError

__all__ = ["BootstrapWeights", "WildClusterBootstrap", "draw_weights"]

BootstrapWeights = Literal["rademacher", "webb"]

MAX_CLUSTERS = 5_000
"""Beyond this many clusters the C x C score map is too large; CR1 is reliable there anyway."""

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def draw_weights(kind: BootstrapWeights, draws: int, clusters: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster weights for the wild bootstrap, shape (draws, clusters).

    Rademacher weights are -1 or 1 with equal probability; Webb's six-point
    weights (Webb 2023, Canadian Journal of Economics) behave better with
    few clusters.

    Examples
    --------
    >>> w = draw_weights("webb", 4, 3, np.random.default_rng(0))
    >>> w.shape, bool(np.all(np.isin(np.round(w ** 2, 6), [0.5, 1.0, 1.5])))
    ((4, 3), True)
    """
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(draws, clusters))
    if kind == "webb":
        return rng.choice(_WEBB, size=(draws, clusters))
    raise DataError(f"bootstrap weights {kind!r} are not one of ['rademacher', 'webb']")


@dataclass(frozen=True)
class _Basis:
    """Bootstrap numerators and scores at tau0 = 0 (``*_y``) and their slopes in tau0 (``-*_x``)."""

    numer_y: np.ndarray
    numer_x: np.ndarray
    scores_y: np.ndarray
    scores_x: np.ndarray
    tau_hat: float
    se_hat: float


@dataclass(frozen=True)
class WildClusterBootstrap:
    """Restricted wild cluster bootstrap of the first coefficient.

    Parameters
    ----------
    x_tilde : numpy.ndarray, shape (n, k)
        Projected regressors; column 0 is the tested one.
    y_tilde : numpy.ndarray, shape (n,)
        Projected outcome.
    weight, cluster, period : numpy.ndarray
        Row weights, cluster codes and period codes.
    solve_periods : callable
        Solves the design's reduced period system (``TwoWayProjector.solve_periods``).
    factor : float
        CR1 small-sample factor.
    v : numpy.ndarray, shape (B, C)
        Bootstrap weights.
    """

    x_tilde: np.ndarray
    y_tilde: np.ndarray
    weight: np.ndarray
    cluster: np.ndarray
    period: np.ndarray
    solve_periods: Callable[[np.ndarray], np.ndarray]
    factor: float
    v: np.ndarray

    @cached_property
    def _basis(self) -> _Basis:
        """The pieces of every score, split into the part from y and the part from the tested regressor.

        The restricted residuals are affine in ``tau0`` (``r_y - tau0 r_x``, with ``r_y`` and
        ``r_x`` the outcome and the tested regressor net of the other regressors), and every
        piece of the bootstrap scores is linear in them, so one pass over the rows serves every
        ``tau0`` that the interval's test inversion asks for.
        """
        x, w = self.x_tilde, self.weight
        n_clusters = int(self.cluster.max()) + 1
        n_periods = int(self.period.max()) + 1
        gram = (x * w[:, None]).T @ x
        bread = np.linalg.inv(gram)
        g0 = bread[0]
        others = x[:, 1:]
        residuals = np.column_stack([self.y_tilde, x[:, 0]])
        if others.shape[1]:
            coef = np.linalg.solve(gram[1:, 1:], (others * w[:, None]).T @ residuals)
            residuals = residuals - others @ coef
        wx0 = (x * w[:, None]) @ g0  # g0' w x~ per row
        cp = self.cluster * n_periods + self.period
        size = n_clusters * n_periods
        q = np.bincount(cp, weights=wx0, minlength=size).reshape(n_clusters, n_periods)  # g0' Q_c
        h = np.stack(  # g0' H_c = sum over the cluster's rows of w (g0' x~) x~
            [np.bincount(self.cluster, weights=wx0 * x[:, j], minlength=n_clusters) for j in range(x.shape[1])],
            axis=1,
        )
        parts = []
        for resid in residuals.T:  # the y part, then the tested regressor's part
            contrib = np.bincount(self.cluster, weights=wx0 * resid, minlength=n_clusters)  # g0' S_c
            e = np.bincount(cp, weights=w * resid, minlength=size).reshape(n_clusters, n_periods)
            lam_map = self.solve_periods(e.T)  # (T, C): period effects of v * e are lam_map @ v
            s_full = np.stack(
                [np.bincount(self.cluster, weights=w * x[:, j] * resid, minlength=n_clusters)
                 for j in range(x.shape[1])],
                axis=1,
            )  # (C, k): S_c
            # u_c(v) = v_c g0'S_c - g0'Q_c lam_map v - g0'H_c G^-1 sum_c' v_c' S_c'
            kernel = np.diag(contrib) - q @ lam_map - h @ bread @ s_full.T
            parts.append((self.v @ contrib, self.v @ kernel.T))
        tau_hat = float(g0 @ ((x * w[:, None]).T @ self.y_tilde))
        actual_scores = np.bincount(
            self.cluster, weights=wx0 * (self.y_tilde - x @ (bread @ ((x * w[:, None]).T @ self.y_tilde))),
            minlength=n_clusters,
        )
        se_hat = float(np.sqrt(self.factor * (actual_scores**2).sum()))
        (numer_y, scores_y), (numer_x, scores_x) = parts
        return _Basis(numer_y, numer_x, scores_y, scores_x, tau_hat, se_hat)

    def draws(self, tau0: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Each draw's coefficient minus ``tau0`` and its CR1 standard error under H0: tau = tau0.

        Returns
        -------
        (numpy.ndarray, numpy.ndarray)
            Both of shape (B,): what a refit on the bootstrap sample would give.
        """
        basis = self._basis
        numer = basis.numer_y - tau0 * basis.numer_x
        scores = basis.scores_y - tau0 * basis.scores_x
        return numer, np.sqrt(self.factor * (scores**2).sum(axis=1))

    def pvalue(self, tau0: float = 0.0) -> float:
        """Share of bootstrap |t*| at least as large as the actual |t| under H0: tau = tau0."""
        basis = self._basis
        t_actual = (basis.tau_hat - tau0) / basis.se_hat
        numer, se_star = self.draws(tau0)
        t_star = np.divide(numer, se_star, out=np.zeros_like(numer), where=se_star > 0)
        return float(np.mean(np.abs(t_star) >= abs(t_actual) * (1 - 1e-12)))

    def interval(self, estimate: float, se: float, alpha: float, *, steps: int = 60) -> tuple[float, float]:
        """Confidence interval by inverting the bootstrap test (bisection on each side)."""

        def bound(direction: float) -> float:
            inside, outside = estimate, estimate + direction * se
            for _ in range(40):
                if self.pvalue(outside) <= alpha:
                    break
                inside, outside = outside, estimate + 2 * (outside - estimate)
            else:
                return float(direction * np.inf)
            for _ in range(steps):
                middle = (inside + outside) / 2
                if self.pvalue(middle) > alpha:
                    inside = middle
                else:
                    outside = middle
            return float((inside + outside) / 2)

        return bound(-1.0), bound(1.0)
