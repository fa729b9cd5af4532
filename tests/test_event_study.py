"""hj.event_study against pyfixest, brute-force placebo refits, a known truth, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from tests.panels import person_panel


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return func(*args, **kwargs)


def binned_dummies(data: pd.DataFrame, start: str, window: tuple[int, int], bin_width: int) -> pd.DataFrame:
    """Event-time dummies built independently with pandas."""
    months = (data["month"] - pd.Period(start, "M")).apply(lambda off: off.n)
    rel = np.clip(np.floor_divide(months, bin_width), *window)
    treated = data["muni"] == 0
    out = {}
    for b in range(window[0], window[1] + 1):
        if b != -1:
            out[f"r{b - window[0]}"] = ((rel == b) & treated).astype(float)
    return pd.DataFrame(out, index=data.index)


def test_coefficients_ses_and_pretrend_equal_pyfixest() -> None:
    pf = pytest.importorskip("pyfixest")
    data = person_panel(seed=12, persons=2500, groups=20, months=36)
    window = (-3, 2)
    es = quiet(hj.event_study, data, "y", unit="pid", group="muni", time="month", treated=0,
               start="2014-07", window=window, bin_width=6, cycle="unemployment", inference="cluster")
    dummies = binned_dummies(data, "2014-07", window, 6)
    frame = pd.concat([data.assign(month=data.month.astype(str)), dummies], axis=1)
    formula = "y ~ " + " + ".join(dummies.columns) + " + unemployment | pid + month"
    ref = pf.feols(formula, data=frame, vcov={"CRV1": "muni"}, fixef_rm="none", fixef_tol=1e-13)
    table = es.to_frame().set_index("rel_time")
    for name in dummies.columns:
        b = int(name[1:]) + window[0]
        # Same normal equations solved exactly here and iteratively (to 1e-13) there.
        assert table.loc[b, "estimate"] == pytest.approx(ref.coef()[name], rel=1e-8)
        assert table.loc[b, "se"] == pytest.approx(ref.se()[name], rel=1e-8)
    pre = [f"r{b - window[0]}" for b in range(window[0], -1)]
    b_pre = ref.coef()[pre].to_numpy()
    positions = [list(ref.coef().index).index(p) for p in pre]
    v_pre = ref._vcov[np.ix_(positions, positions)]
    f_stat = b_pre @ np.linalg.solve(v_pre, b_pre) / len(pre)
    assert es.pretrend["statistic"] == pytest.approx(f_stat, rel=1e-7)


def test_placebo_vectors_equal_refits() -> None:
    from hjeval.design.panel import build_design
    from hjeval.estimators.event_study import _bins, _profiles
    from hjeval.estimators.twfe import fit_twfe

    data = person_panel(seed=13, persons=900, groups=6, months=24)
    design = build_design(data, outcome="y", unit="pid", group="muni", time="month", treated=0,
                          start="2014-01", regressors=["unemployment"])
    binned, kept = _bins(design, (-2, 2), 4, -1)
    fit = fit_twfe(design, profiles=_profiles(binned, kept), treat_names=tuple(map(str, kept)))
    estimates, _ = fit.assignment_estimates([np.array([g]) for g in range(design.n_groups)])
    for g in range(1, design.n_groups):
        refit = quiet(hj.event_study, data, "y", unit="pid", group="muni", time="month", treated=g,
                      start="2014-01", window=(-2, 2), bin_width=4, cycle="unemployment", inference="cluster")
        table = refit.to_frame().set_index("rel_time")
        np.testing.assert_allclose(estimates[g], table.loc[kept, "estimate"].to_numpy(), rtol=1e-9, atol=1e-10)


def test_recovers_a_known_dynamic_effect() -> None:
    rng = np.random.default_rng(3)
    rows = [(m, y) for m in range(40) for y in range(2005, 2020)]
    panel = pd.DataFrame(rows, columns=["m", "year"])
    truth = {0: 1.0, 1: 2.0, 2: 3.0, 3: 3.0, 4: 3.0}
    rel = panel.year - 2015
    effect = np.where(panel.m == 0, rel.map(truth).fillna(0.0), 0.0)
    panel["y"] = rng.normal(scale=0.05, size=len(panel)) + effect + panel.m * 0.3 + (panel.year - 2005) * 0.1
    es = hj.event_study(panel, "y", unit="m", time="year", treated=0, start=2015, window=(-3, 4))
    table = es.to_frame().set_index("rel_time")
    for b, value in truth.items():
        # noise sd 0.05 per cell; an effect estimated from one unit has sd about 0.07, so 0.3 is > 4 sd
        assert table.loc[b, "estimate"] == pytest.approx(value, abs=0.3)
    assert abs(table.loc[-2, "estimate"]) < 0.3
    assert es.estimate == pytest.approx(np.mean(list(truth.values())), abs=0.2)
    assert es.pretrend["pvalue"] > 0.01


def test_placebo_pretrend_detects_a_pretrend() -> None:
    rng = np.random.default_rng(4)
    panel = pd.DataFrame([(m, y) for m in range(40) for y in range(2005, 2020)], columns=["m", "year"])
    trend = np.where(panel.m == 0, (panel.year - 2015) * 1.0, 0.0)
    panel["y"] = rng.normal(scale=0.1, size=len(panel)) + trend
    es = hj.event_study(panel, "y", unit="m", time="year", treated=0, start=2015, window=(-4, 2))
    assert es.pretrend["pvalue"] == pytest.approx(1 / 40)
    assert "placebo Wald over 39" in es.pretrend["method"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"reference": 0}, "reference=0 must be a pre-period bin"),
     ({"bin_width": 0}, "bin_width must be a positive whole number"),
     ({"inference": "wild-bootstrap"}, "inference='wild-bootstrap' is not one of")],
)
def test_bad_options(kwargs: dict[str, object], message: str) -> None:
    data = person_panel(seed=1, persons=200, groups=5, months=12)
    with pytest.raises(hj.DataError, match=message):
        quiet(hj.event_study, data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07",
              **kwargs)


def test_result_renders() -> None:
    data = person_panel(seed=1, persons=300, groups=8, months=12)
    es = quiet(hj.event_study, data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07",
               window=(-2, 2), bin_width=3)
    assert list(es.to_frame().columns) == ["rel_time", "estimate", "se", "ci_low", "ci_high", "p_value"]
    assert "Pre-trend test" in es.summary() and "<table" in es._repr_html_()
