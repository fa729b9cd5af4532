"""Malformed input to the loaders and readers: a correct result or a DataError that says where.

Each class of input has a test: values that used to give silently wrong numbers, input that used
to end in a traceback from inside a dependency, messages that did not say where, legitimate input
that was refused, and values outside their unit's plausible range. Every DataError must name the
file (or the DataFrame argument), the column, the problem and the first rows as the user sees them:
file rows with the header as row 1, or a DataFrame's index labels. Property tests at the end feed
random corruptions of small valid panels to every loader.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hjeval as hj
from hjeval.data.schemas import CASELOAD, COSTS, CYCLE, HOURS_PERSON

openpyxl = pytest.importorskip("openpyxl")

HEADER_NOTE = r" \(the header is row 1\)"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def person_rows(n: int = 3) -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": np.arange(1, n + 1),
        "municipality": 860,
        "month": [f"2015-{(i % 12) + 1:02d}" for i in range(n)],
        "hours": np.linspace(0.0, 40.0, n),
        "benefit_group": "activity_ready_cash",
    })


def cycle_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "municipality": [860, 860, 851, 851, 813, 813],
        "period": ["2015", "2016"] * 3,
        "unemployment_rate": [5.75, 5.5, 5.1, 4.9, 4.0, 3.9],
    })


# ---- silently wrong numbers ---------------------------------------------------------------------


def test_unemployment_rates_given_as_fractions_raise_with_the_fix(tmp_path: Path) -> None:
    path = write(tmp_path / "ledighed.csv", csv_text(
        "kommune;periode;ledighedsprocent", "860;2015;0,0575", "851;2015;0,051", "813;2015;0,04",
    ))
    with pytest.raises(hj.DataError, match=(
        r"ledighed\.csv: column 'unemployment_rate' has only values below 1 .*in rows 2, 3, 4"
        + HEADER_NOTE + r".*fractions.*multiply the column by 100"
    )):
        hj.load_cycle(path)


def test_one_municipality_in_fractions_is_named(tmp_path: Path) -> None:
    raw = cycle_rows()
    raw.loc[raw["municipality"] == 851, "unemployment_rate"] = [0.051, 0.049]
    path = write(tmp_path / "cycle.csv", raw.to_csv(index=False))
    with pytest.raises(hj.DataError, match=(
        r"cycle\.csv: column 'unemployment_rate' has only values below 1 for municipality 851 \(Aalborg\)"
        r".*in rows 4, 5" + HEADER_NOTE + r".*multiply that municipality's values by 100"
    )):
        hj.load_cycle(path)
    # excluding leaves the other municipalities, counted
    with pytest.warns(hj.HjevalWarning, match="excluded rows"):
        kept = hj.load_cycle(path, on_invalid="exclude")
    assert sorted(kept["municipality"].unique()) == [813, 860]
    assert kept.attrs["exclusions"][0]["first_rows"] == (4, 5)


def test_a_genuinely_low_rate_is_not_taken_for_a_fraction() -> None:
    raw = cycle_rows()
    raw.loc[raw["municipality"] == 851, "unemployment_rate"] = [0.9, 0.8]  # low, but in percent
    assert hj.load_cycle(raw)["unemployment_rate"].min() == 0.8


@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "1e400"])
def test_infinite_caseworker_fte_is_refused_with_its_row(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "caseload.csv", csv_text(
        "municipality,period,benefit_area,caseworker_fte,open_cases",
        "860,2015-01,cash_benefit,20,1500", f"860,2015-02,cash_benefit,{text},1500",
    ))
    with pytest.raises(hj.DataError, match=(
        r"caseload\.csv: column 'caseworker_fte' has (infinite values|values below 0).* in row 3" + HEADER_NOTE
    )):
        hj.load_caseload(path)


def test_infinite_cost_amount_is_refused_with_its_index_label() -> None:
    raw = pd.DataFrame({"year": [2015, 2016], "item": "investment", "amount_dkk": [31e6, np.inf]}, index=["a", "b"])
    with pytest.raises(hj.DataError, match=(
        r"the DataFrame given to load_costs: column 'amount_dkk' has infinite values \(first: inf\) "
        r"in the row with index label 'b'"
    )):
        hj.load_costs(raw)


def test_excel_serial_dates_in_the_month_column_are_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "hours.xlsx", {"Ark1": [
        ["person_id", "municipality", "month", "hours", "benefit_group"],
        [1, 860, 42005, 10.0, "sickness"],
        [1, 860, 42036, 12.0, "sickness"],
    ]})
    with pytest.raises(hj.DataError, match=(
        r"hours\.xlsx \(sheet 'Ark1'\): column 'month' has periods outside the years 1900-2100 \(first: 42005\) "
        r"in rows 2, 3" + HEADER_NOTE + r"; 42005 is how Excel stores the date 2015-01-01"
    )):
        hj.load_hours(path)


def test_excel_serial_dates_from_parquet_and_as_text(tmp_path: Path) -> None:
    raw = cycle_rows().assign(period=[42005, 42370] * 3)
    raw.to_parquet(tmp_path / "cycle.parquet")
    with pytest.raises(hj.DataError, match=r"cycle\.parquet: column 'period'.*rows 2, 3, 4.*Excel"):
        hj.load_cycle(tmp_path / "cycle.parquet")
    path = write(tmp_path / "cycle.csv", raw.to_csv(index=False))
    with pytest.raises(hj.DataError, match=r"cycle\.csv: column 'period' has values that are not periods.*Excel"):
        hj.load_cycle(path)


def test_statbank_decimal_comma_file_reads_a_dot_as_thousands(tmp_path: Path) -> None:
    path = write(tmp_path / "auk01.csv", csv_text(
        "OMRÅDE;TID;INDHOLD", "Hele landet;2015K1;19.206", "Hjørring;2015K1;4,3",
    ))
    assert hj.read_statbank(path)["value"].tolist() == [19206.0, 4.3]


def test_danish_statbank_labels_make_a_grouped_value_thousands(tmp_path: Path) -> None:
    # no decimal comma, but Danish labels and every dotted value grouped in thousands
    path = write(tmp_path / "auk01.csv", csv_text(
        "OMRÅDE;KØN;TID;INDHOLD", "Hele landet;I alt;2015K1;19.206", "Hjørring;I alt;2015K1;412",
    ))
    frame = hj.read_statbank(path)
    assert frame["value"].tolist() == [19206.0, 412.0]
    assert frame.attrs["decimal"] == ","


def test_loader_reads_a_decimal_comma_file_with_thousands_dots(tmp_path: Path) -> None:
    path = write(tmp_path / "fte.csv", csv_text(
        "kommune;periode;ydelsesområde;sagsbehandlere;sager", "860;2015;kontanthjælp;20,5;1.500",
        "851;2015;kontanthjælp;12,5;900",
    ))
    caseload = hj.load_caseload(path)
    assert caseload["open_cases"].tolist() == [1500.0, 900.0]
    assert caseload["caseworker_fte"].tolist() == [20.5, 12.5]


def test_decimal_point_inside_a_decimal_comma_file_is_not_read_as_thousands(tmp_path: Path) -> None:
    # "4.5" in a decimal-comma file would be 45 if '.' were dropped
    path = write(tmp_path / "cycle.csv", csv_text(
        "kommune;periode;ledighed", "860;2015;4,1", "851;2015;4,2", "813;2015;4.5",
    ))
    with pytest.raises(hj.DataError, match=(
        r"column 'unemployment_rate' has values that are not numbers \(first: '4\.5'\) in row 4" + HEADER_NOTE
        + r"; the file uses decimal commas"
    )):
        hj.load_cycle(path)


def test_statbank_code_and_name_labels_get_their_codes(tmp_path: Path) -> None:
    path = write(tmp_path / "codes.csv", csv_text(
        "OMRÅDE;TID;INDHOLD", "000 Hele landet;2015K1;19206", "081 Region Nordjylland;2015K1;2000",
        "860 Hjørring;2015K1;412", "01 Landsdel Byen København;2015K1;3000",
    ))
    frame = hj.read_statbank(path)
    assert frame["area_code"].tolist() == [0, 81, 860, pd.NA]
    assert frame["area_level"].tolist() == ["country", "region", "municipality", "province"]


def test_statbank_label_whose_code_and_name_disagree(tmp_path: Path) -> None:
    path = write(tmp_path / "codes.csv", csv_text(
        "OMRÅDE;TID;INDHOLD", "860 Hjørring;2015K1;412", "851 Hjørring;2015K2;413",
    ))
    with pytest.raises(hj.DataError, match=(
        r"codes\.csv: column 'OMRÅDE' has area labels whose code and name disagree "
        r"\(first: '851 Hjørring': code 851 is Aalborg.*\) in row 3" + HEADER_NOTE
    )):
        hj.read_statbank(path)


def test_statbank_unknown_area_labels_are_counted_and_named(tmp_path: Path) -> None:
    path = write(tmp_path / "areas.csv", csv_text(
        "OMRÅDE;TID;INDHOLD", "Hjørring;2015K1;412", "Hjøring;2015K2;413", "Abroad;2015K1;5",
    ))
    with pytest.warns(hj.HjevalWarning, match=r"areas\.csv: column 'OMRÅDE' has area labels .*'Hjøring'.* row 3"):
        frame = hj.read_statbank(path)
    assert frame.attrs["unrecognised_areas"] == {"Hjøring": 1}  # "Abroad" is a known area outside them


@pytest.mark.parametrize("kind", ["csv", "excel", "frame"])
def test_a_column_named_twice_is_refused(tmp_path: Path, kind: str) -> None:
    header = ["person_id", "municipality", "month", "hours", "benefit_group", "hours"]
    row = [1, 860, "2015-01", 3, "sickness", 4]
    if kind == "csv":
        source: object = write(tmp_path / "h.csv", csv_text(",".join(header), ",".join(map(str, row))))
    elif kind == "excel":
        source = workbook(tmp_path / "h.xlsx", {"Data": [header, row]})
    else:
        source = pd.DataFrame([row], columns=header)
    with pytest.raises(hj.DataError, match=r"names column 'hours' more than once \(columns 4 and 6\)"):
        hj.load_hours(source)  # type: ignore[arg-type]


def test_a_duplicated_parquet_column_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table([pa.array([1]), pa.array([860]), pa.array(["2015-01"]), pa.array([3.0]),
                      pa.array(["sickness"]), pa.array([4.0])],
                     names=["person_id", "municipality", "month", "hours", "benefit_group", "hours"])
    pq.write_table(table, tmp_path / "h.parquet")
    with pytest.raises(hj.DataError, match=r"h\.parquet: .*column 'hours' more than once"):
        hj.load_hours(tmp_path / "h.parquet")


def test_two_headers_that_mean_the_same_column(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", csv_text("person_id,kommune,month,hours,TIMER,benefit_group",
                                              "1,860,2015-01,3,4,sickness"))
    with pytest.raises(hj.DataError, match=r"columns \['hours', 'TIMER'\] all mean 'hours'; keep one"):
        hj.load_hours(path)


# ---- tracebacks from inside ---------------------------------------------------------------------


@pytest.mark.parametrize(("loader", "column"), [(hj.load_hours, "hours"), (hj.load_cycle, "unemployment_rate")])
def test_inf_in_outcome_or_cycle_is_rejected_at_load(tmp_path: Path, loader: Callable[..., pd.DataFrame],
                                                     column: str) -> None:
    raw = person_rows() if loader is hj.load_hours else cycle_rows()
    raw[column] = raw[column].astype(object)
    raw.loc[1, column] = "inf"
    path = write(tmp_path / "panel.csv", raw.to_csv(index=False))
    with pytest.raises(hj.DataError, match=rf"panel\.csv: column '{column}' has infinite values.* in row 3"):
        loader(path)
    raw.loc[1, column] = np.inf
    with pytest.raises(hj.DataError, match=rf"column '{column}' has infinite values.*index label 1"):
        loader(raw.astype({column: float}))


def test_attach_names_the_missing_period_column_and_the_fix() -> None:
    cells = hj.load_hours(pd.DataFrame({"municipality": [860], "period": ["2015-01"], "persons": [3],
                                        "hours_total": [12.0]}))
    cycle = hj.load_cycle(pd.DataFrame({"municipality": [860], "period": ["2015-01"], "unemployment_rate": [5.0]}))
    with pytest.raises(hj.DataError, match=(
        r"attach: the rows have no column 'month' \(time='month'\); they have \['municipality', 'period', "
        r"'persons', 'hours_total'\]; pass time='period'"
    )):
        hj.attach(cells, cycle, ["unemployment_rate"])
    out = hj.attach(cells, cycle, "unemployment_rate", time="period")
    assert out["unemployment_rate"].tolist() == [5.0]


def test_attach_names_a_missing_key_column() -> None:
    rows = pd.DataFrame({"kommune": [860], "month": pd.PeriodIndex(["2015-01"], freq="M")})
    panel = pd.DataFrame({"municipality": [860], "period": pd.PeriodIndex(["2015-01"], freq="M"), "u": [1.0]})
    with pytest.raises(hj.DataError, match=r"attach: the rows have no column 'municipality' \(key='municipality'\)"):
        hj.attach(rows, panel, ["u"])


@pytest.mark.parametrize("source", [[1, 2], {"a": 1}, None, 42, b"cycle.csv"])
def test_a_source_that_is_neither_path_nor_frame(source: object) -> None:
    with pytest.raises(hj.DataError, match=r"load_cycle: .*(file path|not bytes)"):
        hj.load_cycle(source)  # type: ignore[arg-type]


def test_frames_with_odd_labels_and_dtypes_give_data_errors() -> None:
    with pytest.raises(hj.DataError, match=r"required column\(s\) .* missing.*it has \['0', '1'\]"):
        hj.load_cycle(pd.DataFrame({0: [1], 1: [2]}))
    ids = pd.array([2**62 + 1, 2**62 + 2], dtype="Int64")  # nullable ids keep every digit
    raw = person_rows(2).assign(person_id=ids)
    assert hj.load_hours(raw)["person_id"].tolist() == [2**62 + 1, 2**62 + 2]
    too_big = person_rows(1).assign(person_id=np.array([2**64 - 1], dtype="uint64"))
    with pytest.raises(hj.DataError, match=r"column 'person_id' has values too large"):
        hj.load_hours(too_big)
    with pytest.raises(hj.DataError, match=r"column 'hours' has values that are not numbers \(first: True\)"):
        hj.load_hours(person_rows(1).assign(hours=[True]))


def test_files_that_are_not_what_their_name_says(tmp_path: Path) -> None:
    book = workbook(tmp_path / "real.xlsx", {"Data": [["a"], [1]]})
    fake = tmp_path / "cycle.csv"
    fake.write_bytes(book.read_bytes())
    with pytest.raises(hj.DataError, match=r"cycle\.csv: the file is an Excel workbook"):
        hj.load_cycle(fake)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(hj.DataError, match=r"broken\.parquet: cannot be read as parquet"):
        hj.load_cycle(broken)
    with pytest.raises(hj.DataError, match="is a folder"):
        hj.load_cycle(tmp_path)
    with pytest.raises(hj.DataError, match=r"\.xls\) are not read; save it as \.xlsx"):
        hj.load_cycle(write(tmp_path / "old.xls", "x"))


def test_a_row_with_too_many_fields_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "cycle.csv", csv_text("municipality,period,unemployment_rate", "860,2015,4.1",
                                                  "851,2015,4,2"))
    with pytest.raises(hj.DataError, match=r"cycle\.csv: row 3" + HEADER_NOTE + r" has more fields than the header"):
        hj.load_cycle(path)


# ---- messages that say where ----------------------------------------------------------------


def bad_record_files(tmp_path: Path) -> dict[str, Path]:
    """The same panel, its third record (file row 4) with negative hours, as CSV, Excel and Parquet."""
    raw = person_rows(4)
    raw.loc[2, "hours"] = -1.0
    paths = {"csv": tmp_path / "h.csv", "xlsx": tmp_path / "h.xlsx", "parquet": tmp_path / "h.parquet"}
    raw.to_csv(paths["csv"], index=False)
    raw.to_excel(paths["xlsx"], index=False)
    raw.to_parquet(paths["parquet"])
    return paths


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_every_file_type_names_the_same_file_row(tmp_path: Path, kind: str) -> None:
    path = bad_record_files(tmp_path)[kind]
    with pytest.raises(hj.DataError, match=r"column 'hours' has values below 0 .* in row 4" + HEADER_NOTE):
        hj.load_hours(path)
    with pytest.warns(hj.HjevalWarning, match="excluded rows"):
        kept = hj.load_hours(path, on_invalid="exclude")
    assert kept.attrs["exclusions"][0]["first_rows"] == (4,)
    assert kept.attrs["row_labels"] == "file"


def test_a_dataframe_is_named_by_its_index_labels() -> None:
    raw = person_rows(4).set_axis(["p1", "p2", "p3", "p4"])
    raw.loc["p3", "hours"] = -1.0
    with pytest.raises(hj.DataError, match=(
        r"the DataFrame given to load_hours: column 'hours' has values below 0 \(first: -1\.0\) "
        r"in the row with index label 'p3'"
    )):
        hj.load_hours(raw)
    with pytest.warns(hj.HjevalWarning):
        kept = hj.load_hours(raw, on_invalid="exclude")
    assert kept.attrs["exclusions"][0]["first_rows"] == ("p3",)


def test_blank_lines_keep_the_row_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "cycle.csv", csv_text(
        "municipality,period,unemployment_rate", "860,2015,4.1", "", ",,", "851,2015,x",
    ))
    with pytest.raises(hj.DataError, match=r"column 'unemployment_rate' has values that are not numbers.* in row 5"):
        hj.load_cycle(path)
    good = write(tmp_path / "good.csv", csv_text("municipality,period,unemployment_rate", "860,2015,4.1", "",
                                                 "851,2015,4.2"))
    assert hj.load_cycle(good).attrs["blank_rows"] == 1


def test_caseload_and_cost_rules_name_file_rows(tmp_path: Path) -> None:
    # these were once "record order" (1-based positions among the records)
    path = write(tmp_path / "caseload.csv", csv_text(
        "municipality,period,benefit_area,caseworker_fte,open_cases",
        "860,2015-01,cash_benefit,20,1500", "860,2015-02,cash_benefit,0,1500",
    ))
    with pytest.raises(hj.DataError, match=r"column 'caseworker_fte' is 0 with open cases in row 3" + HEADER_NOTE):
        hj.load_caseload(path)
    costs = write(tmp_path / "costs.csv", csv_text(
        "year,item,benefit_group,amount_dkk", "2015,investment,,31000000",
        "2015,benefit_cost_per_full_time_person,,150000",
    ))
    with pytest.raises(hj.DataError, match=r"'benefit_group' is missing on benefit-cost rows in row 3" + HEADER_NOTE):
        hj.load_costs(costs)


def test_data_on_a_second_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "cycle.xlsx", {
        "Forside": [["Ledighed pr. kommune"], ["Kilde: jobindsats.dk"]],
        "Data": [["kommune", "periode", "ledighed"], [860, "2015", 5.1], [851, "2015", 4.9]],
    })
    with pytest.raises(hj.DataError, match=(
        r"cycle\.xlsx \(sheet 'Forside'\): required column\(s\) .* missing.*sheet 'Data' has them: pass sheet='Data'"
    )):
        hj.load_cycle(path)
    assert hj.load_cycle(path, sheet="Data")["unemployment_rate"].tolist() == [5.1, 4.9]
    assert hj.load_cycle(path, sheet=1)["municipality"].tolist() == [860, 851]
    assert hj.read_table(path, sheet="data").attrs["sheet"] == "Data"  # sheet names match without case
    with pytest.raises(hj.DataError, match=r"no sheet 'Tabel'; its sheets are \['Forside', 'Data'\]"):
        hj.load_cycle(path, sheet="Tabel")
    with pytest.raises(hj.DataError, match=r"sheet=5 does not exist"):
        hj.load_cycle(path, sheet=5)


def test_errors_on_another_sheet_name_the_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "cycle.xlsx", {
        "Notes": [["see the next sheet"]],
        "Data": [["municipality", "period", "unemployment_rate"], [860, "2015", 5.1], [851, "2015", 140]],
    })
    with pytest.raises(hj.DataError, match=(
        r"cycle\.xlsx \(sheet 'Data'\): column 'unemployment_rate' has values above 100 .*in row 3" + HEADER_NOTE
    )):
        hj.load_cycle(path, sheet="Data")


def test_a_title_above_the_header_is_pointed_out(tmp_path: Path) -> None:
    path = write(tmp_path / "cycle.csv", csv_text("Ledighed 2015", "municipality,period,unemployment_rate",
                                                  "860,2015,4.1"))
    with pytest.raises(hj.DataError, match=r"cycle\.csv: the header seems to be in row 2: .*delete the rows above"):
        hj.load_cycle(path)
    rows: list[list[object]] = [["Ledighed 2015"], [], ["municipality", "period", "unemployment_rate"],
                                [860, "2015", 4.1]]
    book = workbook(tmp_path / "cycle.xlsx", {"Ark1": rows})
    with pytest.raises(hj.DataError, match=r"the header seems to be in row 3: delete the rows above it"):
        hj.load_cycle(book)


@pytest.mark.parametrize("header", [
    "MUNICIPALITY,MONTH,PERSON_ID,HOURS,BENEFIT_GROUP",
    " Municipality , Month , Person ID , Hours , Benefit group ",
    "KOMMUNE,MÅNED,PERSONID,TIMER,YDELSESGRUPPE",
    "Kommune,Maaned,Person-id,Timer,Ydelsesgruppe",
])
def test_headers_match_without_regard_to_case_or_spacing(tmp_path: Path, header: str) -> None:
    path = write(tmp_path / "h.csv", csv_text(header, "860,2015-01,1,4.5,Sickness", "860,2015-02,1,3,SICKNESS"))
    hours = hj.load_hours(path)
    assert list(hours.columns) == ["person_id", "municipality", "month", "hours", "benefit_group"]
    assert hours["benefit_group"].astype(str).tolist() == ["sickness", "sickness"]


def test_one_quarter_among_months_names_that_row_only(tmp_path: Path) -> None:
    lines = [f"{i},860,2015-{(i % 12) + 1:02d},1,sickness" for i in range(3000)]
    lines.insert(1500, "9999,860,2015Q1,1,sickness")
    path = write(tmp_path / "h.csv", csv_text("person_id,municipality,month,hours,benefit_group", *lines))
    with pytest.raises(hj.DataError, match=(
        r"column 'month' has a mix of period frequencies \(3000 months and 1 quarter\) \(first: '2015Q1'\) "
        r"in row 1502" + HEADER_NOTE + "; use one frequency per column$"
    )):
        hj.load_hours(path)


def test_a_month_column_of_quarters_is_refused() -> None:
    raw = person_rows(2).assign(month=["2015Q1", "2015Q2"])
    with pytest.raises(hj.DataError, match=r"column 'month' has quarters, not months .*aggregated layout"):
        hj.load_hours(raw)


def test_statbank_mixed_periods_name_the_odd_row(tmp_path: Path) -> None:
    lines = [f"Hjørring;2015M{m:02d};{m}" for m in range(1, 13)] + ["Hjørring;2015K1;5"]
    path = write(tmp_path / "mixed.csv", csv_text("OMRÅDE;TID;INDHOLD", *lines))
    with pytest.raises(hj.DataError, match=r"'TID' mixes period frequencies: 12 months and 1 quarter.* in row 14"):
        hj.read_statbank(path)


# ---- legitimate input that was refused ---------------------------------------------------------


def test_a_year_written_as_a_decimal_number(tmp_path: Path) -> None:
    path = write(tmp_path / "u.csv", csv_text("municipality,year,value", "Hjørring,2015.0,4.1", "Aalborg,2015.0,5.2"))
    cycle = hj.load_cycle(path, columns={"year": "period", "value": "unemployment_rate"})
    assert cycle["period"].tolist() == [pd.Period("2015", "Y")] * 2
    costs = write(tmp_path / "c.csv", csv_text("year,item,amount_dkk", "2015.0,investment,31000000"))
    assert hj.load_costs(costs, defaults=False)["year"].tolist() == [2015]
    danish = write(tmp_path / "d.csv", csv_text("kommune;år;ledighed", "860;2015,0;4,1"))
    assert hj.load_cycle(danish)["period"].astype(str).tolist() == ["2015"]


def test_municipality_names_and_codes_with_names() -> None:
    raw = pd.DataFrame({
        "municipality": ["Hjørring", "Hjørring Kommune", "860 Hjørring", "0860", 851.0],
        "period": ["2015", "2016", "2017", "2018", "2015"],
        "unemployment_rate": [5.0, 5.0, 5.0, 5.0, 5.0],
    })
    assert hj.load_cycle(raw)["municipality"].tolist() == [860, 860, 860, 860, 851]


def test_a_region_in_the_municipality_column_says_so() -> None:
    raw = cycle_rows().assign(municipality=[81, 860, 851, 851, 813, 813])
    with pytest.raises(hj.DataError, match=r"column 'municipality' has unknown .* index label 0; Region Nordjylland"):
        hj.load_cycle(raw)


def test_utf16_and_trailing_separators(tmp_path: Path) -> None:
    path = write(tmp_path / "u16.csv", csv_text("municipality;period;unemployment_rate;;", "860;2015;4,1;;"),
                 encoding="utf-16")
    assert hj.load_cycle(path)["unemployment_rate"].tolist() == [4.1]


def test_a_period_column_named_year_or_month() -> None:
    raw = cycle_rows().rename(columns={"period": "Year"})
    assert hj.load_cycle(raw)["period"].dtype == pd.PeriodDtype("Y")
    cells = pd.DataFrame({"municipality": [860], "month": ["2015-01"], "persons": [2], "hours_total": [10.0]})
    assert "period" in hj.load_hours(cells).columns


# ---- plausibility -------------------------------------------------------------------------


def test_unemployment_outside_zero_to_hundred(tmp_path: Path) -> None:
    raw = cycle_rows()
    raw.loc[3, "unemployment_rate"] = -0.5
    with pytest.raises(hj.DataError, match=r"column 'unemployment_rate' has values below 0 .*index label 3"):
        hj.load_cycle(raw)
    raw.loc[3, "unemployment_rate"] = 45.0
    with pytest.warns(hj.HjevalWarning, match=r"column 'unemployment_rate' has implausible values above 30 .*label 3"):
        cycle = hj.load_cycle(raw)
    assert cycle.attrs["warnings"] and cycle["unemployment_rate"].max() == 45.0


def test_caseloads_above_a_few_hundred(tmp_path: Path) -> None:
    header = "municipality,period,benefit_area,caseworker_fte,open_cases"
    path = write(tmp_path / "c.csv", csv_text(header, "860,2015-01,cash_benefit,20,1500",
                                             "860,2015-02,cash_benefit,0.5,1500"))
    with pytest.raises(hj.DataError, match=(
        r"column 'cases_per_caseworker' has implausible values above 1,000 \(first: 3000\.0\) in row 3"
        + HEADER_NOTE + r"; no caseworker holds that many cases"
    )):
        hj.load_caseload(path)
    path = write(tmp_path / "c.csv", csv_text(header, "860,2015-01,cash_benefit,20,1500",
                                             "860,2015-02,cash_benefit,4,1500"))
    with pytest.warns(hj.HjevalWarning, match=r"'cases_per_caseworker' has implausible values above 300 .*row 3"):
        hj.load_caseload(path)


def test_hours_above_what_a_month_holds_in_excel(tmp_path: Path) -> None:
    path = workbook(tmp_path / "h.xlsx", {"Ark1": [
        ["person_id", "municipality", "month", "hours", "benefit_group"],
        [1, 860, "2015-02", 672, "sickness"], [2, 860, "2015-02", 1924, "sickness"],
    ]})
    with pytest.raises(hj.DataError, match=r"column 'hours' has more hours than the month has .* in row 3.*yearly"):
        hj.load_hours(path)


@pytest.mark.parametrize(("item", "group", "amount", "expected"), [
    ("benefit_cost_per_full_time_person", "sickness", 215.02, r"below 1,000 .*thousands or millions"),
    ("benefit_cost_per_full_time_person", "sickness", 215e6, r"above 2,000,000 .*total over all recipients"),
    ("investment", "", 31.0, r"below 1,000 \(item investment\).*thousands or millions"),
])
def test_costs_not_in_kroner(tmp_path: Path, item: str, group: str, amount: float, expected: str) -> None:
    path = write(tmp_path / "costs.csv",
                 csv_text("year,item,benefit_group,amount_dkk", f"2015,{item},{group},{amount}"))
    with pytest.raises(hj.DataError, match=r"costs\.csv: column 'amount_dkk' has implausible values " + expected):
        hj.load_costs(path)


def test_monthly_benefit_amount_warns_and_zero_investment_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path / "costs.csv", csv_text(
        "year,item,benefit_group,amount_dkk", "2019,investment,,0",
        "2015,benefit_cost_per_full_time_person,activity_ready_cash,12632",
    ))
    with pytest.warns(hj.HjevalWarning, match=r"below 20,000 .* in row 3" + HEADER_NOTE + r"; .*monthly"):
        costs = hj.load_costs(path, defaults=False)
    assert costs["amount_dkk"].tolist() == [12632.0, 0.0]


def test_describe_shows_units_and_bounds() -> None:
    text = CYCLE.describe()
    assert "values 0 to 100" in text and "multiply by 100" in text and "warning above 30" in text
    assert "error above 1,000" in CASELOAD.describe()
    assert "error below 1,000 where item is benefit_cost_per_full_time_person" in COSTS.describe()
    assert "months only" in HOURS_PERSON.describe() and "years 1900 to 2100" in HOURS_PERSON.describe()


def test_valid_synthetic_files_load_without_warnings(synthetic_region: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hj.load_hours(synthetic_region / "hours_person_month.parquet")
        hj.load_hours(synthetic_region / "hours_municipality_month.csv")
        hj.load_caseload(synthetic_region / "caseload.csv")
        hj.load_cycle(synthetic_region / "cycle.csv")
        hj.load_costs(synthetic_region / "costs.csv")


# ---- property tests: random corruptions of small valid panels --------------------------------

VALID: dict[str, pd.DataFrame] = {
    "hours": pd.DataFrame({
        "person_id": [11, 11, 12, 12, 13, 13],
        "municipality": [860, 860, 851, 851, 813, 813],
        "month": ["2015-01", "2015-02"] * 3,
        "hours": [0.0, 12.5, 160.0, 150.0, 0.0, 3.25],
        "benefit_group": ["activity_ready_cash", "activity_ready_cash", "job_ready_cash", "job_ready_cash",
                          "sickness", "sickness"],
        "age": [30, 30, 45, 45, 52, 52],
    }),
    "caseload": pd.DataFrame({
        "municipality": [860, 860, 851, 851],
        "period": ["2015-01", "2015-02"] * 2,
        "benefit_area": "cash_benefit",
        "caseworker_fte": [20.0, 40.0, 100.0, 98.5],
        "open_cases": [1500.0, 1400.0, 7000.0, 6900.0],
    }),
    "cycle": cycle_rows(),
    "costs": pd.DataFrame({
        "year": [2015, 2016, 2015, 2016],
        "item": ["investment", "investment", "benefit_cost_per_full_time_person", "benefit_cost_per_full_time_person"],
        "benefit_group": [None, None, "activity_ready_cash", "activity_ready_cash"],
        "amount_dkk": [31e6, 32e6, 151590.0, 153258.0],
    }),
}
LOADERS: dict[str, Callable[..., pd.DataFrame]] = {
    "hours": hj.load_hours, "caseload": hj.load_caseload, "cycle": hj.load_cycle, "costs": hj.load_costs,
}
KEYS = {"hours": ["person_id", "month"], "caseload": ["municipality", "period", "benefit_area"],
        "cycle": ["municipality", "period"], "costs": ["year", "item", "benefit_group"]}
CORRUPTIONS = ["nan", "inf", "-inf", "text", "negative", "times_0.01", "times_1000", "swap", "drop_column",
               "duplicate_row", "shuffle", "blank_header", "empty"]


def corrupt(frame: pd.DataFrame, how: str, column: int, row: int, other: int, seed: int) -> pd.DataFrame:
    out = frame.copy().astype(object)
    name = out.columns[column % out.shape[1]]
    at = row % len(out)
    if how in {"nan", "inf", "-inf", "text"}:
        out.loc[at, name] = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "text": "n/a x"}[how]
    elif how == "negative":
        out.loc[at, name] = -1
    elif how.startswith("times_"):
        factor = float(how.split("_")[1])
        numbers = pd.to_numeric(out[name], errors="coerce")
        out[name] = numbers * factor if numbers.notna().any() else out[name]
    elif how == "swap":
        second = out.columns[other % out.shape[1]]
        out[[name, second]] = out[[second, name]].to_numpy()
    elif how == "drop_column":
        out = out.drop(columns=name)
    elif how == "duplicate_row":
        out = pd.concat([out, out.iloc[[at]]], ignore_index=True)
    elif how == "shuffle":
        out = out.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    elif how == "blank_header":
        out = out.rename(columns={name: " "})
    elif how == "empty":
        out = out.iloc[0:0]
    return out


def load_quietly(loader: Callable[..., pd.DataFrame], source: object) -> pd.DataFrame | hj.DataError:
    """A valid frame or the DataError; any other exception fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        try:
            return loader(source)
        except hj.DataError as err:
            return err


def as_file(frame: pd.DataFrame, folder: Path, kind: str) -> Path:
    path = folder / f"panel.{kind}"
    if kind == "csv":
        frame.to_csv(path, index=False)
    elif kind == "semicolon":
        path = folder / "panel_da.csv"
        frame.to_csv(path, index=False, sep=";", decimal=",")
    elif kind == "parquet":
        frame.astype({c: str for c in frame.columns if frame[c].dtype == object}).to_parquet(path)
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    panel=st.sampled_from(sorted(VALID)),
    how=st.sampled_from(CORRUPTIONS),
    column=st.integers(0, 10),
    row=st.integers(0, 10),
    other=st.integers(0, 10),
    seed=st.integers(0, 2**16),
    kind=st.sampled_from(["frame", "csv", "semicolon", "parquet"]),
)
def test_any_corruption_gives_a_valid_frame_or_a_data_error(
    panel: str, how: str, column: int, row: int, other: int, seed: int, kind: str,
) -> None:
    bad = corrupt(VALID[panel], how, column, row, other, seed)
    with tempfile.TemporaryDirectory() as folder:
        try:
            source: object = bad if kind == "frame" else as_file(bad, Path(folder), kind)
        except (ValueError, TypeError, ImportError):  # the corruption cannot be written as that file type
            return
        result = load_quietly(LOADERS[panel], source)
    if isinstance(result, hj.DataError):
        message = str(result)
        named = "the DataFrame given to" if kind == "frame" else "panel"
        assert named in message, message
    else:
        assert isinstance(result, pd.DataFrame) and not result.empty
        numeric = result.select_dtypes("number")
        assert np.isfinite(numeric.to_numpy(dtype=float, na_value=0.0)).all()


@settings(max_examples=30, deadline=None)
@given(panel=st.sampled_from(sorted(VALID)), seed=st.integers(0, 2**16), kind=st.sampled_from(["frame", "csv"]))
def test_shuffled_rows_give_the_same_panel_after_sorting(panel: str, seed: int, kind: str) -> None:
    shuffled = VALID[panel].sample(frac=1.0, random_state=seed)
    with tempfile.TemporaryDirectory() as folder:
        sources: list[object] = [VALID[panel], shuffled]
        if kind == "csv":
            for name in ("a", "b"):
                (Path(folder) / name).mkdir()
            sources = [as_file(frame, Path(folder) / name, "csv") for frame, name in zip(sources, "ab", strict=True)]
        first, second = (LOADERS[panel](source) for source in sources)
    key = KEYS[panel]
    first = first.sort_values(key, kind="stable").reset_index(drop=True)
    second = second.sort_values(key, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(first, second)


STATBANK_LINES = ["OMRÅDE;KØN;TID;INDHOLD"] + [
    f"{area};{sex};2015K{q};{value}"
    for area, base in (("Hele landet", 19206), ("Hjørring", 412), ("Aalborg", 1300))
    for sex in ("Mænd", "Kvinder")
    for q, value in zip((1, 2), (base, base + 7), strict=True)
]
STATBANK_CORRUPTIONS = ["nan", "inf", "text", "times_0.01", "times_1000", "swap", "drop_field", "duplicate",
                        "shuffle", "code_and_name", "bad_period", "blank_line"]


def corrupt_statbank(how: str, line: int, seed: int) -> list[str]:
    header, body = STATBANK_LINES[0], list(STATBANK_LINES[1:])
    at = line % len(body)
    fields = body[at].split(";")
    if how in {"nan", "inf", "text"}:
        fields[-1] = {"nan": "nan", "inf": "inf", "text": "n/a"}[how]
    elif how.startswith("times_"):
        value = float(fields[-1]) * float(how.split("_")[1])
        fields[-1] = f"{value:.2f}".replace(".", ",")
    elif how == "swap":
        fields[-1], fields[-2] = fields[-2], fields[-1]
    elif how == "drop_field":
        fields = fields[:-1]
    elif how == "code_and_name":
        fields[0] = {"Hele landet": "000 Hele landet", "Hjørring": "860 Hjørring", "Aalborg": "860 Aalborg"}[fields[0]]
    elif how == "bad_period":
        fields[-2] = "2015K5"
    body[at] = ";".join(fields)
    if how == "duplicate":
        body.append(body[at])
    elif how == "shuffle":
        rng = np.random.default_rng(seed)
        body = [body[i] for i in rng.permutation(len(body))]
    elif how == "blank_line":
        body.insert(at, "")
    return [header, *body]


@settings(max_examples=30, deadline=None)
@given(how=st.sampled_from(STATBANK_CORRUPTIONS), line=st.integers(0, 20), seed=st.integers(0, 2**16))
def test_any_statbank_corruption_gives_a_frame_or_a_data_error(how: str, line: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "auk01.csv"
        path.write_text("\ufeff" + "\r\n".join(corrupt_statbank(how, line, seed)) + "\r\n", encoding="utf-8")
        result = load_quietly(hj.read_statbank, path)
    if isinstance(result, hj.DataError):
        assert "auk01.csv" in str(result)
        assert re.search(r"row \d+|row 1 \(the header\)|rows \d+", str(result)), str(result)
    else:
        assert len(result) >= len(STATBANK_LINES) - 2
        if how == "shuffle":
            expected = hj.read_statbank(write(Path(tempfile.mkdtemp()) / "x.csv", "\n".join(STATBANK_LINES)))
            key = ["area", "KØN", "period"]
            pd.testing.assert_frame_equal(
                result.sort_values(key).reset_index(drop=True), expected.sort_values(key).reset_index(drop=True),
                check_like=True,
            )
