"""Panel loaders: formats, column maps, typing, and one test per bad-input case."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import hjeval as hj

PERSON_HEADER = "person_id,municipality,month,hours,benefit_group"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def person_csv(tmp_path: Path) -> Path:
    return write(
        tmp_path / "hours.csv",
        PERSON_HEADER + "\n"
        "11,860,2015-01,0,activity_ready_cash\n"
        "11,860,2015-02,12.5,activity_ready_cash\n"
        "12,813,2015-01,160,job_ready_cash\n",
    )


def test_person_panel_is_typed(person_csv: Path) -> None:
    hours = hj.load_hours(person_csv)
    assert hours["month"].dtype == pd.PeriodDtype("M")
    assert hours["municipality"].dtype == "int64"
    assert isinstance(hours["benefit_group"].dtype, pd.CategoricalDtype)
    assert hours["hours"].tolist() == [0.0, 12.5, 160.0]
    assert hours.attrs["rows_read"] == 3 and hours.attrs["exclusions"] == []


def test_danish_semicolon_csv_with_decimal_comma_and_headers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "timer.csv",
        "\ufeffpersonid;kommune;måned;timer;ydelsesgruppe;køn\n"
        "1;Hjørring;2015M01;4,5;Aktivitetsparat kontanthjælp;K\n"
        "2;Vesthimmerland;2015M01;1.234,0;sygedagpenge;M\n".replace("1.234,0", "12,25"),
    )
    hours = hj.load_hours(path)
    assert hours["municipality"].tolist() == [860, 820]
    assert hours["hours"].tolist() == [4.5, 12.25]
    assert hours["benefit_group"].astype(str).tolist() == ["activity_ready_cash", "sickness"]
    assert hours["sex"].astype(str).tolist() == ["F", "M"]


def test_explicit_column_map(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", "pnr,kom,mdr,t,grp\n5,860,2016-03,3,integration\n")
    hours = hj.load_hours(
        path,
        columns={"pnr": "person_id", "kom": "municipality", "mdr": "month", "t": "hours",
                 "grp": "benefit_group"},
    )
    assert list(hours.columns) == ["person_id", "municipality", "month", "hours", "benefit_group"]


def test_parquet_and_excel_give_the_same_panel(person_csv: Path, tmp_path: Path) -> None:
    from_csv = hj.load_hours(person_csv)
    raw = pd.read_csv(person_csv)
    raw.to_parquet(tmp_path / "hours.parquet")
    raw.to_excel(tmp_path / "hours.xlsx", index=False)
    for name in ("hours.parquet", "hours.xlsx"):
        other = hj.load_hours(tmp_path / name)
        pd.testing.assert_frame_equal(other, from_csv, check_categorical=True)


def test_parquet_dates_become_months(tmp_path: Path) -> None:
    raw = pd.DataFrame({
        "person_id": [1, 1], "municipality": [860, 860],
        "month": pd.to_datetime(["2015-01-01", "2015-02-01"]).date,
        "hours": [1.0, 2.0], "benefit_group": ["sickness", "sickness"],
    })
    raw.to_parquet(tmp_path / "d.parquet")
    hours = hj.load_hours(tmp_path / "d.parquet")
    assert hours["month"].astype(str).tolist() == ["2015-01", "2015-02"]


def test_long_person_ids_keep_every_digit(tmp_path: Path) -> None:
    # ids beyond 2**53 differ in digits a float64 does not hold: a float round trip would merge them
    ids = [2**62 + 1, 2**62 + 2, 4_611_677_958_340_887_140]
    raw = pd.DataFrame({"person_id": ids, "municipality": 860, "month": ["2015-01", "2015-01", "2015-02"],
                        "hours": [1.0, 2.0, 3.0], "benefit_group": "sickness"})
    raw.to_parquet(tmp_path / "ids.parquet")
    raw.to_csv(tmp_path / "ids.csv", index=False)
    for source in (raw, tmp_path / "ids.parquet", tmp_path / "ids.csv"):
        assert hj.load_hours(source)["person_id"].tolist() == ids


def test_parquet_panel_can_be_edited(tmp_path: Path) -> None:
    # columns converted from Arrow without a copy would be read-only
    raw = pd.DataFrame({"person_id": [1, 2], "municipality": 860, "month": ["2015-01", "2015-01"],
                        "hours": [1.0, 2.0], "benefit_group": "sickness"})
    raw.to_parquet(tmp_path / "h.parquet")
    for frame in (hj.read_table(tmp_path / "h.parquet"), hj.load_hours(tmp_path / "h.parquet")):
        frame.loc[frame.index[1], "hours"] = 7.0
        frame.loc[frame.index[1], "person_id"] = 9
        assert frame["hours"].tolist() == [1.0, 7.0] and frame["person_id"].tolist() == [1, 9]


def test_rows_out_of_key_order_are_still_checked_for_duplicates(tmp_path: Path) -> None:
    # the quick check (rows grouped by person, months increasing) does not apply here
    path = write(tmp_path / "h.csv", "person_id,municipality,month,hours,benefit_group\n"
                 "1,860,2015-02,1,sickness\n2,860,2015-01,1,sickness\n1,860,2015-01,1,sickness\n"
                 "2,860,2015-01,2,sickness\n")
    with pytest.raises(hj.DataError, match=(
        r"duplicated rows for the key \(person_id, month\) in rows 3, 5 \(the header is row 1\);"
    )):
        hj.load_hours(path)


def test_aggregated_panel(tmp_path: Path) -> None:
    path = write(
        tmp_path / "cells.csv",
        "municipality,period,benefit_group,persons,hours_total\n"
        "860,2015Q1,activity_ready_cash,100,1500\n860,2015Q2,activity_ready_cash,90,1400\n",
    )
    cells = hj.load_hours(path)
    assert cells.attrs["schema"] == "hours (aggregated)"
    assert cells["period"].dtype == pd.PeriodDtype("Q")


def test_caller_frame_is_not_mutated() -> None:
    raw = pd.DataFrame({"person_id": [1], "municipality": ["860"], "month": ["2015-01"],
                        "hours": ["3"], "benefit_group": ["sickness"]})
    before = raw.copy()
    hj.load_hours(raw)
    pd.testing.assert_frame_equal(raw, before)


# ---- bad input: one test per case, each checking file, column and rows -------------------------

def bad_person_file(tmp_path: Path, *rows: str, header: str = PERSON_HEADER) -> Path:
    return write(tmp_path / "bad.csv", header + "\n" + "\n".join(rows) + "\n")


def test_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "person_id,municipality,month,benefit_group\n1,860,2015-01,sickness\n")
    with pytest.raises(hj.DataError, match=r"bad\.csv.*\['hours'\] missing.*the file has"):
        hj.load_hours(path)


def test_unparseable_period(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, "1,860,2015-01,0,sickness", "1,860,jan 2015,0,sickness")
    with pytest.raises(hj.DataError, match=(
        r"bad\.csv: column 'month' has values that are not periods.*\(first: 'jan 2015'\) "
        r"in row 3 \(the header is row 1\)$"
    )):
        hj.load_hours(path)


def test_non_numeric_value(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, "1,860,2015-01,0,sickness", "1,860,2015-02,abc,sickness")
    with pytest.raises(hj.DataError, match=(
        r"bad\.csv: column 'hours' has values that are not numbers \(first: 'abc'\) in row 3"
    )):
        hj.load_hours(path)


def test_duplicated_key_rows(tmp_path: Path) -> None:
    path = bad_person_file(
        tmp_path, "1,860,2015-01,0,sickness", "2,860,2015-01,0,sickness", "1,860,2015-01,5,sickness"
    )
    with pytest.raises(hj.DataError, match=r"bad\.csv: duplicated rows for the key \(person_id, month\) in rows 2, 4"):
        hj.load_hours(path)


def test_negative_hours(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, "1,860,2015-01,-2,sickness")
    with pytest.raises(hj.DataError, match=r"column 'hours' has values below 0 \(first: '-2'\) in row 2"):
        hj.load_hours(path)


def test_more_hours_than_the_month_has(tmp_path: Path) -> None:
    # February 2015 has 28 days = 672 hours; 700 is impossible, 672 is the limit.
    path = bad_person_file(tmp_path, "1,860,2015-02,672,sickness", "2,860,2015-02,700,sickness")
    with pytest.raises(hj.DataError, match=r"column 'hours' has more hours than the month has.* in row 3"):
        hj.load_hours(path)


def test_more_hours_than_persons_have_in_a_cell(tmp_path: Path) -> None:
    # Two persons in Q1 2015 (90 days) have at most 2 * 90 * 24 = 4320 hours.
    path = write(tmp_path / "cells.csv", "municipality,period,persons,hours_total\n860,2015Q1,2,4321\n")
    with pytest.raises(hj.DataError, match=r"column 'hours_total'.*in row 2"):
        hj.load_hours(path)


def test_unknown_municipality_code(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, "1,860,2015-01,0,sickness", "2,999,2015-01,0,sickness")
    with pytest.raises(hj.DataError, match=(
        r"column 'municipality' has unknown municipality code or name \(first: '999'\) in row 3"
    )):
        hj.load_hours(path)


def test_missing_values_in_key_columns(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, ",860,2015-01,0,sickness", "2,860,2015-01,0,sickness")
    with pytest.raises(hj.DataError, match=r"column 'person_id' has missing values in key column in row 2"):
        hj.load_hours(path)


def test_unknown_benefit_group(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, "1,860,2015-01,0,pension")
    with pytest.raises(hj.DataError, match=r"column 'benefit_group' has values outside .*'pension'.* in row 2"):
        hj.load_hours(path)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.csv", "")
    with pytest.raises(hj.DataError, match=r"empty\.csv: the file is empty"):
        hj.load_hours(path)


def test_header_only_file(tmp_path: Path) -> None:
    path = write(tmp_path / "header.csv", PERSON_HEADER + "\n")
    with pytest.raises(hj.DataError, match=r"header\.csv: the file has no data rows"):
        hj.load_hours(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(hj.DataError, match="file not found"):
        hj.load_hours(tmp_path / "nope.csv")


def test_unknown_file_type(tmp_path: Path) -> None:
    path = write(tmp_path / "hours.json", "{}")
    with pytest.raises(hj.DataError, match=r"unknown file type '\.json'"):
        hj.load_hours(path)


def test_column_map_naming_absent_column(person_csv: Path) -> None:
    with pytest.raises(hj.DataError, match=r"column map names columns \['timer'\]"):
        hj.load_hours(person_csv, columns={"timer": "hours"})


def test_exclusions_are_counted_not_silent(tmp_path: Path) -> None:
    path = bad_person_file(
        tmp_path,
        "1,860,2015-01,0,sickness",
        "2,860,2015-01,-1,sickness",
        "3,999,2015-01,0,sickness",
        "4,860,2015-01,5,sickness",
    )
    with pytest.warns(hj.HjevalWarning, match=r"excluded rows: .*1 with values below 0 in 'hours'"):
        hours = hj.load_hours(path, on_invalid="exclude")
    assert hours["person_id"].tolist() == [1, 4]
    reasons = {e["reason"]: (e["rows"], e["first_rows"]) for e in hours.attrs["exclusions"]}
    assert reasons == {
        "values below 0": (1, (3,)),
        "unknown municipality code or name": (1, (4,)),
    }
    assert hours.attrs["rows_read"] == 4


def test_duplicates_raise_even_when_excluding(tmp_path: Path) -> None:
    path = bad_person_file(tmp_path, "1,860,2015-01,0,sickness", "1,860,2015-01,0,sickness")
    with pytest.raises(hj.DataError, match="duplicated rows"):
        hj.load_hours(path, on_invalid="exclude")


# ---- caseload, cycle, costs --------------------------------------------------------------------

def test_caseload_ratio_computed_and_checked(tmp_path: Path) -> None:
    path = write(
        tmp_path / "caseload.csv",
        "municipality,period,benefit_area,caseworker_fte,open_cases\n"
        "860,2014-12,cash_benefit,20,1500\n860,2015-06,cash_benefit,40,1400\n",
    )
    caseload = hj.load_caseload(path)
    assert caseload["cases_per_caseworker"].tolist() == [75.0, 35.0]
    path2 = write(
        tmp_path / "caseload2.csv",
        "municipality,period,benefit_area,caseworker_fte,open_cases,cases_per_caseworker\n"
        "860,2014-12,cash_benefit,20,1500,75\n860,2015-06,cash_benefit,40,1400,50\n",
    )
    with pytest.warns(hj.HjevalWarning, match=r"differs from open_cases / caseworker_fte.*row 3 \(the header is row 1"):
        kept = hj.load_caseload(path2)
    assert kept["cases_per_caseworker"].tolist() == [75.0, 50.0]


def test_caseload_open_cases_without_caseworkers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "caseload.csv",
        "municipality,period,benefit_area,caseworker_fte,open_cases\n860,2014-12,cash_benefit,0,10\n",
    )
    with pytest.raises(hj.DataError, match=r"caseload\.csv: column 'caseworker_fte' is 0 with open cases"):
        hj.load_caseload(path)


def test_cycle_unemployment_above_100_percent(tmp_path: Path) -> None:
    path = write(tmp_path / "cycle.csv", "municipality,period,unemployment_rate\n860,2015,140\n")
    with pytest.raises(hj.DataError, match=r"column 'unemployment_rate' has values above 100"):
        hj.load_cycle(path)


def test_cycle_reads_real_annual_unemployment_file(statbank_dir: Path) -> None:
    path = statbank_dir / "unemployment_pct_annual.csv"
    cycle = hj.load_cycle(path, columns={"year": "period", "value": "unemployment_rate"})
    raw = pd.read_csv(path)
    assert len(cycle) == len(raw)
    assert cycle["municipality"].nunique() == 98
    hjorring = cycle[(cycle["municipality"] == 860) & (cycle["period"] == pd.Period("2015", "Y"))]
    expected = raw[(raw["municipality"] == "Hjørring") & (raw["year"] == 2015)]["value"]
    assert hjorring["unemployment_rate"].tolist() == expected.tolist()


def test_costs_defaults_fill_only_gaps(tmp_path: Path) -> None:
    path = write(
        tmp_path / "costs.csv",
        "year,item,benefit_group,amount_dkk\n"
        "2015,investment,,31000000\n"
        "2015,benefit_cost_per_full_time_person,activity_ready_cash,150000\n",
    )
    costs = hj.load_costs(path)
    own = costs.query("year == 2015 and benefit_group == 'activity_ready_cash'")
    assert own["amount_dkk"].tolist() == [150000.0]
    assert own["source_of_value"].tolist() == ["file"]
    # 2015-2017 x two cash groups + sickness 2015 = 7 defaults, minus the one the file gave.
    assert costs.attrs["defaults_added"] == 6
    sick = costs.query("benefit_group == 'sickness'")["amount_dkk"].tolist()
    assert sick == [4135.0 * 52]


def test_costs_benefit_rows_need_a_group(tmp_path: Path) -> None:
    path = write(
        tmp_path / "costs.csv",
        "year,item,benefit_group,amount_dkk\n2015,benefit_cost_per_full_time_person,,150000\n",
    )
    with pytest.raises(hj.DataError, match=r"'benefit_group' is missing on benefit-cost rows"):
        hj.load_costs(path)


def test_error_is_a_value_error() -> None:
    assert issubclass(hj.DataError, ValueError)
    assert re.search("rows 1, 2", hj.errors.format_rows([1, 2]))


def test_no_warning_on_clean_input(person_csv: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hj.load_hours(person_csv)


# ---- attaching municipality-period series to person rows ---------------------------------------

def test_attach_cycle_to_person_rows() -> None:
    rows = pd.DataFrame({"person_id": [1, 2, 3], "municipality": [860, 813, 860],
                         "month": pd.PeriodIndex(["2015-01", "2015-01", "2015-02"], freq="M")})
    cycle = pd.DataFrame({"municipality": [860, 860, 813],
                          "period": pd.PeriodIndex(["2015-01", "2015-02", "2015-01"], freq="M"),
                          "unemployment_rate": [4.1, 4.0, 5.5]})
    out = hj.attach(rows, cycle, ["unemployment_rate"])
    assert out["unemployment_rate"].tolist() == [4.1, 5.5, 4.0]
    assert "unemployment_rate" not in rows.columns


def test_attach_names_rows_without_a_match() -> None:
    rows = pd.DataFrame({"municipality": [860, 813], "month": pd.PeriodIndex(["2015-01", "2015-03"], freq="M")})
    cycle = pd.DataFrame({"municipality": [860], "period": pd.PeriodIndex(["2015-01"], freq="M"), "u": [4.1]})
    with pytest.raises(hj.DataError, match=r"1 row has no u in the panel \(the row with index label 1; e\.g\. 813"):
        hj.attach(rows, cycle, ["u"])


def test_attach_refuses_different_frequencies() -> None:
    rows = pd.DataFrame({"municipality": [860], "month": pd.PeriodIndex(["2015-01"], freq="M")})
    cycle = pd.DataFrame({"municipality": [860], "period": pd.PeriodIndex(["2015Q1"], freq="Q"), "u": [4.1]})
    with pytest.raises(hj.DataError, match="periods differ in kind"):
        hj.attach(rows, cycle, ["u"])
