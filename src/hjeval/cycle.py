"""Business-cycle adjustment.

Three ways to net the business cycle out of a reform effect, each a choice a
user names:

``"common"``
    Nothing beyond the period fixed effects: the comparison groups' common
    trend absorbs a cycle that hits every municipality alike.
``"covariate"``
    A local cycle series (e.g. the municipal unemployment rate) enters the
    regression as a time-varying regressor with one common coefficient.
``"sensitivity"``
    Each municipality responds to the national cycle with its own
    sensitivity, estimated on pre-reform periods only:
    ``y_it = a_i + l_t + theta_g C_t + e_it`` for ``t < start``, where ``C_t``
    is the national cycle (the weighted mean of the local series). The
    outcome is then net of ``theta_g C_t`` in every period. Because the
    sensitivities come from untreated periods, they do not depend on which
    group is treated, and placebo inference stays valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from hjeval.design.panel import PanelDesign
from hjeval.design.rows import row_slices
from hjeval.design.twoway import TwoWayProjector
from hjeval.errors import DataError

__all__ = ["CycleMethod", "Sensitivity", "estimate_sensitivity"]

CycleMethod = Literal["common", "covariate", "sensitivity"]


@dataclass(frozen=True)
class Sensitivity:
    """Group-specific sensitivities to the national cycle.

    Attributes
    ----------
    theta : numpy.ndarray
        Sensitivity per group code, relative to the weighted mean group
        (a common part is absorbed by the period effects).
    national : numpy.ndarray
        The national cycle per period code.
    offset : numpy.ndarray
        ``theta[group] * national[period]`` per row: what the adjustment removes.
    """

    theta: np.ndarray
    national: np.ndarray
    offset: np.ndarray


def _cell_values(design: PanelDesign, column: int) -> np.ndarray:
    values = design.regressors[:, column]
    size = design.n_groups * design.n_periods
    lo = np.full(size, np.inf)
    hi = np.full(size, -np.inf)
    for rows in row_slices(design.n_obs):
        cells = design.group[rows].astype(np.intp) * design.n_periods + design.period[rows]
        np.minimum.at(lo, cells, values[rows])
        np.maximum.at(hi, cells, values[rows])
    seen = np.isfinite(lo)
    if np.any(hi[seen] - lo[seen] > 1e-9 * np.maximum(1.0, np.abs(hi[seen]))):
        raise DataError(
            f"cycle column {design.regressor_names[column]!r} varies within a group and period; "
            "the sensitivity adjustment needs one value per group and period"
        )
    out = np.where(seen, lo, np.nan).reshape(design.n_groups, design.n_periods)
    return out


def _cell_weights(design: PanelDesign) -> np.ndarray:
    size = design.n_groups * design.n_periods
    out = np.zeros(size)
    for rows in row_slices(design.n_obs):
        cells = design.group[rows].astype(np.intp) * design.n_periods + design.period[rows]
        out += np.bincount(cells, weights=None if design.weight is None else design.weight[rows], minlength=size)
    return out.reshape(design.n_groups, design.n_periods)


def estimate_sensitivity(design: PanelDesign, column: int = 0) -> Sensitivity:
    """Estimate each group's sensitivity to the national cycle on pre-reform rows.

    Parameters
    ----------
    design : PanelDesign
        A design whose regressor ``column`` holds the local cycle series.
    column : int, default 0

    Returns
    -------
    Sensitivity

    Raises
    ------
    DataError
        If the series varies within a group and period, or the pre-period is
        too short to separate the sensitivities (at least 3 periods).
    """
    local = _cell_values(design, column)
    cell_weight = _cell_weights(design)
    weight_sum = cell_weight.sum(axis=0)
    national = np.nansum(np.where(cell_weight > 0, local, 0.0) * cell_weight, axis=0) / np.where(
        weight_sum > 0, weight_sum, 1.0
    )
    pre_rows = design.period < design.start
    if design.start < 3:
        raise DataError("the sensitivity adjustment needs at least 3 pre-reform periods")
    pre_groups = design.group[pre_rows]
    proj = TwoWayProjector.build(
        _recode(design.unit[pre_rows]), design.period[pre_rows], group=pre_groups,
        weight=None if design.weight is None else design.weight[pre_rows],
    )
    centred = national[: proj.n_periods] - np.average(national[: proj.n_periods], weights=proj.period_weight)
    # regressors: national cycle x indicator of each group but the first present (G - 1 columns)
    present = np.flatnonzero(proj.cell_weight.sum(axis=1) > 0)
    del pre_groups
    free = present[1:]
    z = np.zeros((proj.n_groups, proj.n_periods, len(free)))
    for j, g in enumerate(free):
        z[g, :, j] = centred
    gram = proj.cell_gram(z)
    zy = np.einsum("gtk,gt->k", z, proj.residual_cell_sums(design.y[pre_rows]))
    try:
        free_theta = np.linalg.solve(gram, zy)
    except np.linalg.LinAlgError as err:
        raise DataError("the national cycle does not vary enough before the start to estimate sensitivities") from err
    theta = np.zeros(design.n_groups)
    theta[free] = free_theta
    group_weight = cell_weight.sum(axis=1)
    theta = theta - np.average(theta, weights=group_weight)
    offset = np.empty(design.n_obs)
    for rows in row_slices(design.n_obs):
        offset[rows] = theta[design.group[rows]] * national[design.period[rows]]
    return Sensitivity(theta=theta, national=national, offset=offset)


def _recode(codes: np.ndarray) -> np.ndarray:
    """Consecutive codes 0..k-1 for the distinct codes present, in their order (``np.unique``'s inverse)."""
    present = np.zeros(int(codes.max()) + 1, dtype=bool)
    for rows in row_slices(len(codes)):
        present[codes[rows]] = True
    new_code = (np.cumsum(present) - 1).astype(codes.dtype)
    out = np.empty(len(codes), dtype=codes.dtype)
    for rows in row_slices(len(codes)):
        np.take(new_code, codes[rows], out=out[rows])
    return out
