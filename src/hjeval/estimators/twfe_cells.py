"""The two-way fixed-effects fit and its inference from cell statistics, without the rows.

For regressors constant within (group, period) cells, ``z`` (G, T, p), with
period effects ``lam^z`` from the T x T system and ``z' = z - lam^z``, a unit's
projected regressor is ``x~_it = z'_gt - mean_{s in i} z'_gs``. Everything the
fit and its inference use then follows from the statistics of a
:class:`hjeval.design.cells.CellDesign` (``W``, ``Y``, ``C``, ``M_g`` as
defined there):

* cell sums of projected regressors ``Xcell_gt = W_gt z'_gt - (M_g z'_g)_t``;
* per-group Gram ``z'_g' diag(W_g) z'_g - z'_g' M_g z'_g = z'_g' Xcell_g``;
* ``X~' y = sum_gt z'_gt (Y_gt - C_gt)``, and per group
  ``X~_g' y~_g = sum_t z'_gt (Y_gt - C_gt) - sum_t lam^y_t Xcell_gt`` (the
  projected regressors sum to zero within each unit);
* cell sums of the projected outcome ``Y_gt - C_gt - W_gt lam^y_t + (M_g lam^y)_t``;
* ``y~' y~ = sum w y^2 - sum_i c_i S_i^2 / n_i - lam^y' (b - c)`` with
  ``b_t = sum_g Y_gt`` and ``c_t = sum_g C_gt``.

So the coefficients, CR1 scores for clusters that are unions of groups,
placebo and Conley-Taber re-assignment (per-group terms, as
:meth:`hjeval.estimators.twfe.TwfeFit.assignment_estimates`), the wild
cluster bootstrap and the decomposition of the treated groups' change are
exact functions of a few thousand cells and G blocks of T x T.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from hjeval.design.cells import CellDesign
from hjeval.design.twoway import TwoWayProjector
from hjeval.errors import DataError
from hjeval.estimators.twfe import _check_collinearity, reassigned_estimates
from hjeval.inference.reassignment import Reassignable
from hjeval.inference.record import InferenceOptions
from hjeval.inference.strategies import InferenceOffer
from hjeval.inference.wild import MAX_CLUSTERS, WildClusterBootstrap, draw_weights
from hjeval.regression import Covariance
from hjeval.regression.covariance import cr1_from_scores

__all__ = ["CellTwfeFit", "cell_offer", "fit_cells"]


@dataclass(frozen=True)
class CellTwfeFit:
    """A two-way fixed-effects fit from cell statistics, offering what :class:`TwfeFit` offers inference.

    Attributes
    ----------
    coef, gram, cross, profiles, treat_names
        As :class:`hjeval.estimators.twfe.TwfeFit`.
    z : numpy.ndarray, shape (G, T, p)
        Raw regressors per cell: the treatment indicators, then the others.
    lam_x : numpy.ndarray, shape (T, p)
        Period effects of the regressors (first period at 0); ``z - lam_x`` is ``z'``.
    lam_y : numpy.ndarray, shape (T,)
        Period effects of the outcome.
    x_cells : numpy.ndarray, shape (G, T, p)
        Cell sums of the projected regressors (weighted).
    y_cells : numpy.ndarray, shape (G, T)
        Cell sums of the projected outcome (weighted).
    group_gram, group_xy, group_yy : numpy.ndarray
        ``X~_g' W X~_g`` (G, p, p), ``X~_g' W y~_g`` (G, p) and ``y~_g' W y~_g`` (G,) per group.
    """

    design: CellDesign
    projector: TwoWayProjector
    coef: np.ndarray
    gram: np.ndarray
    cross: np.ndarray
    profiles: np.ndarray
    treat_names: tuple[str, ...]
    z: np.ndarray
    lam_x: np.ndarray
    lam_y: np.ndarray
    x_cells: np.ndarray
    y_cells: np.ndarray
    group_gram: np.ndarray
    group_xy: np.ndarray
    group_yy: np.ndarray

    @property
    def n_treat(self) -> int:
        """Number of treatment indicators."""
        return self.profiles.shape[1]

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names: the treatment indicators, then the regressors."""
        return (*self.treat_names, *self.design.regressor_names)

    @property
    def residual_cells(self) -> np.ndarray:
        """Cell sums of the residuals (weighted), shape (G, T)."""
        return self.y_cells - self.x_cells @ self.coef

    def group_scores(self) -> np.ndarray:
        """Per-group score sums ``X~_g' W e_g``, shape (G, p)."""
        return self.group_xy - self.group_gram @ self.coef

    def cluster_scores(self) -> np.ndarray:
        """Per-cluster score sums ``sum_i w_i e_i x~_i``, shape (C, p): the groups' scores added up."""
        out = np.zeros((self.design.n_clusters, len(self.coef)))
        np.add.at(out, self.design.cluster_of_group, self.group_scores())
        return out

    @functools.cached_property
    def _cell_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell sums of the projected columns and residuals, shape (G, T, p + 2), and ``X~' W e``."""
        cells = np.concatenate([self.x_cells, self.y_cells[..., None], self.residual_cells[..., None]], axis=2)
        p = len(self.coef)
        return cells, self.cross[:p, p] - self.gram @ self.coef

    def assignment_estimates(
        self, assignments: list[np.ndarray], *, outcome: np.ndarray | None = None, residuals: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Treatment coefficients under re-assigned treatment, and their slopes.

        As :meth:`hjeval.estimators.twfe.TwfeFit.assignment_estimates`, from
        per-group sums of the cells; a row-level ``outcome`` is not available
        (there are no rows).

        Parameters
        ----------
        assignments : list of numpy.ndarray
            Each an array of group codes given the treatment profiles.
        outcome : None
            Only None: the fit holds no rows.
        residuals : bool, default False
            Use the fit's residuals as the outcome.

        Returns
        -------
        (estimates, slopes) : tuple of numpy.ndarray
            Shapes (S, m) and (S, m, m); NaN for assignments whose indicators
            cannot all be estimated.
        """
        if outcome is not None:
            raise DataError("a fit from cell statistics has no rows: a row-level outcome cannot be re-assigned")
        proj, p = self.projector, len(self.coef)
        cells, x_e = self._cell_terms
        if residuals:
            outcome_cells, x_outcome = cells[..., p + 1], x_e
        else:
            outcome_cells, x_outcome = cells[..., p], self.cross[:p, p]
        return reassigned_estimates(proj, self.profiles[None], None, cells[..., :p], outcome_cells, x_outcome,
                                    self.gram, assignments)

    def decomposition(self) -> dict[str, float]:
        """The treated groups' raw before/after change split into the model's parts.

        The same parts as the row-level fit's: effect, common trend (period
        effects), composition (unit effects), residual and each regressor,
        every one from weighted cell sums. A unit's fitted effect summed over
        the units of group g seen in period t is ``C_gt - (M_g lam^y)_t - (M_g
        z'_g)_t coef``.
        """
        design, m = self.design, self.n_treat
        treated = design.treated_groups
        weight = design.cell_weight[treated]
        after = np.arange(design.n_periods) >= design.start
        w_after, w_before = weight[:, after].sum(), weight[:, ~after].sum()

        def change(sums: np.ndarray) -> float:
            return float(sums[:, after].sum() / w_after - sums[:, ~after].sum() / w_before)

        blocks = design.blocks[treated]
        lam = self.lam_y - self.lam_x @ self.coef
        z_prime = self.z[treated] - self.lam_x[None]
        units = (design.unit_cover[treated] - blocks @ self.lam_y
                 - np.einsum("gts,gsp->gtp", blocks, z_prime) @ self.coef)
        parts = {
            "raw_change": change(design.cell_y[treated]),
            "effect": float(self.coef[0]) * change(weight * self.profiles[:, 0]),
            "common_trend": change(weight * lam),
            "composition": change(units),
            "residual": change(self.residual_cells[treated]),
        }
        for j, name in enumerate(design.regressor_names):
            parts[f"regressor:{name}"] = float(self.coef[m + j]) * change(weight * self.z[treated, :, m + j])
        return parts

    def moment_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A few rows per cluster with the fit's cluster moments: ``(x_tilde, y_tilde, weight, cluster, period)``.

        The wild cluster bootstrap (:class:`WildClusterBootstrap`) reads the
        projected rows only through each cluster's sums ``sum w [x~ y~]`` per
        period and ``sum w [x~ y~][x~ y~]'``. One row per cluster and period
        (weight ``W_ct``, value the cell mean) gives the first; pairs of rows
        ``+-u`` in one period add the rest of the second (``S_c - sum_t F F' /
        W_ct``, positive semi-definite), leaving the first unchanged.
        """
        design, p = self.design, len(self.coef)
        n_clusters = design.n_clusters
        first = np.concatenate([self.x_cells, self.y_cells[..., None]], axis=2)  # (G, T, p + 1)
        second = np.zeros((design.n_groups, p + 1, p + 1))
        second[:, :p, :p] = self.group_gram
        second[:, :p, p] = second[:, p, :p] = self.group_xy
        second[:, p, p] = self.group_yy
        by_cluster = np.zeros((n_clusters, design.n_periods, p + 1))
        np.add.at(by_cluster, design.cluster_of_group, first)
        weight = np.zeros((n_clusters, design.n_periods))
        np.add.at(weight, design.cluster_of_group, design.cell_weight)
        moments = np.zeros((n_clusters, p + 1, p + 1))
        np.add.at(moments, design.cluster_of_group, second)
        values, weights, clusters, periods = [], [], [], []
        for c in range(n_clusters):
            present = np.flatnonzero(weight[c] > 0)
            means = by_cluster[c, present] / weight[c, present, None]
            rest = moments[c] - (means * weight[c, present, None]).T @ means
            eigval, eigvec = np.linalg.eigh((rest + rest.T) / 2)
            keep = eigval > 1e-14 * max(float(np.abs(np.diag(moments[c])).max()), 1e-300)
            spread = eigvec[:, keep] * np.sqrt(eigval[keep] / 2)
            values += [means, spread.T, -spread.T]
            weights += [weight[c, present], np.ones(2 * int(keep.sum()))]
            clusters.append(np.full(len(present) + 2 * int(keep.sum()), c))
            periods += [present, np.full(2 * int(keep.sum()), present[0])]
        stacked = np.concatenate(values)
        return (stacked[:, :p], stacked[:, p], np.concatenate(weights), np.concatenate(clusters),
                np.concatenate(periods))


def _post_profile(design: CellDesign) -> np.ndarray:
    profile = np.zeros((design.n_periods, 1))
    profile[design.start:] = 1.0
    return profile


def fit_cells(
    design: CellDesign, *, profiles: np.ndarray | None = None, treat_names: tuple[str, ...] = ("treatment",)
) -> CellTwfeFit:
    """Fit ``y = alpha_unit + lam_period + sum_j b_j D_j + Z g`` from cell statistics.

    The same estimator as :func:`hjeval.estimators.twfe.fit_twfe` on the rows
    behind ``design``, computed from its cells and blocks (see the module
    docstring for the algebra).

    Parameters
    ----------
    design : CellDesign
    profiles : numpy.ndarray, shape (T, m), optional
        Period profiles of the treatment indicators ``D_j = 1{treated group} P_tj``;
        default one indicator from the start on (a DiD).
    treat_names : tuple of str

    Returns
    -------
    CellTwfeFit

    Raises
    ------
    DataError
        If the design is not connected, or a regressor is absorbed by the
        fixed effects or the regressors are collinear.

    Examples
    --------
    Two groups of one unit each, observed in two periods; group 1 gains 2 more:

    >>> import numpy as np
    >>> w = np.ones((2, 2))
    >>> design = CellDesign(
    ...     cell_rows=np.ones((2, 2), dtype=np.int64), cell_weight=w, cell_y=np.array([[1.0, 2.0], [1.0, 4.0]]),
    ...     regressors=np.zeros((2, 2, 0)), regressor_names=(), blocks=np.stack([np.outer(r, r) / 2 for r in w]),
    ...     unit_cover=np.array([[1.5, 1.5], [2.5, 2.5]]), group_y2=np.array([5.0, 17.0]),
    ...     group_unit_y2=np.array([4.5, 12.5]), group_units=np.ones(2), cluster_of_group=np.arange(2),
    ...     treated_groups=np.array([1]), start=1, group_labels=("a", "b"), period_labels=(2014, 2015),
    ...     cluster_labels=("a", "b"), unit_is_group=True, weighted=False, outcome="y",
    ...     comparison="all other groups", n_rows_input=4)
    >>> round(float(fit_cells(design).coef[0]), 12)
    2.0
    """
    prof = _post_profile(design) if profiles is None else np.asarray(profiles, dtype=np.float64)
    proj = design.projector()
    weight = design.cell_weight
    is_treated = np.zeros(design.n_groups)
    is_treated[design.treated_groups] = 1.0
    z = np.concatenate([is_treated[:, None, None] * prof[None], design.regressors], axis=2)
    p = z.shape[2]
    lam_x = proj.cell_period_effects(z)
    z_prime = z - lam_x[None]
    x_cells = weight[..., None] * z_prime - np.einsum("gts,gsp->gtp", design.blocks, z_prime)
    group_gram = np.einsum("gtp,gtq->gpq", z_prime, x_cells)
    deviation = design.cell_y - design.unit_cover
    period_rhs = design.cell_y.sum(axis=0) - design.unit_cover.sum(axis=0)
    lam_y = proj.solve_periods(period_rhs)
    group_xy = np.einsum("gtp,gt->gp", z_prime, deviation) - np.einsum("t,gtp->gp", lam_y, x_cells)
    y_cells = deviation - weight * lam_y + design.blocks @ lam_y
    group_yy = (design.group_y2 - design.group_unit_y2 - deviation @ lam_y - y_cells @ lam_y)
    gram = group_gram.sum(axis=0)
    cross = np.zeros((p + 1, p + 1))
    cross[:p, :p] = gram
    cross[:p, p] = cross[p, :p] = np.einsum("gtp,gt->p", z_prime, deviation)
    cross[p, p] = design.group_y2.sum() - design.group_unit_y2.sum() - float(lam_y @ period_rhs)
    mean = np.einsum("gt,gtp->p", weight, z) / weight.sum()
    raw_scale = np.einsum("gt,gtp->p", weight, (z - mean) ** 2)
    names = (*treat_names, *design.regressor_names)
    _check_collinearity(gram, names, raw_scale)
    coef = np.linalg.solve(gram, cross[:p, p])
    return CellTwfeFit(design, proj, coef, gram, cross, prof, tuple(treat_names), z, lam_x, lam_y, x_cells,
                       y_cells, group_gram, group_xy, group_yy)


def cell_offer(fit: CellTwfeFit, cluster_by: str, estimator: str) -> InferenceOffer:
    """Everything a fit from cell statistics offers the shared inference strategies.

    Placebo and Conley-Taber re-assignment from per-group terms, CR1 from the
    groups' scores added up by cluster, and the wild cluster bootstrap from
    rows carrying the clusters' moments (:meth:`CellTwfeFit.moment_rows`).
    CR2 needs the rows and is refused.

    Parameters
    ----------
    fit : CellTwfeFit
    cluster_by : str
        The cluster column, for the record.
    estimator : str
        The estimator's name, for messages.

    Returns
    -------
    InferenceOffer

    Examples
    --------
    Three groups of one unit each over two periods, the first treated:

    >>> import numpy as np
    >>> y = np.array([[1.0, 4.0], [1.0, 2.0], [2.0, 2.5]])
    >>> w = np.ones((3, 2))
    >>> design = CellDesign(
    ...     cell_rows=np.ones((3, 2), dtype=np.int64), cell_weight=w, cell_y=y, regressors=np.zeros((3, 2, 0)),
    ...     regressor_names=(), blocks=np.stack([np.outer(r, r) / 2 for r in w]),
    ...     unit_cover=np.repeat(y.mean(axis=1, keepdims=True), 2, axis=1), group_y2=(y**2).sum(axis=1),
    ...     group_unit_y2=y.sum(axis=1) ** 2 / 2, group_units=np.ones(3), cluster_of_group=np.arange(3),
    ...     treated_groups=np.array([0]), start=1, group_labels=("a", "b", "c"), period_labels=(2014, 2015),
    ...     cluster_labels=("a", "b", "c"), unit_is_group=True, weighted=False, outcome="y",
    ...     comparison="all other groups", n_rows_input=6)
    >>> offer = cell_offer(fit_cells(design), "group", "did")
    >>> estimates, _ = offer.reassignment.evaluate([np.array([0]), np.array([1]), np.array([2])])
    >>> np.round(estimates[:, 0], 6).tolist()
    [2.25, -0.75, -1.5]
    """
    design, m = fit.design, fit.n_treat
    sizes, measure = design.group_sizes()

    def evaluate(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return fit.assignment_estimates(sets)

    def residual_errors(sets: list[np.ndarray]) -> np.ndarray:
        return fit.assignment_estimates(sets, residuals=True)[0]

    def covariance(kind: str) -> Covariance:
        if kind != "CR1":
            raise DataError(f"vcov={kind!r} needs the rows; a fit from cell statistics offers vcov='CR1'")
        n_params = fit.gram.shape[0] + design.fixed_effect_parameters()
        return cr1_from_scores(fit.cluster_scores(), np.linalg.inv(fit.gram), design.n_obs, n_params)

    def bootstrap(options: InferenceOptions, small_sample: float) -> WildClusterBootstrap:
        if design.n_clusters > MAX_CLUSTERS:
            raise DataError(
                f"the wild bootstrap is limited to {MAX_CLUSTERS} clusters ({design.n_clusters} here); "
                "with so many clusters use inference='cluster'"
            )
        rng = np.random.default_rng(options.seed)
        x_tilde, y_tilde, weight, cluster, period = fit.moment_rows()
        return WildClusterBootstrap(
            x_tilde, y_tilde, weight, cluster, period, fit.projector.solve_periods, small_sample,
            draw_weights(options.bootstrap_weights, options.draws, design.n_clusters, rng),
        )

    reassignment = Reassignable(
        coef=fit.coef[:m].copy(), treated=design.treated_groups, comparison=design.comparison_groups,
        group_labels=design.group_labels, sizes=sizes, shares=design.cell_weight.sum(axis=1),
        size_measure=measure, evaluate=evaluate, residual_errors=residual_errors,
    )
    return InferenceOffer(
        coef=fit.coef[:m].copy(), estimator=estimator, clusters=design.n_clusters,
        treated_clusters=design.treated_clusters(), cluster_by=cluster_by, reassignment=reassignment,
        covariance=covariance, bootstrap=bootstrap,
    )
