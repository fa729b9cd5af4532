"""Business-cycle adjustment: truth recovery, the bias of ignoring it, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hjeval as hj

TRUE_EFFECT = 4.0


def cycle_panel(seed: int = 0, groups: int = 40, months: int = 120) -> pd.DataFrame:
    """Municipality panel where the treated unit is twice as cycle-sensitive and a boom follows the start."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    national = 5 + 1.5 * np.sin(t / 15) - np.where(t >= months // 2, (t - months // 2) * 0.03, 0)
    sensitivity = rng.uniform(0.5, 1.5, groups)
    sensitivity[0] = 2.0
    local = 3 + sensitivity[:, None] * (national[None, :] - 5) + rng.normal(scale=0.05, size=(groups, months))
    frame = pd.DataFrame([(g, s) for g in range(groups) for s in t], columns=["m", "t"])
    frame["month"] = pd.period_range("2010-01", periods=months, freq="M")[frame.t]
    frame["u"] = local[frame.m, frame.t]
    treated = (frame.m == 0) & (frame.t >= months // 2)
    frame["y"] = 10 - 2.0 * frame.u + TRUE_EFFECT * treated + rng.normal(scale=0.3, size=len(frame)) + frame.m * 0.1
    return frame.drop(columns="t")


def estimate(method: str | None, seed: int = 0) -> hj.results.EffectResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return hj.did(cycle_panel(seed), "y", unit="m", time="month", treated=0, start="2015-01",
                      cycle=None if method is None else "u", cycle_method=method)


@pytest.mark.parametrize("method", ["covariate", "sensitivity"])
def test_adjustment_recovers_the_truth(method: str) -> None:
    res = estimate(method)
    # within 3 of its own placebo standard errors of the known effect
    assert abs(res.estimate - TRUE_EFFECT) < 3 * res.se
    assert res.ci[0] < TRUE_EFFECT < res.ci[1]


def test_ignoring_the_cycle_is_visibly_biased() -> None:
    naive = estimate(None)
    adjusted = estimate("covariate")
    # the treated municipality is twice as sensitive to a boom: the naive DiD credits the boom to the reform
    assert naive.estimate - TRUE_EFFECT > 5 * adjusted.se
    assert not naive.ci[0] < TRUE_EFFECT < naive.ci[1]


def test_decomposition_adds_up_and_names_the_cycle() -> None:
    for method, key in (("covariate", "regressor:u"), ("sensitivity", "cycle_sensitivity")):
        parts = estimate(method).decomposition
        assert key in parts and parts[key] > 0
        assert sum(v for k, v in parts.items() if k != "raw_change") == pytest.approx(parts["raw_change"], abs=1e-9)


def test_sensitivity_uses_pre_periods_only() -> None:
    """Changing post-period outcomes of comparison units must not move the estimated sensitivities."""
    from hjeval.cycle import estimate_sensitivity
    from hjeval.design.panel import build_design

    data = cycle_panel(1)
    moved = data.assign(y=data.y + np.where((data.m == 5) & (data.month >= pd.Period("2015-01", "M")), 9.0, 0.0))
    kwargs = dict(outcome="y", unit="m", time="month", treated=0, start="2015-01", regressors=["u"])
    first = estimate_sensitivity(build_design(data, **kwargs))
    second = estimate_sensitivity(build_design(moved, **kwargs))
    np.testing.assert_allclose(first.theta, second.theta, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cycle_method": "covariate"}, "needs a cycle column"),
        ({"cycle": "u", "cycle_method": "common"}, "uses no cycle column"),
        ({"cycle": "u", "cycle_method": "detrend"}, "cycle_method='detrend' is not one of"),
        ({"cycle": "noisy", "cycle_method": "sensitivity"}, "varies within a group and period"),
    ],
)
def test_bad_cycle_options(kwargs: dict[str, object], message: str) -> None:
    municipalities = cycle_panel(2, groups=10, months=24)
    # two persons in every municipality and month; "noisy" differs between them
    data = pd.concat([municipalities.assign(person=municipalities.m * 10 + k) for k in (0, 1)], ignore_index=True)
    data["noisy"] = data["u"] + np.random.default_rng(0).normal(size=len(data))
    with pytest.raises(hj.DataError, match=message):
        hj.did(data, "y", unit="person", group="m", time="month", treated=0, start="2011-01", **kwargs)
