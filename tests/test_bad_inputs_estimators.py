"""Bad input to the estimators: a DataError that names the argument or column and the rows, or a right answer.

Rows are named by the DataFrame's index labels. A Hypothesis property test feeds random
corruptions of a valid panel to ``hj.did`` and ``hj.event_study`` and accepts only a result or a
DataError.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hjeval as hj


def municipality_panel(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = [860, 851, 813, 810, 849, 846, 840, 820, 787, 773, 101, 147]
    frame = pd.DataFrame([(m, y) for m in codes for y in range(2010, 2020)], columns=["municipality", "year"])
    frame["persons"] = rng.integers(5, 400, len(frame)).astype(float)
    frame["unemployment_rate"] = rng.uniform(3, 7, len(frame))
    frame["hours"] = rng.normal(50, 5, len(frame)) + 4.0 * ((frame.municipality == 860) & (frame.year >= 2015))
    return frame.set_index(pd.Index([f"r{i}" for i in range(len(frame))]))


def person_panel_with_movers() -> pd.DataFrame:
    rows = []
    for person in range(60):
        home = [860, 851, 813][person % 3]
        for year in range(2012, 2018):
            municipality = 860 if person == 4 and year >= 2015 else home  # person 4 moves from 851 to 860
            rows.append((person, municipality, year, float(person % 5 + (municipality == 860) * (year >= 2015))))
    return pd.DataFrame(rows, columns=["person_id", "municipality", "year", "hours"])


def fit(data: pd.DataFrame, **kwargs: object) -> object:
    options = dict(outcome="hours", unit="municipality", time="year", treated=860, start=2015)
    options.update(kwargs)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return hj.did(data, **options)  # type: ignore[arg-type]


def test_infinite_outcome_names_the_column_and_rows() -> None:
    data = municipality_panel()
    data.loc[["r3", "r17"], "hours"] = np.inf
    with pytest.raises(hj.DataError, match=r"column 'hours' \(outcome\) has infinite values in rows r3, r17"):
        fit(data)


def test_infinite_cycle_names_the_column_and_rows() -> None:
    data = municipality_panel()
    data.loc["r5", "unemployment_rate"] = -np.inf
    with pytest.raises(hj.DataError, match=r"column 'unemployment_rate' \(regressor\) has infinite values in row r5"):
        fit(data, cycle="unemployment_rate")


def test_text_in_the_outcome_names_the_rows() -> None:
    data = municipality_panel().astype({"hours": object})
    data.loc["r8", "hours"] = "n/a"
    with pytest.raises(hj.DataError, match=r"column 'hours' \(outcome\) must hold numbers, but row r8 .*'n/a'"):
        fit(data)


def test_missing_key_values_name_index_labels() -> None:
    data = municipality_panel().astype({"year": "float64"})
    data.loc["r2", "year"] = np.nan
    with pytest.raises(hj.DataError, match=r"column 'year' \(time\) has missing values in row r2 \(index labels\)"):
        fit(data)


def test_empty_comparison_is_named() -> None:
    with pytest.raises(hj.DataError, match=r"comparison=\[\] names no comparison group"):
        fit(municipality_panel(), comparison=[])


def test_comparison_that_contains_the_treated_is_refused() -> None:
    with pytest.raises(hj.DataError, match=r"contains the treated group\(s\) \[860\]"):
        fit(municipality_panel(), comparison=[851, 860, 813])


def test_treated_as_text_against_integer_codes_says_the_types_differ() -> None:
    with pytest.raises(hj.DataError, match=r"'860' is text but column 'municipality' holds numbers.*treated=860"):
        fit(municipality_panel(), treated="860")


def test_municipality_names_are_read_as_codes() -> None:
    data = municipality_panel()
    by_code = fit(data, comparison=[851, 813, 810])
    by_name = fit(data, treated="Hjørring", comparison=["Aalborg", "Frederikshavn Kommune", "Brønderslev"])
    assert by_name.treated == 860  # type: ignore[attr-defined]
    assert by_name.estimate == by_code.estimate  # type: ignore[attr-defined]


def test_zero_weight_on_every_treated_row_names_the_group() -> None:
    data = municipality_panel()
    data.loc[data["municipality"] == 860, "persons"] = 0.0
    with pytest.raises(hj.DataError, match=r"'persons' \(weights\) is zero on every row of the treated group"):
        fit(data, weights="persons")


def test_negative_weights_name_the_rows() -> None:
    data = municipality_panel()
    data.loc["r9", "persons"] = -1.0
    with pytest.raises(hj.DataError, match=r"'persons' \(weights\) has negative values in row r9"):
        fit(data, weights="persons")


def test_bad_numeric_options() -> None:
    data = municipality_panel()
    with pytest.raises(hj.DataError, match="draws must be a positive whole number"):
        fit(data, draws=-3)
    with pytest.raises(hj.DataError, match="alpha must be between 0 and 1"):
        fit(data, alpha=1.5)
    with pytest.raises(hj.DataError, match=r"movers='stay' is not one of"):
        fit(data, movers="stay")


def test_several_treated_with_the_default_inference() -> None:
    res = fit(municipality_panel(), treated=[860, 851])
    assert sorted(res.treated) == [851, 860] and res.inference.method == "placebo"  # type: ignore[attr-defined]


def test_movers_are_named_with_the_choices() -> None:
    data = person_panel_with_movers()
    with pytest.raises(hj.DataError, match=r"1 person_id value\(s\) appear in more than one municipality, "
                                           r"e\.g\. 4 in \[851, 860\].*movers='entry'.*movers='split'"):
        fit(data, unit="person_id", group="municipality")


@pytest.mark.parametrize(("movers", "rows"), [("entry", 3), ("split", 6)])
def test_movers_entry_or_split_are_counted(movers: str, rows: int) -> None:
    data = person_panel_with_movers()
    res = fit(data, unit="person_id", group="municipality", movers=movers)
    adjustment = res.provenance["adjustments"][0]  # type: ignore[attr-defined]
    assert adjustment["units"] == 1 and adjustment["rows"] == rows
    if movers == "entry":
        # the same as moving the mover's rows back to the municipality of entry by hand
        by_hand = fit(data.assign(municipality=np.where(data.person_id == 4, 851, data.municipality)),
                      unit="person_id", group="municipality")
        assert res.estimate == pytest.approx(by_hand.estimate, rel=1e-12)  # type: ignore[attr-defined]


# ---- random corruptions: a result or a DataError, nothing else ---------------------------------------

CORRUPTIONS = ["nan", "inf", "text", "negative_weight", "shuffle", "duplicate", "swap", "scale", "drop_column"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(CORRUPTIONS), column=st.sampled_from(["hours", "unemployment_rate", "persons", "year",
                                                                   "municipality"]),
       rows=st.lists(st.integers(0, 119), min_size=1, max_size=5), estimator=st.sampled_from(["did", "event_study"]))
def test_random_corruptions_give_a_result_or_a_data_error(kind: str, column: str, rows: list[int],
                                                          estimator: str) -> None:
    data = municipality_panel().reset_index(drop=True)
    labels = data.index[rows]
    if kind == "nan":
        data[column] = data[column].astype(float) if column != "municipality" else data[column].astype(object)
        data.loc[labels, column] = np.nan
    elif kind == "inf" and column not in ("municipality",):
        data[column] = data[column].astype(float)
        data.loc[labels, column] = np.inf
    elif kind == "text":
        data[column] = data[column].astype(object)
        data.loc[labels, column] = "x"
    elif kind == "negative_weight":
        data.loc[labels, "persons"] = -5.0
    elif kind == "shuffle":
        data = data.sample(frac=1.0, random_state=rows[0])
    elif kind == "duplicate":
        data = pd.concat([data, data.loc[labels]])
    elif kind == "swap":
        data = data.rename(columns={column: "tmp", "hours": column}).rename(columns={"tmp": "hours"})
    elif kind == "scale" and column not in ("municipality", "year"):
        data.loc[labels, column] = data.loc[labels, column] * 1000.0
    elif kind == "drop_column":
        data = data.drop(columns=[column])
    function = hj.did if estimator == "did" else hj.event_study
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", hj.HjevalWarning)
            res = function(data, "hours", unit="municipality", time="year", treated=860, start=2015,
                           weights="persons", cycle="unemployment_rate")
    except hj.DataError:
        return
    assert np.isfinite(res.estimate)


def test_a_person_month_given_twice_is_named() -> None:
    data = person_panel_with_movers().query("person_id != 4")
    data = pd.concat([data, data.iloc[[7]]])
    with pytest.raises(hj.DataError, match=r"2 rows repeat a \(person_id, year\) pair, e\.g\. rows 7, 7"):
        fit(data, unit="person_id", group="municipality")
