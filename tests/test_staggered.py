"""staggered_did against R did on mpdta, a known truth, invariances, castle doctrine and bad input.

Reference numbers are those of ``../shared/validation/README.md``: R did 2.5.1,
``att_gt(yname="lemp", tname="year", idname="countyreal", gname="first.treat",
data=mpdta, control_group="nevertreated", est_method="reg")`` with analytic
standard errors, its ``aggte`` of each type, the DR call with ``xformla=~lpop``
and the Wald pre-test of ``att_gt`` (rounded to 5 digits by R did).
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import hjeval as hj
from hjeval.estimators.staggered import staggered_did

MPDTA = {"outcome": "lemp", "unit": "countyreal", "time": "year", "cohort": "first.treat"}

ATT_GT = {  # (group, time): (ATT, SE)
    (2004, 2004): (-0.010503, 0.023251), (2004, 2005): (-0.070423, 0.030985),
    (2004, 2006): (-0.137259, 0.036436), (2004, 2007): (-0.100811, 0.034359),
    (2006, 2004): (0.006520, 0.023327), (2006, 2005): (-0.002751, 0.019559),
    (2006, 2006): (-0.004595, 0.017755), (2006, 2007): (-0.041224, 0.020229),
    (2007, 2004): (0.030507, 0.015034), (2007, 2005): (-0.002726, 0.016396),
    (2007, 2006): (-0.031087, 0.017878), (2007, 2007): (-0.026054, 0.016655),
}
DYNAMIC = {-3: 0.030507, -2: -0.000563, -1: -0.024459, 0: -0.019932, 1: -0.050957, 2: -0.137259, 3: -0.100811}
GROUP = {2004: -0.079749, 2006: -0.022910, 2007: -0.026054}
SIX = 1e-6  # the README prints six decimals


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return func(*args, **kwargs)


@pytest.fixture(scope="module")
def mpdta(validation_dir: Path) -> pd.DataFrame:
    return pd.read_csv(validation_dir / "mpdta.csv")


@pytest.fixture(scope="module")
def cs(mpdta: pd.DataFrame) -> hj.results.base.Result:
    return staggered_did(mpdta, **MPDTA)


def test_att_gt_and_standard_errors_equal_r_did(cs) -> None:  # type: ignore[no-untyped-def]
    table = cs.att_gt.set_index(["group", "time"])
    assert len(table) == 12
    for key, (att, se) in ATT_GT.items():
        assert table.loc[key, "att"] == pytest.approx(att, abs=SIX)
        assert table.loc[key, "se"] == pytest.approx(se, abs=SIX)
    assert list(cs.att_gt.columns[:4]) == ["group", "time", "rel_time", "att"]


def test_aggregations_equal_r_did(cs) -> None:  # type: ignore[no-untyped-def]
    simple = cs.aggregate("simple")
    assert (simple.estimate, simple.se) == pytest.approx((-0.039951, 0.012034), abs=SIX)
    assert (cs.estimate, cs.se) == (simple.estimate, simple.se)
    dynamic = cs.aggregate("dynamic")
    frame = dynamic.to_frame()
    assert list(frame.columns[:6]) == ["rel_time", "estimate", "se", "ci_low", "ci_high", "p_value"]
    assert dict(zip(frame.rel_time, frame.estimate, strict=True)) == pytest.approx(DYNAMIC, abs=SIX)
    assert (dynamic.estimate, dynamic.se) == pytest.approx((-0.077240, 0.019965), abs=SIX)
    group = cs.aggregate("group")
    assert dict(zip(group.to_frame().group, group.to_frame().estimate, strict=True)) == pytest.approx(GROUP, abs=SIX)
    assert group.estimate == pytest.approx(-0.031018, abs=SIX)
    calendar = cs.aggregate("calendar")
    assert (calendar.estimate, calendar.se) == pytest.approx((-0.041700, 0.015972), abs=SIX)
    assert cs.to_frame()["term"].tolist() == ["simple", "dynamic", "group", "calendar"]


def test_group_overall_se_follows_r_did_2_5_1_and_the_readme_value_is_the_older_formula(  # type: ignore[no-untyped-def]
        cs, mpdta: pd.DataFrame) -> None:
    """R did 2.5.1 adds the cohort-share influence term per cohort (its commit 9229716, March 2025).

    The README's 0.012415 is what R did computed before that fix, when the
    term was built from the first cells' cohorts instead of each cohort: the
    same arithmetic done that way here gives it, so the difference is the fix.
    """
    from hjeval.estimators import staggered as module
    from hjeval.estimators._att_gt import aggregate, estimate_cells

    assert cs.aggregate("group").se == pytest.approx(0.0124461, abs=SIX)
    prepared = module._prepare(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat",
                               control="never", covariates=[], anticipation=0, cluster=None, weights=None)
    arrays = prepared.arrays
    cells = estimate_cells(arrays, prepared.groups, control="never", est_method="reg", base_period="varying",
                           anticipation=0)
    group = aggregate("group", cells, arrays.weight, arrays.cohort)
    cohorts = np.unique(cells.plan.group)
    pg = np.array([np.mean(arrays.weight * (arrays.cohort == g)) for g in cohorts])
    first_cells = cells.plan.group[: len(cohorts)]  # R did before the fix: group[k] of the cell list, k = 1..3
    centered = arrays.weight[:, None] * (arrays.cohort[:, None] == first_cells[None, :]) - pg[None, :]
    wif = centered / pg.sum() - centered.sum(axis=1, keepdims=True) * (pg / pg.sum() ** 2)[None, :]
    older = group.influence @ (pg / pg.sum()) + wif @ group.estimates
    assert np.sqrt(np.sum(older**2)) / arrays.n == pytest.approx(0.012415, abs=SIX)


def test_doubly_robust_with_covariate_equals_r_did(mpdta: pd.DataFrame) -> None:
    dr = staggered_did(mpdta, **MPDTA, covariates=["lpop"], est_method="dr", band="pointwise")
    assert (dr.estimate, dr.se) == pytest.approx((-0.041752, 0.011503), abs=SIX)
    reg = staggered_did(mpdta, **MPDTA, covariates=["lpop"], est_method="reg", band="pointwise")
    assert abs(reg.estimate - dr.estimate) < 0.01  # both condition on lpop


def test_wald_pretest_equals_r_did(cs) -> None:  # type: ignore[no-untyped-def]
    assert cs.pretrend["df"] == 5
    assert round(cs.pretrend["pvalue"], 5) == pytest.approx(0.16812, abs=1e-12)
    assert "Wald chi2(5)" in cs.pretrend["method"]


def test_inference_record_and_bands(cs, mpdta: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    record = cs.inference
    assert record.method == "cluster" and record.cluster_by == "countyreal" and record.clusters == 500
    assert record.draws == 999 and record.bootstrap_weights == "rademacher" and record.seed == 0
    assert any("influence-function variance" in note for note in record.notes)
    assert any("multiplier bootstrap" in note for note in record.notes)
    table = cs.att_gt
    assert (table.band_low <= table.ci_low + 1e-12).all() and (table.band_high >= table.ci_high - 1e-12).all()
    assert 2.0 < cs.critical_value < 4.0
    again = staggered_did(mpdta, **MPDTA)
    pd.testing.assert_frame_equal(again.att_gt, table)  # the seed fixes the draws
    boot = staggered_did(mpdta, **MPDTA, inference="multiplier-bootstrap", bootstrap_weights="mammen", seed=7)
    assert boot.inference.bootstrap_weights == "mammen" and boot.inference.seed == 7
    assert boot.att_gt.se.to_numpy() == pytest.approx(table.se.to_numpy(), rel=0.15)
    assert boot.att_gt.att.to_numpy() == pytest.approx(table.att.to_numpy(), abs=1e-15)
    pointwise = staggered_did(mpdta, **MPDTA, band="pointwise")
    assert pointwise.inference.draws == 0 and pointwise.att_gt.band_low.isna().all()


def simulate(seed: int, units: int = 900, years: int = 8) -> tuple[pd.DataFrame, dict[tuple[int, int], float]]:
    """Cohorts 2003, 2005, 2006 and never treated; ATT(g,t) = 1 + 0.5 (g - 2003) + 0.4 (t - g), zero before."""
    rng = np.random.default_rng(seed)
    first = rng.choice([2003, 2005, 2006, 0], size=units, p=[0.2, 0.2, 0.2, 0.4])
    panel = pd.DataFrame([(i, 2000 + s, first[i]) for i in range(units) for s in range(years)],
                         columns=["id", "year", "cohort"])
    truth = {(g, t): 1 + 0.5 * (g - 2003) + 0.4 * (t - g) if t >= g else 0.0
             for g in (2003, 2005, 2006) for t in range(2001, 2000 + years)}
    g, t = panel["cohort"].to_numpy(), panel["year"].to_numpy()
    effect = np.array([truth.get((a, b), 0.0) for a, b in zip(g, t, strict=True)])
    panel["y"] = (rng.normal(size=units)[panel.id] + 0.3 * (t - 2000) + effect
                  + rng.normal(scale=0.8, size=len(panel)))
    return panel, truth


def test_known_heterogeneous_effects_are_recovered() -> None:
    panel, truth = simulate(seed=3)
    fit = staggered_did(panel, "y", "id", "year", "cohort")
    table = fit.att_gt
    true = np.array([truth[(g, t)] for g, t in zip(table.group, table.time, strict=True)])
    assert ((table.band_low <= true) & (true <= table.band_high)).all()
    assert (np.abs(table.att - true) < 4 * table.se).all()
    # the aggregates' truths, from the true cells with the cohorts' shares
    sizes = panel.drop_duplicates("id").cohort.value_counts()
    post = table[table.post]
    share = sizes[post.group].to_numpy()
    simple_truth = float(np.sum(share * true[table.post]) / share.sum())
    assert fit.ci[0] < simple_truth < fit.ci[1]
    dynamic = fit.aggregate("dynamic").to_frame().set_index("rel_time")
    for e, row in dynamic.iterrows():
        cells = table.rel_time == e
        expected = float(np.sum(sizes[table.group[cells]].to_numpy() * true[cells])
                         / sizes[table.group[cells]].sum())
        assert row.band_low <= expected <= row.band_high
    assert fit.pretrend["pvalue"] > 0.01


def test_universal_base_period_keeps_post_cells_and_normalises_the_reference(mpdta: pd.DataFrame) -> None:
    varying = staggered_did(mpdta, **MPDTA, band="pointwise")
    universal = staggered_did(mpdta, **MPDTA, base_period="universal", band="pointwise")
    post_v = varying.att_gt[varying.att_gt.post].reset_index(drop=True)
    post_u = universal.att_gt[universal.att_gt.post].reset_index(drop=True)
    assert post_u.att.to_numpy() == pytest.approx(post_v.att.to_numpy(), abs=1e-14)
    reference = universal.att_gt[universal.att_gt.rel_time == -1]
    assert (reference.att == 0).all() and reference.se.isna().all()
    assert universal.estimate == pytest.approx(varying.estimate, abs=1e-14)
    # with the universal base, a pre-period cell is the change from t to g - 1, with its sign turned
    pre = universal.att_gt.set_index(["group", "time"]).loc[(2007, 2004), "att"]
    means = mpdta.pivot_table(index="first.treat", columns="year", values="lemp")
    change = (means.loc[2007, 2004] - means.loc[2007, 2006]) - (means.loc[0, 2004] - means.loc[0, 2006])
    assert pre == pytest.approx(change, abs=1e-12)


def test_anticipation_moves_the_base_period(mpdta: pd.DataFrame) -> None:
    fit = quiet(staggered_did, mpdta, **MPDTA, anticipation=1, band="pointwise")
    # cohort 2004 has no period before 2004 - 1 = 2003 left: it is left out (counted)
    assert 2004 not in set(fit.att_gt.group)
    assert any("first period" in e["reason"] for e in fit.provenance["exclusions"])
    cell = fit.att_gt.set_index(["group", "time"]).loc[(2007, 2007), "att"]
    means = mpdta.pivot_table(index="first.treat", columns="year", values="lemp")
    change = (means.loc[2007, 2007] - means.loc[2007, 2005]) - (means.loc[0, 2007] - means.loc[0, 2005])
    assert cell == pytest.approx(change, abs=1e-12)


def relabelled(panel: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = panel["id"].unique()
    names = dict(zip(ids, [f"u{v}" for v in rng.permutation(len(ids))], strict=True))
    return panel.assign(id=panel["id"].map(names))


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_invariances(seed: int, shift: float) -> None:
    panel, _ = simulate(seed=seed % 7, units=240, years=6)
    base = staggered_did(panel, "y", "id", "year", "cohort", band="pointwise")
    rng = np.random.default_rng(seed)
    variants = {
        "relabelled": relabelled(panel, seed),
        "shuffled": panel.sample(frac=1.0, random_state=int(rng.integers(1 << 31))),
        "shifted": panel.assign(y=panel.y + shift),
    }
    for name, frame in variants.items():
        other = staggered_did(frame, "y", "id", "year", "cohort", band="pointwise")
        for column in ("att", "se"):
            assert other.att_gt[column].to_numpy() == pytest.approx(base.att_gt[column].to_numpy(), abs=1e-9), name
        for kind in ("dynamic", "group", "calendar"):
            assert other.aggregate(kind).to_frame().se.to_numpy() == pytest.approx(
                base.aggregate(kind).to_frame().se.to_numpy(), abs=1e-9), name
        assert other.pretrend["statistic"] == pytest.approx(base.pretrend["statistic"], rel=1e-7), name


def test_row_order_does_not_change_the_bootstrap() -> None:
    panel, _ = simulate(seed=1, units=200, years=5)
    one = staggered_did(panel, "y", "id", "year", "cohort")
    two = staggered_did(panel.sample(frac=1.0, random_state=4), "y", "id", "year", "cohort")
    pd.testing.assert_frame_equal(one.att_gt, two.att_gt, atol=1e-12, rtol=0)


def test_unit_weights_and_clusters(mpdta: pd.DataFrame) -> None:
    plain = staggered_did(mpdta, **MPDTA, band="pointwise")
    weighted = staggered_did(mpdta.assign(w=3.0), **MPDTA, weights="w", band="pointwise")
    assert weighted.att_gt.se.to_numpy() == pytest.approx(plain.att_gt.se.to_numpy(), rel=1e-12)
    by_unit = staggered_did(mpdta, **MPDTA, cluster="countyreal", band="pointwise")
    assert by_unit.att_gt.se.to_numpy() == pytest.approx(plain.att_gt.se.to_numpy(), rel=1e-12)
    # coarser clusters: counties grouped in 50 blocks, the SE is the cluster-sum form
    blocks = mpdta.assign(block=pd.factorize(mpdta.countyreal)[0] // 10)
    clustered = staggered_did(blocks, **MPDTA, cluster="block", band="pointwise")
    assert clustered.inference.clusters == 50 and clustered.inference.cluster_by == "block"
    assert clustered.att_gt.att.to_numpy() == pytest.approx(plain.att_gt.att.to_numpy(), abs=1e-15)
    assert not np.allclose(clustered.att_gt.se, plain.att_gt.se)
    # a weighted fit equals the fit with each unit repeated as many times as its weight
    w = (mpdta.countyreal % 3 + 1).astype(float)
    repeated = mpdta.loc[mpdta.index.repeat(w.astype(int))].copy()
    repeated["countyreal"] = repeated["countyreal"].astype(str) + "_" + repeated.groupby(
        ["countyreal", "year"]).cumcount().astype(str)
    a = staggered_did(mpdta.assign(w=w), **MPDTA, weights="w", band="pointwise")
    b = staggered_did(repeated, **MPDTA, band="pointwise")
    assert a.att_gt.att.to_numpy() == pytest.approx(b.att_gt.att.to_numpy(), abs=1e-12)
    assert a.estimate == pytest.approx(b.estimate, abs=1e-12)


def test_monthly_periods_count_calendar_distance() -> None:
    """Monthly data lacking every other month: event time is counted in months all the same."""
    panel, _ = simulate(seed=2, units=300, years=8)
    month = {y: (pd.Period("2015-01", "M") + 2 * (y - 2000)).strftime("%Y-%m") for y in range(2000, 2008)}
    monthly = panel.assign(month=panel.year.map(month),
                           first=panel.cohort.map(lambda g: month[g] if g else np.nan))
    fit = staggered_did(monthly, "y", "id", "month", "first")
    yearly = staggered_did(panel, "y", "id", "year", "cohort")
    assert fit.att_gt.att.to_numpy() == pytest.approx(yearly.att_gt.att.to_numpy(), abs=1e-12)
    assert fit.att_gt.rel_time.tolist() == (2 * yearly.att_gt.rel_time).tolist()
    assert fit.att_gt.time.iloc[0] == "2015-03" and fit.treated == ("2015-07", "2015-11", "2016-01")
    quarterly = staggered_did(panel.assign(q=panel.year.map(lambda y: f"{y}Q1"),
                                           g=panel.cohort.map(lambda g: f"{g}Q1" if g else 0)),
                              "y", "id", "q", "g", band="pointwise")
    assert quarterly.att_gt.rel_time.tolist() == (4 * yearly.att_gt.rel_time).tolist()


def test_not_yet_treated_on_castle_doctrine(validation_dir: Path) -> None:
    castle = pd.read_csv(validation_dir / "castle_doctrine.csv")
    with pytest.warns(hj.HjevalWarning, match="single sid cluster"):
        fit = staggered_did(castle, "l_homicide", "sid", "year", "effyear", control="notyet")
    assert fit.comparison == "not yet treated" and fit.treated == (2005, 2006, 2007, 2008, 2009)
    assert np.isfinite(fit.att_gt[["att", "se", "band_low", "band_high"]].to_numpy()).all()
    for kind in ("simple", "dynamic", "group", "calendar"):
        agg = fit.aggregate(kind)
        assert np.isfinite([agg.estimate, agg.se, *agg.ci]).all()
    # the two one-state cohorts make the pre-period covariance singular (rank 22 of 30): no Wald statistic,
    # as R did refuses it too, and the reason is given
    assert np.isnan(fit.pretrend["pvalue"]) and fit.pretrend["method"] == (
        "none (singular covariance of the pre-treatment cells)")
    without = castle[~castle.effyear.isin([2005, 2009])]
    assert np.isfinite(staggered_did(without, "l_homicide", "sid", "year", "effyear", control="notyet",
                                     band="pointwise").pretrend["pvalue"])
    assert any("not valid" in note for note in fit.inference.notes)
    with pytest.warns(hj.HjevalWarning):
        never = staggered_did(castle, "l_homicide", "sid", "year", "effyear", band="pointwise")
    # not-yet-treated comparisons use more states before the later cohorts start
    counts = fit.att_gt.control_units.to_numpy() - never.att_gt.control_units.to_numpy()
    assert (counts >= 0).all() and (counts > 0).any()
    assert (never.att_gt.control_units == 29).all()


def test_not_yet_treated_without_never_treated_units(mpdta: pd.DataFrame) -> None:
    treated_only = mpdta[mpdta["first.treat"] > 0]
    with pytest.warns(hj.HjevalWarning, match="last cohort"):
        fit = staggered_did(treated_only, **MPDTA, control="notyet", band="pointwise")
    assert set(fit.att_gt.group) == {2004, 2006} and fit.att_gt.time.max() == 2006
    assert fit.provenance["exclusions"][0]["rows"] == 191  # the 2007 rows of the 191 treated counties
    with pytest.raises(hj.DataError, match="no never-treated units"):
        staggered_did(treated_only, **MPDTA)


def test_single_unit_cohort_warns_and_says_so() -> None:
    panel, _ = simulate(seed=5, units=200, years=6)
    panel.loc[panel.id == 0, "cohort"] = 2004
    with pytest.warns(hj.HjevalWarning, match="cohort\\(s\\) 2004 lie in a single id cluster"):
        fit = staggered_did(panel, "y", "id", "year", "cohort", band="pointwise")
    assert any("not valid" in note for note in fit.inference.notes)
    assert any("not valid" in note for note in fit.aggregate("dynamic").inference.notes)


def test_unbalanced_panel_drops_and_counts_units(mpdta: pd.DataFrame) -> None:
    holes = mpdta.drop(index=mpdta.index[(mpdta.countyreal.isin([8001, 8019])) & (mpdta.year == 2005)])
    with pytest.warns(hj.HjevalWarning, match="not observed in every period"):
        fit = staggered_did(holes, **MPDTA, band="pointwise")
    exclusion = next(e for e in fit.provenance["exclusions"] if "balanced" in e["reason"])
    assert exclusion == {"reason": "unit not observed in every period (a balanced panel is needed)",
                         "rows": 8, "units": 2}
    assert fit.provenance["units"] == 498 and fit.n_obs == 498 * 5
    missing = mpdta.assign(lemp=mpdta.lemp.where(mpdta.index != 3))
    with pytest.warns(hj.HjevalWarning, match="missing 'lemp'"):
        fit = staggered_did(missing, **MPDTA, band="pointwise")
    assert fit.provenance["units"] == 499


def test_bad_input_names_argument_column_and_rows(mpdta: pd.DataFrame) -> None:
    switching = mpdta.copy()
    switching.loc[(switching.countyreal == 8001) & (switching.year == 2007), "first.treat"] = 2006
    pattern = r"'first.treat' \(cohort\) varies within 1 countyreal.*8001: 2007 in rows 0, 1, 2, 3.*2006 in row 4"
    with pytest.raises(hj.DataError, match=pattern):
        staggered_did(switching, **MPDTA)
    months = mpdta.assign(**{"first.treat": mpdta["first.treat"].map(lambda g: f"{g}-03" if g else 0)})
    with pytest.raises(hj.DataError, match=r"'first.treat' \(cohort\) has values that are not periods.*'2007-03'"):
        staggered_did(months, **MPDTA)
    half = mpdta.assign(**{"first.treat": mpdta["first.treat"].replace(2006, 2006.5)})
    with pytest.raises(hj.DataError, match=r"2006\.5"):
        staggered_did(half, **MPDTA)
    with pytest.raises(hj.DataError, match=r"control='nevertreated' is not one of \['never', 'notyet'\]"):
        staggered_did(mpdta, **MPDTA, control="nevertreated")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match=r"est_method='ipw' is not one of \['reg', 'dr'\]"):
        staggered_did(mpdta, **MPDTA, est_method="ipw")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="inference='placebo' is not one of"):
        staggered_did(mpdta, **MPDTA, inference="placebo")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="column\\(s\\) not in the data: covariates\\[0\\]='pop'"):
        staggered_did(mpdta, **MPDTA, covariates=["pop"])
    doubled = pd.concat([mpdta, mpdta.iloc[[7]]])
    with pytest.raises(hj.DataError, match="2 rows repeat a \\(countyreal, year\\) pair"):
        staggered_did(doubled, **MPDTA)
    moving = mpdta.assign(state=np.where(mpdta.year == 2003, 1, 2))
    with pytest.raises(hj.DataError, match=r"'state' \(cluster\) varies within 500 countyreal"):
        staggered_did(moving, **MPDTA, cluster="state")
    text = mpdta.assign(lemp=mpdta.lemp.astype(str).where(mpdta.index != 2, "n/a"))
    with pytest.raises(hj.DataError, match=r"'lemp' \(outcome\) must hold numbers.*'n/a'.*row 2"):
        staggered_did(text, **MPDTA)
    with pytest.raises(hj.DataError, match="anticipation must be a whole number"):
        staggered_did(mpdta, **MPDTA, anticipation=-1)
    cs = staggered_did(mpdta, **MPDTA, band="pointwise")
    with pytest.raises(hj.DataError, match="kind='event' is not one of"):
        cs.aggregate("event")  # type: ignore[arg-type]


def test_the_callers_frame_is_not_mutated(mpdta: pd.DataFrame) -> None:
    frame = mpdta.assign(w=1.0)
    frame.loc[frame.index[:5], "lemp"] = np.nan
    before = frame.copy(deep=True)
    quiet(staggered_did, frame, **MPDTA, covariates=["lpop"], est_method="dr", weights="w")
    pd.testing.assert_frame_equal(frame, before)


def test_result_is_frozen_and_presents_itself(cs) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cs.estimate = 0.0
    text = cs.summary()
    assert "ATT(g,t)" in text and "Pre-trend test" in text and "never treated" in text
    assert "<table" in cs._repr_html_() and "<table" in cs.aggregate("group")._repr_html_()
    assert "uniform band" in cs.aggregate("dynamic").summary()
    assert cs.provenance["cohort_units"] == {"2004": 20, "2006": 40, "2007": 131}
    assert cs.provenance["never_treated_units"] == 309 and cs.n_obs == 2500
    for language in ("en", "da"):
        figure = cs.plot(language=language)
        assert isinstance(figure, Figure) and figure.axes[0].get_title()
    assert isinstance(cs.aggregate("group").plot(), Figure)
    assert isinstance(cs.aggregate("calendar").plot(language="da"), Figure)
    assert cs.plot(language="da").axes[0].get_title() == "Effekt efter tid siden kohortens start"
    with pytest.raises(NotImplementedError):
        cs.aggregate("simple").plot()
    assert hj.compare({"cs": cs, "dynamic": cs.aggregate("dynamic")}).loc["cs", "estimate"] == cs.estimate


def test_a_cohort_in_a_gap_of_the_periods_counts_calendar_time(mpdta: pd.DataFrame) -> None:
    """Without 2006 in the data, cohort 2006 is compared from 2005 on and 2007 is event time 1."""
    gap = mpdta[mpdta.year != 2006]
    fit = staggered_did(gap, **MPDTA, band="pointwise")
    cells = fit.att_gt.set_index(["group", "time"])
    assert cells.loc[(2006, 2007), "rel_time"] == 1 and 2006 in fit.treated
    means = gap.pivot_table(index="first.treat", columns="year", values="lemp")
    change = (means.loc[2006, 2007] - means.loc[2006, 2005]) - (means.loc[0, 2007] - means.loc[0, 2005])
    assert cells.loc[(2006, 2007), "att"] == pytest.approx(change, abs=1e-12)
    assert fit.aggregate("dynamic").to_frame().rel_time.tolist() == [-3, -2, -1, 0, 1, 3]  # no 2006: no e = 2
