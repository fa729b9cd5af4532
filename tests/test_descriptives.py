"""Descriptive tables against independent pandas computations on small hand-made panels.

Means are compared with a relative tolerance of 1e-12 (sums divided in a different order);
counts exactly.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from hjeval.descriptives import caseload_by_period, outcome_by_period
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators.did import did
from hjeval.results.effect import EffectResult
from tests.panels import person_panel

RTOL = 1e-12
MONTHS = ["2014-11", "2014-12", "2015-01", "2015-02"]


def hours_panel() -> pd.DataFrame:
    """Persons in Hjørring (860), two North Jutland comparisons and Copenhagen (101, outside that pool).

    Person 3 leaves after 2014-12; person 5 arrives in 2015-01; municipalities differ in size so
    that person-month weighting and averaging municipal means give different numbers.
    """
    rows = []
    spells = {
        1: (860, MONTHS), 2: (860, MONTHS), 3: (860, MONTHS[:2]), 4: (813, MONTHS), 5: (813, MONTHS[2:]),
        6: (846, MONTHS), 7: (846, MONTHS), 8: (846, MONTHS), 9: (101, MONTHS),
    }
    rate = {860: 6.0, 813: 5.0, 846: 4.0, 101: 3.0}
    for person, (municipality, months) in spells.items():
        for k, month in enumerate(months):
            rows.append({"pid": person, "kommune": municipality, "month": month,
                         "hours": float((person * 7 + k * 3) % 11) + 0.25 * k,
                         "unemployment": rate[municipality] - 0.5 * MONTHS.index(month) + 0.1 * (person % 2)})
    return pd.DataFrame(rows)


def expected_means(panel: pd.DataFrame, treated: list[int], pool: list[int], period: pd.Series,
                   value: pd.Series) -> pd.DataFrame:
    """Per series and period: distinct persons, rows, distinct months and the plain mean of ``value``."""
    series = np.where(panel["kommune"].isin(treated), "treated",
                      np.where(panel["kommune"].isin(pool), "comparison", None))
    frame = pd.DataFrame({"series": series, "period": period, "pid": panel["pid"], "v": value,
                          "month": panel["month"]}).dropna(subset=["series"])
    out = frame.groupby(["series", "period"]).agg(persons=("pid", "nunique"), person_months=("pid", "size"),
                                                  periods=("month", "nunique"), mean=("v", "mean"))
    return out


def check_against(table: pd.DataFrame, expected: pd.DataFrame, column: str = "mean") -> None:
    got = table.assign(period=table["period"].astype(str)).set_index(["series", "period"])
    assert sorted(got.index) == sorted(expected.index)
    for key, row in expected.iterrows():
        assert got.loc[key, "persons"] == row["persons"]
        assert got.loc[key, "person_months"] == row["person_months"]
        assert got.loc[key, "periods"] == row["periods"]
        assert got.loc[key, column] == pytest.approx(row["mean"], rel=RTOL)


def fake_result(coefficient: float, *, outcome: str = "hours", method: str = "covariate") -> EffectResult:
    terms = pd.DataFrame({"term": ["unemployment"], "estimate": [coefficient]}) if method == "covariate" \
        else pd.DataFrame()
    return EffectResult(estimate=1.0, se=0.5, ci=(0.0, 2.0), pvalue=0.05, n_obs=10, alpha=0.05, inference="x",
                        method="did", outcome=outcome, treated=860, start=pd.Period("2015-01", "M"),
                        comparison="all other groups", other_terms=terms, provenance={"cycle_method": method})


def test_monthly_means_match_pandas() -> None:
    panel = hours_panel()
    table = outcome_by_period(panel, "hours", unit="pid", group="kommune", time="month", treated=860)
    expected = expected_means(panel, [860], [813, 846, 101], panel["month"], panel["hours"])
    check_against(table, expected)
    assert list(table.columns) == ["period", "series", "persons", "person_months", "periods", "mean"]
    assert table["series"].tolist() == ["treated"] * 4 + ["comparison"] * 4
    assert table["period"].dtype == pd.PeriodDtype("M")
    assert table.attrs["treated"] == 860


def test_comparison_mean_is_person_month_weighted() -> None:
    panel = hours_panel()
    table = outcome_by_period(panel, "hours", unit="pid", group="kommune", time="month", treated=860,
                              comparison=[813, 846])
    month = panel[(panel["month"] == "2014-11") & panel["kommune"].isin([813, 846])]
    pooled = month["hours"].sum() / len(month)
    mean_of_means = month.groupby("kommune")["hours"].mean().mean()
    assert pooled != pytest.approx(mean_of_means)  # the panel tells the two apart
    got = table[(table["series"] == "comparison") & (table["period"] == pd.Period("2014-11", "M"))]["mean"]
    assert float(got.iloc[0]) == pytest.approx(pooled, rel=RTOL)


def test_named_pool_leaves_out_other_municipalities() -> None:
    panel = hours_panel()
    table = outcome_by_period(panel, "hours", unit="pid", group="kommune", time="month", treated=860,
                              comparison="north_jutland")
    expected = expected_means(panel, [860], [813, 846], panel["month"], panel["hours"])
    check_against(table, expected)
    assert table.attrs["comparison"] == "north_jutland"


def test_annual_counts_distinct_persons_and_months() -> None:
    panel = hours_panel()
    table = outcome_by_period(panel, "hours", unit="pid", group="kommune", time="month", treated=860,
                              frequency="year")
    year = panel["month"].str[:4]
    expected = expected_means(panel, [860], [813, 846, 101], year, panel["hours"])
    check_against(table, expected)
    treated_2015 = table[(table["series"] == "treated") & (table["period"] == pd.Period("2015", "Y"))]
    assert treated_2015[["persons", "person_months", "periods"]].to_numpy().tolist() == [[2, 4, 2]]


def test_adjusted_mean_removes_the_cycle_relative_to_its_pre_reform_level() -> None:
    panel = hours_panel()
    gamma = -2.0
    table = outcome_by_period(panel, "hours", unit="pid", group="kommune", time="month", treated=860,
                              adjust=fake_result(gamma))
    is_treated = panel["kommune"] == 860
    before = panel["month"] < "2015-01"
    reference = np.where(is_treated, panel.loc[is_treated & before, "unemployment"].mean(),
                         panel.loc[~is_treated & before, "unemployment"].mean())
    adjusted = panel["hours"] - gamma * (panel["unemployment"] - reference)
    check_against(table, expected_means(panel, [860], [813, 846, 101], panel["month"], adjusted), "adjusted_mean")
    check_against(table, expected_means(panel, [860], [813, 846, 101], panel["month"], panel["unemployment"]),
                  "cycle_mean")
    assert table.attrs["cycle"] == "unemployment"
    assert table.attrs["cycle_coefficient"] == gamma
    # before the start, raw and adjusted agree on average (person-month weighted)
    pre = table[table["period"] < pd.Period("2015-01", "M")]
    for _, rows in pre.groupby("series"):
        weights = rows["person_months"]
        assert np.average(rows["adjusted_mean"], weights=weights) == pytest.approx(
            np.average(rows["mean"], weights=weights), rel=RTOL)


def test_adjust_with_a_did_result_uses_its_cycle_coefficient() -> None:
    panel = person_panel(seed=3, persons=600, groups=8, months=24)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        result = did(panel, "y", unit="pid", group="muni", time="month", treated=0, start="2014-01",
                     cycle="unemployment")
    table = outcome_by_period(panel, "y", unit="pid", group="muni", time="month", treated=0, adjust=result)
    gamma = float(result.other_terms.set_index("term").loc["unemployment", "estimate"])
    assert table.attrs["cycle_coefficient"] == gamma
    row = table.iloc[-1]
    cells = panel[(panel["muni"] != 0) & (panel["month"] == row["period"])]
    before = panel[(panel["muni"] != 0) & (panel["month"] < pd.Period("2014-01", "M"))]
    expected = (cells["y"] - gamma * (cells["unemployment"] - before["unemployment"].mean())).mean()
    assert row["series"] == "comparison"
    assert row["adjusted_mean"] == pytest.approx(expected, rel=RTOL)


def test_outcome_table_leaves_the_input_alone() -> None:
    panel = hours_panel()
    copy = panel.copy(deep=True)
    outcome_by_period(panel, "hours", unit="pid", group="kommune", time="month", treated=860,
                      adjust=fake_result(1.0), frequency="year")
    pd.testing.assert_frame_equal(panel, copy)


@pytest.mark.parametrize(
    ("change", "options", "match"),
    [
        (lambda p: p.drop(columns="hours"), {}, r"outcome='hours'"),
        (lambda p: p.assign(hours=p["hours"].where(p.index != 5)), {}, r"'hours' has missing values in row 5"),
        (lambda p: pd.concat([p, p.iloc[[2]]], ignore_index=True), {}, r"more than one row in a period in row 32"),
        (lambda p: p.assign(hours=p["hours"].astype(str)), {}, r"'hours' must be numeric"),
        (lambda p: p.assign(month=p["month"].where(p.index != 3, "spring")), {}, r"'month'.*'spring'"),
        (lambda p: p, {"treated": 999}, r"treated=999 is not a value of column 'kommune'"),
        (lambda p: p, {"comparison": [813, 777]}, r"comparison groups \[777\]"),
        (lambda p: p, {"comparison": "rural", "treated": [860, 813, 846]}, r"no rows of the comparison pool"),
        (lambda p: p, {"comparison": "nordic"}, r"not a named pool"),
        (lambda p: p, {"frequency": "month"}, r"frequency='month'"),
        (lambda p: p, {"adjust": fake_result(1.0, method="common")}, r"no cycle coefficient"),
        (lambda p: p, {"adjust": fake_result(1.0, outcome="employed")}, r"estimated for outcome 'employed'"),
        (lambda p: p, {"adjust": fake_result(1.0), "cycle": "rate"}, r"cycle='rate' is not a term"),
        (lambda p: p[p["month"] >= "2015-01"], {"adjust": fake_result(1.0)}, r"no rows before the result's start"),
    ],
)
def test_outcome_table_bad_input(change, options, match) -> None:
    arguments = {"unit": "pid", "group": "kommune", "time": "month", "treated": 860, **options}
    with pytest.raises(DataError, match=match):
        outcome_by_period(change(hours_panel()), "hours", **arguments)


def caseload_panel() -> pd.DataFrame:
    rows = []
    staff = {860: (20.0, 40.0), 813: (10.0, 11.0), 846: (30.0, 29.0), 101: (100.0, 100.0)}
    cases = {860: (1500.0, 1400.0), 813: (900.0, 880.0), 846: (2100.0, 2200.0), 101: (5000.0, 5100.0)}
    for municipality in staff:
        for k, period in enumerate(["2014-12", "2015-01", "2015-02"]):
            step = min(k, 1)
            rows.append({"municipality": municipality, "period": period, "benefit_area": "cash_benefit",
                         "caseworker_fte": staff[municipality][step] + k, "open_cases": cases[municipality][step],
                         "cases_per_caseworker": 0.0})
            rows.append({"municipality": municipality, "period": period, "benefit_area": "sickness",
                         "caseworker_fte": 5.0, "open_cases": 200.0 + k, "cases_per_caseworker": 0.0})
    return pd.DataFrame(rows)


def test_caseload_is_pool_cases_over_pool_caseworkers() -> None:
    panel = caseload_panel()
    table = caseload_by_period(panel, comparison="north_jutland")
    cash = panel[panel["benefit_area"] == "cash_benefit"]
    for side, codes in (("treated", [860]), ("comparison", [813, 846])):
        rows = cash[cash["municipality"].isin(codes)]
        sums = rows.groupby("period")[["open_cases", "caseworker_fte"]].sum()
        got = table[table["series"] == side].set_index(table["period"].astype(str)[table["series"] == side])
        assert got["open_cases"].to_dict() == sums["open_cases"].to_dict()
        assert got["caseworker_fte"].to_dict() == sums["caseworker_fte"].to_dict()
        ratio = sums["open_cases"] / sums["caseworker_fte"]
        np.testing.assert_allclose(got["cases_per_caseworker"].to_numpy(), ratio.to_numpy(), rtol=RTOL)
        assert (got["municipalities"] == len(codes)).all()
    # the pool's ratio is not the unweighted mean of the municipal ratios
    first = cash[(cash["period"] == "2014-12") & cash["municipality"].isin([813, 846])]
    unweighted = (first["open_cases"] / first["caseworker_fte"]).mean()
    assert table.loc[3, "cases_per_caseworker"] != pytest.approx(unweighted)
    assert list(table.columns) == ["period", "series", "municipalities", "open_cases", "caseworker_fte",
                                   "cases_per_caseworker"]


def test_caseload_by_year_averages_months_per_municipality_then_pools() -> None:
    panel = caseload_panel()
    table = caseload_by_period(panel, comparison=[813, 846], frequency="year")
    cash = panel[(panel["benefit_area"] == "cash_benefit") & panel["municipality"].isin([813, 846])]
    year = cash.assign(year=cash["period"].str[:4]).groupby(["year", "municipality"])[
        ["open_cases", "caseworker_fte"]].mean().groupby("year").sum()
    got = table[table["series"] == "comparison"]
    assert got["period"].astype(str).tolist() == ["2014", "2015"]
    np.testing.assert_allclose(got["cases_per_caseworker"].to_numpy(),
                               (year["open_cases"] / year["caseworker_fte"]).to_numpy(), rtol=RTOL)


def test_caseload_pooling_all_areas() -> None:
    panel = caseload_panel()
    table = caseload_by_period(panel, benefit_area=None, comparison=[813])
    rows = panel[(panel["municipality"] == 860) & (panel["period"] == "2015-02")]
    got = table[(table["series"] == "treated") & (table["period"] == pd.Period("2015-02", "M"))]
    assert len(rows) == 2
    assert float(got["cases_per_caseworker"].iloc[0]) == pytest.approx(
        rows["open_cases"].sum() / rows["caseworker_fte"].sum(), rel=RTOL)
    # a panel of one area needs no benefit_area column
    single = panel[panel["benefit_area"] == "sickness"].drop(columns="benefit_area")
    table = caseload_by_period(single, benefit_area=None)
    assert table["cases_per_caseworker"].iloc[0] == pytest.approx(200.0 / 5.0, rel=RTOL)


def test_caseload_table_leaves_the_input_alone() -> None:
    panel = caseload_panel()
    copy = panel.copy(deep=True)
    caseload_by_period(panel, frequency="year")
    pd.testing.assert_frame_equal(panel, copy)


@pytest.mark.parametrize(
    ("change", "options", "match"),
    [
        (lambda p: p.drop(columns="open_cases"), {}, r"open_cases='open_cases'"),
        (lambda p: p, {"benefit_area": "pension"}, r"benefit_area='pension' is not in column"),
        (lambda p: p.assign(caseworker_fte=np.where(p.index == 4, 0.0, p["caseworker_fte"])), {},
         r"'caseworker_fte' is 0 with open cases in row 4"),
        (lambda p: p.assign(open_cases=np.where(p.index == 2, -1.0, p["open_cases"])), {},
         r"'open_cases' has negative values in row 2"),
        (lambda p: p.assign(open_cases=np.where(p.index == 6, np.nan, p["open_cases"])), {},
         r"'open_cases' has missing values in row 6"),
        (lambda p: pd.concat([p, p.iloc[[0]]], ignore_index=True), {}, r"more than one row for a key in row 24"),
        (lambda p: p, {"treated": 999}, r"treated=999"),
    ],
)
def test_caseload_table_bad_input(change, options, match) -> None:
    with pytest.raises(DataError, match=match):
        caseload_by_period(change(caseload_panel()), **options)
