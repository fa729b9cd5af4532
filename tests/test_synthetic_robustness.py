"""Robustness checks of synthetic control and synthetic DiD, each against an independent call of the estimator.

- placebo in time: the estimator on the data before the real start, with the start moved earlier;
- leave-one-out: the estimator on the data without that donor;
- in-space placebos: the estimator with each donor treated and the treated unit left out of the data.

Proposition 99 (``california_prop99.csv``) is read from the shared validation folder; the rest are
small simulated panels.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.results.synthetic import SyntheticResult

OUTCOME, UNIT, TIME = "PacksPerCapita", "State", "Year"
Estimator = Callable[..., SyntheticResult]

# small panels cannot reach p-values below alpha: that warning is expected here
pytestmark = pytest.mark.filterwarnings("ignore:with \\d+ re-assignments the smallest attainable p-value")


@pytest.fixture(scope="module")
def prop99(validation_dir: Path) -> pd.DataFrame:
    return pd.read_csv(validation_dir / "california_prop99.csv")


@pytest.fixture(scope="module")
def sc_prop99(prop99: pd.DataFrame) -> SyntheticResult:
    return hj.synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989)


@pytest.fixture(scope="module")
def sdid_prop99(prop99: pd.DataFrame) -> SyntheticResult:
    return hj.synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989)


def factor_panel(seed: int, *, units: int = 12, first: int = 2000, last: int = 2013, start: int = 2010,
                 effect: float = 0.0, noise: float = 0.2, cycle: float = 1.5) -> pd.DataFrame:
    """Units ``m`` x years: a level, two factors with unit loadings, a business cycle (coefficient ``cycle``), noise.

    Unit 0's level and loadings are the mean of units 1-3, so it lies inside the donors' hull; it
    gets ``effect`` from ``start`` on.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(first, last + 1)
    level = rng.normal(scale=2.0, size=units)
    loadings = rng.uniform(0.5, 1.5, size=(units, 2))
    level[0], loadings[0] = level[1:4].mean(), loadings[1:4].mean(axis=0)
    factors = np.column_stack([0.3 * (years - first), np.sin(years - first)])
    frame = pd.DataFrame([(m, y) for m in range(units) for y in years], columns=["m", "year"])
    frame["cycle"] = rng.normal(size=len(frame)) + 0.05 * (frame.year - first) * (frame.m % 3)
    path = level[:, None] + loadings @ factors.T
    frame["y"] = (path[frame.m, frame.year - first] + cycle * frame.cycle + rng.normal(scale=noise, size=len(frame))
                  + effect * ((frame.m == 0) & (frame.year >= start)))
    return frame


def _top(result: SyntheticResult) -> tuple[object, float]:
    label = result.weights.idxmax()
    return label, float(result.weights[label])


# --------------------------------------------------------------------------- placebo in time


@pytest.mark.parametrize("estimator", [hj.synthetic_control, hj.synthetic_did])
def test_placebo_in_time_is_the_estimator_on_the_pre_period(prop99: pd.DataFrame, sc_prop99: SyntheticResult,
                                                            sdid_prop99: SyntheticResult,
                                                            estimator: Estimator) -> None:
    result = sc_prop99 if estimator is hj.synthetic_control else sdid_prop99
    table = result.placebo_in_time(periods=[3, 6] if estimator is hj.synthetic_control else 4)
    assert table.columns.tolist() == ["periods", "placebo_start", "estimate", "pre_rmspe", "post_pre_rmspe_ratio",
                                      "top_donor", "top_weight"]
    before = prop99[prop99[TIME] < 1989]
    for row in table.itertuples():
        direct = estimator(before, OUTCOME, UNIT, TIME, "California", 1989 - row.periods)
        assert row.placebo_start == pd.Period(str(1989 - row.periods), "Y")
        assert row.estimate == pytest.approx(direct.estimate, abs=1e-8)
        assert row.pre_rmspe == pytest.approx(direct.pre_rmspe, abs=1e-8)
        assert row.post_pre_rmspe_ratio == pytest.approx(direct.post_pre_rmspe_ratio, rel=1e-7)
        assert (row.top_donor, row.top_weight) == (_top(direct)[0], pytest.approx(_top(direct)[1], abs=1e-8))


def test_placebo_in_time_cuts_the_fit_window(prop99: pd.DataFrame) -> None:
    result = hj.synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, fit_window=(1975, 1988))
    row = result.placebo_in_time(periods=4).iloc[0]
    direct = hj.synthetic_control(prop99[prop99[TIME] < 1989], OUTCOME, UNIT, TIME, "California", 1985,
                                  fit_window=(1975, 1984))
    assert row.estimate == pytest.approx(direct.estimate, abs=1e-8)
    with pytest.raises(hj.DataError, match=r"periods=15 \(placebo start 1974\): the fit_window lies wholly"):
        result.placebo_in_time(periods=15)


def test_placebo_in_time_with_synthdid_solver_covariates_and_predictors() -> None:
    frame = factor_panel(1)
    before = frame[frame.year < 2010]
    cases: list[tuple[Estimator, dict[str, object]]] = [
        (hj.synthetic_control, {"solver": "synthdid"}),
        (hj.synthetic_did, {"cycle": "cycle"}),
        (hj.synthetic_control, {"predictors": [("cycle", 2000, 2004), ("y", 2002)], "starts": 1}),
    ]
    for estimator, options in cases:
        # the nested predictor fit re-runs for every placebo: a smaller panel
        data, pre = (frame, before) if "predictors" not in options else (frame[frame.m < 6], before[before.m < 6])
        result = estimator(data, "y", "m", "year", 0, 2010, **options)
        direct = estimator(pre, "y", "m", "year", 0, 2007, **options)
        assert result.placebo_in_time(periods=3).estimate.iloc[0] == pytest.approx(direct.estimate, abs=1e-8)
    reaching = hj.synthetic_control(frame[frame.m < 6], "y", "m", "year", 0, 2010, predictors=[("y", 2004, 2008)],
                                    starts=1)
    with pytest.raises(hj.DataError, match=r"periods=3 \(placebo start 2007\): the predictors \['y 2004-2008'\] "
                                           "reach the placebo start"):
        reaching.placebo_in_time(periods=3)


def test_placebo_in_time_is_near_zero_without_an_effect() -> None:
    """No effect anywhere: the placebo effect is the mean over k periods of the treated unit's noise less the
    weighted donors' (sd about noise * sqrt(1 + sum w^2) / sqrt(k) <= 0.2 * sqrt(2 / 4) = 0.14) plus the error of
    the fitted weights; 0.45 is over three of those standard deviations."""
    frame = factor_panel(7, units=20, last=2015, start=2012, cycle=0.0)
    for estimator in (hj.synthetic_control, hj.synthetic_did):
        table = estimator(frame, "y", "m", "year", 0, 2012).placebo_in_time(periods=4)
        assert abs(table.estimate.iloc[0]) < 0.45
    # with a cycle netted out, and a real effect after the start that cannot enter the placebo
    plain = factor_panel(7, units=20, last=2015, start=2012)
    moved = factor_panel(7, units=20, last=2015, start=2012, effect=3.0)
    placebos = [hj.synthetic_did(f, "y", "m", "year", 0, 2012, cycle="cycle").placebo_in_time(periods=4)
                for f in (plain, moved)]
    assert abs(placebos[0].estimate.iloc[0]) < 0.45
    assert placebos[1].estimate.iloc[0] == pytest.approx(placebos[0].estimate.iloc[0], abs=1e-10)


@pytest.mark.parametrize(("periods", "message"), [
    (0, r"periods=0 must be a positive whole number: how many periods before the start=1989"),
    (-2, r"periods=-2 must be a positive whole number"),
    (2.5, r"periods=2.5 must be a positive whole number"),
    (True, r"periods=True must be a positive whole number"),
    ("3", r"periods='3' must be a positive whole number"),
    ([], r"periods=\[\] is empty"),
    (18, r"periods=18 leaves 1 period\(s\) before the placebo start, but at least 2 .*use periods of at most 17"),
    ([2, 40], r"periods=40 leaves 0 period\(s\)"),
])
def test_bad_periods_are_refused(sc_prop99: SyntheticResult, periods: object, message: str) -> None:
    with pytest.raises(hj.DataError, match=message):
        sc_prop99.placebo_in_time(periods=periods)  # type: ignore[arg-type]


def test_the_longest_placebo_leaves_two_periods(sc_prop99: SyntheticResult) -> None:
    row = sc_prop99.placebo_in_time(periods=17).iloc[0]
    assert row.placebo_start == pd.Period("1972", "Y") and math.isfinite(row.estimate)
    table = sc_prop99.placebo_in_time(periods=np.array([1, 2]))  # type: ignore[arg-type]
    assert table.periods.tolist() == [1, 2]
    assert table.estimate.to_numpy() == pytest.approx(sc_prop99.placebo_in_time(periods=[1, 2]).estimate.to_numpy())


# --------------------------------------------------------------------------- leave-one-out


def test_leave_one_out_is_the_estimator_without_that_donor(prop99: pd.DataFrame, sc_prop99: SyntheticResult,
                                                           sdid_prop99: SyntheticResult) -> None:
    for estimator, result, shown in ((hj.synthetic_control, sc_prop99, None), (hj.synthetic_did, sdid_prop99, 1)):
        table = result.leave_one_out()
        assert table.columns.tolist() == ["unit", "weight", "estimate", "change", "pre_rmspe", "top_donor",
                                          "top_weight"]
        weighted = result.weights[result.weights > 1e-10]
        assert sorted(table.unit) == sorted(weighted.index) and table.weight.is_monotonic_decreasing
        for row in table.head(shown).itertuples():
            direct = estimator(prop99[prop99[UNIT] != row.unit], OUTCOME, UNIT, TIME, "California", 1989)
            assert row.estimate == pytest.approx(direct.estimate, abs=1e-8)
            assert row.change == pytest.approx(direct.estimate - result.estimate, abs=1e-8)
            assert row.pre_rmspe == pytest.approx(direct.pre_rmspe, abs=1e-8)
            assert row.top_donor == _top(direct)[0]
            assert row.top_weight == pytest.approx(_top(direct)[1], abs=1e-8)
            assert row.weight == result.weights[row.unit]


@pytest.mark.parametrize(("estimator", "options"), [
    (hj.synthetic_control, {}), (hj.synthetic_control, {"solver": "synthdid"}), (hj.synthetic_did, {"cycle": "cycle"}),
])
def test_leave_one_out_on_a_small_panel(estimator: Estimator, options: dict[str, object]) -> None:
    frame = factor_panel(2, units=6, effect=1.0)
    result = estimator(frame, "y", "m", "year", 0, 2010, **options)
    table = result.leave_one_out()
    assert len(table) == int((result.weights > 1e-10).sum()) > 0
    for row in table.itertuples():
        direct = estimator(frame[frame.m != row.unit], "y", "m", "year", 0, 2010, **options)
        assert row.estimate == pytest.approx(direct.estimate, abs=1e-8)
        assert row.top_donor == _top(direct)[0]


# --------------------------------------------------------------------------- in-space placebos


def _check_in_space(result: SyntheticResult, directs: dict[object, SyntheticResult]) -> None:
    test = result.in_space_placebos()
    table = test.to_frame()
    assert table.columns.tolist() == ["unit", "treated", "estimate", "pre_rmspe", "post_rmspe",
                                      "post_pre_rmspe_ratio", "pre_rmspe_relative", "rank"]
    assert table.treated.tolist() == [True] + [False] * len(directs)
    first = table.iloc[0]
    assert first.estimate == result.estimate and first.pre_rmspe == result.pre_rmspe
    assert first.post_pre_rmspe_ratio == result.post_pre_rmspe_ratio
    placebos = table.iloc[1:].set_index("unit")
    assert list(placebos.index) == list(result.weights.index)
    for unit, direct in directs.items():
        assert placebos.loc[unit, "estimate"] == pytest.approx(direct.estimate, abs=1e-8)
        assert placebos.loc[unit, "pre_rmspe"] == pytest.approx(direct.pre_rmspe, abs=1e-8)
        assert placebos.loc[unit, "post_pre_rmspe_ratio"] == pytest.approx(direct.post_pre_rmspe_ratio, rel=1e-7)
    ratios = np.array([d.post_pre_rmspe_ratio for d in directs.values()])
    rank = 1 + int(np.sum(ratios >= result.post_pre_rmspe_ratio))
    assert test.rank == rank == first["rank"]
    assert test.units == len(directs) + 1 and test.pvalue == pytest.approx(rank / (len(directs) + 1))
    assert table.pre_rmspe_relative.iloc[1:].to_numpy() == pytest.approx(
        placebos.pre_rmspe.to_numpy() / result.pre_rmspe)


@pytest.mark.parametrize(("estimator", "options"), [
    (hj.synthetic_control, {}), (hj.synthetic_control, {"solver": "synthdid"}), (hj.synthetic_did, {"cycle": "cycle"}),
])
def test_in_space_placebos_are_the_estimator_with_each_donor_treated(estimator: Estimator,
                                                                     options: dict[str, object]) -> None:
    frame = factor_panel(3, units=6, effect=2.0)
    result = estimator(frame, "y", "m", "year", 0, 2010, **options)
    others = frame[frame.m != 0]
    directs = {m: estimator(others, "y", "m", "year", m, 2010, **options) for m in result.weights.index}
    _check_in_space(result, directs)


def test_in_space_placebos_with_several_treated_units() -> None:
    # placebo inference draws random sets here, so the single-unit placebos are fitted afresh
    frame = factor_panel(4, units=7, effect=2.0)
    result = hj.synthetic_did(frame, "y", "m", "year", [0, 1], 2010, draws=10)
    others = frame[~frame.m.isin([0, 1])]
    directs = {m: hj.synthetic_did(others, "y", "m", "year", m, 2010) for m in result.weights.index}
    _check_in_space(result, directs)
    assert result.in_space_placebos().table.unit.iloc[0] == "0, 1"


def test_in_space_placebos_on_prop99(sc_prop99: SyntheticResult, sdid_prop99: SyntheticResult,
                                     prop99: pd.DataFrame) -> None:
    for result in (sc_prop99, sdid_prop99):
        table = result.in_space_placebos().to_frame().iloc[1:].set_index("unit")
        # equal unit sizes: the placebo test's estimates are the same re-fits
        np.testing.assert_allclose(table.estimate.to_numpy(), result.placebo[table.index].to_numpy(), atol=1e-12)
    others = prop99[prop99[UNIT] != "California"]
    utah = hj.synthetic_control(others, OUTCOME, UNIT, TIME, "Utah", 1989)
    table = sc_prop99.in_space_placebos().table.set_index("unit")
    assert table.loc["Utah", "post_pre_rmspe_ratio"] == pytest.approx(utah.post_pre_rmspe_ratio, rel=1e-9)
    assert sdid_prop99.in_space_placebos().rank == 1


def test_sdid_warm_start_moves_only_the_inference_refits() -> None:
    """warm_start=True starts placebo and bootstrap re-fits from the actual weights; leave-one-out and placebo in
    time still start from uniform weights, as a direct call of the estimator does, and the in-space placebos are
    the placebo inference's re-fits."""
    frame = factor_panel(3, units=8, effect=2.0)
    options: dict[str, object] = {"cycle": "cycle"}
    warm = hj.synthetic_did(frame, "y", "m", "year", 0, 2010, warm_start=True, **options)
    cold = hj.synthetic_did(frame, "y", "m", "year", 0, 2010, **options)
    assert warm.estimate == cold.estimate
    pd.testing.assert_frame_equal(warm.leave_one_out(), cold.leave_one_out())
    pd.testing.assert_frame_equal(warm.placebo_in_time(periods=3), cold.placebo_in_time(periods=3))
    table = warm.in_space_placebos().to_frame().iloc[1:].set_index("unit")
    np.testing.assert_allclose(table.estimate.to_numpy(), warm.placebo[table.index].to_numpy(), atol=1e-12)
    assert warm.se == pytest.approx(cold.se, rel=0.01)
    # several treated units: random placebo sets and bootstrap draws start warm too; here Frank-Wolfe ends near
    # the minimiser from either start, so they stay close (without the cycle netted out it does not, and they differ)
    for inference in ("placebo", "bootstrap"):
        runs = [hj.synthetic_did(frame, "y", "m", "year", [0, 1], 2010, inference=inference, draws=20, seed=3,
                                 warm_start=w, **options) for w in (True, False)]
        assert runs[0].se == pytest.approx(runs[1].se, rel=0.01)
        assert runs[0].provenance["solver_reuse"].startswith("warm_start=True")


# --------------------------------------------------------------------------- the result


def test_a_result_without_its_panel_says_so(sc_prop99: SyntheticResult) -> None:
    bare = dataclasses.replace(sc_prop99, _refits=None)
    for check in ("placebo_in_time", "leave_one_out", "in_space_placebos"):
        with pytest.raises(hj.DataError, match=f"{check}\\(\\) re-fits the estimator, but this result keeps no"):
            getattr(bare, check)(*([1] if check == "placebo_in_time" else []))
    assert "_refits" not in repr(sc_prop99)


def test_the_result_keeps_unit_by_period_means_only() -> None:
    frame = factor_panel(5, units=6)
    persons = pd.concat([frame.assign(person=frame.m * 10 + p, y=frame.y + shift)
                         for p, shift in enumerate((-1.0, 0.5, 0.5))])
    result = hj.synthetic_did(persons, "y", "person", "year", 0, 2010, group="m", cycle="cycle")
    kept = result._refits
    assert kept is not None
    arrays = [v for v in vars(kept).values() if isinstance(v, np.ndarray)]
    arrays += [v for v in vars(kept.fitter).values() if isinstance(v, np.ndarray)]  # type: ignore[attr-defined]
    assert max(a.shape[0] for a in arrays) == 6 and all(len(persons) not in a.shape for a in arrays)
    direct = hj.synthetic_did(frame, "y", "m", "year", 0, 2010, cycle="cycle")
    assert result.leave_one_out().estimate.to_numpy() == pytest.approx(direct.leave_one_out().estimate.to_numpy(),
                                                                        abs=1e-9)


def test_checks_leave_the_result_unchanged(sc_prop99: SyntheticResult) -> None:
    weights, gap = sc_prop99.weights.copy(), sc_prop99.gap.copy()
    sc_prop99.placebo_in_time(periods=2)
    sc_prop99.leave_one_out()
    sc_prop99.in_space_placebos()
    pd.testing.assert_series_equal(sc_prop99.weights, weights)
    pd.testing.assert_series_equal(sc_prop99.gap, gap)
