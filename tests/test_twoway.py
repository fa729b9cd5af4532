"""The exact two-way projector against dense least squares (an independent computation)."""

from __future__ import annotations

import numpy as np
import pytest

from hjeval.design.twoway import TwoWayProjector
from hjeval.errors import DataError


def unbalanced_panel(seed: int, n_units: int = 400, n_periods: int = 15, n_groups: int = 8):
    rng = np.random.default_rng(seed)
    start = rng.integers(0, n_periods, n_units)
    length = np.minimum(rng.integers(1, n_periods, n_units), n_periods - start)
    unit = np.repeat(np.arange(n_units), length)
    offset = np.arange(len(unit)) - np.repeat(np.cumsum(length) - length, length)
    period = np.repeat(start, length) + offset
    group_of_unit = rng.integers(0, n_groups, n_units)
    weight = rng.uniform(0.5, 2.0, len(unit))
    return unit, period, group_of_unit[unit], weight, rng


def dense_residuals(x: np.ndarray, unit: np.ndarray, period: np.ndarray, weight: np.ndarray):
    n_units, n_periods = unit.max() + 1, period.max() + 1
    dummies = np.zeros((len(unit), n_units + n_periods - 1))
    dummies[np.arange(len(unit)), unit] = 1.0
    later = period > 0
    dummies[np.flatnonzero(later), n_units + period[later] - 1] = 1.0
    root = np.sqrt(weight)[:, None]
    coef = np.linalg.lstsq(dummies * root, x.reshape(len(x), -1) * root, rcond=None)[0]
    return x - (dummies @ coef).reshape(x.shape)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_residuals_equal_dense_least_squares(seed: int) -> None:
    unit, period, group, weight, rng = unbalanced_panel(seed)
    x = rng.normal(size=(len(unit), 2)) + unit[:, None] * 0.05
    proj = TwoWayProjector.build(unit, period, group=group, weight=weight)
    # Both sides solve the same normal equations; 1e-9 absolute on unit-scale data leaves
    # room only for floating-point error of the dense solver (condition number ~1e3).
    np.testing.assert_allclose(proj.residualize(x), dense_residuals(x, unit, period, weight), atol=1e-9)


def test_cell_gram_equals_row_level_cross_products() -> None:
    unit, period, group, weight, rng = unbalanced_panel(3)
    proj = TwoWayProjector.build(unit, period, group=group, weight=weight)
    z = rng.normal(size=(proj.n_groups, proj.n_periods, 3))
    rows = z[group, period]
    tilde = proj.residualize(rows)
    expected = (tilde * weight[:, None]).T @ tilde
    np.testing.assert_allclose(proj.cell_gram(z), expected, rtol=1e-10, atol=1e-9)


def test_units_must_be_nested_in_groups() -> None:
    with pytest.raises(DataError, match="not nested"):
        TwoWayProjector.build(np.array([0, 0]), np.array([0, 1]), group=np.array([0, 1]))


def test_disconnected_design_is_an_error() -> None:
    # unit 0 only in period 0, unit 1 only in period 1: the two effects cannot be separated
    with pytest.raises(DataError, match="not connected"):
        TwoWayProjector.build(np.array([0, 1]), np.array([0, 1]), group=np.array([0, 1]))
