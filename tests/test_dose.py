"""hj.dose_response against pyfixest, brute-force swapped-path refits, the synthetic truth, and bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from tests.panels import person_panel


def quiet(*args: object, **kwargs: object) -> hj.results.DoseResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return hj.dose_response(*args, **kwargs)  # type: ignore[arg-type]


def with_dose(data: pd.DataFrame, seed: int = 3) -> pd.DataFrame:
    """Cases per caseworker per municipality and month: noise everywhere, a cut of 40 in group 0."""
    rng = np.random.default_rng(seed)
    months = pd.PeriodIndex(data.month)
    codes = (months - months.min()).map(lambda d: d.n).to_numpy()
    cells = 75 + rng.normal(size=(int(data.muni.max()) + 1, int(codes.max()) + 1))
    dose = cells[data.muni.to_numpy(), codes] - 40.0 * ((data.muni == 0) & (codes >= 18)).to_numpy()
    return data.assign(cases=dose, y=data.y - 0.05 * dose)


@pytest.mark.parametrize("weights", [None, "w"])
def test_dose_slope_equals_pyfixest(weights: str | None) -> None:
    pf = pytest.importorskip("pyfixest")
    data = with_dose(person_panel())
    res = quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07", dose="cases",
                cycle="unemployment", weights=weights, inference="cluster")
    frame = data.assign(month=data.month.astype(str))
    ref = pf.feols("y ~ cases + unemployment | pid + month", data=frame, vcov={"CRV1": "muni"},
                   weights=weights, fixef_rm="none", fixef_tol=1e-13)
    assert res.estimate == pytest.approx(ref.coef()["cases"], rel=1e-8)
    assert res.se == pytest.approx(ref.se()["cases"], rel=1e-8)
    cycle_row = res.to_frame().set_index("term").loc["unemployment"]
    assert cycle_row["estimate"] == pytest.approx(ref.coef()["unemployment"], rel=1e-8)
    assert cycle_row["se"] == pytest.approx(ref.se()["unemployment"], rel=1e-8)


def test_treated_path_slope_equals_pyfixest() -> None:
    pf = pytest.importorskip("pyfixest")
    data = with_dose(person_panel())
    res = quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07", dose="cases",
                variation="treated", cycle="unemployment", inference="cluster")
    frame = data.assign(month=data.month.astype(str), treated_cases=data.cases * (data.muni == 0))
    ref = pf.feols("y ~ treated_cases + unemployment | pid + month", data=frame, vcov={"CRV1": "muni"},
                   fixef_rm="none", fixef_tol=1e-13)
    assert res.estimate == pytest.approx(ref.coef()["treated_cases"], rel=1e-8)
    assert res.se == pytest.approx(ref.se()["treated_cases"], rel=1e-8)
    assert res.identification["treated_share"] == 1.0


def test_identification_share_equals_a_direct_computation() -> None:
    data = with_dose(person_panel())
    res = quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07", dose="cases")
    from hjeval.design.twoway import TwoWayProjector

    proj = TwoWayProjector.build(pd.factorize(data.pid)[0], pd.factorize(data.month, sort=True)[0],
                                 group=data.muni.to_numpy())
    resid = proj.residualize(data.cases.to_numpy())
    share = float((resid[data.muni.to_numpy() == 0] ** 2).sum() / (resid**2).sum())
    assert res.identification["treated_share"] == pytest.approx(share, rel=1e-10)
    assert 0.5 < share < 1.0 and "identified mostly from its own dose path" in res.summary()


# ---- placebo inference against brute-force refits on a small panel ---------------------------

def municipality_panel(seed: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    panel = pd.DataFrame([(m, y) for m in range(15) for y in range(2008, 2020)], columns=["muni", "year"])
    panel["cases"] = 75 + rng.normal(size=len(panel)) - 40.0 * ((panel.muni == 0) & (panel.year >= 2015))
    panel["y"] = -0.1 * panel.cases + 0.3 * panel.muni + rng.normal(scale=0.5, size=len(panel))
    return panel


def swapped_slope(panel: pd.DataFrame, outcome: np.ndarray, group: int) -> float:
    """The slope with the dose paths of municipality 0 and ``group`` exchanged: OLS with dummies."""
    wide = panel.pivot(index="muni", columns="year", values="cases")
    wide.loc[[0, group]] = wide.loc[[group, 0]].to_numpy()
    dose = wide.stack().reindex(pd.MultiIndex.from_frame(panel[["muni", "year"]])).to_numpy()
    dummies = pd.get_dummies(panel[["muni", "year"]].astype(str), drop_first=True).to_numpy(dtype=float)
    x = np.column_stack([dose, np.ones(len(panel)), dummies])
    return float(np.linalg.lstsq(x, outcome, rcond=None)[0][0])


@pytest.mark.parametrize("b0", [0.0, -0.1])
def test_placebo_equals_brute_force_swaps(b0: float) -> None:
    panel = municipality_panel()
    res = hj.dose_response(panel, "y", unit="muni", time="year", treated=0, start=2015, dose="cases")
    y0 = panel.y.to_numpy() - b0 * panel.cases.to_numpy()
    slopes = np.array([swapped_slope(panel, y0, g) for g in range(15)])
    assert slopes[0] + b0 == pytest.approx(res.estimate, abs=1e-10)
    if b0 == 0.0:
        assert res.placebo.to_numpy() == pytest.approx(slopes[1:], abs=1e-10)
        assert res.pvalue == pytest.approx(np.mean(np.abs(slopes) >= abs(slopes[0]) * (1 - 1e-12)))
    # the test of H0: slope = b0 compares |estimate - b0| with the swapped slopes of y - b0 x dose
    brute = float(np.mean(np.abs(slopes) >= abs(slopes[0]) * (1 - 1e-12)))
    inside = res.ci[0] <= b0 <= res.ci[1]
    assert inside == (brute > res.alpha)


def test_inference_is_size_corrected_with_unequal_groups() -> None:
    data = with_dose(person_panel(persons=1500))
    res = quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07", dose="cases")
    assert res.inference.method == "placebo" and res.inference.size_correction is not None
    assert res.inference.size_correction.measure == "persons"
    assert res.ci[0] < res.estimate < res.ci[1]
    # swaps with a group that lacks rows in some month the treated group has are left out, and counted
    assert len(res.placebo) + res.provenance["degenerate_draws"] == 19 and res.provenance["exact_enumeration"]


# ---- truth recovery on the synthetic panels ----------------------------------------------------

@pytest.fixture(scope="module")
def synthetic_rows(synthetic_region: Path) -> pd.DataFrame:
    hours = hj.load_hours(synthetic_region / "hours_person_month.parquet")
    rows = hours[hours.benefit_group == "activity_ready_cash"].reset_index(drop=True)
    caseload = hj.load_caseload(synthetic_region / "caseload.csv")
    rows = hj.attach(rows, caseload[caseload.benefit_area == "cash_benefit"], "cases_per_caseworker")
    rows = hj.attach(rows, hj.load_cycle(synthetic_region / "cycle.csv"), "unemployment_rate")
    team = (rows.municipality == 860) & (rows.month >= pd.Period("2015-10", "M"))
    return rows.assign(team=team.astype(float))


@pytest.mark.parametrize("variation", ["all", "treated"])
def test_true_dose_slope_inside_its_interval(synthetic_rows: pd.DataFrame, synthetic_region: Path,
                                             variation: str) -> None:
    truth = json.loads((synthetic_region / "truth.json").read_text(encoding="utf-8"))
    slope = truth["dose_slope"]["activity_ready_cash"]["realised_hours_per_month_per_case"]
    res = quiet(synthetic_rows, "hours", unit="person_id", group="municipality", time="month", treated=860,
                start="2015-01", dose="cases_per_caseworker", variation=variation, cycle="unemployment_rate",
                covariates=["team"])
    assert res.ci[0] < slope < res.ci[1]
    assert res.estimate < 0 and res.pvalue < 0.05
    assert res.identification["treated_dose_before"] == pytest.approx(75.0, abs=0.5)
    assert res.identification["treated_dose_after"] < 45.0
    assert set(res.path.columns) >= {"period", "dose", "effect", "effect_low", "effect_high"}


# ---- bad input -----------------------------------------------------------------------------------

def test_bad_dose_columns_raise() -> None:
    panel = municipality_panel()
    call = {"outcome": "y", "unit": "muni", "time": "year", "treated": 0, "start": 2015}
    with pytest.raises(hj.DataError, match="dose='caseload'"):
        hj.dose_response(panel, **call, dose="caseload")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match=r"column 'cases' \(dose\) has type"):
        hj.dose_response(panel.assign(cases=panel.cases.astype(str)), **call, dose="cases")  # type: ignore[arg-type]
    gap = panel.copy()
    gap.loc[[3, 7], "cases"] = np.nan
    with pytest.raises(hj.DataError, match=r"is missing in rows 3, 7.*hj.attach"):
        hj.dose_response(gap, **call, dose="cases")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="given as the cycle or a covariate"):
        hj.dose_response(panel, **call, dose="cases", covariates=["cases"])  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="variation='some'"):
        hj.dose_response(panel, **call, dose="cases", variation="some")  # type: ignore[arg-type]
    flat = panel.assign(cases=panel.muni * 1.0)
    with pytest.raises(hj.DataError, match="absorbed by the fixed effects"):
        hj.dose_response(flat, **call, dose="cases")  # type: ignore[arg-type]


def test_dose_varying_within_a_cell_raises() -> None:
    data = with_dose(person_panel(persons=300))
    data.loc[data.index[5], "cases"] += 1.0
    with pytest.raises(hj.DataError, match=r"varies within a \(muni, month\) cell in rows 5"):
        quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07", dose="cases")


def test_several_treated_groups_raise() -> None:
    with pytest.raises(hj.DataError, match="names 2 groups"):
        hj.dose_response(municipality_panel(), "y", unit="muni", time="year", treated=[0, 1], start=2015,
                         dose="cases")


def test_input_unchanged_and_plot_returns_a_figure() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    panel = municipality_panel()
    before = panel.copy()
    res = hj.dose_response(panel, "y", unit="muni", time="year", treated=0, start=2015, dose="cases")
    pd.testing.assert_frame_equal(panel, before)
    figure = res.plot()
    assert len(figure.axes) == 2
    assert res.to_frame()["term"].iloc[0] == "cases"
