"""hj.phased_did against pyfixest, brute-force placebo refits, the synthetic truth, and bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from tests.panels import person_panel

PHASES = {"caseload": "2014-07", "team": "2015-03"}


def quiet(*args: object, **kwargs: object) -> hj.results.PhasedResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return hj.phased_did(*args, **kwargs)  # type: ignore[arg-type]


def with_phase_columns(data: pd.DataFrame) -> pd.DataFrame:
    treated = data.muni == 0
    first, second = pd.Period(PHASES["caseload"], "M"), pd.Period(PHASES["team"], "M")
    return data.assign(P1=(treated & (data.month >= first) & (data.month < second)).astype(float),
                       P2=(treated & (data.month >= second)).astype(float), month=data.month.astype(str))


@pytest.mark.parametrize("weights", [None, "w"])
def test_phase_coefficients_equal_pyfixest(weights: str | None) -> None:
    pf = pytest.importorskip("pyfixest")
    data = person_panel()
    res = quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07",
                phases=PHASES, cycle="unemployment", weights=weights, inference="cluster")
    ref = pf.feols("y ~ P1 + P2 + unemployment | pid + month", data=with_phase_columns(data),
                   vcov={"CRV1": "muni"}, weights=weights, fixef_rm="none", fixef_tol=1e-13)
    table = res.to_frame().set_index("term")
    for term, column in (("caseload", "P1"), ("team", "P2")):
        assert table.loc[term, "estimate"] == pytest.approx(ref.coef()[column], rel=1e-8)
        assert table.loc[term, "se"] == pytest.approx(ref.se()[column], rel=1e-8)
    assert res.difference["estimate"] == pytest.approx(ref.coef()["P2"] - ref.coef()["P1"], rel=1e-8)
    vcov = ref._vcov[:2, :2]
    assert res.difference["se"] == pytest.approx(np.sqrt(vcov[0, 0] + vcov[1, 1] - 2 * vcov[0, 1]), rel=1e-8)


def test_tidy_frame_and_difference_shape() -> None:
    data = person_panel()
    before = data.copy()
    res = quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07", phases=PHASES)
    pd.testing.assert_frame_equal(data, before)
    frame = res.to_frame()
    assert frame["term"].tolist() == ["caseload", "team"]
    assert list(frame.columns[:7]) == ["term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    assert set(res.difference) >= {"estimate", "ci", "pvalue"}
    assert res.difference["ci"][0] <= res.difference["estimate"] <= res.difference["ci"][1]
    assert res.inference.method == "placebo" and res.provenance["draws"] == 19
    assert "team minus caseload" in res.summary()
    assert list(res.placebo_errors.columns) == ["caseload", "team"]


# ---- placebo inference against brute-force refits on a small panel ---------------------------

def municipality_panel(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    panel = pd.DataFrame([(m, y) for m in range(12) for y in range(2008, 2020)], columns=["muni", "year"])
    treated = panel.muni == 0
    panel["y"] = (rng.normal(size=len(panel)) + 0.2 * panel.muni + 0.1 * (panel.year - 2008)
                  + 1.5 * (treated & (panel.year >= 2013)) + 2.5 * (treated & (panel.year >= 2016)))
    return panel


def refit(panel: pd.DataFrame, outcome: np.ndarray, group: int) -> np.ndarray:
    """Both phase coefficients with ``group`` treated: OLS with municipality and year dummies."""
    is_group = (panel.muni == group).to_numpy()
    p1 = is_group & (panel.year >= 2013).to_numpy() & (panel.year < 2016).to_numpy()
    p2 = is_group & (panel.year >= 2016).to_numpy()
    dummies = pd.get_dummies(panel[["muni", "year"]].astype(str), drop_first=True).to_numpy(dtype=float)
    x = np.column_stack([p1, p2, np.ones(len(panel)), dummies]).astype(float)
    return np.linalg.lstsq(x, outcome, rcond=None)[0][:2]


def brute_pvalue(panel: pd.DataFrame, weights: np.ndarray, base: np.ndarray) -> float:
    """Permutation p-value of ``weights' b = 0`` with the treated's effect ``base`` removed, by refitting."""
    treated = (panel.muni == 0).to_numpy()
    phase1 = treated & (panel.year >= 2013).to_numpy() & (panel.year < 2016).to_numpy()
    phase2 = treated & (panel.year >= 2016).to_numpy()
    y0 = panel.y.to_numpy() - base[0] * phase1 - base[1] * phase2
    stats = np.array([abs(weights @ refit(panel, y0, g)) for g in range(12)])
    return float(np.mean(stats >= stats[0] * (1 - 1e-12)))


def test_placebo_pvalues_equal_brute_force_refits() -> None:
    panel = municipality_panel()
    res = hj.phased_did(panel, "y", unit="muni", time="year", treated=0, start=2013,
                        phases={"caseload": 2013, "team": 2016})
    coef = res.to_frame()["estimate"].to_numpy()
    assert coef == pytest.approx(refit(panel, panel.y.to_numpy(), 0), abs=1e-10)
    mean = coef.mean()
    assert res.difference["pvalue"] == pytest.approx(brute_pvalue(panel, np.array([-1.0, 1.0]),
                                                                  np.array([mean, mean])))
    for k in range(2):
        unit = np.eye(2)[k]
        base = np.where(unit > 0, 0.0, coef)
        assert res.to_frame()["p_value"].iloc[k] == pytest.approx(brute_pvalue(panel, unit, base))
    # the placebo errors are the refits of every comparison group with the estimated effects removed
    treated = (panel.muni == 0).to_numpy()
    phase1 = treated & (panel.year >= 2013).to_numpy() & (panel.year < 2016).to_numpy()
    phase2 = treated & (panel.year >= 2016).to_numpy()
    y_first = panel.y.to_numpy() - coef[1] * phase2 - coef[0] * phase1
    expected = [refit(panel, y_first, g)[0] for g in range(1, 12)]
    assert res.placebo_errors["caseload"].to_numpy() == pytest.approx(np.array(expected), abs=1e-10)


# ---- truth recovery on the synthetic panels ----------------------------------------------------

def test_true_phase_effects_inside_their_intervals(synthetic_region: Path) -> None:
    truth = json.loads((synthetic_region / "truth.json").read_text(encoding="utf-8"))["phase_effects"]
    hours = hj.load_hours(synthetic_region / "hours_person_month.parquet")
    rows = hours[hours.benefit_group == "activity_ready_cash"].reset_index(drop=True)
    rows = hj.attach(rows, hj.load_cycle(synthetic_region / "cycle.csv"), "unemployment_rate")
    res = quiet(rows, "hours", unit="person_id", group="municipality", time="month", treated=860,
                start="2015-01", phases=truth["phases"], cycle="unemployment_rate")
    table = res.to_frame().set_index("term")
    active = truth["activity_ready_cash"]
    for phase in ("caseload", "team"):
        assert table.loc[phase, "ci_low"] < active[phase]["hours_per_month"] < table.loc[phase, "ci_high"]
    low, high = res.difference["ci"]
    assert low < active["team_minus_caseload"] < high
    assert res.difference["pvalue"] < 0.05  # the team added to the caseload cut's effect


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("phases", "match"), [
    ({"caseload": "2014-07"}, "at least two phases"),
    ("2014-07", "at least two phases"),
    ({"caseload": "2014-07", "team": "2014-03"}, "increasing order"),
    ({"caseload": "2014-07", "team": "2014-07"}, "increasing order"),
    ({"caseload": "2014-03", "team": "2015-03"}, "must be the reform's start"),
    ({"caseload": "2014-07", "team": "2017-03"}, "after the last period"),
    ({"caseload": "2014-07", "team": 2015}, "holds M periods"),
    ({"caseload": "2014-07", "team": "March"}, "is not a period"),
    ({"caseload": "2014-07", "": "2015-03"}, "non-empty text"),
])
def test_bad_phases_raise(phases: object, match: str) -> None:
    data = person_panel(persons=300)
    with pytest.raises(hj.DataError, match=match):
        quiet(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07",
              phases=phases)


def test_phase_without_periods_in_the_data_raises() -> None:
    data = municipality_panel()
    data = data[~data.year.isin([2016, 2017])]
    with pytest.raises(hj.DataError, match="holds no period of the data"):
        hj.phased_did(data, "y", unit="muni", time="year", treated=0, start=2013,
                      phases={"caseload": 2013, "team": 2016, "later": 2018})


def test_wild_bootstrap_is_refused() -> None:
    with pytest.raises(hj.DataError, match="inference='wild-bootstrap'"):
        hj.phased_did(municipality_panel(), "y", unit="muni", time="year", treated=0, start=2013,
                      phases={"caseload": 2013, "team": 2016}, inference="wild-bootstrap")  # type: ignore[arg-type]


def test_plot_returns_a_figure() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    res = hj.phased_did(municipality_panel(), "y", unit="muni", time="year", treated=0, start=2013,
                        phases={"caseload": 2013, "team": 2016})
    figure = res.plot()
    assert figure.axes and res._repr_html_().startswith("<table")
