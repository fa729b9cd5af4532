"""Persons off support from the stock of persons on support: a known drop, an independent event study, bad input."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import hjeval as hj
from hjeval.economics import PersonsOffSupport, cost_benefit, persons_off_support

GROUP = "activity_ready_cash"
DROP = 0.2
TREATED_SIZE = 100
MONTHS = pd.period_range("2013-01", "2016-12", freq="M")


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return func(*args, **kwargs)


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    """Persons on support by municipality and month: 30 municipalities of 100-390, the first 20 % fewer from 2015."""
    rng = np.random.default_rng(11)
    frame = pd.DataFrame([(m, t) for m in range(30) for t in MONTHS], columns=["municipality", "month"])
    size = TREATED_SIZE + 10 * frame["municipality"]
    season = np.tile(rng.normal(0, 0.03, len(MONTHS)), 30)
    frame["without"] = np.round(size * (1 + season + rng.normal(0, 0.02, len(frame)))).astype(int)
    after = (frame["municipality"] == 0) & (frame["month"] >= pd.Period("2015-01", "M"))
    frame["persons"] = np.where(after, np.round(frame["without"] * (1 - DROP)), frame["without"]).astype(int)
    frame["unemployment_rate"] = 4 + rng.normal(0, 0.3, len(frame))
    frame["benefit_group"] = GROUP
    return frame


@pytest.fixture(scope="module")
def rows(cells: pd.DataFrame) -> pd.DataFrame:
    """The same as person-month rows: one row a person on support in a month."""
    repeat = cells.loc[cells.index.repeat(cells["persons"])].reset_index(drop=True)
    repeat["person_id"] = repeat["municipality"] * 10_000 + repeat.groupby(["municipality", "month"]).cumcount()
    return repeat.drop(columns=["persons", "without"])


@pytest.fixture(scope="module")
def pos(cells: pd.DataFrame) -> PersonsOffSupport:
    return persons_off_support(cells, unit="municipality", time="month", treated=0, start="2015-01", persons="persons")


def true_persons(cells: pd.DataFrame) -> np.ndarray:
    treated = cells[(cells["municipality"] == 0) & (cells["month"] >= pd.Period("2015-01", "M"))]
    fewer = (treated["without"] - treated["persons"]).groupby(treated["month"].dt.year).sum() / 12
    return fewer.to_numpy(dtype=np.float64)


def test_a_known_drop_in_the_stock_is_recovered_within_its_interval(cells: pd.DataFrame,
                                                                     pos: PersonsOffSupport) -> None:
    table = pos.to_frame()
    assert list(table.columns) == ["year", "persons_off_support", "ci_low", "ci_high", "persons_on_support",
                                   "persons_without_reform", "periods"]
    assert table["year"].tolist() == [2015, 2016] and table["periods"].tolist() == [12, 12]
    truth = true_persons(cells)
    assert ((table["ci_low"] <= truth) & (truth <= table["ci_high"])).all()
    # the noise of the stock is 2 % a month (a yearly mean of about 0.6 %) of a stock of 100: within 2 persons
    assert table["persons_off_support"].to_numpy() == pytest.approx(truth, abs=2.0)
    treated = cells[(cells["municipality"] == 0) & (cells["month"].dt.year >= 2015)]
    assert table["persons_on_support"].tolist() == pytest.approx(
        treated.groupby(treated["month"].dt.year)["persons"].mean().tolist())
    assert pos.benefit_group == GROUP and pos.series.index.tolist() == [2015, 2016]


def test_persons_are_an_independent_event_study_of_the_relative_stock(cells: pd.DataFrame,
                                                                       pos: PersonsOffSupport) -> None:
    before = cells[cells["month"] < pd.Period("2015-01", "M")].groupby("municipality")["persons"].mean()
    panel = cells.assign(base=cells["municipality"].map(before))
    panel["ratio"] = panel["persons"] / panel["base"]
    es = hj.event_study(panel, "ratio", unit="municipality", time="month", treated=0, start="2015-01",
                        window=(-2, 1), bin_width=12, weights="base")
    effects = es.to_frame().set_index("rel_time")
    table = pos.to_frame().set_index("year")
    assert pos.stock_before_start == pytest.approx(before[0])
    for year, rel in ((2015, 0), (2016, 1)):
        assert table.loc[year, "persons_off_support"] == pytest.approx(-effects.loc[rel, "estimate"] * before[0],
                                                                      rel=1e-10)
        assert table.loc[year, "ci_low"] == pytest.approx(-effects.loc[rel, "ci_high"] * before[0], rel=1e-10)
        assert table.loc[year, "ci_high"] == pytest.approx(-effects.loc[rel, "ci_low"] * before[0], rel=1e-10)
        expected = -(effects.loc[rel, "estimate"] - es.placebo_errors[rel]) * before[0]
        np.testing.assert_allclose(pos.draws[year].to_numpy(), expected.to_numpy(), rtol=1e-10)
        # the placebo se is the spread of the same size-corrected errors
        assert pos.draws[year].std(ddof=1) == pytest.approx(effects.loc[rel, "se"] * before[0], rel=1e-8)
    assert pos.draws.shape == (29, 2) and pos.draws.index.equals(es.placebo_errors.index)
    assert table["persons_without_reform"].to_numpy() == pytest.approx(
        (table["persons_on_support"] + table["persons_off_support"]).to_numpy())


def test_person_rows_and_aggregated_cells_give_the_same_result(rows: pd.DataFrame, pos: PersonsOffSupport) -> None:
    from_rows = persons_off_support(rows, unit="person_id", group="municipality", time="month", treated=0,
                                    start="2015-01")
    pd.testing.assert_frame_equal(from_rows.to_frame(), pos.to_frame())
    pd.testing.assert_frame_equal(from_rows.draws, pos.draws)
    # a person on two benefits in one month is one person on support
    twice = pd.concat([rows, rows.head(40).assign(benefit_group="sickness")], ignore_index=True)
    both = persons_off_support(twice, unit="person_id", group="municipality", time="month", treated=0,
                               start="2015-01")
    pd.testing.assert_frame_equal(both.to_frame(), pos.to_frame())
    assert both.benefit_group is None
    chosen = persons_off_support(twice, unit="person_id", group="municipality", time="month", treated=0,
                                 start="2015-01", benefit_group=GROUP)
    pd.testing.assert_frame_equal(chosen.to_frame(), pos.to_frame())


def test_the_cycle_comes_from_the_rows_or_from_a_panel(rows: pd.DataFrame, cells: pd.DataFrame) -> None:
    from_rows = persons_off_support(rows, unit="person_id", group="municipality", time="month", treated=0,
                                    start="2015-01", cycle="unemployment_rate")
    panel = cells[["municipality", "month", "unemployment_rate"]].rename(columns={"month": "period"})
    from_panel = persons_off_support(rows.drop(columns="unemployment_rate"), unit="person_id",
                                     group="municipality", time="month", treated=0, start="2015-01",
                                     cycle="unemployment_rate", cycle_panel=panel)
    pd.testing.assert_frame_equal(from_rows.to_frame(), from_panel.to_frame())
    plain = persons_off_support(rows, unit="person_id", group="municipality", time="month", treated=0,
                                start="2015-01")
    assert np.abs(from_rows.series - plain.series).max() > 1e-8  # the cycle term is in the model


def test_a_start_inside_a_year_weights_the_bins_it_spans(cells: pd.DataFrame) -> None:
    result = persons_off_support(cells, unit="municipality", time="month", treated=0, start="2015-07",
                                 persons="persons")
    effects = result.event_study.to_frame().set_index("rel_time")["estimate"]
    table = result.to_frame().set_index("year")
    assert table["periods"].tolist() == [6, 12]
    base = result.stock_before_start
    assert table.loc[2015, "persons_off_support"] == pytest.approx(-effects[0] * base / 2, rel=1e-12)
    assert table.loc[2016, "persons_off_support"] == pytest.approx(-(effects[0] + effects[1]) * base / 2, rel=1e-12)
    assert result.provenance["interval"] == {2015: "effect interval", 2016: "draw quantiles"}
    low, high = np.quantile(result.draws[2016], [0.025, 0.975])
    assert (table.loc[2016, "ci_low"], table.loc[2016, "ci_high"]) == pytest.approx((low, high))


def test_a_municipality_without_a_stock_before_the_start_is_left_out_and_counted(cells: pd.DataFrame,
                                                                                  pos: PersonsOffSupport) -> None:
    late = cells[cells["municipality"] == 29].assign(municipality=99)
    late = late[late["month"] >= pd.Period("2015-06", "M")]
    with pytest.warns(hj.HjevalWarning, match=r"1 municipality\(ies\) with no one on support before.*\[99\]"):
        result = persons_off_support(pd.concat([cells, late]), unit="municipality", time="month", treated=0,
                                     start="2015-01", persons="persons")
    assert result.provenance["groups_excluded"] == [99] and result.provenance["groups"] == 30
    pd.testing.assert_frame_equal(result.to_frame(), pos.to_frame())


def test_quarters_and_years_count_their_periods(cells: pd.DataFrame) -> None:
    quarterly = (cells.assign(quarter=cells["month"].dt.asfreq("Q"))
                 .groupby(["municipality", "quarter"], as_index=False)["persons"].mean())
    result = persons_off_support(quarterly, unit="municipality", time="quarter", treated=0, start="2015Q1",
                                 persons="persons")
    assert result.to_frame()["periods"].tolist() == [4, 4]
    assert result.series.to_numpy() == pytest.approx(true_persons(cells), abs=3.0)


def test_cost_benefit_takes_the_result_and_its_draws(pos: PersonsOffSupport) -> None:
    costs = pd.DataFrame([(2015, "investment", None, 1e6), (2015, "benefit_cost_per_full_time_person", GROUP, 2e5),
                          (2016, "benefit_cost_per_full_time_person", GROUP, 2e5)],
                         columns=["year", "item", "benefit_group", "amount_dkk"])
    cb = cost_benefit(pos, costs)
    assert cb.table["savings_dkk"].to_numpy() == pytest.approx(pos.series.to_numpy() * 2e5)
    assert cb.n_draws == 29 and 0.0 <= cb.prob_paid_off <= 1.0


def test_bad_inputs_name_the_argument_column_and_rows(rows: pd.DataFrame, cells: pd.DataFrame) -> None:
    common = dict(unit="person_id", group="municipality", time="month", treated=0, start="2015-01")
    with pytest.raises(hj.DataError, match="data must be a pandas DataFrame"):
        persons_off_support(rows.to_numpy(), **common)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match=r"column\(s\) not found: unit='pid'"):
        persons_off_support(rows, **{**common, "unit": "pid"})
    with pytest.raises(hj.DataError, match=r"rows repeat a 'person_id', 'month' and 'benefit_group'.*row 0"):
        persons_off_support(pd.concat([rows.head(1), rows]), **common)
    with pytest.raises(hj.DataError, match="treated"):
        persons_off_support(rows, **{**common, "treated": 77})
    with pytest.raises(hj.DataError, match=r"benefit_group='cash' is not one of"):
        persons_off_support(rows, benefit_group="cash", **common)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="no rows of benefit_group 'sickness'"):
        persons_off_support(rows, benefit_group="sickness", **common)
    with pytest.raises(hj.DataError, match="start='2015Q1' is a Q-DEC period but column 'month' holds"):
        persons_off_support(rows, **{**common, "start": "2015Q1"})
    with pytest.raises(hj.DataError, match=r"column 'persons' has values below 0"):
        persons_off_support(cells.assign(persons=-cells["persons"]), unit="municipality", time="month", treated=0,
                            start="2015-01", persons="persons")
    varying = rows.assign(unemployment_rate=np.arange(len(rows), dtype=float))
    with pytest.raises(hj.DataError, match="takes several values within one 'municipality' and period"):
        persons_off_support(varying, cycle="unemployment_rate", **common)
    gap = rows[~((rows["municipality"] == 3) & (rows["month"] == pd.Period("2014-02", "M")))]
    with pytest.raises(hj.DataError, match=r"cycle \('unemployment_rate'\) is unknown.*3 2014-02.*cycle_panel="):
        persons_off_support(gap, cycle="unemployment_rate", **common)
    with pytest.raises(hj.DataError, match="cycle_panel is given but cycle is not"):
        persons_off_support(rows, cycle_panel=cells, **common)
    with pytest.raises(hj.DataError, match=r"cycle_panel: column 'unemployment' \(cycle\) not found"):
        persons_off_support(rows, cycle="unemployment", cycle_panel=cells, **common)
    nobody = rows[~((rows["municipality"] == 0) & (rows["month"] < pd.Period("2015-01", "M")))]
    with pytest.raises(hj.DataError, match=r"treated municipality \[0\] has no one on support before the start"):
        quiet(persons_off_support, nobody, **common)


def test_inputs_are_not_mutated_and_the_result_is_frozen(rows: pd.DataFrame) -> None:
    kept = rows.copy()
    result = persons_off_support(rows, unit="person_id", group="municipality", time="month", treated=0,
                                 start="2015-01")
    pd.testing.assert_frame_equal(rows, kept)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.alpha = 0.1  # type: ignore[misc]


def test_presentation(pos: PersonsOffSupport) -> None:
    text = pos.summary()
    assert "event study by year" in text and "2016" in text and "Pre-trend test" in text
    assert "<table>" in pos._repr_html_()
    for language in ("en", "da"):
        assert isinstance(pos.plot(language=language), Figure)
