"""The shared inference layer: the size correction, several treated groups, calendar event time, results.

References are independent computations: the regression kernel (:func:`hjeval.regression.fit`)
re-fitted for every re-assignment, ordinary least squares for the variance model, and explicit
calendar dummies for the event study.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.regression import fit

START = 2015


def unequal_cells(seed: int = 0, groups: int = 40, years: range = range(2008, 2020),
                  effect: float = 0.0) -> pd.DataFrame:
    """Municipality-year cell means of groups whose sizes differ a hundredfold.

    Each cell mean has a municipality shock (variance 0.04, AR(1) 0.5) and sampling noise of
    variance 4 / persons; the treated group 0 is small (12 persons).
    """
    rng = np.random.default_rng(seed)
    sizes = np.round(np.exp(rng.uniform(np.log(8), np.log(900), groups))).astype(int)
    sizes[0] = 12
    shock = np.zeros((groups, len(years)))
    for t in range(len(years)):
        previous = shock[:, t - 1] if t else 0.0
        shock[:, t] = 0.5 * previous + rng.normal(scale=0.2 * np.sqrt(0.75), size=groups)
    rows = []
    for g in range(groups):
        for t, year in enumerate(years):
            treated = g == 0 and year >= START
            mean = 0.3 * g + 0.1 * t + shock[g, t] + rng.normal(scale=2 / np.sqrt(sizes[g])) + effect * treated
            rows.append((g, year, sizes[g], mean))
    return pd.DataFrame(rows, columns=["municipality", "year", "persons", "hours"])


def quiet(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return function(*args, **kwargs)


def cells_did(data: pd.DataFrame, **kwargs: object) -> hj.results.EffectResult:
    return quiet(hj.did, data, "hours", unit="municipality", time="year", treated=0, start=START,
                 weights="persons", **kwargs)


def test_corrected_placebo_equals_an_independent_computation() -> None:
    data = unequal_cells()
    res = cells_did(data)
    model = res.inference.size_correction
    assert model is not None and model.applied and model.measure == "weight sum"

    fe = [data["municipality"].to_numpy(), data["year"].to_numpy()]
    w = data["persons"].to_numpy(dtype=float)
    post = (data["year"] >= START).to_numpy()

    def indicator(group: int) -> np.ndarray:
        return ((data["municipality"] == group).to_numpy() & post).astype(float)

    actual = fit(data["hours"].to_numpy(), indicator(0), fixed_effects=fe, weights=w, vcov="iid")
    assert res.estimate == pytest.approx(actual.coef[0], rel=1e-10)
    comparison = range(1, 40)
    # residual DiD of each comparison group, then least squares of its square on 1 and 1/size,
    # reweighted by the inverse squared fitted variance until it settles
    errors = np.array([fit(actual.resid, indicator(g), fixed_effects=fe, weights=w, vcov="iid").coef[0]
                       for g in comparison])
    size = data.groupby("municipality")["persons"].sum().to_numpy(dtype=float)
    x = np.column_stack([np.ones(39), 1 / size[1:]])
    weight = np.ones(39)
    for _ in range(5):
        (a, b), *_ = np.linalg.lstsq(x * weight[:, None], errors**2 * weight, rcond=None)
        assert a > 0 and b > 0, "the simulated panel must give an interior fit for least squares to be the reference"
        weight = 1 / (a + b / size[1:])
    assert model.intercept == pytest.approx(a, rel=1e-6)
    assert model.slope == pytest.approx(b, rel=1e-6)
    # the placebo estimates re-fitted, rescaled to the treated group's variance
    ratio = np.sqrt((a + b / size[0]) / (a + b / size[1:]))
    placebo = np.array([fit(data["hours"].to_numpy(), indicator(g), fixed_effects=fe, weights=w,
                            vcov="iid").coef[0] for g in comparison])
    np.testing.assert_allclose(res.placebo.to_numpy(), placebo * ratio, rtol=1e-8)
    expected_p = (1 + np.sum(np.abs(placebo * ratio) >= abs(res.estimate) * (1 - 1e-12))) / 40
    assert res.pvalue == pytest.approx(expected_p, abs=1e-12)
    slopes = np.array([fit(indicator(0), indicator(g), fixed_effects=fe, weights=w, vcov="iid").coef[0]
                       for g in comparison])
    spread = (placebo - slopes * res.estimate) * ratio
    assert res.se == pytest.approx(np.std(spread, ddof=1), rel=1e-8)


def test_conley_taber_is_corrected_the_same_way() -> None:
    data = unequal_cells(seed=3)
    corrected = cells_did(data, inference="conley-taber")
    plain = cells_did(data, inference="conley-taber", size_correction=False)
    model = corrected.inference.size_correction
    assert model is not None and model.applied
    assert plain.inference.size_correction is not None and plain.inference.size_correction.reason == "switched off"
    # the treated group is small: its errors are larger than the comparison groups' on average,
    # so the corrected interval is wider than the uncorrected one
    assert corrected.ci[1] - corrected.ci[0] > plain.ci[1] - plain.ci[0]
    assert corrected.estimate == plain.estimate


def test_switched_off_gives_the_uncorrected_permutation_test() -> None:
    data = unequal_cells(seed=5)
    res = cells_did(data, size_correction=False)
    assert not res.inference.size_corrected
    expected = (1 + np.sum(np.abs(res.placebo.to_numpy()) >= abs(res.estimate) * (1 - 1e-12))) / 40
    assert res.pvalue == pytest.approx(expected)


def test_equal_sizes_change_nothing(validation_dir: Path) -> None:
    data = pd.read_csv(validation_dir / "california_prop99.csv")
    kwargs = dict(outcome="PacksPerCapita", unit="State", time="Year", treated="California", start=1989)
    res = quiet(hj.did, data, **kwargs)
    plain = quiet(hj.did, data, **kwargs, size_correction=False)
    assert res.inference.size_correction is not None
    assert res.inference.size_correction.reason == "equal sizes"
    assert (res.se, res.ci, res.pvalue) == (plain.se, plain.ci, plain.pvalue)
    assert res.estimate == pytest.approx(-27.349111, abs=5e-7)


def test_inference_is_invariant_to_relabelling_and_scales_with_the_outcome() -> None:
    data = unequal_cells(seed=7)
    res = cells_did(data)
    relabelled = data.assign(municipality=data["municipality"].map(lambda g: f"m{(g * 7) % 40:02d}"))
    moved = quiet(hj.did, relabelled, "hours", unit="municipality", time="year", treated="m00", start=START,
                  weights="persons")
    assert moved.pvalue == pytest.approx(res.pvalue) and moved.ci == pytest.approx(res.ci)
    scaled = cells_did(data.assign(hours=3.0 * data["hours"] + 10.0))
    assert scaled.estimate == pytest.approx(3 * res.estimate)
    assert scaled.se == pytest.approx(3 * res.se)
    assert scaled.ci == pytest.approx(tuple(3 * c for c in res.ci))
    assert scaled.pvalue == pytest.approx(res.pvalue)
    # doubling every group's weight doubles the weight sums: B doubles, A does not move, nothing else changes
    doubled = cells_did(data.assign(persons=2 * data["persons"]))
    assert doubled.pvalue == pytest.approx(res.pvalue) and doubled.ci == pytest.approx(res.ci)


def test_person_level_size_is_distinct_persons() -> None:
    rng = np.random.default_rng(2)
    persons = np.r_[np.full(15, 0), rng.integers(1, 12, 1500)]
    frame = pd.DataFrame({"pid": np.repeat(np.arange(len(persons)), 6), "muni": np.repeat(persons, 6),
                          "year": np.tile(np.arange(2012, 2018), len(persons))})
    frame["y"] = rng.normal(size=len(frame)) + frame["pid"] % 3
    keep = ~((frame["muni"] >= 6) & (frame["pid"] % 3 == 0))  # groups 6-10 lose a third of their persons
    frame = frame[keep]
    res = quiet(hj.did, frame, "y", unit="pid", group="muni", time="year", treated=0, start=2015)
    model = res.inference.size_correction
    assert model is not None and model.measure == "persons"
    assert model.treated_size == 15
    counts = frame.groupby("muni")["pid"].nunique()
    assert model.size_range == (counts.min(), counts.max())


@pytest.mark.parametrize("inference", ["placebo", "conley-taber", "cluster", "wild-bootstrap"])
def test_several_treated_groups_with_every_method(inference: str) -> None:
    data = unequal_cells(seed=11, effect=1.0)
    data.loc[data["municipality"] == 1, "hours"] += 1.0 * (data["year"] >= START)
    res = quiet(hj.did, data, "hours", unit="municipality", time="year", treated=[0, 1], start=START,
                weights="persons", inference=inference, draws=199, seed=4)
    assert res.treated == [0, 1]
    assert res.inference.method == inference
    assert np.isfinite(res.estimate) and res.ci[0] <= res.estimate <= res.ci[1]
    again = quiet(hj.did, data, "hours", unit="municipality", time="year", treated=[0, 1], start=START,
                  weights="persons", inference=inference, draws=199, seed=4)
    assert (again.ci, again.pvalue) == (res.ci, res.pvalue), "the same seed gives the same numbers"
    if inference == "placebo":
        assert all(isinstance(label, tuple) and len(label) == 2 for label in res.placebo.index)
        assert res.inference.draws == 199 and not res.inference.exact and res.inference.seed == 4


def test_record_is_frozen_and_serialisable() -> None:
    res = cells_did(unequal_cells())
    with pytest.raises(AttributeError):
        res.inference.pvalue = 0.5  # type: ignore[misc]
    text = json.dumps(res.inference.to_dict())
    assert '"method": "placebo"' in text and '"size_correction"' in text
    assert str(res.inference) == res.inference.label and "size-corrected" in res.inference.label


def test_bad_inference_options_are_named() -> None:
    data = unequal_cells()
    with pytest.raises(hj.DataError, match="draws must be a positive whole number"):
        cells_did(data, draws=-5)
    with pytest.raises(hj.DataError, match="size_correction must be True or False"):
        cells_did(data, size_correction="yes")
    with pytest.raises(hj.DataError, match="inference='bootstrap' is not one of"):
        cells_did(data, inference="bootstrap")


# ---- event study: calendar event time and the same layer --------------------------------------------

def test_event_time_is_the_calendar_distance_whatever_years_are_missing() -> None:
    data = unequal_cells(seed=2)
    data = data[data["year"] != 2012].reset_index(drop=True)
    es = quiet(hj.event_study, data, "hours", unit="municipality", time="year", treated=0, start=START,
               weights="persons", window=(-7, 4))
    table = es.to_frame()
    assert table["rel_time"].tolist() == [-7, -6, -5, -4, -2, -1, 0, 1, 2, 3, 4]
    # the same coefficients from explicit calendar dummies (reference: 2014)
    rel = data["year"] - START
    treated = (data["municipality"] == 0).to_numpy()
    kept = [r for r in table["rel_time"] if r != -1]
    x = np.column_stack([(treated & (rel == r).to_numpy()).astype(float) for r in kept])
    ref = fit(data["hours"].to_numpy(), x, fixed_effects=[data["municipality"], data["year"]],
              weights=data["persons"].to_numpy(dtype=float), vcov="iid")
    estimates = table.set_index("rel_time").loc[kept, "estimate"].to_numpy()
    np.testing.assert_allclose(estimates, ref.coef, rtol=1e-9, atol=1e-12)


def test_event_study_periods_have_consistent_tests_and_records() -> None:
    data = unequal_cells(seed=9, effect=1.5)
    es = quiet(hj.event_study, data, "hours", unit="municipality", time="year", treated=0, start=START,
               weights="persons", window=(-4, 3), alpha=0.1)
    rows = es.to_frame().dropna()
    # each period's interval inverts its own permutation test: it excludes 0 exactly when p <= alpha
    excludes_zero = (rows["ci_low"] > 0) | (rows["ci_high"] < 0)
    assert (excludes_zero == (rows["p_value"] <= 0.1)).all()
    assert len(es.period_records) == len(rows)
    assert all(r.size_corrected for r in es.period_records) and es.inference.size_corrected
    ct = quiet(hj.event_study, data, "hours", unit="municipality", time="year", treated=0, start=START,
               weights="persons", window=(-4, 3), inference="conley-taber")
    assert ct.inference.method == "conley-taber"
    np.testing.assert_allclose(ct.to_frame()["estimate"], es.to_frame()["estimate"])
    assert 0 <= ct.pretrend["pvalue"] <= 1


# ---- one result base ----------------------------------------------------------------------------------

def test_results_share_one_vocabulary_and_compare_side_by_side() -> None:
    data = unequal_cells(seed=1)
    did = cells_did(data)
    es = quiet(hj.event_study, data, "hours", unit="municipality", time="year", treated=0, start=START,
               weights="persons")
    assert {"estimate", "se", "ci_low", "ci_high", "p_value"} <= set(did.to_frame().columns)
    assert list(es.to_frame().columns)[:5] == ["rel_time", "estimate", "se", "ci_low", "ci_high"]
    for res in (did, es):
        assert isinstance(res, hj.results.Result)
        assert "<table" in res._repr_html_() and res.summary()
    table = hj.compare({"did": did, "event study": es})
    assert table.loc["did", "estimate"] == did.estimate
    assert table.loc["event study", "ci_high"] == es.ci[1]
    assert table["size_corrected"].tolist() == [True, True]
    assert "\\begin{tabular}" in table.drop(columns=["inference"]).to_latex(float_format="%.3f")


def test_placebo_errors_carry_the_permutation_distribution() -> None:
    data = unequal_cells(seed=4, effect=2.0)
    res = cells_did(data, alpha=0.2)
    errors = res.placebo_errors
    assert len(errors) == 39 and errors.index.equals(res.placebo.index)
    # the placebo standard error is the spread of these draws
    assert errors.std(ddof=1) == pytest.approx(res.se, rel=1e-12)
    es = quiet(hj.event_study, data, "hours", unit="municipality", time="year", treated=0, start=START,
               weights="persons", window=(-3, 3))
    table = es.to_frame().dropna()
    assert list(es.placebo_errors.columns) == table["rel_time"].tolist()
    np.testing.assert_allclose(es.placebo_errors.std(ddof=1).to_numpy(), table["se"].to_numpy(), rtol=1e-10)
