"""Persons off public support and the cost-benefit of the investment: hand-computed cases and a known truth."""

from __future__ import annotations

import json
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
    BenefitGroup,
    CostBenefitResult,
    PersonsOffSupport,
    cost_benefit,
    persons_off_support,
)

GROUP = "activity_ready_cash"
BENEFIT = "benefit_cost_per_full_time_person"


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return func(*args, **kwargs)


def costs_panel(investment: dict[int, float], benefit: dict[int, float]) -> pd.DataFrame:
    rows = [(y, "investment", None, a) for y, a in investment.items()]
    rows += [(y, BENEFIT, GROUP, a) for y, a in benefit.items()]
    return pd.DataFrame(rows, columns=["year", "item", "benefit_group", "amount_dkk"])


@pytest.fixture(scope="module")
def pos() -> PersonsOffSupport:
    """Persons off support from a stock panel: 30 municipalities, the treated one 20 % fewer from 2015."""
    rng = np.random.default_rng(3)
    months = pd.period_range("2013-01", "2016-12", freq="M")
    cells = pd.DataFrame([(m, t) for m in range(30) for t in months], columns=["municipality", "month"])
    size = 100 + 10 * cells["municipality"]
    after = (cells["municipality"] == 0) & (cells["month"] >= pd.Period("2015-01", "M"))
    cells["persons"] = np.round(size * (1 + rng.normal(0, 0.02, len(cells))) * (1 - 0.2 * after))
    cells["benefit_group"] = GROUP
    return persons_off_support(cells, unit="municipality", time="month", treated=0, start="2015-01",
                               persons="persons")


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
    truth = json.loads((synthetic_region / "truth.json").read_text(encoding="utf-8"))
    true_persons = truth["persons_off_support_hjorring"]["by_group"][GROUP]
    result = quiet(persons_off_support, hours, unit="person_id", group="municipality", time="month", treated=860,
                   start="2015-01", benefit_group=GROUP, cycle="unemployment_rate", cycle_panel=cycle)
    table = result.to_frame()
    assert table["year"].tolist() == [2015, 2016, 2017, 2018, 2019]
    assert np.isfinite(table[["persons_off_support", "ci_low", "ci_high"]].to_numpy()).all()
    # truth recovery: every year's true persons off support inside its interval, and the five-year total within
    # three placebo standard deviations of the total (the draws are joint over years)
    truth_by_year = np.array([true_persons[str(y)] for y in table["year"]])
    assert ((table["ci_low"] <= truth_by_year) & (truth_by_year <= table["ci_high"])).all()
    assert len(result.draws) >= 50 and np.isfinite(result.draws.to_numpy()).all()
    spread = result.draws.sum(axis=1).std(ddof=1)
    assert abs(table["persons_off_support"].sum() - truth_by_year.sum()) < 3 * spread
    cb = cost_benefit(result, costs)
    assert np.isfinite(cb.net_gain) and np.isfinite(cb.roi) and 0.0 <= cb.prob_paid_off <= 1.0
    assert np.isfinite(cb.table[["savings_dkk", "cumulative_net_low", "cumulative_net_high"]].to_numpy()).all()
    assert cb.table["investment_dkk"].sum() == pytest.approx(125e6)
    assert cb.payback_year is None or 2015 <= cb.payback_year <= 2019
