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
    cells = design.group * design.n_periods + design.period
    size = design.n_groups * design.n_periods
    lo = np.full(size, np.inf)
    hi = np.full(size, -np.inf)
    np.minimum.at(lo, cells, values)
    np.maximum.at(hi, cells, values)
    seen = np.isfinite(lo)
    if np.any(hi[seen] - lo[seen] > 1e-9 * np.maximum(1.0, np.abs(hi[seen]))):
        raise DataError(
            f"cycle column {design.regressor_names[column]!r} varies within a group and period; "
            "the sensitivity adjustment needs one value per group and period"
        )
    out = np.where(seen, lo, np.nan).reshape(design.n_groups, design.n_periods)
    return out


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
    cell_weight = np.bincount(
        design.group * design.n_periods + design.period, weights=design.weight,
        minlength=design.n_groups * design.n_periods,
    ).reshape(design.n_groups, design.n_periods)
    weight_sum = cell_weight.sum(axis=0)
    national = np.nansum(np.where(cell_weight > 0, local, 0.0) * cell_weight, axis=0) / np.where(
        weight_sum > 0, weight_sum, 1.0
    )
    pre_rows = design.period < design.start
    if design.start < 3:
        raise DataError("the sensitivity adjustment needs at least 3 pre-reform periods")
    pre_period = design.period[pre_rows]
    pre_groups = design.group[pre_rows]
    proj = TwoWayProjector.build(
        _recode(design.unit[pre_rows]), pre_period, group=pre_groups,
        weight=None if design.weight is None else design.weight[pre_rows],
    )
    centred = national[: proj.n_periods] - np.average(national[: proj.n_periods], weights=proj.period_weight)
    # regressors: national cycle x indicator of each group but the first present (G - 1 columns)
    present = np.unique(pre_groups)
    free = present[1:]
    z = np.zeros((proj.n_groups, proj.n_periods, len(free)))
    for j, g in enumerate(free):
        z[g, :, j] = centred
    gram = proj.cell_gram(z)
    y_tilde = proj.residualize(design.y[pre_rows])
    zy = np.einsum("gtk,gt->k", z, proj.cell_sums(y_tilde))
    try:
        free_theta = np.linalg.solve(gram, zy)
    except np.linalg.LinAlgError as err:
        raise DataError("the national cycle does not vary enough before the start to estimate sensitivities") from err
    theta = np.zeros(design.n_groups)
    theta[free] = free_theta
    group_weight = np.bincount(design.group, weights=design.weight, minlength=design.n_groups).astype(np.float64)
    theta = theta - np.average(theta, weights=group_weight)
    offset = theta[design.group] * national[design.period]
    return Sensitivity(theta=theta, national=national, offset=offset)


def _recode(codes: np.ndarray) -> np.ndarray:
    return np.unique(codes, return_inverse=True)[1].astype(np.int64)
