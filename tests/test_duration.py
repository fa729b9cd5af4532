"""Time on support: spells, Kaplan-Meier summaries, the duration DiD, and the synthetic truth.

References: statsmodels ``SurvfuncRight`` and ``PHReg`` (runtime dependencies) on the individual spells,
lifelines where importable; a data-generating process of geometric durations with a known exit-probability
ratio; the generator's exact expectations in ``truth.json``.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

import hjeval as hj
from hjeval.duration import (
    WEEKS_PER_MONTH,
    DurationDidResult,
    TimeOnSupport,
    benefit_spells,
    duration_did,
    survival_plot,
    time_on_support,
)
from hjeval.duration.survival import greenwood_se, kaplan_meier, median, median_ci, restricted_mean, restricted_mean_se

ORIGIN = pd.Period("2012-01", "M")


# --------------------------------------------------------------------------- helpers


def rows_from_spells(person: np.ndarray, municipality: np.ndarray, first: np.ndarray, length: np.ndarray,
                     ) -> pd.DataFrame:
    """Person-month rows: spell ``i`` of ``person[i]`` covers months ``first[i] .. first[i] + length[i] - 1``."""
    within = np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    months = np.repeat(first, length) + within
    return pd.DataFrame({
        "person_id": np.repeat(person, length),
        "municipality": np.repeat(municipality, length),
        "month": pd.PeriodIndex.from_ordinals(ORIGIN.ordinal + months, freq="M"),
    })


def geometric_panel(seed: int, *, municipalities: int = 30, p: float = 0.06, ratio: float = 1.5,
                    months: int = 72, treated_size: int = 250, sizes: tuple[int, int] = (100, 400)) -> pd.DataFrame:
    """One spell per person; duration geometric with exit probability ``p`` a month, ``p * ratio`` for spells
    of municipality 0 starting from 2015-01; the data cover 2012-01 .. 2017-12 (spells are cut there)."""
    rng = np.random.default_rng(seed)
    counts = np.r_[treated_size, rng.integers(*sizes, municipalities - 1)]
    municipality = np.repeat(np.arange(municipalities), counts)
    first = rng.integers(1, months, len(municipality))
    prob = np.where((municipality == 0) & (first >= 36), p * ratio, p)
    length = np.minimum(rng.geometric(prob), months - first)
    return rows_from_spells(np.arange(len(first)), municipality, first, length)


def geometric_rmst(p: float, horizon: int) -> float:
    """``E[min(D, H)]`` in months for a geometric duration with exit probability ``p``."""
    return (1 - (1 - p) ** horizon) / p


def survival_inputs(spells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(time, status) for statsmodels and lifelines: a censored spell seen d months is censored at d - 1."""
    censored = spells["right_censored"].to_numpy()
    return (spells["months"].to_numpy() - censored).astype(float), (~censored).astype(float)


def counts(time: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = time.astype(int)
    width = t.max() + 1
    return (np.bincount(t[status == 1], minlength=width).astype(float),
            np.bincount(t[status == 0], minlength=width).astype(float))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return geometric_panel(3)


@pytest.fixture(scope="module")
def did_result(panel: pd.DataFrame) -> DurationDidResult:
    return duration_did(panel, "person_id", "municipality", "month", 0, "2015-01", horizon=24 * WEEKS_PER_MONTH)


# --------------------------------------------------------------------------- benefit spells


def hand_made() -> pd.DataFrame:
    rows = [
        ("a", 860, "2015-01"), ("a", 860, "2015-02"),                          # at the data's start
        ("a", 860, "2015-04"),                                                 # one month off
        ("a", 860, "2015-07"), ("a", 860, "2015-08"),                          # two months off
        ("b", 860, "2015-03"), ("b", 813, "2015-04"),                          # moves
        ("c", 813, "2015-11"), ("c", 813, "2015-12"),                          # at the data's end
        ("d", 813, "2015-05"),
    ]
    frame = pd.DataFrame(rows, columns=["person_id", "municipality", "month"])
    frame.index = [f"r{i}" for i in range(len(frame))]
    return frame


def test_spells_runs_censoring_and_moves() -> None:
    spells = benefit_spells(hand_made(), unit="person_id", group="municipality", time="month")
    assert spells["person_id"].tolist() == ["a", "a", "a", "b", "c", "d"]
    assert spells["months"].tolist() == [2, 1, 2, 2, 2, 1]
    assert spells["first_month"].astype(str).tolist() == ["2015-01", "2015-04", "2015-07", "2015-03", "2015-11",
                                                          "2015-05"]
    assert spells["left_truncated"].tolist() == [True, False, False, False, False, False]
    assert spells["right_censored"].tolist() == [False, False, False, False, True, False]
    assert spells["moved"].tolist() == [False, False, False, True, False, False]
    assert spells["municipality"].tolist() == [860, 860, 860, 860, 813, 813]  # the first month's
    assert np.allclose(spells["weeks"], spells["months"] * 52 / 12)
    assert spells.attrs["data_start"] == pd.Period("2015-01", "M") and spells.attrs["gap_months"] == 0


@pytest.mark.parametrize(("gap", "months", "on_benefit"), [
    (0, [2, 1, 2], [2, 1, 2]),
    (1, [4, 2], [3, 2]),        # a gap of exactly gap_months is bridged
    (2, [8], [5]),
])
def test_gaps_of_at_most_gap_months_are_bridged(gap: int, months: list[int], on_benefit: list[int]) -> None:
    spells = benefit_spells(hand_made(), unit="person_id", group="municipality", time="month", gap_months=gap)
    a = spells[spells["person_id"] == "a"]
    assert a["months"].tolist() == months and a["months_on_benefit"].tolist() == on_benefit


def test_censoring_flags_widen_with_the_gap_and_follow_observed() -> None:
    data = hand_made()
    bridged = benefit_spells(data, unit="person_id", group="municipality", time="month", gap_months=1)
    # d's spell ends in 2015-05; c's starts 2015-11 = data end - 1: may go on after a bridged month
    assert bridged.loc[bridged["person_id"] == "c", "right_censored"].item()
    wider = benefit_spells(data, unit="person_id", group="municipality", time="month",
                           observed=("2014-01", "2016-12"))
    assert not wider["left_truncated"].any() and not wider["right_censored"].any()


def test_several_benefits_and_unsorted_input_and_no_mutation() -> None:
    data = pd.DataFrame({
        "person_id": [7, 7, 7, 7, 8],
        "municipality": [860] * 5,
        "month": ["2015-03", "2015-01", "2015-02", "2015-02", "2015-02"],
        "benefit_group": ["sickness", "activity_ready_cash", "activity_ready_cash", "sickness", "sickness"],
    }, index=[40, 10, 20, 30, 50])
    before = data.copy(deep=True)
    per_benefit = benefit_spells(data, unit="person_id", group="municipality", time="month",
                                 benefit="benefit_group", observed=("2014-01", "2016-12"))
    assert per_benefit[["person_id", "benefit_group", "months"]].values.tolist() == [
        [7, "activity_ready_cash", 2], [7, "sickness", 2], [8, "sickness", 1]]
    support = benefit_spells(data, unit="person_id", group="municipality", time="month",
                             observed=("2014-01", "2016-12"))
    assert support["months"].tolist() == [3, 1] and support.attrs["merged_rows"] == 1
    pd.testing.assert_frame_equal(data, before)
    shuffled = data.sample(frac=1.0, random_state=1)
    again = benefit_spells(shuffled, unit="person_id", group="municipality", time="month",
                           benefit="benefit_group", observed=("2014-01", "2016-12"))
    pd.testing.assert_frame_equal(per_benefit, again)


def test_month_spellings_agree() -> None:
    data = hand_made()
    reference = benefit_spells(data, unit="person_id", group="municipality", time="month")
    for month in (pd.to_datetime(data["month"]), data["month"].str.replace("-", "M"),
                  pd.PeriodIndex(data["month"], freq="M")):
        other = benefit_spells(data.assign(month=month), unit="person_id", group="municipality", time="month")
        pd.testing.assert_frame_equal(reference, other)


def test_spells_agree_with_a_plain_pandas_run_count(panel: pd.DataFrame) -> None:
    ordered = panel.sample(frac=1.0, random_state=0)
    spells = benefit_spells(ordered, unit="person_id", group="municipality", time="month")
    t = panel["month"].array.asi8
    p = panel.assign(t=t).sort_values(["person_id", "t"])
    new = p["person_id"].ne(p["person_id"].shift()) | p["t"].diff().ne(1)
    plain = p.groupby(new.cumsum()).agg(person_id=("person_id", "first"), months=("t", "size"))
    assert len(spells) == len(plain)
    assert sorted(zip(spells["person_id"], spells["months"], strict=True)) == sorted(
        zip(plain["person_id"], plain["months"], strict=True))


@pytest.mark.parametrize(("change", "match"), [
    (lambda d: d.drop(columns="municipality"), r"group='municipality'"),
    (lambda d: d.assign(person_id=d["person_id"].where(d.index != "r3")), r"'person_id'.*row r3 \(index labels\)"),
    (lambda d: d.assign(month=d["month"].where(d.index != "r2", "spring")), r"'month'.*spring.*row r2"),
    (lambda d: pd.concat([d, d.loc[["r4"]]]), r"repeat.*rows r4, r4"),
    (lambda d: d.assign(month=2015), r"months"),
])
def test_bad_input_names_column_and_rows(change, match: str) -> None:  # type: ignore[no-untyped-def]
    data = change(hand_made()).assign(benefit_group="sickness")
    with pytest.raises(hj.DataError, match=match):
        benefit_spells(data, unit="person_id", group="municipality", time="month", benefit="benefit_group")


def test_bad_options_raise() -> None:
    data = hand_made()
    with pytest.raises(hj.DataError, match="gap_months"):
        benefit_spells(data, unit="person_id", group="municipality", time="month", gap_months=-1)
    with pytest.raises(hj.DataError, match="gap_months"):
        benefit_spells(data, unit="person_id", group="municipality", time="month", gap_months=1.5)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match=r"outside observed.*rows r0, r1"):
        benefit_spells(data, unit="person_id", group="municipality", time="month", observed=("2015-03", "2015-12"))


# --------------------------------------------------------------------------- Kaplan-Meier against references


def test_kaplan_meier_equals_statsmodels(panel: pd.DataFrame) -> None:
    spells = benefit_spells(panel, unit="person_id", group="municipality", time="month")
    spells = spells[~spells["left_truncated"]]
    time, status = survival_inputs(spells)
    assert (status == 0).mean() > 0.1  # censoring is exercised
    reference = SurvfuncRight(time, status)
    events, censored = counts(time, status)
    survival, at_risk = kaplan_meier(events, censored)
    at = reference.surv_times.astype(int)
    assert np.allclose(survival[at], reference.surv_prob, rtol=0, atol=1e-13)
    assert np.allclose(at_risk[at], reference.n_risk) and np.allclose(events[at], reference.n_events)
    assert np.allclose(greenwood_se(survival, events, at_risk)[at], reference.surv_prob_se, atol=1e-13, equal_nan=True)
    assert not np.any(np.isclose(reference.surv_prob, 0.5))  # conventions differ only at exactly one half
    assert median(survival) == reference.quantile(0.5)
    for alpha in (0.05, 0.2):
        assert median_ci(survival, events, at_risk, alpha) == tuple(float(v) for v in reference.quantile_ci(0.5, alpha))
    # the restricted mean integrates the same step function
    for tau in (12, 24.5, 80):
        grid = np.arange(0, int(np.ceil(tau)))
        steps = np.r_[1.0, reference.surv_prob][np.searchsorted(reference.surv_times, grid, side="right")]
        widths = np.minimum(grid + 1, tau) - grid
        assert float(restricted_mean(survival, tau)) == pytest.approx(float(steps @ widths), rel=1e-12)


def test_kaplan_meier_equals_lifelines(panel: pd.DataFrame) -> None:
    lifelines = pytest.importorskip("lifelines")
    from lifelines.utils import restricted_mean_survival_time

    spells = benefit_spells(panel, unit="person_id", group="municipality", time="month")
    spells = spells[~spells["left_truncated"]]
    time, status = survival_inputs(spells)
    fitter = lifelines.KaplanMeierFitter().fit(time, status)
    events, censored = counts(time, status)
    survival, _ = kaplan_meier(events, censored)
    assert median(survival) == fitter.median_survival_time_
    curve = fitter.survival_function_.iloc[:, 0]
    assert np.allclose(survival[curve.index.astype(int)], curve.to_numpy(), atol=1e-12)
    for tau in (12.0, 30.5, 75.0):
        assert float(restricted_mean(survival, tau)) == pytest.approx(restricted_mean_survival_time(fitter, t=tau),
                                                                      rel=1e-10)


def test_restricted_mean_se_without_censoring_is_the_sample_se() -> None:
    rng = np.random.default_rng(5)
    duration = rng.geometric(0.1, 400).astype(float)
    events, censored = counts(duration, np.ones_like(duration))
    survival, at_risk = kaplan_meier(events, censored)
    clipped = np.minimum(duration, 15)
    assert float(restricted_mean(survival, 15)) == pytest.approx(clipped.mean())
    assert float(restricted_mean_se(survival, events, at_risk, 15)) == pytest.approx(clipped.std() / 20)


def test_time_on_support_table_matches_statsmodels(panel: pd.DataFrame) -> None:
    tos = time_on_support(panel, "person_id", "municipality", "month", 0, "2015-01", horizon=24 * WEEKS_PER_MONTH)
    spells = benefit_spells(panel, unit="person_id", group="municipality", time="month")
    spells = spells[~spells["left_truncated"]]
    table = tos.to_frame().set_index(["role", "window"])
    for role, in_role in (("treated", spells["municipality"] == 0), ("comparison", spells["municipality"] != 0)):
        for window, in_window in (("before", spells["first_month"] < pd.Period("2015-01", "M")),
                                  ("after", spells["first_month"] >= pd.Period("2015-01", "M"))):
            cell = spells[in_role & in_window]
            time, status = survival_inputs(cell)
            reference = SurvfuncRight(time, status)
            row = table.loc[(role, window)]
            assert row["spells"] == len(cell) and row["persons"] == cell["person_id"].nunique()
            assert row["censored_share"] == pytest.approx(cell["right_censored"].mean())
            assert row["median_weeks"] == pytest.approx(reference.quantile(0.5) * WEEKS_PER_MONTH)
            low, high = reference.quantile_ci(0.5, 0.05)
            assert (row["median_ci_low"], row["median_ci_high"]) == pytest.approx(
                (low * WEEKS_PER_MONTH, high * WEEKS_PER_MONTH))
            events, censored = counts(time, status)
            survival, _ = kaplan_meier(events, censored)
            assert row["mean_weeks"] == pytest.approx(float(restricted_mean(survival, 24)) * WEEKS_PER_MONTH)
            assert row["mean_ci_low"] < row["mean_weeks"] < row["mean_ci_high"]
    assert tos.horizon_weeks == pytest.approx(104.0) and tos.horizon_rule == "given"
    truncated = int(spells.shape[0] - tos.provenance["spells_used"])
    assert truncated == 0  # every non-truncated spell starts in a window here
    assert tos.provenance["spell_exclusions"][0]["reason"].startswith("left-truncated")


# --------------------------------------------------------------------------- the duration DiD


def test_cox_hazard_ratio_equals_statsmodels_phreg(panel: pd.DataFrame, did_result: DurationDidResult) -> None:
    spells = benefit_spells(panel, unit="person_id", group="municipality", time="month")
    spells = spells[~spells["left_truncated"]]
    time, status = survival_inputs(spells)
    after = (spells["first_month"] >= pd.Period("2015-01", "M")).to_numpy(float)
    treated = (spells["municipality"] == 0).to_numpy(float)
    fit = PHReg(time, np.column_stack([after, after * treated]), status=status,
                strata=spells["municipality"].to_numpy(), ties="breslow").fit()
    assert math.log(did_result.hazard_ratio) == pytest.approx(fit.params[1], abs=1e-9)


def test_placebo_hazard_ratios_equal_statsmodels_phreg_on_each_reassignment(panel: pd.DataFrame) -> None:
    # without the size correction the placebo estimates are the re-fitted coefficients themselves
    raw = duration_did(panel, "person_id", "municipality", "month", 0, "2015-01", horizon=24 * WEEKS_PER_MONTH,
                       size_correction=False)
    spells = benefit_spells(panel, unit="person_id", group="municipality", time="month")
    spells = spells[~spells["left_truncated"] & (spells["municipality"] != 0)]  # the treated one is in no placebo
    time, status = survival_inputs(spells)
    after = (spells["first_month"] >= pd.Period("2015-01", "M")).to_numpy(float)
    for assigned in list(raw.placebo_log_hazard_ratio.index[:3]):
        placebo = (spells["municipality"] == assigned).to_numpy(float)
        fit = PHReg(time, np.column_stack([after, after * placebo]), status=status,
                    strata=spells["municipality"].to_numpy(), ties="breslow").fit()
        assert raw.placebo_log_hazard_ratio[assigned] == pytest.approx(fit.params[1], abs=1e-8)


def test_known_exit_hazard_ratio_and_weeks_are_recovered(did_result: DurationDidResult) -> None:
    p, ratio = 0.06, 1.5
    true_weeks = WEEKS_PER_MONTH * (geometric_rmst(p * ratio, 24) - geometric_rmst(p, 24))
    assert did_result.ci[0] <= true_weeks <= did_result.ci[1]
    assert did_result.estimate < 0 and did_result.pvalue <= 0.1
    # Breslow's fit on monthly data estimates the ratio of continuous-time hazards -log(1 - p)
    true_ratio = math.log(1 - p * ratio) / math.log(1 - p)
    assert did_result.hazard_ratio_ci[0] <= true_ratio <= did_result.hazard_ratio_ci[1]
    assert abs(did_result.estimate - true_weeks) < 4 * did_result.se
    assert did_result.inference.method == "placebo" and did_result.inference.exact
    assert did_result.inference.draws == 29 and did_result.inference.size_correction is not None
    assert did_result.inference.size_correction.measure == "persons"


def test_large_sample_ratio_is_close_to_the_truth() -> None:
    data = geometric_panel(11, municipalities=3, treated_size=20_000, sizes=(20_000, 20_001))
    with pytest.warns(hj.HjevalWarning, match="smallest attainable p-value"):
        res = duration_did(data, "person_id", "municipality", "month", 0, "2015-01", horizon=104.0)
    true_ratio = math.log(1 - 0.09) / math.log(1 - 0.06)
    assert res.hazard_ratio == pytest.approx(true_ratio, rel=0.04)


def test_placebos_do_not_move_with_the_treated_outcome(panel: pd.DataFrame) -> None:
    # shorten every after-window spell of the treated municipality: only the actual estimate moves
    t = panel["month"].array.asi8 - ORIGIN.ordinal
    treated_after = (panel["municipality"] == 0).to_numpy() & (t >= 40)
    shorter = panel[~treated_after]
    options = {"horizon": 24 * WEEKS_PER_MONTH, "size_correction": False, "observed": ("2012-01", "2017-12")}
    actual = duration_did(panel, "person_id", "municipality", "month", 0, "2015-01", **options)
    other = duration_did(shorter, "person_id", "municipality", "month", 0, "2015-01", **options)
    assert other.estimate != pytest.approx(actual.estimate)
    pd.testing.assert_series_equal(other.placebo, actual.placebo)
    pd.testing.assert_series_equal(other.placebo_log_hazard_ratio, actual.placebo_log_hazard_ratio)


def test_relabelling_municipalities_and_row_order_change_nothing(panel: pd.DataFrame,
                                                                   did_result: DurationDidResult) -> None:
    relabelled = panel.assign(municipality=panel["municipality"].map(lambda m: f"k{100 - m}"))
    relabelled = relabelled.sample(frac=1.0, random_state=2)
    before = relabelled.copy(deep=True)
    other = duration_did(relabelled, "person_id", "municipality", "month", "k100", "2015-01",
                         horizon=24 * WEEKS_PER_MONTH)
    pd.testing.assert_frame_equal(relabelled, before)
    assert other.estimate == pytest.approx(did_result.estimate, rel=1e-12)
    assert other.ci == pytest.approx(did_result.ci, rel=1e-12)
    assert other.hazard_ratio == pytest.approx(did_result.hazard_ratio, rel=1e-12)
    assert sorted(other.placebo.round(9)) == sorted(did_result.placebo.round(9))


def test_result_contract(did_result: DurationDidResult) -> None:
    frame = did_result.to_frame()
    assert frame["term"].tolist() == ["restricted_mean_weeks", "hazard_ratio"]
    assert list(frame.columns[:7]) == ["term", "estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    assert frame.loc[1, "estimate"] == did_result.hazard_ratio
    assert did_result.hazard_ratio_ci[0] < did_result.hazard_ratio < did_result.hazard_ratio_ci[1]
    assert did_result.horizon_weeks == pytest.approx(104.0)
    assert did_result.n_obs == did_result.provenance["spells_used"]
    windows = did_result.windows.set_index(["role", "window"])["mean_weeks"]
    change = (windows["treated", "after"] - windows["treated", "before"]
              - windows["comparison", "after"] + windows["comparison", "before"])
    assert change == pytest.approx(did_result.estimate, rel=1e-12)
    text = did_result.summary()
    assert "Hazard ratio" in text and "Horizon" in text and "placebo permutation" in text
    assert "<table" in did_result._repr_html_()
    assert len(did_result.placebo) == len(did_result.placebo_errors) == 29
    with pytest.raises(AttributeError):
        did_result.estimate = 0.0  # type: ignore[misc]


def test_default_horizon_rule(panel: pd.DataFrame) -> None:
    res = duration_did(panel, "person_id", "municipality", "month", 0, "2015-01")
    assert "at least 5 persons at risk" in res.horizon_rule
    months = res.horizon_weeks / WEEKS_PER_MONTH
    assert months == int(months) and 1 <= months <= 36
    tos = time_on_support(panel, "person_id", "municipality", "month", 0, "2015-01")
    assert tos.horizon_weeks == pytest.approx(res.horizon_weeks)
    # every window keeps at least 5 persons at risk up to the horizon's last duration, and one fails beyond
    curves = tos.curves[tos.curves["municipality"].isna()]
    last = curves.groupby(["role", "window"])["months"].max()
    assert last.min() == months - 1


def test_options_are_checked(panel: pd.DataFrame) -> None:
    call = {"data": panel, "unit": "person_id", "group": "municipality", "time": "month", "start": "2015-01"}
    with pytest.raises(hj.DataError, match="one treated municipality"):
        duration_did(**call, treated=[0, 1])
    with pytest.raises(hj.DataError, match="not available for duration_did"):
        duration_did(**call, treated=0, inference="cluster")
    with pytest.raises(hj.DataError, match=r"is not one of \['cluster', 'placebo'"):
        duration_did(**call, treated=0, inference="bootstrap")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="horizon"):
        duration_did(**call, treated=0, horizon=-3.0)
    with pytest.raises(hj.DataError, match="min_persons"):
        time_on_support(**call, treated=0, min_persons=2.5)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="before window must end before"):
        time_on_support(**call, treated=0, before=("2012-02", "2015-06"))
    with pytest.raises(hj.DataError, match=r"treated=99 is not a value of column 'municipality'"):
        time_on_support(**call, treated=99)
    with pytest.raises(hj.DataError, match="start"):
        time_on_support(**{**call, "start": "2030-01"}, treated=0)
    with pytest.raises(hj.DataError, match="fewer than min_persons=1000"):
        duration_did(**call, treated=0, min_persons=1000)
    with pytest.raises(hj.DataError, match="no spells of the treated municipalities start in the after window"):
        duration_did(**call, treated=0, after=("2017-12", "2017-12"))


# --------------------------------------------------------------------------- disclosure and figures


def small_municipality_panel() -> pd.DataFrame:
    data = geometric_panel(4, municipalities=8)
    # municipality 7 keeps 3 persons
    keep = data["municipality"] != 7
    three = data.loc[~keep, "person_id"].drop_duplicates().iloc[:3]
    data = data[keep | data["person_id"].isin(three)]
    return data.assign(person_id="zq" + data["person_id"].astype(str))


def test_small_cells_are_withheld_and_nothing_identifies_a_person() -> None:
    data = small_municipality_panel()
    tos = time_on_support(data, "person_id", "municipality", "month", 0, "2015-01", by_municipality=True)
    table = tos.to_frame()
    small = table[table["municipality"] == 7]
    assert small["suppressed"].all() and small[["spells", "persons", "mean_weeks", "median_weeks"]].isna().all().all()
    shown = table[~table["suppressed"]]
    assert (shown["persons"].dropna() >= 5).all()
    assert tos.suppressed_cells["primary"] == int(table["suppressed"].sum()) >= 1
    # one withheld municipality row per window: a second one's counts go too, so the total does not give it back
    for window in ("before", "after"):
        rows = table[(table["role"] == "comparison") & (table["window"] == window) & table["municipality"].notna()]
        if rows["suppressed"].sum() == 1:
            assert rows["spells"].isna().sum() == 2
    assert (tos.curves["at_risk"] >= 5).all() and 7 not in set(tos.curves["municipality"].dropna())
    outputs = [table.to_csv(), tos.curves.to_csv(), tos.summary(), tos._repr_html_()]
    with pytest.warns(hj.HjevalWarning, match="smallest attainable p-value"):
        res = duration_did(data, "person_id", "municipality", "month", 0, "2015-01", horizon=104.0)
    outputs += [res.to_frame().to_csv(), res.windows.to_csv(), res.curves.to_csv(), res.summary(), res._repr_html_(),
                res.placebo.to_csv(), json.dumps(res.provenance, default=str)]
    assert not any("zq" in text for text in outputs)  # every person id begins with "zq"
    everything = time_on_support(data, "person_id", "municipality", "month", 0, "2015-01", by_municipality=True,
                                 min_persons=0)
    assert not everything.to_frame()["suppressed"].any()


def test_survival_figure(did_result: DurationDidResult) -> None:
    for language in ("en", "da"):
        figure = did_result.plot(language=language)
        assert isinstance(figure, Figure)
        labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
        assert len(labels) == 5
    assert "Uger" in survival_plot(did_result, language="da").axes[0].get_xlabel()
    assert isinstance(did_result.plot(kind="placebo"), Figure)
    with pytest.raises(hj.DataError, match="kind"):
        did_result.plot(kind="hazard")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="language"):
        survival_plot(did_result, language="de")  # type: ignore[arg-type]


def test_time_on_support_result(panel: pd.DataFrame) -> None:
    tos = time_on_support(panel, "person_id", "municipality", "month", 0, "2015-01", by_municipality=True)
    assert isinstance(tos, TimeOnSupport)
    table = tos.to_frame()
    assert len(table) == 2 * 2 + 30 * 2
    pooled = table[table["municipality"].isna()]
    assert pooled[["role", "window"]].values.tolist() == [["treated", "before"], ["treated", "after"],
                                                          ["comparison", "before"], ["comparison", "after"]]
    per = table[table["municipality"].notna()].groupby(["role", "window"])["spells"].sum()
    assert per.to_dict() == pooled.set_index(["role", "window"])["spells"].to_dict()
    assert "Restricted mean to" in tos.summary() and isinstance(tos.plot(), Figure)
    both = time_on_support(panel, "person_id", "municipality", "month", [0, 1], "2015-01")
    assert both.treated == [0, 1] and both.to_frame()["spells"].sum() == pooled["spells"].sum()


# --------------------------------------------------------------------------- synthetic truth


def test_expected_person_months_match_a_monte_carlo_of_the_generator() -> None:
    from hjeval.synthetic.params import GROUPS, MONTHS
    from hjeval.synthetic.spells import expand_rows, simulate_spells
    from hjeval.synthetic.support import expected_person_months

    group = GROUPS[0]
    rate = 0.03 + 0.02 * (np.arange(MONTHS) >= 60)
    realised, expected = np.zeros(MONTHS), np.zeros(MONTHS)
    for seed in range(40):
        spells = simulate_spells(np.random.default_rng(seed), initial_stock=80.0, entries=np.full(MONTHS, 4.0),
                                 exit_rate=rate, return_prob=group.return_prob, gap_months=group.gap_months)
        realised += np.bincount(expand_rows(spells)[1], minlength=MONTHS)
        first = np.bincount(np.maximum(spells.entry_month, 0), minlength=MONTHS).astype(float)
        expected += expected_person_months(first, rate, group)
    # 40 x about 200 persons a month: the relative sampling error of a year's sum is about 1 %
    yearly_realised, yearly_expected = realised.reshape(10, 12).sum(1), expected.reshape(10, 12).sum(1)
    assert np.abs(yearly_realised / yearly_expected - 1).max() < 0.04


@pytest.fixture(scope="module")
def region(synthetic_region: Path) -> tuple[pd.DataFrame, dict]:
    import pyarrow.parquet as pq

    columns = ["person_id", "municipality", "month", "benefit_group"]
    hours = pq.read_table(synthetic_region / "hours_person_month.parquet", columns=columns).to_pandas(
        date_as_object=False)
    hours["month"] = hours["month"].dt.to_period("M")
    truth = json.loads((synthetic_region / "truth.json").read_text(encoding="utf-8"))
    return hours, truth


def test_truth_records_the_effects_on_support(region: tuple[pd.DataFrame, dict]) -> None:
    hours, truth = region
    effect = truth["durations"]["true_effect_hjorring"]
    assert effect["horizon_months"] == 36
    active = effect["activity_ready_cash"]
    # the calibration: about 121 -> 68 weeks with the reform; much longer without it
    assert active["before"]["expected_weeks"] == pytest.approx(121, abs=8)
    assert active["after"]["expected_weeks"] == pytest.approx(68, abs=6)
    assert active["after"]["effect_weeks"] < -25 and active["before"]["restricted_effect_weeks"] < 0
    assert active["after"]["spells"] == truth["durations"]["hjorring"]["activity_ready_cash"]["after_spells"]
    off = truth["persons_off_support_hjorring"]
    assert all(off["total"][str(y)] == 0 for y in range(2010, 2015))
    assert all(off["total"][str(y)] > 50 for y in range(2015, 2020))
    # the expected persons on benefit with the reform are what the panel shows (a person-year has <= 12 months)
    hjorring = hours[hours["municipality"] == 860]
    for group, by_year in off["expected_person_months_with_reform"].items():
        realised = hjorring[hjorring["benefit_group"] == group].groupby(hjorring["month"].dt.year).size()
        expected = np.array([by_year[str(y)] for y in range(2010, 2020)])
        assert np.all(np.abs(realised.to_numpy() - expected) <= 4 * np.sqrt(12 * expected)), group


def test_truth_recovery_on_the_region_scale_data(region: tuple[pd.DataFrame, dict]) -> None:
    hours, truth = region
    effect = truth["durations"]["true_effect_hjorring"]["activity_ready_cash"]
    target = hours[hours["benefit_group"] == "activity_ready_cash"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)  # tiny municipalities without spells in a window
        res = duration_did(target, "person_id", "municipality", "month", "Hjørring", "2015-01",
                           before=("2010-02", "2014-12"), after=("2015-01", "2016-12"), horizon=156.0)
    assert res.ci[0] <= effect["restricted_did_estimand_weeks"] <= res.ci[1]
    assert abs(res.estimate - effect["restricted_did_estimand_weeks"]) < 3 * res.se
    assert res.hazard_ratio > 1.3
    nearby = time_on_support(target, "person_id", "municipality", "month", 860, "2015-01", comparison="north_jutland")
    assert nearby.comparison == "north_jutland" and nearby.provenance["municipalities"] == 11
    windows = res.windows.set_index(["role", "window"])
    for window in ("before", "after"):
        row = windows.loc[("treated", window)]
        assert abs(row["mean_weeks"] - effect[window]["restricted_expected_weeks"]) < 3 * row["mean_se"]
        assert row["spells"] == effect[window]["spells"]
