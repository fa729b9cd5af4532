"""Two-way fixed-effects estimation on a :class:`PanelDesign`, and its placebo algebra.

The fit residualises the outcome and regressors on unit and period effects
exactly (:class:`TwoWayProjector`) and solves the small normal equations
(Frisch-Waugh-Lovell). Re-assigning the treatment to other groups only changes
the treatment column, whose projection and cross-products come from
per-group sums; :meth:`TwfeFit.assignment_estimates` therefore evaluates any
number of placebo assignments without touching the rows again.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from hjeval.design.panel import PanelDesign
from hjeval.design.twoway import TwoWayProjector, weighted
from hjeval.errors import DataError, HjevalWarning

__all__ = ["PlaceboDraws", "TwfeFit", "fit_twfe"]


@dataclass(frozen=True)
class PlaceboDraws:
    """Treatment coefficients under the actual and re-assigned treatment.

    Attributes
    ----------
    estimates : numpy.ndarray, shape (S, m)
        The actual assignment first.
    slopes : numpy.ndarray, shape (S, m, m)
        See :meth:`TwfeFit.assignment_estimates`.
    assignments : list of numpy.ndarray
        Group codes treated in each kept assignment.
    exact : bool
        All single-group re-assignments enumerated (one treated group), not drawn.
    degenerate : int
        Re-assignments left out because the effect cannot be estimated there.
    """

    estimates: np.ndarray
    slopes: np.ndarray
    assignments: list[np.ndarray]
    exact: bool
    degenerate: int

    @property
    def n_draws(self) -> int:
        """Re-assignments used (the actual one not counted)."""
        return len(self.assignments) - 1


@dataclass(frozen=True)
class TwfeFit:
    """A fitted two-way fixed-effects regression and what inference reuses.

    The first ``n_treat`` coefficients belong to the treatment indicators (one
    for a DiD, one per event time for an event study), the rest to the
    regressors.

    Attributes
    ----------
    coef : numpy.ndarray
        Treatment coefficients first, then the regressors.
    x_tilde, y_tilde, resid : numpy.ndarray
        Projected regressors and outcome, and residuals, per row.
    gram : numpy.ndarray
        ``X~' W X~``.
    profiles : numpy.ndarray, shape (T, n_treat)
        Period profile of each treatment indicator for a treated group.
    """

    design: PanelDesign
    projector: TwoWayProjector
    coef: np.ndarray
    x_tilde: np.ndarray
    y_tilde: np.ndarray
    resid: np.ndarray
    gram: np.ndarray
    profiles: np.ndarray
    treat_names: tuple[str, ...]

    @property
    def n_treat(self) -> int:
        """Number of treatment indicators."""
        return self.profiles.shape[1]

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names: the treatment indicators, then the regressors."""
        return (*self.treat_names, *self.design.regressor_names)

    def assignment_estimates(
        self, assignments: list[np.ndarray], *, outcome: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Treatment coefficients under re-assigned treatment, and their slopes.

        Parameters
        ----------
        assignments : list of numpy.ndarray
            Each an array of group codes given the treatment profiles.
        outcome : numpy.ndarray, optional
            A projected row-level outcome to use instead of ``y_tilde`` (e.g.
            residuals); it must be orthogonal to the fixed effects.

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
        proj, m = self.projector, self.n_treat
        y_t = self.y_tilde if outcome is None else outcome
        own, v = proj.assignment_terms(self.profiles)
        y_cells = proj.cell_sums(y_t) @ self.profiles  # (G, m)
        actual = proj.cell_sums(self.x_tilde[:, :m]).reshape(proj.n_groups, proj.n_periods, m)
        d_cells = np.einsum("gtj,tm->gmj", actual, self.profiles)  # profile m against actual indicator j
        k = self.x_tilde.shape[1] - m
        if k:
            r_tilde = self.x_tilde[:, m:]
            r_cells = np.einsum(
                "gtk,tm->gmk", proj.cell_sums(r_tilde).reshape(proj.n_groups, proj.n_periods, k), self.profiles
            )
            rr_inv = np.linalg.inv(self.gram[m:, m:])
            r_y = weighted(r_tilde, self.design.weight).T @ y_t
            r_d = self.gram[m:, :m]
        estimates = np.empty((len(assignments), m))
        slopes = np.empty((len(assignments), m, m))
        for s, groups in enumerate(assignments):
            v_s = v[groups].sum(axis=0)
            zz = own[groups].sum(axis=0) - v_s.T @ proj.solve_periods(v_s)
            zy, zd = y_cells[groups].sum(axis=0), d_cells[groups].sum(axis=0)
            if k:
                zr = r_cells[groups].sum(axis=0)
                zz, zy, zd = zz - zr @ rr_inv @ zr.T, zy - zr @ rr_inv @ r_y, zd - zr @ rr_inv @ r_d
            if _degenerate(zz, own[groups].sum(axis=0)):
                estimates[s], slopes[s] = np.nan, np.nan
                continue
            estimates[s] = np.linalg.solve(zz, zy)
            slopes[s] = np.linalg.solve(zz, zd)
        return estimates, slopes

    def placebo_draws(self, rng: np.random.Generator, draws: int, *, stacklevel: int = 2) -> PlaceboDraws:
        """Evaluate the treatment re-assigned to other groups, with the same timing.

        With one treated group every comparison group is treated in turn
        (exact enumeration); with several, ``draws`` random sets of as many
        groups are drawn with ``rng``. Re-assignments whose effect cannot be
        estimated (a group without rows in some treated period) are left out,
        counted and warned about (``stacklevel`` as in :func:`warnings.warn`,
        counted from the caller of this method).
        """
        design = self.design
        treated = design.treated_groups
        exact = len(treated) == 1
        if exact:
            assignments = [treated] + [np.array([g]) for g in design.comparison_groups]
        else:
            groups = np.arange(design.n_groups)
            assignments = [treated] + [
                np.sort(rng.choice(groups, size=len(treated), replace=False)) for _ in range(draws)
            ]
        estimates, slopes = self.assignment_estimates(assignments)
        usable = np.isfinite(estimates).all(axis=1)
        if not usable[0]:
            raise DataError("the treatment effect cannot be estimated for the treated group")
        degenerate = int((~usable).sum())
        if degenerate:
            warnings.warn(
                f"{degenerate} placebo re-assignment(s) left out: the group has no rows in some treated period, "
                "so the effect cannot be estimated there", HjevalWarning, stacklevel=stacklevel + 1,
            )
        kept = [a for a, keep in zip(assignments, usable, strict=True) if keep]
        return PlaceboDraws(estimates[usable], slopes[usable], kept, exact, degenerate)

    def fixed_effects(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit and period effects of the fitted model (first period at 0)."""
        treated = np.isin(self.design.group, self.design.treated_groups)
        net = self.design.y.copy()
        for j, coef in enumerate(self.coef):
            net -= coef * _raw_column(self.design, self.profiles, treated, j)
        return self.projector.effects(net)

    def treatment_matrix(self) -> np.ndarray:
        """Treatment indicators per row."""
        treated = np.isin(self.design.group, self.design.treated_groups)
        return self.profiles[self.design.period] * treated[:, None]


def _degenerate(projected: np.ndarray, raw: np.ndarray) -> bool:
    """Whether projected indicator cross-products are (near) singular."""
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


def _raw_column(design: PanelDesign, profiles: np.ndarray, treated: np.ndarray, j: int) -> np.ndarray:
    """Column j of the raw design: treatment indicators first, then the regressors."""
    m = profiles.shape[1]
    return profiles[design.period, j] * treated if j < m else design.regressors[:, j - m]


def post_profile(design: PanelDesign) -> np.ndarray:
    """The DiD profile: 1 from the start period on, shape (T, 1)."""
    profile = np.zeros((design.n_periods, 1))
    profile[design.start:] = 1.0
    return profile


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
    profiles : numpy.ndarray, shape (T, m), optional
        Period profiles of the treatment indicators ``D_j = 1{treated group} P_tj``;
        default: one indicator from the start period on (a DiD).
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
    profiles = post_profile(design) if profiles is None else np.asarray(profiles, dtype=np.float64)
    proj = TwoWayProjector.build(
        design.unit, design.period, group=design.group, weight=design.weight
    )
    treated = np.isin(design.group, design.treated_groups)
    w = design.weight
    k = profiles.shape[1] + design.regressors.shape[1]
    x_tilde = np.empty((design.n_obs, k))
    raw_scale = np.empty(k)
    for j in range(k):  # one raw column at a time, so the raw design is never held whole
        values = _raw_column(design, profiles, treated, j)
        raw_scale[j] = float(weighted((values - np.average(values, weights=w)) ** 2, w).sum())
        x_tilde[:, j] = proj.residualize(values)
    y_tilde = proj.residualize(design.y)
    weighted_x = weighted(x_tilde, w)
    gram = weighted_x.T @ x_tilde
    _check_collinearity(gram, (*treat_names, *design.regressor_names), raw_scale)
    coef = np.linalg.solve(gram, weighted_x.T @ y_tilde)
    del weighted_x
    resid = y_tilde - x_tilde @ coef
    return TwfeFit(design, proj, coef, x_tilde, y_tilde, resid, gram, profiles, tuple(treat_names))
