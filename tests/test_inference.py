"""Inference: wild bootstrap draws against refits, and the size of placebo vs cluster tests."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.design.panel import build_design
from hjeval.estimators.twfe import fit_twfe
from hjeval.inference.cluster import cluster_covariance
from hjeval.inference.wild import WildClusterBootstrap, draw_weights
from tests.panels import person_panel


def test_wild_bootstrap_draws_equal_refits_on_bootstrap_samples() -> None:
    pf = pytest.importorskip("pyfixest")
    data = person_panel(seed=3, persons=600, groups=12, months=12)
    design = build_design(data, outcome="y", unit="pid", group="muni", time="month", treated=[0, 1, 2],
                          start="2013-07", regressors=["unemployment"])
    fit = fit_twfe(design)
    factor = cluster_covariance(design, fit.x_tilde, fit.resid, fit.gram).small_sample
    weights = draw_weights("webb", 4, 12, np.random.default_rng(0))
    boot = WildClusterBootstrap(fit.x_tilde, fit.y_tilde, design.weights(), design.cluster, design.period,
                                fit.projector.solve_periods, factor, weights)
    tau0 = 0.25
    boot.pvalue(0.0)  # the draws at another tau0 reuse the pieces computed here
    fast_numerator, fast_se = boot.draws(tau0)
    frame = data.assign(D=design.treat, month=data.month.astype(str))
    restricted = pf.feols("r ~ unemployment | pid + month", data=frame.assign(r=frame.y - tau0 * frame.D),
                          fixef_rm="none", fixef_tol=1e-13)
    for b in range(len(weights)):
        # a bootstrap sample built row by row: restricted fit + tau0 D + v_cluster * restricted residual
        y_star = restricted.predict() + tau0 * frame.D + weights[b][design.cluster] * restricted.resid()
        refit = pf.feols("s ~ D + unemployment | pid + month", data=frame.assign(s=y_star),
                         vcov={"CRV1": "muni"}, fixef_rm="none", fixef_tol=1e-13)
        # pyfixest iterates its fixed effects to 1e-13; 1e-7 relative leaves room for that alone
        assert fast_numerator[b] == pytest.approx(refit.coef()["D"] - tau0, rel=1e-7)
        assert fast_se[b] == pytest.approx(refit.se()["D"], rel=1e-7)


def test_wild_bootstrap_result_and_seed() -> None:
    data = person_panel(seed=5, persons=1500, groups=24, months=16)
    treated = list(range(8))
    kwargs = dict(unit="pid", group="muni", time="month", treated=treated, start="2013-09",
                  inference="wild-bootstrap", draws=199, seed=7)
    first = hj.did(data, "y", **kwargs)
    again = hj.did(data, "y", **kwargs)
    assert (first.ci, first.pvalue) == (again.ci, again.pvalue)
    assert first.ci[0] < first.estimate < first.ci[1]
    assert first.provenance["draws"] == 199 and first.provenance["bootstrap_weights"] == "webb"


def test_wild_bootstrap_warns_with_one_treated_cluster() -> None:
    data = person_panel(seed=5, persons=600, groups=10, months=12)
    with pytest.warns(hj.HjevalWarning, match="under-reject"):
        hj.did(data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07",
               inference="wild-bootstrap", draws=99)


def null_panel(rng: np.random.Generator, groups: int = 25, years: int = 16) -> pd.DataFrame:
    """No effect; municipality-level AR(1) shocks make errors correlated within municipality."""
    shocks = np.zeros((groups, years))
    innovations = rng.normal(size=(groups, years))
    for t in range(years):
        shocks[:, t] = (0.7 * shocks[:, t - 1] if t else 0) + innovations[:, t]
    frame = pd.DataFrame([(g, 2000 + t) for g in range(groups) for t in range(years)], columns=["m", "year"])
    frame["y"] = shocks[frame.m, frame.year - 2000] + 0.3 * rng.normal(size=len(frame))
    return frame


@pytest.mark.slow
def test_size_placebo_is_nominal_where_cluster_over_rejects() -> None:
    """Under no effect, 300 simulated panels: the placebo test holds its 10% level, CR1 does not.

    With 25 exchangeable municipalities the permutation test is exact: its rejection count over
    300 replications is Binomial(300, 0.08) at most (0.08 = 2/25, the attainable level <= 0.10),
    so the bound 0.14 is more than 3 standard deviations (0.016) above it. CR1 with one treated
    cluster has no such guarantee; here it rejects well above 10%.
    """
    rng = np.random.default_rng(2015)
    rejections = {"placebo": 0, "cluster": 0}
    replications = 300
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        for _ in range(replications):
            panel = null_panel(rng)
            for method in rejections:
                res = hj.did(panel, "y", unit="m", time="year", treated=0, start=2008, inference=method, alpha=0.1)
                rejections[method] += res.pvalue <= 0.1
    placebo_rate = rejections["placebo"] / replications
    cluster_rate = rejections["cluster"] / replications
    assert placebo_rate < 0.14
    assert cluster_rate > 0.2
    assert cluster_rate > placebo_rate + 0.1


def test_cr2_through_did_equals_the_kernel() -> None:
    """did(vcov="CR2") builds the fixed effects for the kernel's CR2, which is checked against a brute-force
    hat-matrix computation in tests/test_regression.py; a direct kernel fit on the raw factors must agree."""
    from hjeval.regression import fit

    data = person_panel(seed=8, persons=1200, groups=14, months=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        res = hj.did(data, "y", unit="muni", time="month", treated=[0, 1], start="2013-07",
                     cycle="unemployment", inference="cluster", vcov="CR2")
    treated = (data.muni.isin([0, 1]) & (data.month >= pd.Period("2013-07", "M"))).to_numpy(dtype=float)
    muni = pd.factorize(data.muni)[0]
    ref = fit(data.y.to_numpy(), np.column_stack([treated, data.unemployment.to_numpy()]),
              fixed_effects=[muni, pd.factorize(data.month)[0]], cluster=muni, vcov="CR2")
    assert res.estimate == pytest.approx(ref.coef[0], rel=1e-9)
    assert res.se == pytest.approx(ref.se[0], rel=1e-8)
    assert res.inference.label.startswith("cluster-robust CR2")
    with pytest.raises(hj.DataError, match=r"vcov='CR3' is not one of"):
        hj.did(data, "y", unit="muni", time="month", treated=0, start="2013-07", vcov="CR3")  # type: ignore[arg-type]
