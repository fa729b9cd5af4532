"""Synthetic control and synthetic DiD do not depend on the order of rows or the names of units.

Hypothesis draws small balanced panels, a row order and new unit labels; both
estimators must give the same estimate (1e-9), the same placebo p-value and
the same weights under the new labels, and the weights stay on the simplex.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hjeval as hj


def _panel(seed: int, n_units: int, n_periods: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    factor = rng.normal(size=n_periods).cumsum()
    loading = rng.uniform(0.5, 1.5, size=n_units)
    effect = 2.0
    rows = [{"unit": f"u{i}", "year": 2000 + t,
             "y": 10 + 3 * loading[i] * factor[t] + rng.normal(scale=0.3)
             + (effect if i == 0 and t >= n_periods - 3 else 0.0)}
            for i in range(n_units) for t in range(n_periods)]
    return pd.DataFrame(rows)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_units=st.integers(5, 9), order_seed=st.integers(0, 10_000))
def test_row_order_and_unit_labels_change_nothing(seed: int, n_units: int, order_seed: int) -> None:
    panel = _panel(seed, n_units, 9)
    rng = np.random.default_rng(order_seed)
    names = sorted(panel["unit"].unique())
    renamed = dict(zip(names, [f"area {k}" for k in rng.permutation(len(names))], strict=True))
    shuffled = panel.iloc[rng.permutation(len(panel))].assign(unit=lambda f: f["unit"].map(renamed))
    for estimator in (hj.synthetic_control, hj.synthetic_did):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            base = estimator(panel, "y", "unit", "year", "u0", 2006)
            other = estimator(shuffled, "y", "unit", "year", renamed["u0"], 2006)
        assert other.estimate == pytest.approx(base.estimate, abs=1e-9)
        assert other.pvalue == base.pvalue
        mapped = base.weights.rename(index=renamed)
        np.testing.assert_allclose(other.weights[mapped.index].to_numpy(), mapped.to_numpy(), atol=1e-9)
        assert other.weights.min() >= 0 and other.weights.sum() == pytest.approx(1.0, abs=1e-12)
