"""The regression kernel against pyfixest, linearmodels, statsmodels and dense least squares."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjeval.errors import DataError, HjevalWarning
from hjeval.regression import FixedEffects, demean, encode, fit, singleton_rows

pf = pytest.importorskip("pyfixest")


def unbalanced_panel(seed: int, persons: int = 500, months: int = 24, munis: int = 15) -> pd.DataFrame:
    """Persons entering and leaving at random, nested in municipalities; a DiD treatment in three of them."""
    rng = np.random.default_rng(seed)
    start = rng.integers(0, months, persons)
    length = np.minimum(rng.integers(1, months, persons), months - start)
    pid = np.repeat(np.arange(persons), length)
    month = np.repeat(start, length) + np.arange(len(pid)) - np.repeat(np.cumsum(length) - length, length)
    muni = rng.integers(0, munis, persons)[pid]
    n = len(pid)
    x1 = rng.normal(size=n) + 0.1 * (pid % 5)
    treat = ((muni < 3) & (month >= months // 2)).astype(float)
    y = 0.5 * x1 + 2.0 * treat + (pid % 7) + 0.1 * month + rng.normal(size=n)
    return pd.DataFrame({
        "y": y, "x1": x1, "treat": treat, "pid": pid, "month": month, "muni": muni,
        "office": rng.integers(0, 4, n), "w": rng.uniform(0.5, 2.0, n),
    })


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a) / np.asarray(b) - 1.0)))


def pyfixest_fit(frame: pd.DataFrame, fml: str, vcov: object, weights: str | None, **kwargs: object):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # fixef_tol far below pyfixest's 1e-6 default so that its alternating projections converge
        # to round-off; otherwise the comparison would measure pyfixest's stopping error.
        return pf.feols(fml, frame, vcov=vcov, weights=weights, fixef_tol=1e-14, **kwargs)


# Tolerance for comparisons with pyfixest: both solve the same normal equations exactly up to
# floating point (condition numbers ~1e2 here), so 1e-8 relative leaves a margin of ~1e5 over
# the ~1e-13 differences observed, while any convention difference (a K or G off by one) moves
# standard errors by >1e-4.
PYFIXEST_RTOL = 1e-8


@pytest.mark.parametrize("weights", [None, "w"])
@pytest.mark.parametrize("cluster", ["muni", "pid", "office"])
def test_cr1_matches_pyfixest_default(weights: str | None, cluster: str) -> None:
    """Person and month effects, CR1 by a nesting (muni, pid) or crossing (office) cluster.

    pyfixest drops singletons by default; the kernel fits the rows it is given,
    so the same rows are passed after :func:`singleton_rows`.
    """
    frame = unbalanced_panel(0)
    ref = pyfixest_fit(frame, "y ~ x1 + treat | pid + month", {"CRV1": cluster}, weights)
    kept = frame[~singleton_rows(frame["pid"].to_numpy(), frame["month"].to_numpy())]
    res = fit(
        kept["y"].to_numpy(), kept[["x1", "treat"]].to_numpy(),
        fixed_effects=[kept["pid"].to_numpy(), kept["month"].to_numpy()],
        weights=None if weights is None else kept["w"].to_numpy(), cluster=kept[cluster].to_numpy(),
        vcov="CR1", names=["x1", "treat"],
    )
    assert res.n_obs == ref._N
    assert relative_error(res.coef, ref.coef().to_numpy()) < PYFIXEST_RTOL
    assert relative_error(res.se, ref.se().to_numpy()) < PYFIXEST_RTOL
    assert res.df_t[0] == ref._df_t
    assert relative_error(res.tstat, ref.tstat().to_numpy()) < PYFIXEST_RTOL
    # pyfixest computes 2 * (1 - cdf), which loses everything below ~1e-16 absolute;
    # the kernel uses the survival function, so compare p-values in absolute terms.
    np.testing.assert_allclose(res.pvalue, ref.pvalue().to_numpy(), rtol=0, atol=1e-13)
    assert relative_error(res.conf_int(0.05), ref.confint(alpha=0.05).to_numpy()) < PYFIXEST_RTOL


@pytest.mark.parametrize("vcov", ["iid", "HC1"])
@pytest.mark.parametrize("weights", [None, "w"])
def test_iid_and_hc1_match_pyfixest(vcov: str, weights: str | None) -> None:
    frame = unbalanced_panel(1)
    ref = pyfixest_fit(frame, "y ~ x1 + treat | pid + month", vcov, weights, fixef_rm="none")
    res = fit(
        frame["y"], frame[["x1", "treat"]], fixed_effects=[frame["pid"], frame["month"]],
        weights=None if weights is None else frame["w"], vcov=vcov,
    )
    assert relative_error(res.coef, ref.coef().to_numpy()) < PYFIXEST_RTOL
    assert relative_error(res.se, ref.se().to_numpy()) < PYFIXEST_RTOL
    assert res.df_t[0] == ref._df_t


def test_three_factors_and_no_factors_match_pyfixest() -> None:
    frame = unbalanced_panel(2)
    three = pyfixest_fit(frame, "y ~ x1 + treat | pid + month + office", {"CRV1": "muni"}, "w", fixef_rm="none")
    res = fit(
        frame["y"], frame[["x1", "treat"]], fixed_effects=[frame["pid"], frame["month"], frame["office"]],
        weights=frame["w"], cluster=frame["muni"],
    )
    assert relative_error(res.coef, three.coef().to_numpy()) < PYFIXEST_RTOL
    assert relative_error(res.se, three.se().to_numpy()) < PYFIXEST_RTOL

    pooled = pyfixest_fit(frame, "y ~ x1 + treat", {"CRV1": "muni"}, None)
    design = np.column_stack([np.ones(len(frame)), frame["x1"], frame["treat"]])
    res = fit(frame["y"], design, cluster=frame["muni"])
    assert relative_error(res.coef, pooled.coef().to_numpy()) < PYFIXEST_RTOL
    assert relative_error(res.se, pooled.se().to_numpy()) < PYFIXEST_RTOL


def test_matches_linearmodels_panel_ols() -> None:
    """PanelOLS agrees up to the count of absorbed effects in the small-sample factor.

    With ``debiased=True, group_debias=True`` linearmodels 7.1 scales by
    ``(n-1)/(n-k-d) * G/(G-1)`` with every absorbed effect ``d`` counted, where fixest
    counts person effects nested in the clusters as one.
    """
    from linearmodels import PanelOLS

    frame = unbalanced_panel(3)
    panel = frame.set_index(["pid", "month"])
    model = PanelOLS(panel["y"], panel[["x1", "treat"]], entity_effects=True, time_effects=True)
    args = (frame["y"], frame[["x1", "treat"]])
    fes = [frame["pid"], frame["month"]]

    iid = fit(*args, fixed_effects=fes, vcov="iid")
    ref = model.fit(cov_type="unadjusted", debiased=True)
    # Same normal equations and the same n - k - d: agreement to floating point.
    assert relative_error(iid.coef, ref.params.to_numpy()) < 1e-10
    assert relative_error(iid.se, ref.std_errors.to_numpy()) < 1e-10

    cr1 = fit(*args, fixed_effects=fes, cluster=frame["pid"], vcov="CR1")
    ref = model.fit(cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True)
    n, g = cr1.n_obs, cr1.n_clusters
    their_factor = (n - 1) / (n - 2 - cr1.fe_dof) * g / (g - 1)
    rescaled = cr1.vcov / cr1.small_sample * their_factor
    assert relative_error(np.sqrt(np.diag(rescaled)), ref.std_errors.to_numpy()) < 1e-10


def test_one_factor_is_exact_group_demeaning() -> None:
    rng = np.random.default_rng(4)
    group = rng.integers(0, 50, 2000)
    x = rng.normal(size=(2000, 2)) + group[:, None]
    w = rng.uniform(0.5, 2.0, 2000)
    x_tilde, info = demean(x, [group], w)
    frame = pd.DataFrame({"g": group, "a": x[:, 0] * w, "b": x[:, 1] * w, "w": w}).groupby("g").sum()
    means = frame[["a", "b"]].to_numpy() / frame[["w"]].to_numpy()
    # Group means are one division each: agreement to a few ulps of the data scale (~50).
    np.testing.assert_allclose(x_tilde, x - means[group], rtol=0, atol=1e-12)
    assert info.method == "group-means"
    assert info.fe_dof == 50


def dense_residuals(x: np.ndarray, factors: list[np.ndarray], w: np.ndarray) -> tuple[np.ndarray, int]:
    dummies = np.column_stack([np.eye(f.max() + 1)[f] for f in factors])
    root = np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(dummies * root, x * root, rcond=None)[0]
    return x - dummies @ coef, int(np.linalg.matrix_rank(dummies))


def weakly_connected_design(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Workers x firms linked in one long chain: firm f meets firm f+1 only through one mover.

    Alternating projections need of the order of (chain length)^2 sweeps on such a
    path graph; unequal weights make it worse.
    """
    rng = np.random.default_rng(seed)
    n_firms, stayers_per_firm = 150, 3
    stayer_firm = np.repeat(np.arange(n_firms), stayers_per_firm)
    spells = rng.integers(1, 6, len(stayer_firm))
    worker = np.repeat(np.arange(len(stayer_firm)), spells)
    firm = np.repeat(stayer_firm, spells)
    bridge = len(stayer_firm) + np.repeat(np.arange(n_firms - 1), 2)
    bridge_firm = np.arange(n_firms - 1).repeat(2) + np.tile([0, 1], n_firms - 1)
    worker, firm = np.concatenate([worker, bridge]), np.concatenate([firm, bridge_firm])
    return worker, firm, rng.uniform(0.2, 5.0, len(worker))


@pytest.fixture(scope="module")
def weak_design() -> tuple:
    worker, firm, w = weakly_connected_design(5)
    x = np.random.default_rng(6).normal(size=(len(worker), 2)) + firm[:, None] * 0.1
    return worker, firm, w, x, *dense_residuals(x, [worker, firm], w)


@pytest.mark.parametrize("solver", ["direct", "cg"])
def test_demean_converges_on_weakly_connected_design(solver: str, weak_design: tuple) -> None:
    worker, firm, w, x, expected, rank = weak_design
    fe = FixedEffects.build([worker, firm], w, solver=solver)
    x_tilde, info = fe.demean(x)
    assert info.converged
    assert info.fe_dof == rank
    # The exact solve agrees to round-off; CG stops at tol=1e-12 relative to max|x| (~30),
    # i.e. ~3e-11 per level effect, and errors add over the two factors.
    np.testing.assert_allclose(x_tilde, expected, rtol=0, atol=1e-9)


def test_three_factors_direct_and_cg_agree_with_dense() -> None:
    rng = np.random.default_rng(7)
    factors = [rng.integers(0, 200, 1500), rng.integers(0, 20, 1500), rng.integers(0, 6, 1500)]
    x = rng.normal(size=1500)
    w = rng.uniform(0.5, 2.0, 1500)
    expected, rank = dense_residuals(x[:, None], factors, w)
    for solver in ("direct", "cg"):
        x_tilde, info = FixedEffects.build(factors, w, solver=solver).demean(x)
        assert info.method == solver
        np.testing.assert_allclose(x_tilde, expected[:, 0], rtol=0, atol=1e-9)
    assert FixedEffects.build(factors, w).fe_dof == rank


def test_unconverged_demeaning_warns() -> None:
    worker, firm, w = weakly_connected_design(8)
    fe = FixedEffects.build([worker, firm], w, solver="cg", maxiter=2)
    with pytest.warns(HjevalWarning, match="demeaning stopped after 2 iterations"):
        _, info = fe.demean(np.random.default_rng(9).normal(size=len(worker)))
    assert not info.converged


def test_exact_count_on_disconnected_design() -> None:
    """Two separate worker-firm networks: one redundancy per connected component."""
    worker = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    firm = np.array([0, 1, 0, 1, 2, 3, 2, 3])
    fe = FixedEffects.build([worker, firm])
    assert fe.fe_dof == 4 + 4 - 2
    assert fe.fe_dof_fixest == 4 + 4 - 1
    assert fe.fe_dof_exact


def test_collinear_regressors_raise_with_names() -> None:
    frame = unbalanced_panel(10)
    x = frame[["x1", "treat"]].to_numpy()
    combo = np.column_stack([x, x[:, 0] - 2 * x[:, 1]])
    with pytest.raises(DataError, match=r"collinear regressors.*'combo' \(column 2\) with 'x1' \(column 0\), 'treat'"):
        fit(frame["y"], combo, fixed_effects=[frame["pid"], frame["month"]], vcov="iid",
            names=["x1", "treat", "combo"])
    person_constant = np.column_stack([x, frame["pid"] % 3])
    with pytest.raises(DataError, match=r"'age' \(column 2\) are absorbed by the fixed effects"):
        fit(frame["y"], person_constant, fixed_effects=[frame["pid"], frame["month"]], vcov="iid",
            names=["x1", "treat", "age"])


def test_bad_input_is_reported() -> None:
    frame = unbalanced_panel(11)
    y = frame["y"].to_numpy().copy()
    y[[3, 8]] = np.nan
    with pytest.raises(DataError, match="y: missing or infinite values in column 0, rows 3, 8"):
        fit(y, frame["x1"], fixed_effects=[frame["pid"]], vcov="iid")
    with pytest.raises(DataError, match="vcov must be one of"):
        fit(frame["y"], frame["x1"], vcov="HC9")
    with pytest.raises(DataError, match="needs cluster="):
        fit(frame["y"], frame["x1"], fixed_effects=[frame["pid"]])
    with pytest.raises(DataError, match="weights: must be positive"):
        fit(frame["y"], frame["x1"], fixed_effects=[frame["pid"]], weights=-frame["w"], vcov="iid")
    with pytest.raises(DataError, match="X: has 3 rows"):
        fit(frame["y"], np.ones((3, 1)), vcov="iid")


def test_inputs_are_not_mutated() -> None:
    frame = unbalanced_panel(12)
    arrays = {c: frame[c].to_numpy().copy() for c in frame}
    before = {c: a.copy() for c, a in arrays.items()}
    x = np.column_stack([arrays["x1"], arrays["treat"]])
    x_before = x.copy()
    fit(arrays["y"], x, fixed_effects=[arrays["pid"], arrays["month"]], weights=arrays["w"],
        cluster=arrays["muni"], vcov="CR2")
    demean(x, [arrays["pid"], arrays["month"]], arrays["w"])
    for c in arrays:
        np.testing.assert_array_equal(arrays[c], before[c])
    np.testing.assert_array_equal(x, x_before)


def test_prepared_fixed_effects_are_reused() -> None:
    frame = unbalanced_panel(13)
    fe = FixedEffects.build([frame["pid"], frame["month"]], frame["w"])
    once = fit(frame["y"], frame[["x1", "treat"]], fixed_effects=fe, cluster=frame["muni"])
    again = fit(frame["y"], frame[["x1", "treat"]], fixed_effects=[frame["pid"], frame["month"]],
                weights=frame["w"], cluster=frame["muni"])
    np.testing.assert_array_equal(once.coef, again.coef)
    with pytest.raises(DataError, match="weights differ"):
        fit(frame["y"], frame["x1"], fixed_effects=fe, weights=np.ones(len(frame)), vcov="iid")


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    shift=st.floats(-1e3, 1e3, allow_nan=False),
    factor=st.floats(0.01, 100.0).flatmap(lambda v: st.sampled_from([v, -v])),
)
def test_shift_and_scale_of_the_outcome(seed: int, shift: float, factor: float) -> None:
    frame = unbalanced_panel(seed, persons=60, months=8, munis=6)
    x = frame[["x1", "treat"]].to_numpy()
    fes = [frame["pid"].to_numpy(), frame["month"].to_numpy()]
    y = frame["y"].to_numpy()
    base = fit(y, x, fixed_effects=fes, cluster=frame["muni"])
    shifted = fit(y + shift, x, fixed_effects=fes, cluster=frame["muni"])
    scaled = fit(y * factor, x, fixed_effects=fes, cluster=frame["muni"])
    # Exact in real arithmetic; floating point loses ~|shift| * 1e-15 per operation.
    np.testing.assert_allclose(shifted.coef, base.coef, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(scaled.coef, factor * base.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scaled.se, abs(factor) * base.se, rtol=1e-9)

    pooled_x = np.column_stack([np.ones(len(y)), x])
    pooled = fit(y, pooled_x, cluster=frame["muni"])
    pooled_shift = fit(y + shift, pooled_x, cluster=frame["muni"])
    np.testing.assert_allclose(pooled_shift.coef[1:], pooled.coef[1:], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(pooled_shift.coef[0], pooled.coef[0] + shift, rtol=1e-9, atol=1e-8)


def brute_force_cr2(y, x, factors, w, cluster):
    """CR2 from the full dummy model: n x n hat matrix and pseudo-inverse square roots per cluster."""
    z = np.column_stack([x, *[np.eye(f.max() + 1)[f] for f in factors]])
    root = np.sqrt(w)
    zs, ys = z * root[:, None], y * root
    bread = np.linalg.pinv(zs.T @ zs)
    resid = ys - zs @ (bread @ zs.T @ ys)
    residual_maker = np.eye(len(y)) - zs @ bread @ zs.T
    k = x.shape[1]
    meat = np.zeros((k, k))
    q_columns: list[list[np.ndarray]] = [[] for _ in range(k)]
    for g in np.unique(cluster):
        rows = np.flatnonzero(cluster == g)
        vals, vecs = np.linalg.eigh(residual_maker[np.ix_(rows, rows)])
        adjust = (vecs * np.where(vals > 1e-10, np.abs(vals) ** -0.5, 0.0)) @ vecs.T
        u = (bread @ zs[rows].T @ adjust @ resid[rows])[:k]
        meat += np.outer(u, u)
        for j in range(k):
            q_columns[j].append(residual_maker[:, rows] @ adjust @ zs[rows] @ bread[:, j])
    df = []
    for cols in q_columns:
        lam = np.linalg.eigvalsh(np.column_stack(cols).T @ np.column_stack(cols))
        df.append(lam.sum() ** 2 / (lam**2).sum())
    return meat, np.array(df)


@pytest.mark.parametrize("case", ["nested", "crossing", "month-only"])
def test_cr2_equals_full_dummy_model(case: str) -> None:
    frame = unbalanced_panel(14, persons=40, months=6, munis=8)
    rng = np.random.default_rng(15)
    cluster = rng.integers(0, 10, len(frame)) if case == "crossing" else frame["muni"].to_numpy()
    factors = [frame["month"].to_numpy()] if case == "month-only" else [frame["pid"].to_numpy(),
                                                                         frame["month"].to_numpy()]
    x = frame[["x1", "treat"]].to_numpy()
    res = fit(frame["y"], x, fixed_effects=factors, weights=frame["w"], cluster=cluster, vcov="CR2")
    meat, df = brute_force_cr2(frame["y"].to_numpy(), x, factors, frame["w"].to_numpy(), cluster)
    # Both are exact linear algebra on ~150 rows; the brute force's pseudo-inverses and
    # eigen-decompositions of n x n matrices lose ~1e-12 relative.
    np.testing.assert_allclose(res.vcov, meat, rtol=1e-9)
    np.testing.assert_allclose(res.df_t, df, rtol=1e-9)
    assert res.small_sample == 1.0


def test_cr2_with_singleton_clusters_is_hc2() -> None:
    import statsmodels.api as sm

    rng = np.random.default_rng(16)
    x = np.column_stack([np.ones(80), rng.normal(size=(80, 2))])
    y = x @ [1.0, 0.5, -0.3] + rng.normal(size=80) * (1 + np.abs(x[:, 1]))
    res = fit(y, x, cluster=np.arange(80), vcov="CR2")
    ref = sm.OLS(y, x).fit(cov_type="HC2")
    # Closed-form identity (CR2 with one row per cluster is HC2): round-off only.
    np.testing.assert_allclose(res.vcov, ref.cov_params(), rtol=1e-10)


def test_cr2_single_treated_cluster_stays_finite() -> None:
    """With one treated cluster its leverage on the treatment is one: the pseudo-inverse drops it."""
    frame = unbalanced_panel(17, persons=80, months=8, munis=6)
    treat = ((frame["muni"] == 0) & (frame["month"] >= 4)).astype(float).to_numpy()
    x = np.column_stack([frame["x1"], treat])
    res = fit(frame["y"], x, fixed_effects=[frame["pid"], frame["month"]], cluster=frame["muni"], vcov="CR2")
    meat, _ = brute_force_cr2(frame["y"].to_numpy(), x, [frame["pid"].to_numpy(), frame["month"].to_numpy()],
                              np.ones(len(frame)), frame["muni"].to_numpy())
    assert np.all(np.isfinite(res.vcov))
    np.testing.assert_allclose(res.vcov, meat, rtol=1e-8, atol=1e-12)


def test_cr2_refuses_too_many_explicit_dummies(monkeypatch: pytest.MonkeyPatch) -> None:
    import hjeval.regression.cr2 as cr2

    monkeypatch.setattr(cr2, "MAX_DUMMY_CELLS", 1_000)
    frame = unbalanced_panel(18, persons=60, months=8, munis=6)
    with pytest.raises(DataError, match=r"CR2 needs explicit dummies .*factor 1 \(8 levels\)"):
        fit(frame["y"], frame["x1"], fixed_effects=[frame["pid"], frame["month"]], cluster=frame["muni"], vcov="CR2")


def test_exact_count_unavailable_for_many_levels_iteratively() -> None:
    frame = unbalanced_panel(19, persons=60, months=8, munis=6)
    fe = FixedEffects.build([frame["pid"], frame["month"], frame["office"]], solver="cg")
    assert not fe.fe_dof_exact
    with pytest.raises(DataError, match="fe_count='exact' needs the exact number"):
        fit(frame["y"], frame["x1"], fixed_effects=fe, cluster=frame["muni"], fe_count="exact")


def test_encode_and_singletons() -> None:
    codes, n = encode(np.array(["b", "a", "c", "a"], dtype=object))
    assert codes.tolist() == [1, 0, 2, 0] and n == 3
    codes, n = encode(np.array([10**12, 5, 10**12]))
    assert codes.tolist() == [1, 0, 1] and n == 2
    with pytest.raises(DataError, match="cluster: missing labels in row 1"):
        encode(np.array(["a", None], dtype=object), name="cluster")
    # Dropping person 2 (one row) leaves month 2 with one row, which goes in the second pass.
    person = np.array([0, 0, 1, 1, 2, 3, 3])
    month = np.array([0, 1, 0, 1, 2, 2, 0])
    assert singleton_rows(person, month).tolist() == [False, False, False, False, True, True, True]
