"""Two-way fixed-effects estimation on a :class:`PanelDesign`, and its placebo algebra.

The fit residualises the outcome and regressors on unit and period effects
exactly (:class:`TwoWayProjector`) and solves the small normal equations
(Frisch-Waugh-Lovell). Re-assigning the treatment to other groups only changes
the treatment column, whose projection and cross-products come from
per-group sums; :meth:`TwfeFit.assignment_estimates` therefore evaluates any
number of placebo assignments without touching the rows again.

No row-level column is stored beyond the design itself: the fit keeps every
column's unit and period effects, and projected columns and residuals are
recomputed chunk by chunk where a pass over the rows needs them (cluster
scores, cell sums), or built in full only when asked for
(:attr:`TwfeFit.x_tilde`, :attr:`TwfeFit.y_tilde`, :attr:`TwfeFit.resid`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from hjeval.design.panel import PanelDesign
from hjeval.design.rows import selected_rows
from hjeval.design.twoway import ColumnEffects, ProjectedRows, TwoWayProjector
from hjeval.errors import DataError

__all__ = ["TwfeFit", "fit_twfe", "reassigned_estimates"]


def _group_profiles(design: PanelDesign, cohort_profiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Profiles with a zero profile appended (C + 1, T, m), and each group's index into them (G,)."""
    c, t, m = cohort_profiles.shape
    extended = np.concatenate([cohort_profiles, np.zeros((1, t, m))])
    index = np.full(design.n_groups, c, dtype=np.intp)
    index[design.treated_groups] = design.cohort_of_treated()
    return extended, index


class _DesignColumns:
    """Raw design columns on given rows, shape (p + 1, rows): treatment indicators, regressors, outcome."""

    def __init__(self, design: PanelDesign, cohort_profiles: np.ndarray) -> None:
        self.design = design
        self.single = cohort_profiles.shape[0] == 1
        self.profiles = cohort_profiles[0]
        self.is_treated = np.zeros(design.n_groups, dtype=bool)
        self.is_treated[design.treated_groups] = True
        self.extended, self.profile_of_group = _group_profiles(design, cohort_profiles)

    def __call__(self, rows: slice | np.ndarray) -> np.ndarray:
        design, m = self.design, self.profiles.shape[1]
        period = design.period[rows]
        out = np.empty((m + design.regressors.shape[1] + 1, len(period)))
        if self.single:
            treated = self.is_treated[design.group[rows]]
            for j in range(m):
                np.multiply(self.profiles[period, j], treated, out=out[j])
        else:
            which = self.profile_of_group[design.group[rows]]
            for j in range(m):
                out[j] = self.extended[which, period, j]
        for j in range(design.regressors.shape[1]):
            out[m + j] = design.regressors[rows, j]
        out[-1] = design.y[rows]
        return out


@dataclass(frozen=True)
class TwfeFit:
    """A fitted two-way fixed-effects regression and what inference reuses.

    The first ``n_treat`` coefficients belong to the treatment indicators (one
    for a DiD, one per event time for an event study), the rest to the
    regressors; ``p`` counts them all.

    Attributes
    ----------
    coef : numpy.ndarray
        Treatment coefficients first, then the regressors.
    gram : numpy.ndarray
        ``X~' W X~``.
    cross : numpy.ndarray, shape (p + 1, p + 1)
        ``[X~ y~]' W [X~ y~]``: the Gram matrix bordered by the outcome.
    effects : ColumnEffects
        Unit and period effects of the raw columns (treatment indicators,
        regressors, outcome), from which projected rows are recomputed.
    profiles : numpy.ndarray, shape (T, n_treat)
        Period profile of each treatment indicator for a treated group (of
        the first cohort when treated groups start apart).
    cohort_profiles : numpy.ndarray, shape (C, T, n_treat)
        The profiles of each cohort (:meth:`PanelDesign.cohort_codes`); C is 1
        when every treated group starts together.
    """

    design: PanelDesign
    projector: TwoWayProjector
    coef: np.ndarray
    gram: np.ndarray
    cross: np.ndarray
    effects: ColumnEffects
    profiles: np.ndarray
    treat_names: tuple[str, ...]
    cohort_profiles: np.ndarray

    @property
    def n_treat(self) -> int:
        """Number of treatment indicators."""
        return self.profiles.shape[1]

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names: the treatment indicators, then the regressors."""
        return (*self.treat_names, *self.design.regressor_names)

    def _projected(self) -> Iterator[ProjectedRows]:
        return self.projector.projected_rows(_DesignColumns(self.design, self.cohort_profiles), self.effects)

    def _projected_matrix(self) -> np.ndarray:
        out = np.empty((self.design.n_obs, len(self.coef) + 1))
        for block in self._projected():
            out[block.rows] = block.tilde.T
        return out

    @property
    def x_tilde(self) -> np.ndarray:
        """Projected regressors per row, shape (n, p); built on each access."""
        return self._projected_matrix()[:, :-1]

    @property
    def y_tilde(self) -> np.ndarray:
        """Projected outcome per row; built on each access."""
        return self._projected_matrix()[:, -1]

    def projected(self) -> tuple[np.ndarray, np.ndarray]:
        """``(x_tilde, y_tilde)`` built together in one pass over the rows."""
        both = self._projected_matrix()
        return both[:, :-1], both[:, -1]

    @property
    def resid(self) -> np.ndarray:
        """Residuals per row; built on each access."""
        out = np.empty(self.design.n_obs)
        for block in self._projected():
            out[block.rows] = block.tilde[-1] - self.coef @ block.tilde[:-1]
        return out

    def cluster_scores(self) -> np.ndarray:
        """Per-cluster score sums ``sum_i w_i e_i x~_i``, shape (G, p), in one pass over the rows."""
        design, p = self.design, len(self.coef)
        n_clusters = design.n_clusters
        scores = np.zeros((p, n_clusters))
        for block in self._projected():
            x = block.tilde[:p]
            e = block.tilde[p] - self.coef @ x
            we = e if block.weight is None else e * block.weight
            cluster = design.cluster[block.rows].astype(np.intp)
            for j in range(p):
                scores[j] += np.bincount(cluster, weights=x[j] * we, minlength=n_clusters)
        return scores.T

    def treated_rows(self) -> np.ndarray:
        """Positions of the rows in treated groups."""
        design = self.design
        is_treated = np.zeros(design.n_groups, dtype=bool)
        is_treated[design.treated_groups] = True
        return selected_rows(design.n_obs, lambda rows: is_treated[design.group[rows]])

    def residuals_at(self, rows: np.ndarray) -> np.ndarray:
        """Residuals of the given rows."""
        design, p = self.design, len(self.coef)
        raw = _DesignColumns(design, self.cohort_profiles)(rows)
        tilde = raw - self.effects.alpha[design.unit[rows]].T - self.effects.lam[design.period[rows]].T
        return tilde[p] - self.coef @ tilde[:p]

    @functools.cached_property
    def _cell_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell sums of the projected columns and residuals, shape (G, T, p + 2), and ``X~' W e``."""
        proj, p = self.projector, len(self.coef)
        size = proj.n_groups * proj.n_periods
        sums = np.zeros((p + 2, size))
        x_e = np.zeros(p)
        for block in self._projected():
            values = np.vstack([block.tilde, block.tilde[p] - self.coef @ block.tilde[:p]])
            if block.weight is not None:
                values *= block.weight
            cells = proj.cells(block.rows)
            for j in range(p + 2):
                sums[j] += np.bincount(cells, weights=values[j], minlength=size)
            x_e += block.tilde[:p] @ values[p + 1]
        return sums.T.reshape(proj.n_groups, proj.n_periods, p + 2), x_e

    def assignment_estimates(
        self, assignments: list[np.ndarray], *, outcome: np.ndarray | None = None, residuals: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Treatment coefficients under re-assigned treatment, and their slopes.

        Parameters
        ----------
        assignments : list of numpy.ndarray
            Each an array of group codes given the treatment profiles; when
            treated groups start apart, the k-th group takes the start (the
            cohort profiles) of the k-th treated group, so a single group (as
            the size model of the placebo test uses) takes the earliest start.
        outcome : numpy.ndarray, optional
            A projected row-level outcome to use instead of ``y_tilde``; it
            must be orthogonal to the fixed effects.
        residuals : bool, default False
            Use the fit's residuals as the outcome (without building them per row).

        Returns
        -------
        (estimates, slopes) : tuple of numpy.ndarray
            An assignment whose indicators cannot all be estimated (a group
            with no rows in some indicator's periods) gets NaN throughout.
            ``estimates[s]`` (shape (m,)) are the treatment coefficients when
            the groups in ``assignments[s]`` are treated; ``slopes[s]`` (m x m)
            are the coefficients of those indicators in regressions of the
            actual treatment indicators on the same design, so that removing
            effects ``b0`` from the treated moves the estimates by
            ``-slopes[s] @ b0``.
        """
        proj, p = self.projector, len(self.coef)
        cells, x_e = self._cell_terms
        if outcome is not None:
            outcome_cells, x_outcome = proj.cell_sums(outcome), self._cross_with(outcome)
        elif residuals:
            outcome_cells, x_outcome = cells[..., p + 1], x_e
        else:
            outcome_cells, x_outcome = cells[..., p], self.cross[:p, p]
        cohort = self.design.cohort_of_treated() if len(self.cohort_profiles) > 1 else None
        return reassigned_estimates(proj, self.cohort_profiles, cohort, cells[..., :p], outcome_cells, x_outcome,
                                    self.gram, assignments)

    def _cross_with(self, outcome: np.ndarray) -> np.ndarray:
        """``X~' W outcome`` for a row-level outcome."""
        total = np.zeros(len(self.coef))
        for block in self._projected():
            values = outcome[block.rows] if block.weight is None else outcome[block.rows] * block.weight
            total += block.tilde[:-1] @ values
        return total

    def fixed_effects(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit and period effects of the fitted model (first period at 0)."""
        alpha, lam, p = self.effects.alpha, self.effects.lam, len(self.coef)
        return alpha[:, p] - alpha[:, :p] @ self.coef, lam[:, p] - lam[:, :p] @ self.coef

    def treatment_matrix(self) -> np.ndarray:
        """Treatment indicators per row."""
        extended, index = _group_profiles(self.design, self.cohort_profiles)
        return extended[index[self.design.group], self.design.period]


_Terms = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]


def reassigned_estimates(
    proj: TwoWayProjector, cohort_profiles: np.ndarray, cohort: np.ndarray | None, x_cells: np.ndarray,
    outcome_cells: np.ndarray, x_outcome: np.ndarray, gram: np.ndarray, assignments: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Treatment coefficients and slopes under re-assigned treatment, from per-group cell sums.

    The algebra behind :meth:`TwfeFit.assignment_estimates`, shared by every
    fit that has the cell sums: ``x_cells`` (G, T, p) of the projected
    columns (treatment indicators first, then the regressors),
    ``outcome_cells`` (G, T) of the projected outcome, ``x_outcome`` its
    cross-product with the columns, ``gram`` theirs. ``cohort`` gives the
    cohort (index into ``cohort_profiles``) of each treated group's position
    in a set, None with one cohort.
    """
    m, p = cohort_profiles.shape[2], x_cells.shape[2]
    k = p - m
    terms = []
    # the indicators' own sums of squares before projection: the scale that tells an indicator the
    # fixed effects absorb (e.g. a group whose persons are all treated in every period they are seen)
    raw = [np.einsum("gt,tk,tm->gkm", proj.cell_weight, profiles, profiles) for profiles in cohort_profiles]
    for profiles in cohort_profiles:
        own, v = proj.assignment_terms(profiles)
        y_cells = outcome_cells @ profiles  # (G, m)
        d_cells = np.einsum("gtj,tm->gmj", x_cells[..., :m], profiles)  # profile m against actual indicator j
        r_cells = np.einsum("gtk,tm->gmk", x_cells[..., m:p], profiles) if k else None
        terms.append((own, v, y_cells, d_cells, r_cells))
    if k:
        rr_inv = np.linalg.inv(gram[m:, m:])
        r_y = x_outcome[m:]
        r_d = gram[m:, :m]
    estimates = np.empty((len(assignments), m))
    slopes = np.empty((len(assignments), m, m))
    for s, groups in enumerate(assignments):
        own_s, v_s, zy, zd, zr = _assigned_sums(terms, groups, cohort)
        zz = own_s - v_s.T @ proj.solve_periods(v_s)
        if k:
            assert zr is not None
            zz, zy, zd = zz - zr @ rr_inv @ zr.T, zy - zr @ rr_inv @ r_y, zd - zr @ rr_inv @ r_d
        if _degenerate(zz, _assigned_raw(raw, groups, cohort)):
            estimates[s], slopes[s] = np.nan, np.nan
            continue
        estimates[s] = np.linalg.solve(zz, zy)
        slopes[s] = np.linalg.solve(zz, zd)
    return estimates, slopes


def _assigned_sums(
    terms: list[_Terms], groups: np.ndarray, cohort: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Per-group assignment terms summed over the assigned groups, each with its cohort's terms."""
    if cohort is None:
        own, v, y_cells, d_cells, r_cells = terms[0]
        return (own[groups].sum(axis=0), v[groups].sum(axis=0), y_cells[groups].sum(axis=0),
                d_cells[groups].sum(axis=0), None if r_cells is None else r_cells[groups].sum(axis=0))
    parts = [[term[int(g)] if term is not None else None for term in terms[int(c)]]
             for g, c in zip(groups, cohort[: len(groups)], strict=True)]
    summed = [None if part[0] is None else np.sum(part, axis=0) for part in zip(*parts, strict=True)]
    return summed[0], summed[1], summed[2], summed[3], summed[4]  # type: ignore[return-value]


def _assigned_raw(raw: list[np.ndarray], groups: np.ndarray, cohort: np.ndarray | None) -> np.ndarray:
    """The assigned groups' unprojected indicator cross-products, each group with its cohort's profiles."""
    if cohort is None:
        return raw[0][groups].sum(axis=0)
    return np.sum([raw[int(c)][int(g)] for g, c in zip(groups, cohort[: len(groups)], strict=True)], axis=0)


def _degenerate(projected: np.ndarray, raw: np.ndarray) -> bool:
    """Whether projected indicator cross-products are (near) singular, relative to their unprojected ones."""
    scale = np.maximum(np.diag(raw), 1e-300)
    diag = np.diag(projected)
    if np.any(diag <= 1e-10 * scale):
        return True
    corr = projected / np.sqrt(np.outer(diag, diag))
    return bool(np.linalg.eigvalsh(corr)[0] < 1e-10)


def _check_collinearity(gram: np.ndarray, names: tuple[str, ...], raw_scale: np.ndarray) -> None:
    absorbed = [n for n, d, r in zip(names, np.diag(gram), raw_scale, strict=True) if d <= 1e-10 * max(r, 1e-300)]
    if absorbed:
        raise DataError(
            f"regressor(s) {absorbed} are absorbed by the fixed effects (no variation left "
            "within units and periods); drop them"
        )
    scale = np.sqrt(np.diag(gram))
    corr = gram / np.outer(scale, scale)
    eigval, eigvec = np.linalg.eigh(corr)
    if eigval[0] < 1e-10:
        involved = [n for n, c in zip(names, eigvec[:, 0], strict=True) if abs(c) > 1e-3]
        raise DataError(f"regressors {involved} are collinear (after the fixed effects); drop one")


def post_profile(design: PanelDesign) -> np.ndarray:
    """The DiD profile of each cohort: 1 from its start period on, shape (C, T, 1)."""
    cohorts = design.cohort_codes()
    profile = np.zeros((len(cohorts), design.n_periods, 1))
    for c, start in enumerate(cohorts):
        profile[c, start:] = 1.0
    return profile


def _cohort_profiles(design: PanelDesign, profiles: np.ndarray) -> np.ndarray:
    """Profiles as (C, T, m), refusing one (T, m) profile for treated groups that start apart."""
    if profiles.ndim == 2:
        if design.has_cohorts:
            raise DataError(
                "this estimator takes one start for all treated groups, but start= gives the treated groups "
                "different starts; give one start, or use hj.did, hj.event_study or hj.staggered_did"
            )
        return profiles[None]
    if profiles.shape[0] != len(design.cohort_codes()):
        raise ValueError(f"profiles for {profiles.shape[0]} cohorts, the design has {len(design.cohort_codes())}")
    return profiles


def fit_twfe(
    design: PanelDesign,
    *,
    profiles: np.ndarray | None = None,
    treat_names: tuple[str, ...] = ("treatment",),
) -> TwfeFit:
    """Fit ``y = alpha_unit + lam_period + sum_j b_j D_j + X g`` by weighted least squares.

    Parameters
    ----------
    design : PanelDesign
    profiles : numpy.ndarray, shape (T, m) or (C, T, m), optional
        Period profiles of the treatment indicators ``D_j = 1{treated group} P_tj``,
        one set per cohort (:meth:`PanelDesign.cohort_codes`) when treated
        groups start apart; default: one indicator from each group's start
        period on (a DiD).
    treat_names : tuple of str
        Names of the m indicators.

    Returns
    -------
    TwfeFit

    Raises
    ------
    DataError
        If a regressor is absorbed by the fixed effects or the regressors are
        collinear.
    """
    cohort_profiles = _cohort_profiles(
        design, post_profile(design) if profiles is None else np.asarray(profiles, dtype=np.float64)
    )
    proj = TwoWayProjector.build(
        design.unit, design.period, group=design.group, weight=design.weight
    )
    source = _DesignColumns(design, cohort_profiles)
    p = cohort_profiles.shape[2] + design.regressors.shape[1]
    effects = proj.effects_of(source, p + 1)
    mean = effects.total[:p] / proj.period_weight.sum()
    cross = np.zeros((p + 1, p + 1))
    raw_scale = np.zeros(p)
    for block in proj.projected_rows(source, effects):
        tilde = block.tilde
        cross += (tilde if block.weight is None else tilde * block.weight) @ tilde.T
        spread = (block.raw[:p] - mean[:, None]) ** 2
        raw_scale += (spread if block.weight is None else spread * block.weight).sum(axis=1)
    gram = cross[:p, :p]
    _check_collinearity(gram, (*treat_names, *design.regressor_names), raw_scale)
    coef = np.linalg.solve(gram, cross[:p, p])
    return TwfeFit(design, proj, coef, gram, cross, effects, cohort_profiles[0], tuple(treat_names), cohort_profiles)
