"""Two-way fixed-effects estimation on a :class:`PanelDesign`, and its placebo algebra.

The fit residualises the outcome and regressors on unit and period effects
exactly (:class:`TwoWayProjector`) and solves the small normal equations
(Frisch-Waugh-Lovell). Re-assigning the treatment to other groups only changes
the treatment column, whose projection and cross-products come from
per-group sums; :meth:`TwfeFit.assignment_estimates` therefore evaluates any
number of placebo assignments without touching the rows again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hjeval.design.panel import PanelDesign
from hjeval.design.twoway import TwoWayProjector
from hjeval.errors import DataError

__all__ = ["TwfeFit", "fit_twfe"]


@dataclass(frozen=True)
class TwfeFit:
    """A fitted two-way fixed-effects regression and what inference reuses.

    Attributes
    ----------
    coef : numpy.ndarray
        Treatment effect first, then the regressors.
    x_tilde, y_tilde, resid : numpy.ndarray
        Projected regressors and outcome, and residuals, per row.
    gram : numpy.ndarray
        ``X~' W X~``.
    """

    design: PanelDesign
    projector: TwoWayProjector
    coef: np.ndarray
    x_tilde: np.ndarray
    y_tilde: np.ndarray
    resid: np.ndarray
    gram: np.ndarray

    @property
    def names(self) -> tuple[str, ...]:
        """Coefficient names: ``treatment`` and the regressors."""
        return ("treatment", *self.design.regressor_names)

    def _post_profile(self) -> np.ndarray:
        profile = np.zeros(self.design.n_periods)
        profile[self.design.start:] = 1.0
        return profile

    def assignment_estimates(
        self, assignments: list[np.ndarray], *, outcome: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Estimates under re-assigned treatment, and their slopes on the actual treatment.

        Parameters
        ----------
        assignments : list of numpy.ndarray
            Each an array of group codes treated from the design's start period.
        outcome : numpy.ndarray, optional
            A projected row-level outcome to use instead of ``y_tilde`` (e.g.
            residuals); it must be orthogonal to the fixed effects.

        Returns
        -------
        (estimates, slopes) : tuple of numpy.ndarray
            ``estimates[s]`` is the treatment coefficient when the groups in
            ``assignments[s]`` are treated; ``slopes[s]`` is the coefficient
            of that indicator in a regression of the actual treatment on the
            same design, so that removing an effect ``tau0`` from the treated
            moves the estimate by ``-slopes[s] * tau0``.
        """
        proj, profile = self.projector, self._post_profile()
        y_t = self.y_tilde if outcome is None else outcome
        own, v = proj.assignment_terms(profile)
        after = profile.astype(bool)
        y_post = proj.cell_sums(y_t)[:, after].sum(axis=1)
        d_post = proj.cell_sums(self.x_tilde[:, 0])[:, after].sum(axis=1)
        k = self.x_tilde.shape[1] - 1
        if k:
            r_tilde = self.x_tilde[:, 1:]
            r_post = proj.cell_sums(r_tilde)[:, after, :].sum(axis=1)
            rr = self.gram[1:, 1:]
            r_y = (r_tilde * self.design.weight[:, None]).T @ y_t
            r_d = self.gram[1:, 0]
        estimates = np.empty(len(assignments))
        slopes = np.empty(len(assignments))
        for s, groups in enumerate(assignments):
            v_s = v[groups].sum(axis=0)
            dd = own[groups].sum() - v_s @ proj.solve_periods(v_s)
            dy, dd_actual = y_post[groups].sum(), d_post[groups].sum()
            if k:
                d_r = r_post[groups].sum(axis=0)
                gamma = np.linalg.solve(rr, d_r)
                dd, dy, dd_actual = dd - d_r @ gamma, dy - gamma @ r_y, dd_actual - gamma @ r_d
            estimates[s], slopes[s] = dy / dd, dd_actual / dd
        return estimates, slopes

    def fixed_effects(self) -> tuple[np.ndarray, np.ndarray]:
        """Unit and period effects of the fitted model (first period at 0)."""
        net = self.design.y - self.design_matrix() @ self.coef
        return self.projector.effects(net)

    def design_matrix(self) -> np.ndarray:
        """Treatment and regressors per row (not projected)."""
        return np.column_stack([self.design.treat, self.design.regressors])


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


def fit_twfe(design: PanelDesign) -> TwfeFit:
    """Fit ``y = alpha_unit + lam_period + tau D + X b`` by weighted least squares.

    Parameters
    ----------
    design : PanelDesign

    Returns
    -------
    TwfeFit

    Raises
    ------
    DataError
        If a regressor is absorbed by the fixed effects or the regressors are
        collinear.
    """
    proj = TwoWayProjector.build(
        design.unit, design.period, group=design.group, weight=design.weight
    )
    x = np.column_stack([design.treat, design.regressors])
    x_tilde = proj.residualize(x)
    y_tilde = proj.residualize(design.y)
    w = design.weight
    gram = (x_tilde * w[:, None]).T @ x_tilde
    raw_scale = ((x - np.average(x, axis=0, weights=w)) ** 2 * w[:, None]).sum(axis=0)
    _check_collinearity(gram, ("treatment", *design.regressor_names), raw_scale)
    coef = np.linalg.solve(gram, (x_tilde * w[:, None]).T @ y_tilde)
    resid = y_tilde - x_tilde @ coef
    return TwfeFit(design, proj, coef, x_tilde, y_tilde, resid, gram)
