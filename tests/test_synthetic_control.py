"""Synthetic control and synthetic DiD: published numbers, solvers against references, inference, invariances, input.

Reference numbers (Proposition 99, ``california_prop99.csv``) are those of
Arkhangelsky, Athey, Hirshberg, Imbens and Wager (2021), Table 1, reproduced
with R synthdid 0.0.9 (``synthdid_estimate``, ``sc_estimate``,
``did_estimate`` on ``panel.matrices(california_prop99)``), as listed in
``../shared/validation/README.md``. The exact (unregularised) synthetic
control of the same panel is -19.5136.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.optimize import Bounds, LinearConstraint, minimize

import hjeval as hj
from hjeval.estimators import _simplex
from hjeval.estimators._simplex import FrankWolfeProblems, frank_wolfe, simplex_least_squares, sparsify
from hjeval.estimators.synthetic_control import synthetic_control
from hjeval.estimators.synthetic_did import residualise, synthetic_did
from hjeval.results.synthetic import SyntheticResult

matplotlib.use("Agg")

OUTCOME, UNIT, TIME = "PacksPerCapita", "State", "Year"
SDID_UNIT = {"Nevada": 0.1245, "New Hampshire": 0.1050, "Connecticut": 0.0783, "Delaware": 0.0704,
             "Colorado": 0.0575}
SDID_TIME = {1988: 0.4271, 1986: 0.3665, 1987: 0.2065}
SC_UNIT = {"Utah": 0.3961, "Montana": 0.2323, "Nevada": 0.2044, "Connecticut": 0.1045}
ADH_SPEC = [("lnincome", 1980, 1988), ("age15to24", 1980, 1988), ("retprice", 1980, 1988), ("beer", 1984, 1988),
            ("cigsale", 1975), ("cigsale", 1980), ("cigsale", 1988)]


@pytest.fixture(scope="module")
def prop99(validation_dir: Path) -> pd.DataFrame:
    return pd.read_csv(validation_dir / "california_prop99.csv")


@pytest.fixture(scope="module")
def sdid(prop99: pd.DataFrame) -> SyntheticResult:
    return synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989)


@pytest.fixture(scope="module")
def sc_exact(prop99: pd.DataFrame) -> SyntheticResult:
    return synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989)


@pytest.fixture(scope="module")
def sc_synthdid(prop99: pd.DataFrame) -> SyntheticResult:
    return synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, solver="synthdid")


@pytest.fixture(scope="module")
def adh(validation_dir: Path) -> SyntheticResult:
    smoking = pd.read_csv(validation_dir / "smoking_adh2010.csv")
    return synthetic_control(smoking, "cigsale", "state", "year", "California", 1989, predictors=ADH_SPEC,
                             fit_window=(1970, 1988))


def _check_weights(series: pd.Series) -> None:
    assert series.sum() == pytest.approx(1.0, abs=1e-12)
    assert (series >= 0).all()


# --------------------------------------------------------------------------- published numbers


def test_sdid_reproduces_the_paper(sdid: SyntheticResult) -> None:
    assert sdid.estimate == pytest.approx(-15.603828, abs=1e-6)
    for state, weight in SDID_UNIT.items():
        assert sdid.weights[state] == pytest.approx(weight, abs=1e-4)
    times = sdid.time_weights.rename(index=lambda p: p.year)
    for year, weight in SDID_TIME.items():
        assert times[year] == pytest.approx(weight, abs=1e-4)
    assert times.drop(list(SDID_TIME)).abs().max() < 1e-12  # the other periods get no weight
    _check_weights(sdid.weights)
    _check_weights(sdid.time_weights)
    assert sdid.method == "synthetic_did" and sdid.treated == "California"


def test_sc_synthdid_solver_reproduces_sc_estimate(sc_synthdid: SyntheticResult) -> None:
    # synthdid's early-stopped Frank-Wolfe is followed iterate by iterate: agreement is to rounding
    assert sc_synthdid.estimate == pytest.approx(-19.619663, abs=1e-6)
    for state, weight in SC_UNIT.items():
        assert sc_synthdid.weights[state] == pytest.approx(weight, abs=1e-4)
    _check_weights(sc_synthdid.weights)


def test_sc_exact_solver(sc_exact: SyntheticResult) -> None:
    assert sc_exact.estimate == pytest.approx(-19.5136, abs=1e-4)
    _check_weights(sc_exact.weights)
    assert sc_exact.time_weights.empty and sc_exact.predictor_weights.empty
    # the exact fit is at least as good before the start as any other weights, synthdid's included
    assert sc_exact.pre_rmspe <= 1.6648
    assert sc_exact.estimate == pytest.approx(sc_exact.gap[sc_exact.gap.index >= pd.Period("1989", "Y")].mean())


def test_did_on_the_same_panel(prop99: pd.DataFrame) -> None:
    res = hj.did(prop99, OUTCOME, unit=UNIT, time=TIME, treated="California", start=1989)
    assert res.estimate == pytest.approx(-27.349111, abs=5e-7)
    assert res.se == pytest.approx(17.7, rel=0.25)  # synthdid's placebo SE: 17.74 (200 draws), 17.60 (1000)


def test_placebo_se_near_synthdid(sdid: SyntheticResult, sc_synthdid: SyntheticResult) -> None:
    """synthdid's placebo SE is sqrt((r-1)/r) times the sd of r placebo estimates, each from a random
    permutation of the comparison units (with one treated unit: one random comparison unit re-fitted as
    treated), so it is a Monte Carlo estimate of the spread of the 38 placebo estimates that hjeval
    enumerates exactly: 8.37 and 9.03 (SDID), 9.92 and 10.71 (SC) with 200 and 1000 draws. hjeval's se is
    their sd with ddof=1 (9.49 and 10.76); the spread with ddof=0, synthdid's limit as r grows, is
    smaller by sqrt(37/38). synthdid warm-starts each placebo at the actual weights with the actual
    regularisation, where hjeval re-fits from uniform weights (warm_start=True starts them at the actual weights:
    see test_sdid_warm_started_placebos_stay_within_tolerance); on this panel that changes the spread by under 0.01.
    """
    assert sdid.inference.exact and sdid.inference.draws == 38
    for published in (8.37, 9.03):
        assert sdid.se == pytest.approx(published, rel=0.25)
    for published in (9.92, 10.71):
        assert sc_synthdid.se == pytest.approx(published, rel=0.25)
    assert sdid.se == pytest.approx(float(np.std(sdid.placebo, ddof=1)), rel=1e-12)


def test_adh_predictors_fit_as_well_as_the_best_published(adh: SyntheticResult) -> None:
    # mean squared gap 1970-1988: R Synth 3.21; diff-diff (16 starts) 3.08; pysyncon's defaults 21.4
    mspe = adh.pre_rmspe**2
    assert mspe <= 3.08
    assert mspe >= 2.7436  # no weights fit better than the outcome-only exact fit
    _check_weights(adh.weights)
    _check_weights(adh.predictor_weights)
    assert list(adh.predictor_weights.index) == ["lnincome 1980-1988", "age15to24 1980-1988",
                                                 "retprice 1980-1988", "beer 1984-1988", "cigsale 1975",
                                                 "cigsale 1980", "cigsale 1988"]
    assert adh.solver == "predictors" and adh.inference.draws == 38
    assert "Predictor weights" in adh.summary()


# --------------------------------------------------------------------------- solvers against slow references


def test_exact_solver_against_trust_constr() -> None:
    rng = np.random.default_rng(7)
    for _ in range(25):
        m, n = int(rng.integers(3, 15)), int(rng.integers(2, 25))
        a = rng.normal(size=(m, n)) * 10 + 50
        b = rng.normal(size=m) * 10 + 50 + rng.normal() * 15
        fast = simplex_least_squares(a, b)
        reference = minimize(
            lambda w, a=a, b=b: float(np.sum((a @ w - b) ** 2)), np.full(n, 1 / n),
            jac=lambda w, a=a, b=b: 2 * a.T @ (a @ w - b), hess=lambda w, a=a: 2 * a.T @ a,
            method="trust-constr", constraints=[LinearConstraint(np.ones((1, n)), 1, 1)], bounds=Bounds(0, np.inf),
            options={"gtol": 1e-12, "xtol": 1e-14, "maxiter": 3000},
        )
        w = np.clip(reference.x, 0, None)
        slow = float(np.sum((a @ (w / w.sum()) - b) ** 2))
        assert fast.objective <= slow * (1 + 1e-8) + 1e-9
        assert fast.weights.min() >= 0 and fast.weights.sum() == pytest.approx(1, abs=1e-12)
        # Karush-Kuhn-Tucker: the gradient is smallest, and equal, on the support
        gradient = a.T @ (a @ fast.weights - b)
        scale = np.abs(a).max() ** 2 * m
        assert np.ptp(gradient[fast.support]) <= 1e-9 * scale
        assert gradient.min() >= gradient[fast.support].max() - 1e-9 * scale


def _reference_frank_wolfe(a: np.ndarray, b: np.ndarray, zeta: float, x: np.ndarray, min_decrease: float,
                           max_iter: int) -> tuple[np.ndarray, int]:
    """The iteration written plainly: gradient, vertex, exact line search, objective recomputed each step.

    Returns the weights and the iterations run.
    """
    n = a.shape[0]
    eta = n * zeta**2
    values: list[float] = []
    for t in range(max_iter):
        ax = a @ x
        half_gradient = (ax - b) @ a + eta * x
        i = int(np.argmin(half_gradient))
        d = -x.copy()
        d[i] += 1.0
        if np.any(d != 0):
            d_err = a[:, i] - ax
            step = -(half_gradient @ d) / (d_err @ d_err + eta * d @ d)
            x = x + min(1.0, max(0.0, step)) * d
        err = a @ x - b
        values.append(zeta**2 * x @ x + err @ err / n)
        if t >= 1 and values[-2] - values[-1] <= min_decrease**2:
            return x, t + 1
    return x, max_iter


def test_batched_frank_wolfe_follows_the_plain_iteration() -> None:
    rng = np.random.default_rng(11)
    sizes = [(12, 9), (12, 6), (12, 9)]
    a = [rng.normal(size=s) * 5 for s in sizes]
    b = [rng.normal(size=s[0]) * 5 for s in sizes]
    zeta = np.array([0.3, 1e-6, 2.0])
    big_a = np.zeros((3, 12, 9))
    usable = np.zeros((3, 9), dtype=bool)
    for k, ak in enumerate(a):
        big_a[k, :, : ak.shape[1]] = ak
        usable[k, : ak.shape[1]] = True
    problems = FrankWolfeProblems.from_matrices(big_a, np.array(b), zeta, usable)
    start = usable / usable.sum(axis=1, keepdims=True)
    fast, _ = frank_wolfe(problems, start, min_decrease=np.full(3, 1e-4), max_iter=500)
    for k in range(3):
        plain, _ = _reference_frank_wolfe(a[k], b[k], zeta[k], start[k, : sizes[k][1]], 1e-4, 500)
        np.testing.assert_allclose(fast[k, : sizes[k][1]], plain, atol=1e-10)
        assert fast[k, sizes[k][1]:].sum() == 0
    # each problem alone gives what it gives in the batch
    alone, _ = frank_wolfe(FrankWolfeProblems.from_matrices(big_a[1:2], np.array(b[1:2]), zeta[1:2], usable[1:2]),
                           start[1:2], min_decrease=np.full(1, 1e-4), max_iter=500)
    np.testing.assert_allclose(alone[0], fast[1], atol=1e-13)
    assert sparsify(np.array([0.5, 0.1, 0.4])).tolist() == pytest.approx([5 / 9, 0.0, 4 / 9])


def test_batched_frank_wolfe_stops_each_problem_where_the_plain_iteration_stops(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The stopping rule is looked at every 16 iterations and a stopped problem's steps after its stop are undone:
    the weights and iteration counts are those of the plain iteration checked after every step (here problems stop
    at 5, 27, 87, 136 and 150 iterations, mid-block, and one runs to the cap of 203), and do not depend on how often
    the rule is looked at."""
    rng = np.random.default_rng(0)
    sizes = [(10, 8), (14, 5), (14, 8), (6, 8), (14, 3), (14, 7)]
    a = [rng.normal(size=s) * 5 for s in sizes]
    b = [rng.normal(size=s[0]) * 5 for s in sizes]
    zeta = np.array([0.5, 1e-6, 0.05, 1.0, 0.2, 1e-3])
    decrease = np.array([3e-2, 1e-2, 1e-2, 1e-1, 3e-2, 3e-3])
    big_a, big_b = np.zeros((6, 14, 8)), np.zeros((6, 14))
    usable = np.zeros((6, 8), dtype=bool)
    for k, (ak, bk) in enumerate(zip(a, b, strict=True)):
        big_a[k, : ak.shape[0], : ak.shape[1]] = ak
        big_b[k, : len(bk)] = bk
        usable[k, : ak.shape[1]] = True
    rows = np.array([s[0] for s in sizes], dtype=float)
    problems = FrankWolfeProblems.from_matrices(big_a, big_b, zeta, usable, rows)
    start = usable / usable.sum(axis=1, keepdims=True)
    fast, iterations = frank_wolfe(problems, start, min_decrease=decrease, max_iter=203)
    counts = []
    for k, (_, c) in enumerate(sizes):
        plain, count = _reference_frank_wolfe(a[k], b[k], zeta[k], start[k, :c], decrease[k], 203)
        np.testing.assert_allclose(fast[k, :c], plain, atol=1e-12)
        counts.append(count)
    assert iterations.tolist() == counts == [136, 150, 87, 27, 5, 203]
    for every in (1, 5, 64):
        monkeypatch.setattr(_simplex, "_CHECK_EVERY", every)
        again, again_iterations = frank_wolfe(problems, start, min_decrease=decrease, max_iter=203)
        np.testing.assert_array_equal(again_iterations, iterations)
        np.testing.assert_allclose(again, fast, atol=1e-14)


def _prop99_matrix(prop99: pd.DataFrame) -> tuple[np.ndarray, int, list[int]]:
    wide = prop99.pivot(index=UNIT, columns=TIME, values=OUTCOME)
    treated = list(wide.index).index("California")
    return wide.to_numpy(), treated, [i for i in range(len(wide)) if i != treated]


def test_exact_warm_starts_reach_the_cold_minimiser_in_fewer_steps(prop99: pd.DataFrame,
                                                                   sc_exact: SyntheticResult) -> None:
    """leave_one_out() and placebo_in_time() start the exact solver from the actual weights restricted to the
    remaining donors. The minimiser is the same: the fit before the start (A w) agrees with a cold start's to 1e-8
    of the target's scale, and so does the objective; it takes fewer active-set changes. The weights are unique,
    and agree too, unless the fit is perfect (6 or fewer periods here), which the estimator re-solves cold."""
    y, treated, donors = _prop99_matrix(prop99)
    actual = simplex_least_squares(y[donors, :19].T, y[treated, :19])
    problems = []
    for j in np.flatnonzero(actual.weights > 0):  # leave one weighted donor out
        rest = np.delete(donors, j)
        problems.append((y[rest, :19].T, y[treated, :19], np.delete(actual.weights, j)))
    for periods in range(1, 18):  # placebo start moved earlier
        problems.append((y[donors, : 19 - periods].T, y[treated, : 19 - periods], actual.weights))
    steps = {"cold": 0, "warm": 0}
    perfect = 0
    for a, b, start in problems:
        cold = simplex_least_squares(a, b)
        warm = simplex_least_squares(a, b, start=start)
        scale = float(np.abs(b).max())
        np.testing.assert_allclose(a @ warm.weights, a @ cold.weights, atol=1e-8 * scale)
        assert warm.objective == pytest.approx(cold.objective, rel=1e-8, abs=1e-8 * scale**2)
        if cold.objective > 1e-16 * float(b @ b):
            np.testing.assert_allclose(warm.weights, cold.weights, atol=1e-8)
        else:
            perfect += 1
        steps["cold"] += cold.iterations
        steps["warm"] += warm.iterations
    assert perfect == 5
    assert steps == {"cold": 37 + 141, "warm": 7 + 69}
    # through the result: a perfect fit (4 periods before the placebo start) keeps the direct call's weights
    direct = synthetic_control(prop99[prop99[TIME] < 1989], OUTCOME, UNIT, TIME, "California", 1974)
    row = sc_exact.placebo_in_time(periods=15).iloc[0]
    assert row.estimate == pytest.approx(direct.estimate, abs=1e-8)
    assert direct.pre_rmspe < 1e-10
    # the result says what its re-fits reuse
    assert "leave_one_out() and placebo_in_time() re-fits start from the actual weights" in (
        sc_exact.provenance["solver_reuse"])
    assert any(note.startswith("re-fits: exact solver") for note in sc_exact.inference.notes)


def test_sdid_warm_started_placebos_stay_within_tolerance(prop99: pd.DataFrame, sdid: SyntheticResult) -> None:
    """warm_start=True starts each placebo's Frank-Wolfe from the actual weights (R synthdid's vcov) instead of
    uniform weights. The estimator is the early-stopped iterate, so each placebo moves a little (at most 0.6 % of
    the standard error here) and the standard error by far less than the 200-draw Monte Carlo error of synthdid's
    own placebo SE (about 5 %): 9.4941 against 9.4946."""
    warm = synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989, warm_start=True)
    assert warm.estimate == sdid.estimate  # the actual fit starts from uniform weights either way
    pd.testing.assert_series_equal(warm.weights, sdid.weights)
    assert warm.se == pytest.approx(sdid.se, rel=1e-3)
    assert (warm.placebo - sdid.placebo).abs().max() < 0.01 * sdid.se
    assert not np.allclose(warm.placebo.to_numpy(), sdid.placebo.to_numpy(), atol=1e-10, rtol=0)
    assert warm.pvalue == sdid.pvalue
    assert warm.provenance["solver_reuse"].startswith("warm_start=True: placebo and bootstrap re-fits start")
    assert sdid.provenance["solver_reuse"].startswith("every re-fit starts Frank-Wolfe from uniform weights")
    assert any("uniform weights" in note for note in sdid.inference.notes)
    # in-space placebos are the inference's warm-started re-fits
    table = warm.in_space_placebos().to_frame().iloc[1:].set_index("unit")
    np.testing.assert_allclose(table.estimate.to_numpy(), warm.placebo[table.index].to_numpy(), atol=1e-12)
    with pytest.raises(hj.DataError, match="warm_start must be True or False, not 'yes'"):
        synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989, warm_start="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- inference


def test_placebo_refits_with_comparison_units_as_donors(prop99: pd.DataFrame, sc_exact: SyntheticResult) -> None:
    # each placebo estimate is the estimator re-fitted with that unit treated and California left out
    others = prop99[prop99[UNIT] != "California"]
    for state in ("Utah", "Ohio"):
        refit = synthetic_control(others, OUTCOME, UNIT, TIME, state, 1989)
        assert sc_exact.placebo[state] == pytest.approx(refit.estimate, abs=1e-10)
    assert len(sc_exact.placebo) == 38 and sc_exact.inference.exact


@pytest.mark.parametrize("name", ["sdid", "sc_exact", "sc_synthdid"])
def test_placebo_pvalue_is_the_rank(name: str, request: pytest.FixtureRequest) -> None:
    res: SyntheticResult = request.getfixturevalue(name)
    placebo = res.placebo.to_numpy()
    rank = (1 + np.sum(np.abs(placebo) >= abs(res.estimate))) / (len(placebo) + 1)
    assert res.pvalue == pytest.approx(rank, abs=1e-12)
    assert res.inference.method == "placebo"
    model = res.inference.size_correction
    assert model is not None and not model.applied and model.reason == "equal sizes"
    assert res.ci[0] < res.estimate < res.ci[1]


def test_one_treated_unit_refuses_jackknife_and_bootstrap(prop99: pd.DataFrame) -> None:
    with pytest.raises(hj.DataError, match=r"needs several treated units.*leaving out the only treated unit"):
        synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989, inference="jackknife")
    with pytest.raises(hj.DataError, match=r"needs several treated units.*understates"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, inference="bootstrap")
    with pytest.raises(hj.DataError, match=r"inference='cluster' is not one of \['placebo', 'jackknife', 'bootstrap'"):
        synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989, inference="cluster")  # type: ignore[arg-type]


def test_several_treated_units(prop99: pd.DataFrame) -> None:
    treated = ["California", "Nevada", "Utah"]
    jack = synthetic_did(prop99, OUTCOME, UNIT, TIME, treated, 1989, inference="jackknife")
    boot = synthetic_did(prop99, OUTCOME, UNIT, TIME, treated, 1989, inference="bootstrap", draws=30, seed=5)
    placebo = synthetic_did(prop99, OUTCOME, UNIT, TIME, treated, 1989, draws=30, seed=5)
    assert jack.estimate == boot.estimate == placebo.estimate
    assert jack.inference.vcov == "jackknife" and jack.inference.draws == 39 and jack.se > 0
    assert boot.inference.vcov == "bootstrap" and boot.inference.draws == 30 and boot.se > 0
    assert not placebo.inference.exact and placebo.inference.draws == 30
    assert jack.treated == treated and len(jack.weights) == 36
    again = synthetic_did(prop99, OUTCOME, UNIT, TIME, treated, 1989, inference="bootstrap", draws=30, seed=5)
    assert again.se == boot.se
    with pytest.warns(hj.HjevalWarning, match="not recommended for synthetic control"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, treated, 1989, inference="jackknife")


# --------------------------------------------------------------------------- invariances


def test_relabelling_units_changes_nothing(prop99: pd.DataFrame, sdid: SyntheticResult,
                                           sc_exact: SyntheticResult) -> None:
    names = sorted(prop99[UNIT].unique())
    rng = np.random.default_rng(2)
    renamed = dict(zip(names, [f"unit {i:02d}" for i in rng.permutation(len(names))], strict=True))
    relabelled = prop99.assign(**{UNIT: prop99[UNIT].map(renamed)})
    for fit, res in ((synthetic_did, sdid), (synthetic_control, sc_exact)):
        other = fit(relabelled, OUTCOME, UNIT, TIME, renamed["California"], 1989)
        assert other.estimate == pytest.approx(res.estimate, abs=1e-9)
        assert other.pvalue == res.pvalue
        mapped = res.weights.rename(index=renamed)
        np.testing.assert_allclose(other.weights[mapped.index].to_numpy(), mapped.to_numpy(), atol=1e-9)


def test_shift_and_scale(prop99: pd.DataFrame, sdid: SyntheticResult, sc_exact: SyntheticResult) -> None:
    # unit-specific constants (unit fixed effects): absorbed by synthetic DiD's intercept, not by synthetic control
    levels = {s: 10.0 * i for i, s in enumerate(sorted(prop99[UNIT].unique()))}
    shifted = prop99.assign(**{OUTCOME: prop99[OUTCOME] + prop99[UNIT].map(levels)})
    assert synthetic_did(shifted, OUTCOME, UNIT, TIME, "California", 1989).estimate == pytest.approx(
        sdid.estimate, abs=1e-7)
    assert abs(synthetic_control(shifted, OUTCOME, UNIT, TIME, "California", 1989).estimate
               - sc_exact.estimate) > 1.0
    # a constant added to every unit: both unchanged (synthetic control's weights sum to one)
    common = prop99.assign(**{OUTCOME: prop99[OUTCOME] + 50.0})
    assert synthetic_control(common, OUTCOME, UNIT, TIME, "California", 1989).estimate == pytest.approx(
        sc_exact.estimate, abs=1e-8)
    # scaling the outcome scales both
    scaled = prop99.assign(**{OUTCOME: prop99[OUTCOME] * 3.0})
    assert synthetic_did(scaled, OUTCOME, UNIT, TIME, "California", 1989).estimate == pytest.approx(
        3 * sdid.estimate, rel=1e-8)
    assert synthetic_control(scaled, OUTCOME, UNIT, TIME, "California", 1989).estimate == pytest.approx(
        3 * sc_exact.estimate, rel=1e-8)


def test_the_callers_frame_is_not_mutated(prop99: pd.DataFrame, validation_dir: Path) -> None:
    before = prop99.copy()
    synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989)
    synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, solver="synthdid")
    pd.testing.assert_frame_equal(prop99, before)
    smoking = pd.read_csv(validation_dir / "smoking_adh2010.csv")
    kept = smoking.copy()
    synthetic_control(smoking.head(31 * 20), "cigsale", "state", "year", "California", 1989,
                      predictors=[("beer", 1984, 1988), ("cigsale", 1980)], starts=2)
    pd.testing.assert_frame_equal(smoking, kept)


# --------------------------------------------------------------------------- covariates and groups


def _cycle_panel(seed: int = 4) -> tuple[pd.DataFrame, float]:
    """Units x years with unit and year effects, a business cycle with coefficient 2 and an effect of 3.

    The treated unit's cycle rises by 1.5 after the start, so ignoring it adds about 2 x 1.5 = 3.
    """
    rng = np.random.default_rng(seed)
    units, years = 25, np.arange(2000, 2016)
    frame = pd.DataFrame([(u, y) for u in range(units) for y in years], columns=["m", "year"])
    frame["cycle"] = rng.normal(size=len(frame)) + 0.1 * (frame.year - 2000)
    frame.loc[(frame.m == 0) & (frame.year >= 2010), "cycle"] += 1.5
    frame["y"] = (rng.normal(size=units)[frame.m] + 0.3 * (frame.year - 2000) + 2.0 * frame.cycle
                  + 3.0 * ((frame.m == 0) & (frame.year >= 2010)) + rng.normal(scale=0.2, size=len(frame)))
    return frame, 3.0


def test_cycle_is_netted_out() -> None:
    frame, truth = _cycle_panel()
    adjusted = synthetic_did(frame, "y", "m", "year", 0, 2010, cycle="cycle")
    plain = synthetic_did(frame, "y", "m", "year", 0, 2010)
    assert abs(adjusted.estimate - truth) < 0.5 < abs(plain.estimate - truth)
    assert adjusted.provenance["covariate_coefficients"]["cycle"] == pytest.approx(2.0, abs=0.1)
    # the same as synthetic DiD on the outcome net of the cycle's fitted part
    y = frame.pivot(index="m", columns="year", values="y").to_numpy()
    x = frame.pivot(index="m", columns="year", values="cycle").to_numpy()[:, :, None]
    _, _, beta, _ = residualise(y[:1], y[1:], x[:1], x[1:], 10)
    net = frame.assign(y=frame.y - beta[0] * frame.cycle)
    assert synthetic_did(net, "y", "m", "year", 0, 2010).estimate == pytest.approx(adjusted.estimate, abs=1e-9)
    assert adjusted.se > 0 and len(adjusted.placebo) == 24


def test_residualise_against_dummies() -> None:
    frame, _ = _cycle_panel(5)
    sample = frame[~((frame.m == 0) & (frame.year >= 2010))]
    dummies = pd.get_dummies(sample[["m", "year"]].astype(str), drop_first=False, dtype=float)
    design = np.column_stack([sample.cycle, dummies.drop(columns="year_2000")])
    beta = np.linalg.lstsq(design, sample.y, rcond=None)[0][0]
    y = frame.pivot(index="m", columns="year", values="y").to_numpy()
    x = frame.pivot(index="m", columns="year", values="cycle").to_numpy()[:, :, None]
    assert residualise(y[:1], y[1:], x[:1], x[1:], 10)[2][0] == pytest.approx(beta, abs=1e-10)


def test_person_rows_are_averaged_to_groups() -> None:
    frame, _ = _cycle_panel(6)
    rng = np.random.default_rng(1)
    # persons: 2 to 6 per municipality and year, their mean equal to the municipality's outcome
    rows = []
    for (m, year), value in frame.set_index(["m", "year"])["y"].items():
        k = 2 + m % 5
        noise = rng.normal(size=k)
        for p, e in enumerate(noise - noise.mean()):
            rows.append((f"{m}-{p}", m, year, value + e))
    persons = pd.DataFrame(rows, columns=["person", "m", "year", "y"])
    grouped = synthetic_did(persons, "y", "person", "year", 0, 2010, group="m")
    direct = synthetic_did(frame, "y", "m", "year", 0, 2010)
    assert grouped.estimate == pytest.approx(direct.estimate, abs=1e-9)
    model = grouped.inference.size_correction
    assert model is not None and model.measure == "persons" and model.reason != "equal sizes"


# --------------------------------------------------------------------------- bad input


def test_unbalanced_panel_is_refused(prop99: pd.DataFrame) -> None:
    holes = prop99.drop(prop99.index[(prop99[UNIT] == "Utah") & prop99[TIME].isin([1980, 1981])])
    with pytest.raises(hj.DataError, match=r"balanced panel.*2 State x period cells.*'Utah' in 1980, 1981"):
        synthetic_did(holes, OUTCOME, UNIT, TIME, "California", 1989)
    missing = prop99.assign(**{OUTCOME: prop99[OUTCOME].where(~((prop99[UNIT] == "Ohio") & (prop99[TIME] == 1975)))})
    with pytest.warns(hj.HjevalWarning, match="left out"), \
            pytest.raises(hj.DataError, match=r"'Ohio' in 1975.*left out for missing values"):
        synthetic_control(missing, OUTCOME, UNIT, TIME, "California", 1989)
    twice = pd.concat([prop99, prop99.iloc[[5]]])
    with pytest.raises(hj.DataError, match="one row per State and period"):
        synthetic_control(twice, OUTCOME, UNIT, TIME, "California", 1989)


def test_treated_unit_without_pre_period(prop99: pd.DataFrame) -> None:
    late = prop99.drop(prop99.index[(prop99[UNIT] == "California") & (prop99[TIME] < 1989)])
    with pytest.raises(hj.DataError, match="no rows before start"):
        synthetic_did(late, OUTCOME, UNIT, TIME, "California", 1989)
    with pytest.raises(hj.DataError, match=r"treated State 'Nevada' has no rows before start=1989"):
        synthetic_control(prop99.drop(prop99.index[(prop99[UNIT] == "Nevada") & (prop99[TIME] < 1989)]),
                          OUTCOME, UNIT, TIME, ["California", "Nevada"], 1989)


def test_bad_predictors_and_options(prop99: pd.DataFrame) -> None:
    with pytest.raises(hj.DataError, match="not in the data: predictor 'income'"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, predictors=[("income", 1980, 1988)])
    with pytest.raises(hj.DataError, match="not before start=1989"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, predictors=[(OUTCOME, 1985, 1990)])
    with pytest.raises(hj.DataError, match="fit_window: 1960 is not a period of the data"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, fit_window=(1960, 1988))
    with pytest.raises(hj.DataError, match=r"solver='nnls' is not one of \['exact', 'synthdid'\]"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, solver="nnls")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="fits the outcome only"):
        synthetic_control(prop99, OUTCOME, UNIT, TIME, "California", 1989, solver="synthdid",
                          predictors=[(OUTCOME, 1980)])
    with pytest.raises(hj.DataError, match="absorbed by the unit and period effects"):
        synthetic_did(prop99.assign(level=prop99[UNIT].str.len()), OUTCOME, UNIT, TIME, "California", 1989,
                      covariates=["level"])
    with pytest.raises(hj.DataError, match="alpha must be"):
        synthetic_did(prop99, OUTCOME, UNIT, TIME, "California", 1989, alpha=2.0)


# --------------------------------------------------------------------------- the result


def test_result_presentation(sdid: SyntheticResult, sc_exact: SyntheticResult) -> None:
    frame = sdid.to_frame()
    assert list(frame.columns) == ["term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high",
                                   "conf_level", "inference", "n_obs"]
    assert frame.loc[0, "estimate"] == sdid.estimate and frame.loc[0, "n_obs"] == 1209
    text = sdid.summary()
    assert "Nevada" in text and "Time weights" in text and "Pre-period RMSPE" in text
    assert "<table class='hjeval-weights'>" in sdid._repr_html_()
    assert sdid.gap.index[0] == pd.Period("1970", "Y") and len(sdid.gap) == 31
    np.testing.assert_allclose(sdid.treated_path - sdid.synthetic_path, sdid.gap)
    assert sdid.post_pre_rmspe_ratio > 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        sdid.estimate = 0.0  # type: ignore[misc]
    for res, language in ((sdid, "da"), (sc_exact, "en")):
        figure = res.plot(language=language)
        assert isinstance(figure, Figure)
        labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
        assert labels == ["California", ("Syntetisk" if language == "da" else "Synthetic") + " California"]
    with pytest.raises(hj.DataError, match="language='de'"):
        sdid.plot(language="de")
    assert math.isfinite(sc_exact.pre_rmspe) and sc_exact.provenance["units"] == 39


def test_one_donor_is_refused_with_a_data_error() -> None:
    panel = pd.DataFrame([(m, y, float(m + y)) for m in range(2) for y in range(2000, 2010)],
                         columns=["m", "year", "y"])
    for estimator in (hj.synthetic_control, hj.synthetic_did):
        with pytest.raises(hj.DataError, match=r"needs at least 2 comparison m values.*has 1; widen comparison="):
            estimator(panel, "y", unit="m", time="year", treated=0, start=2006)
