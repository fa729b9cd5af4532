"""hj.did against published results, another library, brute force, and bad input."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hjeval as hj
from tests.panels import person_panel


def quiet_did(*args: object, **kwargs: object) -> hj.results.EffectResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return hj.did(*args, **kwargs)  # type: ignore[arg-type]


# ---- published results ---------------------------------------------------------------------

def test_prop99_did_matches_published_estimate(validation_dir: Path) -> None:
    data = pd.read_csv(validation_dir / "california_prop99.csv")
    res = hj.did(data, "PacksPerCapita", unit="State", time="Year", treated="California", start=1989)
    # Arkhangelsky et al. (2021) Table 1 via R synthdid: -27.349111 (printed to 6 decimals).
    assert res.estimate == pytest.approx(-27.349111, abs=5e-7)
    # synthdid's placebo SE is a simulation (17.74 with 200 draws, 17.60 with 1000); ours
    # enumerates all 38 re-assignments. The two draws differ by 0.8%, so 3% allows for the
    # Monte Carlo error of the published numbers and nothing more.
    assert res.se == pytest.approx(17.60, rel=0.03)
    assert res.provenance["draws"] == 38 and res.provenance["exact_enumeration"]
    assert res.ci[0] < res.estimate < res.ci[1]


def card_krueger_long(validation_dir: Path) -> pd.DataFrame:
    wide = pd.read_csv(validation_dir / "card_krueger_njmin_wide.csv")
    waves = []
    for wave, suffix in ((1, ""), (2, "2")):
        fte = wide[f"empft{suffix}"] + wide[f"nmgrs{suffix}"] + 0.5 * wide[f"emppt{suffix}"]
        waves.append(pd.DataFrame({"store": wide["sheet"], "nj": wide["state"], "wave": 1991 + wave, "fte": fte}))
    return pd.concat(waves, ignore_index=True)


def test_card_krueger_store_fixed_effects(validation_dir: Path) -> None:
    long = card_krueger_long(validation_dir).dropna(subset=["fte"])
    balanced = long[long.groupby("store")["store"].transform("size") == 2]
    res = hj.did(balanced, "fte", unit="store", group="nj", time="wave", treated=1, start=1993,
                 cluster="store")
    # Published (AER 1994, Table 3 row 4): 2.75 (1.34); full precision from the validation README.
    assert res.estimate == pytest.approx(2.750000, abs=5e-7)
    assert res.se == pytest.approx(1.337723, abs=5e-7)
    assert res.inference.method == "cluster" and res.inference.label.startswith("cluster-robust CR1")


def test_card_krueger_pooled_with_store_clusters(validation_dir: Path) -> None:
    """State and wave effects on all available stores = pooled OLS with NJ, after and NJ x after."""
    long = card_krueger_long(validation_dir)
    with pytest.warns(hj.HjevalWarning, match="missing 'fte'"):
        res = hj.did(long, "fte", unit="nj", time="wave", treated=1, start=1993, cluster="store")
    # validation README: 2.753606 (1.306607), clustered by store (published 2.76, SE 1.36)
    assert res.estimate == pytest.approx(2.753606, abs=5e-7)
    assert res.se == pytest.approx(1.306607, abs=5e-7)


def test_card_krueger_rows_with_missing_outcome_are_counted(validation_dir: Path) -> None:
    long = card_krueger_long(validation_dir)
    with pytest.warns(hj.HjevalWarning, match=r"rows left out.*missing 'fte'"):
        res = hj.did(long, "fte", unit="store", group="nj", time="wave", treated=1, start=1993,
                     cluster="store")
    missing = int(long["fte"].isna().sum())
    assert res.provenance["exclusions"] == [{"reason": "missing 'fte'", "rows": missing}]
    assert res.n_obs == len(long) - missing


# ---- independent computation: pyfixest ------------------------------------------------------

@pytest.mark.parametrize("weights", [None, "w"])
def test_person_fixed_effects_equal_pyfixest(weights: str | None) -> None:
    pf = pytest.importorskip("pyfixest")
    data = person_panel()
    res = quiet_did(data, "y", unit="pid", group="muni", time="month", treated=0,
                    start="2014-07", cycle="unemployment", weights=weights, inference="cluster")
    data = data.assign(D=((data.muni == 0) & (data.month >= pd.Period("2014-07", "M"))).astype(float),
                       month=data.month.astype(str))
    ref = pf.feols("y ~ D + unemployment | pid + month", data=data, vcov={"CRV1": "muni"},
                   weights=weights, fixef_rm="none", fixef_tol=1e-13)
    # Both solve the same normal equations; pyfixest iterates to 1e-13, we solve exactly,
    # so agreement to 1e-8 relative leaves ample room for its remaining iteration error.
    assert res.estimate == pytest.approx(ref.coef()["D"], rel=1e-8)
    assert res.se == pytest.approx(ref.se()["D"], rel=1e-8)
    cycle_row = res.to_frame().set_index("term").loc["unemployment"]
    assert cycle_row["estimate"] == pytest.approx(ref.coef()["unemployment"], rel=1e-8)
    assert cycle_row["se"] == pytest.approx(ref.se()["unemployment"], rel=1e-8)


def test_municipality_fixed_effects_equal_pyfixest() -> None:
    pf = pytest.importorskip("pyfixest")
    data = person_panel(seed=7)
    res = quiet_did(data, "y", unit="muni", time="month", treated=0, start="2014-07",
                    cycle="unemployment", inference="cluster")
    data = data.assign(D=((data.muni == 0) & (data.month >= pd.Period("2014-07", "M"))).astype(float),
                       month=data.month.astype(str))
    ref = pf.feols("y ~ D + unemployment | muni + month", data=data, vcov={"CRV1": "muni"},
                   fixef_rm="none", fixef_tol=1e-13)
    assert res.estimate == pytest.approx(ref.coef()["D"], rel=1e-8)
    assert res.se == pytest.approx(ref.se()["D"], rel=1e-8)


# ---- fast placebo algebra equals brute-force re-estimation ---------------------------------

def every_reassignment(design: object) -> object:
    """The uncorrected permutation distribution over every single-group re-assignment."""
    from hjeval.estimators.did import reassignable
    from hjeval.estimators.twfe import fit_twfe
    from hjeval.inference.permutation import PermutationDistribution

    problem = reassignable(fit_twfe(design))  # type: ignore[arg-type]
    sets = [problem.treated] + [np.array([g]) for g in problem.comparison]
    estimates, slopes = problem.evaluate(sets)
    labels = tuple(problem.set_label(a) for a in sets)
    return PermutationDistribution(estimates[:, 0], slopes[:, 0, 0], labels, True)


def test_placebo_estimates_equal_refits() -> None:
    from hjeval.design.panel import build_design
    data = person_panel(seed=3, persons=800, groups=8, months=24)
    design = build_design(data, outcome="y", unit="pid", group="muni", time="month", treated=0,
                          start="2014-01", regressors=["unemployment"])
    dist = every_reassignment(design)
    tau0 = 1.5
    after = data.month >= pd.Period("2014-01", "M")
    shifted = data.assign(y=data.y - tau0 * ((data.muni == 0) & after))
    pairs = zip(dist.labels[1:], dist.estimates[1:], dist.slopes[1:], strict=True)
    for label, estimate, slope in pairs:
        # The permutation distribution evaluates every re-assignment, on the outcome with a
        # hypothesised effect removed, by algebra; a full refit must give the same numbers.
        plain = quiet_did(data, "y", unit="pid", group="muni", time="month", treated=label,
                          start="2014-01", cycle="unemployment", inference="cluster")
        moved = quiet_did(shifted, "y", unit="pid", group="muni", time="month", treated=label,
                          start="2014-01", cycle="unemployment", inference="cluster")
        assert estimate == pytest.approx(plain.estimate, rel=1e-9, abs=1e-10)
        assert estimate - slope * tau0 == pytest.approx(moved.estimate, rel=1e-9, abs=1e-10)


def test_permutation_interval_is_where_the_pvalue_crosses_alpha() -> None:
    from hjeval.design.panel import build_design
    from hjeval.inference.permutation import invert_permutation_test

    data = person_panel(seed=11, persons=1500, groups=30, months=24)
    design = build_design(data, outcome="y", unit="pid", group="muni", time="month", treated=0,
                          start="2014-01", regressors=["unemployment"])
    dist = every_reassignment(design)
    low, high = invert_permutation_test(dist, 0.1)
    eps = 1e-6 * max(1.0, abs(high - low))
    assert dist.pvalue(low + eps) > 0.1 and dist.pvalue(low - eps) <= 0.1
    assert dist.pvalue(high - eps) > 0.1 and dist.pvalue(high + eps) <= 0.1


def test_permutation_interval_does_not_move_with_rounding_of_the_estimates() -> None:
    from hjeval.inference.permutation import PermutationDistribution, invert_permutation_test

    # The interval's ends are points where an assignment ties with the actual one; rounding in the
    # last digits (another engine's order of summation) must not decide whether the tie counts.
    rng = np.random.default_rng(4)
    estimates = np.r_[-0.1016, rng.normal(0.0, 0.005, 60)]
    slopes = np.r_[1.0, rng.normal(0.0, 0.02, 60)]  # the actual assignment: slope 1
    exact = invert_permutation_test(PermutationDistribution(estimates, slopes, tuple(range(61)), True), 0.05)
    for _ in range(40):
        # the actual assignment's own slope is computed too: 1 up to rounding
        noise = 1 + rng.uniform(-2e-13, 2e-13, 61)
        dist = PermutationDistribution(estimates * noise, slopes * noise[::-1], tuple(range(61)), True)
        assert invert_permutation_test(dist, 0.05) == pytest.approx(exact, rel=1e-11, abs=1e-13)


def test_conley_taber_uses_comparison_residuals() -> None:
    data = person_panel(seed=2, persons=1500, groups=25, months=24)
    res = quiet_did(data, "y", unit="muni", time="month", treated=0, start="2014-01",
                    inference="conley-taber")
    assert res.inference.label.startswith("Conley-Taber over 24")
    assert res.ci[0] < res.estimate < res.ci[1]


def test_cluster_inference_warns_with_one_treated_cluster() -> None:
    data = person_panel(seed=1, persons=600, groups=10, months=12)
    with pytest.warns(hj.HjevalWarning, match=r"only 1 treated cluster"):
        hj.did(data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07",
               inference="cluster")


def test_default_inference_with_one_treated_group_is_placebo() -> None:
    res = quiet_did(person_panel(seed=4, persons=600, groups=12, months=12), "y", unit="pid",
                    group="muni", time="month", treated=0, start="2013-07")
    assert res.inference.label.startswith("placebo permutation over 11")


# ---- results ---------------------------------------------------------------------------------

def test_result_table_text_and_html() -> None:
    res = quiet_did(person_panel(seed=4, persons=600, groups=12, months=12), "y", unit="pid",
                    group="muni", time="month", treated=0, start="2013-07", cycle="unemployment")
    table = res.to_frame()
    assert list(table.columns) == ["term", "estimate", "se", "statistic", "p_value",
                                   "ci_low", "ci_high", "conf_level", "inference", "n_obs"]
    assert table["term"].tolist() == ["treatment", "unemployment"]
    assert "Estimate" in res.summary() and "<table" in res._repr_html_()
    parts = res.decomposition
    explained = sum(v for k, v in parts.items() if k != "raw_change")
    assert explained == pytest.approx(parts["raw_change"], abs=1e-9)


def test_caller_frame_is_not_mutated() -> None:
    data = person_panel(seed=9, persons=300, groups=6, months=12)
    before = data.copy()
    quiet_did(data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07")
    pd.testing.assert_frame_equal(data, before)


# ---- large panels: chunked passes and memory ----------------------------------------------------

def _tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from hjeval.design import panel, rows, twoway

    monkeypatch.setattr(rows, "CHUNK_VALUES", 40)
    monkeypatch.setattr(twoway, "CHUNK_VALUES", 40)
    monkeypatch.setattr(panel, "_FACTORIZE_ROWS", 10)


@pytest.mark.parametrize("inference", ["cluster", "placebo", "conley-taber"])
@pytest.mark.parametrize("unit", ["pid", "muni"])
def test_results_do_not_depend_on_chunk_size(monkeypatch: pytest.MonkeyPatch, inference: str, unit: str) -> None:
    # with chunks of a few rows every pass crosses unit boundaries, and persons are coded by runs
    data = person_panel(seed=4, persons=500, groups=12, months=24)
    kwargs = dict(unit=unit, group="muni", time="month", treated=0, start="2014-01", cycle="unemployment",
                  inference=inference)
    whole = quiet_did(data, "y", **kwargs)
    _tiny_chunks(monkeypatch)
    chunked = quiet_did(data, "y", **kwargs)
    assert chunked.estimate == pytest.approx(whole.estimate, rel=1e-11)
    assert chunked.se == pytest.approx(whole.se, rel=1e-9)
    for name, value in whole.decomposition.items():
        assert chunked.decomposition[name] == pytest.approx(value, rel=1e-9, abs=1e-10)


def test_event_study_does_not_depend_on_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    data = person_panel(seed=8, persons=500, groups=12, months=24).sample(frac=1.0, random_state=2)
    kwargs = dict(unit="pid", group="muni", time="month", treated=[0, 1], start="2014-01", inference="cluster")
    with pytest.warns(hj.HjevalWarning, match="treated cluster"):
        whole = hj.event_study(data, "y", **kwargs).to_frame()
    _tiny_chunks(monkeypatch)
    with pytest.warns(hj.HjevalWarning, match="treated cluster"):
        chunked = hj.event_study(data, "y", **kwargs).to_frame()
    pd.testing.assert_frame_equal(chunked, whole, rtol=1e-9)


def test_unit_codes_from_runs_equal_factorize(monkeypatch: pytest.MonkeyPatch) -> None:
    from hjeval.design import panel

    monkeypatch.setattr(panel, "_FACTORIZE_ROWS", 10)
    ids = pd.Series(np.repeat([907, 13, 55, 13, 2], [3, 1, 4, 2, 5]).astype(np.int64))
    for values in (ids, ids.sample(frac=1.0, random_state=1)):
        assert panel._unit_codes(values).tolist() == pd.factorize(values)[0].tolist()


def test_design_reads_float_columns_in_place() -> None:
    from hjeval.design.panel import build_design

    data = person_panel(seed=3, persons=200, groups=6, months=12)
    design = build_design(data, outcome="y", unit="pid", group="muni", time="month", treated=0,
                          start="2013-07", regressors=["unemployment"])
    assert np.shares_memory(design.y, data["y"].to_numpy())
    assert np.shares_memory(design.regressors, data["unemployment"].to_numpy())
    assert design.unit.dtype == design.group.dtype == design.period.dtype == np.int32


def test_fit_allocates_less_than_the_columns_it_uses() -> None:
    import tracemalloc

    data = person_panel(seed=1, persons=40_000, groups=30, months=48)
    used = data[["pid", "muni", "month", "y", "unemployment"]].memory_usage(index=False).sum()
    tracemalloc.start()
    try:
        quiet_did(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07",
                  cycle="unemployment", inference="cluster")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # int32 codes (12 bytes a row) and chunk-sized temporaries; no full-length float copies
    assert peak < used


# ---- invariances -------------------------------------------------------------------------------

SMALL = person_panel(seed=21, persons=400, groups=8, months=12)
BASE = quiet_did(SMALL, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07",
                 cycle="unemployment", inference="cluster")


@settings(max_examples=15, deadline=None)
@given(shift=st.floats(-1e3, 1e3), scale=st.floats(0.01, 100), seed=st.integers(0, 2**16))
def test_invariances(shift: float, scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    relabel = dict(zip(range(8), rng.permutation(np.arange(100, 108)), strict=True))
    data = SMALL.sample(frac=1.0, random_state=seed).assign(muni=lambda d: d.muni.map(relabel))
    moved = quiet_did(data.assign(y=data.y + shift), "y", unit="pid", group="muni", time="month",
                      treated=relabel[0], start="2013-07", cycle="unemployment", inference="cluster")
    assert moved.estimate == pytest.approx(BASE.estimate, rel=1e-9, abs=1e-9)
    assert moved.se == pytest.approx(BASE.se, rel=1e-7)
    scaled = quiet_did(data.assign(y=data.y * scale), "y", unit="pid", group="muni", time="month",
                       treated=relabel[0], start="2013-07", cycle="unemployment", inference="cluster")
    assert scaled.estimate == pytest.approx(BASE.estimate * scale, rel=1e-9)
    assert scaled.se == pytest.approx(BASE.se * scale, rel=1e-7)


# ---- bad input --------------------------------------------------------------------------------

def call(data: pd.DataFrame, **changes: object) -> None:
    kwargs: dict[str, object] = dict(outcome="y", unit="pid", group="muni", time="month",
                                     treated=0, start="2013-07")
    kwargs.update(changes)
    quiet_did(data, **kwargs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"treated": 99}, r"treated=99 is not a value of column 'muni'"),
        ({"start": "2013-01"}, r"no pre-period or no post-period"),
        ({"start": "2020-01"}, r"no pre-period or no post-period"),
        ({"start": "2013Q3"}, r"start='2013Q3' is a Q-DEC period but column 'month' holds period\[M\]"),
        ({"outcome": "hours"}, r"outcome='hours'.*the data has"),
        ({"covariates": ["u2", "u3"]}, r"collinear"),
        ({"covariates": ["fixed"]}, r"absorbed by the fixed effects"),
        ({"cluster": "shifting"}, r"cluster column 'shifting' varies within units"),
        ({"inference": "bootstrap"}, r"inference='bootstrap' is not one of"),
        ({"comparison": "jutland"}, r"comparison='jutland' is not a named pool"),
    ],
)
def test_bad_input(changes: dict[str, object], message: str) -> None:
    data = person_panel(seed=8, persons=300, groups=6, months=12)
    data["u2"] = data["unemployment"] * 2
    data["u3"] = data["unemployment"] * 4 + 1
    data["fixed"] = data["pid"] * 1.5
    data["shifting"] = np.arange(len(data)) % 3
    with pytest.raises(hj.DataError, match=message):
        call(data, **changes)


def test_treated_group_without_pre_period() -> None:
    data = person_panel(seed=8, persons=300, groups=6, months=12)
    late = data[~((data.muni == 0) & (data.month < pd.Period("2013-07", "M")))]
    with pytest.raises(hj.DataError, match="the treated group has no rows before"):
        call(late)


def test_constant_treatment() -> None:
    data = person_panel(seed=8, persons=300, groups=6, months=12)
    only_treated = data[data.muni == 0]
    with pytest.raises(hj.DataError, match="no comparison group"):
        call(only_treated)


# ---- comparison pools ---------------------------------------------------------------------------

def municipality_panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = sorted(hj.data.municipalities.MUNICIPALITIES)
    frame = pd.DataFrame([(c, y) for c in codes for y in range(2010, 2020)], columns=["municipality", "year"])
    frame["hours"] = rng.normal(size=len(frame)) + 50 * ((frame.municipality == 860) & (frame.year >= 2015))
    return frame


@pytest.mark.parametrize(("pool", "size"), [("north_jutland", 10), ("rural", 8), ("all", 97), (None, 97)])
def test_named_comparison_pools(pool: str | None, size: int) -> None:
    data = municipality_panel()
    res = quiet_did(data, "hours", unit="municipality", time="year", treated=860, start=2015, comparison=pool)
    assert res.provenance["groups"] == size + 1
    assert len(res.placebo) == size
    expected = hj.comparison_pool(pool) if pool else sorted(set(data.municipality) - {860})
    assert sorted(res.placebo.index) == expected
    left_out = (len(hj.data.municipalities.MUNICIPALITIES) - size - 1) * 10
    assert sum(e["rows"] for e in res.provenance["exclusions"]) == left_out


def test_explicit_comparison_list_and_unknown_member() -> None:
    data = municipality_panel()
    res = quiet_did(data, "hours", unit="municipality", time="year", treated=860, start=2015,
                    comparison=[846, 813, 810])
    assert sorted(res.placebo.index) == [810, 813, 846]
    assert res.comparison == "list: 846, 813, 810"
    with pytest.raises(hj.DataError, match=r"comparison=9999 is not a value of column .municipality."):
        hj.did(data, "hours", unit="municipality", time="year", treated=860, start=2015, comparison=[846, 9999])


def test_degenerate_placebo_assignments_are_reported_not_used() -> None:
    data = person_panel(seed=6, persons=900, groups=10, months=12)
    # municipality 9 has no rows after the start: treating it there identifies nothing
    data = data[~((data.muni == 9) & (data.month >= pd.Period("2013-07", "M")))]
    with pytest.warns(hj.HjevalWarning, match=r"1 placebo re-assignment\(s\) left out"):
        res = hj.did(data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07")
    assert res.provenance["draws"] == 8 and res.provenance["degenerate_draws"] == 1
    assert 9 not in res.placebo.index and np.isfinite(res.placebo).all()
    with pytest.warns(hj.HjevalWarning, match="left out"):
        es = hj.event_study(data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07",
                            window=(-2, 2), bin_width=3)
    assert es.provenance["degenerate_draws"] == 1


@pytest.mark.parametrize("months_seen", [12, 23, 26])
def test_a_group_whose_persons_are_seen_only_after_the_start_is_a_degenerate_reassignment(months_seen: int) -> None:
    data = person_panel(seed=6, persons=900, groups=10, months=36)
    # municipality 9 is one person seen only from the start on: the person effect absorbs its indicator,
    # so a placebo there estimates nothing, and its projected indicator is rounding noise, not zero
    months = pd.period_range("2014-07", periods=months_seen, freq="M")
    person = pd.DataFrame({"pid": 10**6, "muni": 9, "month": months, "w": 1.0,
                           "unemployment": np.linspace(0.3, 1.7, months_seen),
                           "y": np.linspace(0.0, 3.0, months_seen) ** 1.5})
    data = pd.concat([data[data.muni != 9], person], ignore_index=True)
    with pytest.warns(hj.HjevalWarning, match=r"1 placebo re-assignment\(s\) left out"):
        res = hj.did(data, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07",
                     cycle="unemployment")
    assert res.provenance["degenerate_draws"] == 1 and 9 not in res.placebo.index


def test_rows_left_out_are_warned_at_the_caller_of_every_two_way_estimator() -> None:
    data = person_panel(seed=1, persons=400, groups=8, months=24)
    data.loc[[3, 5], "y"] = np.nan
    data["dose"] = 50.0 + data["muni"] - 20.0 * ((data["muni"] == 0) & (data["month"] >= pd.Period("2014-01", "M")))
    common = dict(unit="pid", group="muni", time="month", treated=0, start="2014-01")
    for estimator, kwargs in ((hj.did, {}), (hj.event_study, {"window": (-2, 2)}),
                              (hj.phased_did, {"phases": {"a": "2014-01", "b": "2014-07"}}),
                              (hj.dose_response, {"dose": "dose"})):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            estimator(data, "y", **common, **kwargs)  # type: ignore[operator]
        left_out = [w for w in caught if "rows left out of the estimation: 2 rows" in str(w.message)]
        assert [w.filename for w in left_out] == [__file__], estimator.__name__


def test_degenerate_placebo_warning_points_at_the_caller() -> None:
    data = person_panel(seed=6, persons=900, groups=10, months=12)
    data = data[~((data.muni == 9) & (data.month >= pd.Period("2013-07", "M")))]
    for estimator, kwargs in ((hj.did, {}), (hj.event_study, {"window": (-2, 2), "bin_width": 3})):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            estimator(data, "y", unit="pid", group="muni", time="month", treated=0, start="2013-07", **kwargs)
        left_out = [w for w in caught if "left out" in str(w.message)]
        assert left_out and left_out[0].filename == __file__
