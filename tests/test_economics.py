"""Persons off public support and the cost-benefit of the investment: hand-computed cases and a known truth."""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import hjeval as hj
from hjeval.data.schemas import BENEFIT_GROUPS
from hjeval.economics import (
    HOURS_PER_FULL_TIME_YEAR,
    BenefitGroup,
    CostBenefitResult,
    PersonsOffSupport,
    cost_benefit,
    persons_off_support,
)

GROUP = "activity_ready_cash"
BENEFIT = "benefit_cost_per_full_time_person"
RECIPIENTS = 100
EXTRA_HOURS = 24.0
TRUE_PERSONS = RECIPIENTS * EXTRA_HOURS * 12 / 1924  # full-time persons a year


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return func(*args, **kwargs)


def costs_panel(investment: dict[int, float], benefit: dict[int, float]) -> pd.DataFrame:
    rows = [(y, "investment", None, a) for y, a in investment.items()]
    rows += [(y, BENEFIT, GROUP, a) for y, a in benefit.items()]
    return pd.DataFrame(rows, columns=["year", "item", "benefit_group", "amount_dkk"])


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    """Person-months 2013-2016: 100 recipients in municipality 0, 40 in each of 29 others; +24 h/month from 2015."""
    rng = np.random.default_rng(7)
    months = pd.period_range("2013-01", "2016-12", freq="M")
    sizes = [RECIPIENTS] + [40] * 29
    muni = np.repeat(np.arange(30), sizes)
    person = np.arange(len(muni))
    frame = pd.DataFrame({
        "person_id": np.repeat(person, len(months)),
        "municipality": np.repeat(muni, len(months)),
        "month": np.tile(months, len(person)),
    })
    level = rng.uniform(20, 60, len(person))[frame["person_id"]]
    season = np.tile(rng.normal(0, 3, len(months)), len(person))
    after = (frame["municipality"] == 0) & (frame["month"] >= pd.Period("2015-01", "M"))
    frame["hours"] = np.clip(level + season + rng.normal(0, 8, len(frame)) + EXTRA_HOURS * after, 0, None)
    frame["benefit_group"] = GROUP
    return frame


@pytest.fixture(scope="module")
def es(panel: pd.DataFrame) -> hj.results.EventStudyResult:
    return quiet(hj.event_study, panel, "hours", unit="person_id", group="municipality", time="month", treated=0,
                 start="2015-01", window=(-2, 1), bin_width=12)


@pytest.fixture(scope="module")
def pos(panel: pd.DataFrame, es: hj.results.EventStudyResult) -> PersonsOffSupport:
    return persons_off_support(es, panel, unit="person_id", group="municipality", time="month")


# --- persons off support -------------------------------------------------------------------------------------


def test_known_effect_is_recovered_within_its_interval(pos: PersonsOffSupport) -> None:
    table = pos.to_frame()
    assert list(table.columns[:4]) == ["year", "persons_off_support", "ci_low", "ci_high"]
    assert table["year"].tolist() == [2015, 2016]
    assert table["person_months"].tolist() == [RECIPIENTS * 12.0] * 2
    assert ((table["ci_low"] <= TRUE_PERSONS) & (TRUE_PERSONS <= table["ci_high"])).all()
    assert table["persons_off_support"].to_numpy() == pytest.approx(TRUE_PERSONS, rel=0.05)
    assert pos.benefit_group == GROUP
    assert pos.series.index.tolist() == [2015, 2016]
    assert pos.series.to_numpy() == pytest.approx(table["persons_off_support"].to_numpy())


def test_persons_are_the_effect_times_person_months_over_a_full_time_year(
        pos: PersonsOffSupport, es: hj.results.EventStudyResult) -> None:
    effects = es.to_frame().set_index("rel_time")
    factor = RECIPIENTS * 12 / HOURS_PER_FULL_TIME_YEAR
    table = pos.to_frame().set_index("year")
    for year, rel in ((2015, 0), (2016, 1)):
        assert table.loc[year, "persons_off_support"] == pytest.approx(effects.loc[rel, "estimate"] * factor, 1e-12)
        assert table.loc[year, "ci_low"] == pytest.approx(effects.loc[rel, "ci_low"] * factor, rel=1e-12)
        assert table.loc[year, "ci_high"] == pytest.approx(effects.loc[rel, "ci_high"] * factor, rel=1e-12)
        assert table.loc[year, "hours_per_month"] == pytest.approx(effects.loc[rel, "estimate"], rel=1e-12)


def test_draws_come_from_the_placebo_errors_and_spread_like_the_se(
        pos: PersonsOffSupport, es: hj.results.EventStudyResult) -> None:
    factor = RECIPIENTS * 12 / HOURS_PER_FULL_TIME_YEAR
    assert pos.draws.shape == (29, 2)
    assert pos.draws.index.equals(es.placebo_errors.index)
    effects = es.to_frame().set_index("rel_time")
    for year, rel in ((2015, 0), (2016, 1)):
        expected = (effects.loc[rel, "estimate"] - es.placebo_errors[rel]) * factor
        np.testing.assert_allclose(pos.draws[year].to_numpy(), expected.to_numpy(), rtol=1e-12)
        # the placebo se is the spread of the same size-corrected errors
        assert pos.draws[year].std(ddof=1) == pytest.approx(effects.loc[rel, "se"] * factor, rel=1e-10)


def test_a_did_effect_applies_to_every_year(panel: pd.DataFrame) -> None:
    did = quiet(hj.did, panel, "hours", unit="person_id", group="municipality", time="month", treated=0,
                start="2015-01")
    result = persons_off_support(did, panel, unit="person_id", group="municipality", time="month")
    factor = RECIPIENTS * 12 / HOURS_PER_FULL_TIME_YEAR
    table = result.to_frame()
    assert result.source == "did"
    assert table["persons_off_support"].to_numpy() == pytest.approx(did.estimate * factor, rel=1e-12)
    assert table["ci_low"].to_numpy() == pytest.approx(did.ci[0] * factor, rel=1e-12)
    np.testing.assert_allclose(result.draws[2016].to_numpy(), ((did.estimate - did.placebo_errors) * factor).to_numpy(),
                               rtol=1e-12)
    assert abs(table["persons_off_support"] - TRUE_PERSONS).max() < 3 * did.se * factor


def test_inputs_are_never_mutated(panel: pd.DataFrame, es: hj.results.EventStudyResult) -> None:
    data, table, errors = panel.copy(), es.table.copy(), es.placebo_errors.copy()
    result = persons_off_support(es, panel, unit="person_id", group="municipality", time="month",
                                 treated=0)
    pd.testing.assert_frame_equal(panel, data)
    pd.testing.assert_frame_equal(es.table, table)
    pd.testing.assert_frame_equal(es.placebo_errors, errors)
    costs = costs_panel({2015: 5e6}, {2015: 150e3, 2016: 150e3})
    kept = costs.copy()
    cost_benefit(result, costs)
    pd.testing.assert_frame_equal(costs, kept)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.alpha = 0.1  # type: ignore[misc]


def test_aggregated_rows_count_their_persons(panel: pd.DataFrame, es: hj.results.EventStudyResult,
                                             pos: PersonsOffSupport) -> None:
    cells = (panel.groupby(["municipality", "month"], observed=True)
             .agg(persons=("person_id", "size"), hours=("hours", "mean")).reset_index())
    result = persons_off_support(es, cells, unit="municipality", time="month", persons="persons")
    pd.testing.assert_frame_equal(result.to_frame(), pos.to_frame())


def test_a_start_inside_a_year_weights_the_periods_it_spans(panel: pd.DataFrame) -> None:
    es = quiet(hj.event_study, panel, "hours", unit="person_id", group="municipality", time="month", treated=0,
               start="2015-07", window=(-2, 1), bin_width=12)
    result = persons_off_support(es, panel, unit="person_id", group="municipality", time="month")
    effects = es.to_frame().set_index("rel_time")["estimate"]
    table = result.to_frame().set_index("year")
    assert table["person_months"].tolist() == [600.0, 1200.0]
    both = RECIPIENTS * 6 * (effects[0] + effects[1]) / HOURS_PER_FULL_TIME_YEAR
    assert table.loc[2016, "persons_off_support"] == pytest.approx(both, rel=1e-12)
    assert result.provenance["interval"] == {2015: "effect interval", 2016: "draw quantiles"}
    low, high = np.quantile(result.draws[2016], [0.025, 0.975])
    assert (table.loc[2016, "ci_low"], table.loc[2016, "ci_high"]) == pytest.approx((low, high))


def test_a_pooled_last_bin_gives_its_effect_to_the_years_it_pools(panel: pd.DataFrame) -> None:
    es = quiet(hj.event_study, panel, "hours", unit="person_id", group="municipality", time="month", treated=0,
               start="2015-01", window=(-2, 0), bin_width=12)
    result = persons_off_support(es, panel, unit="person_id", group="municipality", time="month")
    pooled = es.to_frame().set_index("rel_time").loc[0, "estimate"] * RECIPIENTS * 12 / HOURS_PER_FULL_TIME_YEAR
    assert result.series.to_numpy() == pytest.approx([pooled, pooled], rel=1e-12)


def test_bad_inputs_to_persons_off_support(panel: pd.DataFrame, es: hj.results.EventStudyResult) -> None:
    common = dict(unit="person_id", group="municipality", time="month")
    with pytest.raises(hj.DataError, match=r"effect must be the result of hj.event_study"):
        persons_off_support(pd.Series([1.0]), panel, **common)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match=r"column.*not found.*unit='pid'"):
        persons_off_support(es, panel, unit="pid", group="municipality", time="month")
    yearly = panel.assign(hours=panel["hours"] * 12)  # hours a year on monthly rows
    with pytest.raises(hj.DataError, match=r"not hours worked in each row's period.*744"):
        persons_off_support(es, yearly, **common)
    twice = pd.concat([panel, panel[panel["municipality"] == 0].head(3)])
    with pytest.raises(hj.DataError, match="rows repeat"):
        persons_off_support(es, twice, **common)
    with pytest.raises(hj.DataError, match="not the effect's treated group"):
        persons_off_support(es, panel, treated=3, **common)
    with pytest.raises(hj.DataError, match=r"benefit_group='cash' is not one of \['activity_ready_cash'"):
        persons_off_support(es, panel, benefit_group="cash", **common)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="hours_per_full_time_year must be a finite positive number"):
        persons_off_support(es, panel, hours_per_full_time_year=0.0, **common)
    quarters = panel.assign(month=panel["month"].dt.asfreq("Q"))
    with pytest.raises(hj.DataError, match="another frequency"):
        persons_off_support(es, quarters, **common)
    later = panel[panel["municipality"] == 0].assign(month=lambda f: f["month"] + 24)
    with pytest.raises(hj.DataError, match="after the event study's last period"):
        persons_off_support(es, pd.concat([panel, later[later["month"].dt.year == 2017]]), **common)
    with pytest.warns(hj.HjevalWarning, match="reads the effect on 'y' as hours"):
        renamed = quiet(hj.event_study, panel.rename(columns={"hours": "y"}), "y", unit="person_id",
                        group="municipality", time="month", treated=0, start="2015-01", window=(-2, 1), bin_width=12)
        persons_off_support(renamed, panel.rename(columns={"hours": "y"}), **common)


def test_without_placebo_draws_there_is_no_probability(panel: pd.DataFrame) -> None:
    did = quiet(hj.did, panel, "hours", unit="person_id", group="municipality", time="month", treated=0,
                start="2015-01", inference="conley-taber")
    with pytest.warns(hj.HjevalWarning, match="no placebo draws"):
        result = persons_off_support(did, panel, unit="person_id", group="municipality", time="month")
    assert result.draws.empty and list(result.draws.columns) == [2015, 2016]
    cb = cost_benefit(result, costs_panel({2015: 1e6}, {2015: 150e3, 2016: 150e3}))
    assert np.isnan(cb.prob_paid_off) and cb.table["cumulative_net_low"].isna().all()
    assert np.isfinite(cb.net_gain)


def test_presentation_of_persons(pos: PersonsOffSupport) -> None:
    text = pos.summary()
    assert "one-for-one" in text and "hours effect re-expressed" in text and "2016" in text
    assert "<table>" in pos._repr_html_()
    for language in ("en", "da"):
        assert isinstance(pos.plot(language=language), Figure)


# --- cost-benefit by hand ------------------------------------------------------------------------------------


HAND_PERSONS = pd.Series([100.0, 200.0, 300.0], index=[2015, 2016, 2017])
HAND_COSTS = costs_panel({2015: 40e6, 2016: 20e6}, {2015: 150e3, 2016: 150e3, 2017: 150e3})


def test_savings_cumulative_net_payback_and_roi_by_hand() -> None:
    cb = cost_benefit(HAND_PERSONS, HAND_COSTS)
    table = cb.to_frame()
    assert list(table.columns[:7]) == ["year", "persons_off_support", "benefit_cost_dkk", "savings_dkk",
                                       "investment_dkk", "net_dkk", "cumulative_net_dkk"]
    assert table["savings_dkk"].tolist() == [15e6, 30e6, 45e6]
    assert table["investment_dkk"].tolist() == [40e6, 20e6, 0.0]  # no investment in 2017 counts as 0
    assert table["net_dkk"].tolist() == [-25e6, 10e6, 45e6]
    assert table["cumulative_net_dkk"].tolist() == [-25e6, -15e6, 30e6]
    assert cb.payback_year == 2017
    assert cb.roi == pytest.approx(90e6 / 60e6)
    assert cb.net_gain == pytest.approx(30e6)
    assert np.isnan(cb.prob_paid_off) and cb.n_draws == 0
    assert cb.benefit_group == GROUP and cb.base_year == 2015
    never = cost_benefit(HAND_PERSONS / 10, HAND_COSTS)
    assert never.payback_year is None


def test_discounting_at_a_stated_rate() -> None:
    rate = 0.04
    cb = cost_benefit(HAND_PERSONS, HAND_COSTS, discount_rate=rate)
    by_hand = -25e6 + 10e6 / 1.04 + 45e6 / 1.04**2
    assert cb.net_gain == pytest.approx(by_hand, rel=1e-12)
    assert cb.table["discount_factor"].tolist() == pytest.approx([1.0, 1 / 1.04, 1 / 1.04**2])
    assert cb.payback_year == 2017 and cb.roi == pytest.approx(1.5)  # undiscounted
    assert cost_benefit(HAND_PERSONS, HAND_COSTS, discount_rate=-0.5).net_gain == pytest.approx(
        -25e6 + 10e6 / 0.5 + 45e6 / 0.25)


def test_probability_from_a_known_grid_of_draws() -> None:
    # draw k scales the persons by k / 5: total savings 90e6 * k / 5 against 60e6 invested -> paid off from k = 4
    grid = pd.DataFrame([HAND_PERSONS.to_numpy() * k / 5 for k in range(1, 11)], columns=[2015, 2016, 2017])
    cb = cost_benefit(HAND_PERSONS, HAND_COSTS, draws=grid)
    assert cb.prob_paid_off == pytest.approx(0.7)
    assert cb.n_draws == 10
    savings = grid.to_numpy() * 150e3
    assert cb.table["savings_low"].to_numpy() == pytest.approx(np.quantile(savings, 0.025, axis=0))
    cumulative = np.cumsum(savings - np.array([40e6, 20e6, 0.0]), axis=1)
    assert cb.table["cumulative_net_high"].to_numpy() == pytest.approx(np.quantile(cumulative, 0.975, axis=0))
    # breaking even exactly counts as paid off
    even = pd.DataFrame([[100.0, 100.0, 200.0]], columns=[2015, 2016, 2017])
    assert cost_benefit(HAND_PERSONS, HAND_COSTS, draws=even).prob_paid_off == 1.0
    # columns in another order are the same years
    assert cost_benefit(HAND_PERSONS, HAND_COSTS, draws=grid[[2017, 2015, 2016]]).prob_paid_off == pytest.approx(0.7)


def test_a_year_without_a_benefit_cost_is_an_error_naming_it() -> None:
    costs = costs_panel({2015: 40e6}, {2015: 150e3, 2016: 150e3})
    with pytest.raises(hj.DataError, match=r"activity_ready_cash.*\[2017\].*default_benefit_costs") as err:
        cost_benefit(HAND_PERSONS, costs)
    assert "2015" in str(err.value)  # the years the group is covered
    # a year without persons off support needs no benefit cost
    result = cost_benefit(pd.Series([100.0, 0.0], index=[2015, 2017]), costs)
    assert result.table["savings_dkk"].tolist() == [15e6, 0.0]


def test_investment_without_an_effect_counts_no_savings() -> None:
    costs = costs_panel({2014: 5e6, 2015: 40e6, 2016: 20e6}, {2015: 150e3, 2016: 150e3, 2017: 150e3})
    with pytest.warns(hj.HjevalWarning, match=r"investment in year\(s\) \[2014\]"):
        cb = cost_benefit(HAND_PERSONS, costs)
    first = cb.table.iloc[0]
    assert first["year"] == 2014 and np.isnan(first["persons_off_support"]) and first["savings_dkk"] == 0.0
    assert cb.base_year == 2014 and cb.roi == pytest.approx(90e6 / 65e6)


def test_effect_as_series_or_result_gives_the_same_numbers(pos: PersonsOffSupport) -> None:
    costs = costs_panel({2015: 1e6, 2016: 1e6}, {2015: 150e3, 2016: 152e3})
    from_result = cost_benefit(pos, costs, discount_rate=0.03)
    from_series = cost_benefit(pos.series, costs, discount_rate=0.03, draws=pos.draws, alpha=pos.alpha)
    pd.testing.assert_frame_equal(from_result.to_frame(), from_series.to_frame())
    for name in ("net_gain", "net_gain_ci", "payback_year", "roi", "prob_paid_off", "benefit_group"):
        assert getattr(from_result, name) == getattr(from_series, name)
    pd.testing.assert_frame_equal(from_result.savings_draws, from_series.savings_draws)
    assert 0.0 <= from_result.prob_paid_off <= 1.0


def test_bad_inputs_to_cost_benefit(pos: PersonsOffSupport) -> None:
    with pytest.raises(hj.DataError, match=r"discount_rate=-1.0 must be finite and above -1"):
        cost_benefit(HAND_PERSONS, HAND_COSTS, discount_rate=-1.0)
    with pytest.raises(hj.DataError, match="discount_rate must be a number"):
        cost_benefit(HAND_PERSONS, HAND_COSTS, discount_rate="4%")  # type: ignore[arg-type]
    wrong = pd.DataFrame([[1.0, 2.0]], columns=[2015, 2018])
    with pytest.raises(hj.DataError, match=r"draws: the columns must be the effect's years.*missing \[2016, 2017\]"):
        cost_benefit(HAND_PERSONS, HAND_COSTS, draws=wrong)
    text = pd.DataFrame([[1.0, "x", 3.0]], columns=[2015, 2016, 2017])
    with pytest.raises(hj.DataError, match="draws: column 2016 has values that are not numbers"):
        cost_benefit(HAND_PERSONS, HAND_COSTS, draws=text)
    with pytest.raises(hj.DataError, match="carries its own draws"):
        cost_benefit(pos, HAND_COSTS, draws=pos.draws)
    bad = HAND_COSTS.astype({"amount_dkk": object})
    bad.loc[1, "amount_dkk"] = "20 mio"
    with pytest.raises(hj.DataError, match=r"costs: column 'amount_dkk' has values that are not numbers.*row 1"):
        cost_benefit(HAND_PERSONS, bad)
    negative = HAND_COSTS.assign(amount_dkk=HAND_COSTS["amount_dkk"].where(HAND_COSTS.index != 2, -1.0))
    with pytest.raises(hj.DataError, match="amount_dkk' has values below 0 in row 2"):
        cost_benefit(HAND_PERSONS, negative)
    with pytest.raises(hj.DataError, match="rows repeat a year, item and benefit_group"):
        cost_benefit(HAND_PERSONS, pd.concat([HAND_COSTS, HAND_COSTS.tail(1)], ignore_index=True))
    with pytest.raises(hj.DataError, match=r"costs: column\(s\) \['amount_dkk'\] not found"):
        cost_benefit(HAND_PERSONS, HAND_COSTS.drop(columns="amount_dkk"))
    with pytest.raises(hj.DataError, match="column 'item' has values other than"):
        cost_benefit(HAND_PERSONS, HAND_COSTS.assign(item="salary"))
    with pytest.raises(hj.DataError, match="effect: the index must be calendar years"):
        cost_benefit(pd.Series([1.0], index=["next year"]), HAND_COSTS)
    with pytest.raises(hj.DataError, match=r"effect: column .persons_off_support. has missing"):
        cost_benefit(pd.Series([1.0, np.nan], index=[2015, 2016]), HAND_COSTS)
    with pytest.raises(hj.DataError, match="effect must be the result of persons_off_support"):
        cost_benefit([1.0, 2.0], HAND_COSTS)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match=r"benefit_group='cash' is not one of"):
        cost_benefit(HAND_PERSONS, HAND_COSTS, benefit_group="cash")  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="persons off support were counted in 'activity_ready_cash'"):
        cost_benefit(pos, HAND_COSTS, benefit_group="sickness")
    with pytest.raises(hj.DataError, match="alpha must be between 0 and 1"):
        cost_benefit(HAND_PERSONS, HAND_COSTS, alpha=5)


def test_inputs_of_cost_benefit_are_not_mutated() -> None:
    persons, costs = HAND_PERSONS.copy(), HAND_COSTS.copy()
    grid = pd.DataFrame([[1.0, 2.0, 3.0]], columns=[2017, 2015, 2016])
    kept = grid.copy()
    cost_benefit(HAND_PERSONS, HAND_COSTS, draws=grid, discount_rate=0.02)
    pd.testing.assert_series_equal(HAND_PERSONS, persons)
    pd.testing.assert_frame_equal(HAND_COSTS, costs)
    pd.testing.assert_frame_equal(grid, kept)


def test_presentation_of_cost_benefit() -> None:
    grid = pd.DataFrame([HAND_PERSONS.to_numpy() * k / 5 for k in range(1, 11)], columns=[2015, 2016, 2017])
    cb = cost_benefit(HAND_PERSONS, HAND_COSTS, draws=grid)
    assert isinstance(cb, CostBenefitResult)
    text = cb.summary()
    assert "Paid back in" in text and "2017" in text and "0.70" in text
    assert "<table>" in cb._repr_html_()
    for language in ("en", "da"):
        figure = cb.plot(language=language)
        assert isinstance(figure, Figure)
    labels = [t.get_text() for t in cb.plot(language="da").axes[0].get_legend().get_texts()]
    assert labels[0] == "Investeret"
    with pytest.raises(hj.DataError, match=r"language='fr' is not one of \['da', 'en'\]"):
        cb.plot(language="fr")  # type: ignore[arg-type]


def test_benefit_groups_match_the_schema() -> None:
    assert tuple(get_args(BenefitGroup)) == BENEFIT_GROUPS


# --- end to end on the region-scale synthetic data -----------------------------------------------------------


def test_end_to_end_on_synthetic_region(synthetic_region: Path) -> None:
    hours = hj.load_hours(synthetic_region / "hours_person_month.parquet")
    cycle = hj.load_cycle(synthetic_region / "cycle.csv")
    costs = hj.load_costs(synthetic_region / "costs.csv")
    target = hj.attach(hours[hours["benefit_group"] == GROUP], cycle, ["unemployment_rate"])
    es = quiet(hj.event_study, target, "hours", unit="person_id", group="municipality", time="month", treated=860,
               start="2015-01", window=(-5, 4), bin_width=12, cycle="unemployment_rate")
    result = persons_off_support(es, target, unit="person_id", group="municipality", time="month")
    table = result.to_frame()
    assert table["year"].tolist() == [2015, 2016, 2017, 2018, 2019]
    assert np.isfinite(table[["persons_off_support", "ci_low", "ci_high"]].to_numpy()).all()
    assert (table["persons_off_support"] > 0).all()
    assert len(result.draws) >= 50 and np.isfinite(result.draws.to_numpy()).all()
    cb = cost_benefit(result, costs)
    assert np.isfinite(cb.net_gain) and np.isfinite(cb.roi) and 0.0 <= cb.prob_paid_off <= 1.0
    assert np.isfinite(cb.table[["savings_dkk", "cumulative_net_low", "cumulative_net_high"]].to_numpy()).all()
    assert cb.table["investment_dkk"].sum() == pytest.approx(125e6)
    assert cb.payback_year is None or 2015 <= cb.payback_year <= 2019
