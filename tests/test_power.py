"""Power of a planned evaluation: the exact rejection rule, honesty by simulation, bad input.

The simulation draws municipality panels of unequal sizes (so the size
correction is at work), computes the MDE on one panel's pre-period and runs
the planned evaluation (same shape, fresh data) with a true effect equal to
that MDE. The rejection rate must be within 3 simulation standard errors of
the nominal power, and at effect 0 within 3 standard errors of alpha. A larger
version is ``benchmarks/power_simulation.py``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.errors import HjevalWarning
from hjeval.estimators.power import rejection_probability
from hjeval.results.power import PowerResult

GROUPS, PERIODS, HORIZON = 40, 10, 5
SIZES = np.r_[400, np.random.default_rng(99).integers(100, 2000, GROUPS - 1)]


def municipality_panel(rng: np.random.Generator, effect: float = 0.0, first: int = 2005) -> pd.DataFrame:
    """Municipality-year cells, ``Var = 0.2 + 50 / persons``, effect in municipality 0 in the last HORIZON years."""
    g, t = np.meshgrid(np.arange(GROUPS), np.arange(PERIODS), indexing="ij")
    sd = np.sqrt(0.2 + 50.0 / SIZES)[g]
    y = rng.normal(size=GROUPS)[g] + 0.3 * t + sd * rng.normal(size=g.shape)
    y = y + effect * ((g == 0) & (t >= PERIODS - HORIZON))
    return pd.DataFrame({"m": g.ravel(), "year": (first + t).ravel(), "y": y.ravel(),
                         "persons": SIZES[g].ravel().astype(float)})


SPEC = dict(unit="m", time="year", treated=0, weights="persons")


@pytest.fixture(scope="module")
def planned() -> PowerResult:
    return hj.power(municipality_panel(np.random.default_rng(0)), "y", start=2015, **SPEC)


def test_rejection_rule_equals_monte_carlo() -> None:
    """The Poisson-binomial quadrature against brute force on the permutation rule itself."""
    rng = np.random.default_rng(7)
    slopes = rng.uniform(-0.1, 0.0, 39)
    sigma, effect, draws = 1.3, 3.0, 200_000
    z = rng.normal(size=(draws, 40))
    treated = np.abs(effect + sigma * z[:, 0])
    placebo = np.abs(slopes * effect + sigma * z[:, 1:])
    pvalue = (1 + (placebo >= treated[:, None]).sum(axis=1)) / 40
    simulated = float(np.mean(pvalue <= 0.05))
    se = math.sqrt(simulated * (1 - simulated) / draws)
    assert rejection_probability(effect, sigma, slopes, 0.05) == pytest.approx(simulated, abs=4 * se)


def test_mde_curve_and_power_at(planned: PowerResult) -> None:
    pw = planned
    assert pw.horizon == HORIZON and pw.pre_periods == PERIODS - HORIZON
    assert pw.power_at(pw.mde) == pytest.approx(0.8, abs=1e-8)
    assert pw.power_at(0.0) == pytest.approx(2 / 40, abs=2e-3)  # the exact size floor(alpha (N + 1)) / (N + 1)
    assert list(pw.curve.columns) == ["effect", "power"]
    assert pw.curve["power"].is_monotonic_increasing
    assert pw.curve["effect"].iloc[-1] == pytest.approx(2 * pw.mde)
    effect = hj.did(municipality_panel(np.random.default_rng(1), 2.0), "y", start=2010, **SPEC)
    assert pw.power_at(effect) == pytest.approx(pw.power_at(effect.estimate))
    assert "MDE (80% power)" in pw.summary()
    assert pw.plot(language="da").axes[0].get_ylabel() == "Styrke"


def test_rejection_at_mde_is_nominal_power_in_repeated_samples() -> None:
    rng = np.random.default_rng(2024)
    replications = 150
    at_mde = at_zero = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        for _ in range(replications):
            pw = hj.power(municipality_panel(rng), "y", start=2015, **SPEC)
            evaluation = hj.did(municipality_panel(rng, pw.mde), "y", start=2010, **SPEC)
            null = hj.did(municipality_panel(rng), "y", start=2010, **SPEC)
            at_mde += evaluation.pvalue <= 0.05
            at_zero += null.pvalue <= 0.05
    for rate, nominal in ((at_mde / replications, 0.8), (at_zero / replications, 0.05)):
        assert abs(rate - nominal) <= 3 * math.sqrt(nominal * (1 - nominal) / replications), (rate, nominal)


def test_rows_from_start_on_are_left_out_and_counted() -> None:
    data = municipality_panel(np.random.default_rng(3))
    pw = hj.power(data, "y", start=2012, horizon=3, **SPEC)
    assert pw.provenance["exclusions"][0]["rows"] == int((data.year >= 2012).sum())
    assert pw.pre_periods == 4 and str(pw.start) == "2009"


def test_too_few_comparison_groups_never_reject() -> None:
    data = municipality_panel(np.random.default_rng(4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        pw = hj.power(data[data.m < 15], "y", start=2015, **SPEC)
    assert math.isinf(pw.mde) and pw.power_at(100.0) == 0.0 and pw.notes


@pytest.mark.parametrize("options, message", [
    ({"alpha": 1.5}, "alpha must be a number between 0 and 1"),
    ({"power": 0}, "power must be a number between 0 and 1"),
    ({"horizon": 10}, "horizon=10 leaves no pretend pre-period: the data has 10 periods"),
    ({"horizon": 0}, "horizon must be a whole number"),
    ({"effects": [1.0, "x"]}, "effects must be a list of finite numbers"),
    ({"treated": [0, 1]}, "power is for one planning municipality"),
])
def test_bad_options(options: dict[str, object], message: str) -> None:
    data = municipality_panel(np.random.default_rng(5))
    spec = {**SPEC, **options}
    with pytest.raises(hj.DataError, match=message):
        hj.power(data, "y", start=2015, **spec)  # type: ignore[arg-type]


def test_unknown_outcome_column() -> None:
    data = municipality_panel(np.random.default_rng(6))
    with pytest.raises(hj.DataError, match="outcome='hours'"):
        hj.power(data, "hours", start=2015, **SPEC)  # type: ignore[arg-type]
