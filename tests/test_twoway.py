"""The exact two-way projector against dense least squares (an independent computation)."""

from __future__ import annotations

import numpy as np
import pytest

from hjeval.design import rows as rows_module
from hjeval.design import twoway
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


# ---- the three ways the unit x period weights enter ------------------------------------------

def spell_panel(seed: int, n_units: int = 300, n_periods: int = 20, n_groups: int = 6):
    """Rows ordered by unit, then period; every fourth unit has gaps in its spell."""
    rng = np.random.default_rng(seed)
    units, periods = [], []
    for u in range(n_units):
        start = rng.integers(0, n_periods - 1)
        spell = np.arange(start, rng.integers(start + 1, n_periods + 1))
        if u % 4 == 0 and len(spell) > 2:
            spell = spell[rng.random(len(spell)) < 0.7] if rng.random() < 0.9 else spell
            spell = spell if len(spell) else np.array([start])
        units.append(np.full(len(spell), u))
        periods.append(spell)
    unit, period = np.concatenate(units), np.concatenate(periods)
    group_of_unit = rng.integers(0, n_groups, n_units)
    return unit, period, group_of_unit[unit], rng


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few rows (passes cross unit boundaries) and no design small enough for a dense matrix."""
    monkeypatch.setattr(rows_module, "CHUNK_VALUES", 48)
    monkeypatch.setattr(twoway, "CHUNK_VALUES", 48)


@pytest.mark.parametrize("weighting", ["none", "per_unit", "per_row"])
@pytest.mark.parametrize("order", ["by_unit", "by_period", "shuffled"])
def test_every_layout_equals_dense_least_squares(tiny_chunks: None, weighting: str, order: str) -> None:
    unit, period, group, rng = spell_panel(4)
    weight = {"none": None, "per_unit": rng.uniform(0.5, 2.0, unit.max() + 1)[unit],
              "per_row": rng.uniform(0.5, 2.0, len(unit))}[weighting]
    if order != "by_unit":
        rows = np.argsort(period, kind="stable") if order == "by_period" else rng.permutation(len(unit))
        unit, period, group = unit[rows], period[rows], group[rows]
        weight = None if weight is None else weight[rows]
    proj = TwoWayProjector.build(unit, period, group=group, weight=weight)
    # which way the weights entered: runs need each unit's periods in increasing order and a weight
    # constant within each unit; rows grouped by unit are read in segments
    assert proj.unit_period_weight is None
    assert (proj.unit_starts is not None) == (order == "by_unit")
    assert (proj.runs is not None) == (order != "shuffled" and weighting != "per_row")
    x = rng.normal(size=(len(unit), 2)) + unit[:, None] * 0.05
    expected = dense_residuals(x, unit, period, np.ones(len(unit)) if weight is None else weight)
    np.testing.assert_allclose(proj.residualize(x), expected, atol=1e-9)


def test_runs_give_the_blocks_of_dense_products(tiny_chunks: None) -> None:
    unit, period, group, _ = spell_panel(5)
    by_runs = TwoWayProjector.build(unit, period, group=group)
    assert by_runs.runs is not None
    counts = np.bincount(unit)
    dense, _ = twoway._dense_blocks(unit, period, None, by_runs.group_of_unit, counts.astype(float), None, None,
                                    by_runs.n_periods, by_runs.n_groups)
    np.testing.assert_allclose(by_runs.blocks, dense, rtol=0, atol=1e-12 * np.abs(dense).max())


def test_fragmented_spells_use_corners_of_every_pair_of_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # observed in scattered months: many runs per unit, so many rectangles between runs
    rng = np.random.default_rng(6)
    seen = rng.random((200, 16)) < 0.5
    seen[:, 0] = True
    unit, period = np.nonzero(seen)
    group_of_unit = rng.integers(0, 5, 200)
    monkeypatch.setattr(twoway, "_MAX_RUN_PAIRS_PER_ROW", 1e9)
    unit_weight = rng.uniform(0.5, 2.0, 200)
    for weight in (None, unit_weight[unit]):
        totals = np.bincount(unit, weights=weight)
        starts = twoway._unit_starts(unit, 200)
        found = twoway._spell_blocks(period, weight, starts, None, group_of_unit, totals, 16, 5)
        assert found is not None
        dense, _ = twoway._dense_blocks(unit, period, weight, group_of_unit, totals, None, None, 16, 5)
        np.testing.assert_allclose(found[0], dense, rtol=0, atol=1e-12 * np.abs(dense).max())


def test_repeated_unit_periods_fall_back_to_dense_blocks(tiny_chunks: None) -> None:
    unit, period, group, rng = spell_panel(7)
    twice = np.r_[np.arange(len(unit)), np.arange(0, len(unit), 3)]
    twice.sort(kind="stable")  # rows stay ordered by unit; some (unit, period) pairs appear twice
    unit, period, group = unit[twice], period[twice], group[twice]
    proj = TwoWayProjector.build(unit, period, group=group)
    assert proj.runs is None and proj.unit_starts is not None
    x = rng.normal(size=len(unit))
    np.testing.assert_allclose(proj.residualize(x), dense_residuals(x, unit, period, np.ones(len(unit))), atol=1e-9)
