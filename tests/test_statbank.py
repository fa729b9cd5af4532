"""Statbank CSV exports: real files from Statistics Denmark, a Danish export, and bad input."""

from __future__ import annotations

import csv
import hashlib
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.data.municipalities import MUNICIPALITIES, REGIONS, area_code
from hjeval.data.statbank import read_statbank

# Range of TID per file, as stated in /work/shared/data/statbank/PROVENANCE.md.
REAL_EXPORTS = {
    "auk01_social_assistance.csv": ("OMRÅDE", ["YDELSESTYPE", "KØN", "ALDER"], ("2007Q1", "2025Q4")),
    "lbesk69_employees_by_municipality.csv": ("BOPKOM", ["TAL", "KØN"], ("2008Q1", "2025Q3")),
    "folk1a_total_pop.csv": ("OMRÅDE", ["KØN", "ALDER", "CIVILSTAND"], ("2008Q1", "2022Q1")),
}
FOLK1A_QUARTERS = ["2008Q1", "2011Q1", "2015Q1", "2019Q1", "2022Q1"]
OUTPUT_COLUMNS = ["area", "area_code", "area_level", "period", "value"]


def raw_export(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and data rows read with the csv module, independently of hjeval."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body]


def write_export(path: Path, lines: list[str], *, bom: bool = True, encoding: str = "utf-8") -> Path:
    """Write lines as Statbank does: CRLF line ends, optionally a byte-order mark."""
    text = ("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


# --- real exports ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REAL_EXPORTS))
def test_real_export_matches_raw_text(statbank_dir: Path, name: str) -> None:
    path = statbank_dir / name
    area_dim, other_dims, (first, last) = REAL_EXPORTS[name]
    header, rows = raw_export(path)
    frame = read_statbank(path)

    assert len(frame) == len(rows)
    assert list(frame.columns) == [*other_dims, *OUTPUT_COLUMNS]
    assert frame.attrs["table_columns"] == header
    assert frame.attrs["area_column"] == area_dim
    assert frame.attrs["source"] == str(path)
    assert frame.attrs["missing_values"] == 0
    # Every cell, in file order: labels as text, periods spelled as in TID, values exactly
    # (integers below 2**53 are exact in float64, so the comparison is exact).
    assert frame["area"].tolist() == [row[area_dim] for row in rows]
    for dim in other_dims:
        assert frame[dim].tolist() == [row[dim] for row in rows]
    assert frame["period"].astype(str).tolist() == [row["TID"] for row in rows]
    assert frame["value"].tolist() == [float(row["INDHOLD"]) for row in rows]
    assert frame["period"].dtype == pd.PeriodDtype("Q")
    assert (str(frame["period"].min()), str(frame["period"].max())) == (first, last)


@pytest.mark.parametrize("name", sorted(REAL_EXPORTS))
def test_real_export_areas(statbank_dir: Path, name: str) -> None:
    frame = read_statbank(statbank_dir / name)
    by_label = frame.drop_duplicates("area").set_index("area")

    municipalities = by_label[by_label["area_level"] == "municipality"]
    assert len(municipalities) == 98
    assert set(municipalities["area_code"].astype(int)) == set(MUNICIPALITIES)
    assert by_label.loc["All Denmark", "area_code"] == 0
    assert by_label.loc["All Denmark", "area_level"] == "country"
    regions = by_label[by_label["area_level"] == "region"]
    assert set(regions.index) == set(REGIONS.values())
    assert set(regions["area_code"].astype(int)) == set(REGIONS)
    assert by_label.loc["Hjørring", "area_code"] == 860
    assert by_label.loc["Vesthimmerlands", "area_code"] == 820
    assert by_label.loc["Copenhagen", "area_code"] == 101
    provinces = by_label[by_label["area_level"] == "province"]
    assert provinces["area_code"].isna().all()
    # FOLK1A as exported here has no provinces; AUK01 and LBESK69 have all 11 landsdele.
    assert len(provinces) == (0 if name.startswith("folk1a") else 11)
    others = by_label[by_label["area_level"] == "other"]
    assert others["area_code"].isna().all()
    expected_others = {
        "auk01_social_assistance.csv": {"Not stated municipality", "Abroad"},
        "lbesk69_employees_by_municipality.csv": {"Christiansø", "Outside Denmark"},
        "folk1a_total_pop.csv": {"Christiansø"},
    }[name]
    assert set(others.index) == expected_others
    assert frame["area_code"].dtype == "Int64"


def test_auk01_spot_values_equal_the_raw_text(statbank_dir: Path) -> None:
    path = statbank_dir / "auk01_social_assistance.csv"
    frame = read_statbank(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    for label, quarter in [("Hjørring", "2015Q1"), ("Aalborg", "2020Q2"), ("All Denmark", "2007Q1")]:
        (line,) = [line for line in lines if line.startswith(label + ";") and f";{quarter};" in line]
        raw_value = line.rsplit(";", 1)[1]
        cell = frame[(frame["area"] == label) & (frame["period"] == pd.Period(quarter))]
        assert cell["value"].tolist() == [float(raw_value)]


def totals_by_quarter(path: Path, area_dim: str) -> dict[str, dict[str, int]]:
    """Raw values per quarter and area label, from the csv module."""
    _, rows = raw_export(path)
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        table[row["TID"]][row[area_dim]] = int(row["INDHOLD"])
    return table


def level_sum(frame: pd.DataFrame, level: str) -> pd.Series:
    return frame[frame["area_level"] == level].groupby("period")["value"].sum()


def test_auk01_municipalities_plus_not_stated_and_abroad_give_the_national_total(statbank_dir: Path) -> None:
    path = statbank_dir / "auk01_social_assistance.csv"
    frame = read_statbank(path)
    national = frame[frame["area_level"] == "country"].set_index("period")["value"]
    municipal = level_sum(frame, "municipality")
    other = level_sum(frame, "other")  # "Not stated municipality" and "Abroad"
    assert len(national) == 76

    # The 98 municipalities alone fall short of the national figure in every quarter:
    # "All Denmark" also counts recipients abroad. "Not stated municipality" is 0 throughout.
    shortfall = national - municipal
    assert (shortfall > 0).all()
    assert frame.loc[frame["area"] == "Not stated municipality", "value"].eq(0).all()
    # With those two added the identity holds up to rounding. AUK01 counts full-time
    # persons, each published cell rounded to an integer (error <= 0.5), so the identity
    # can be off by at most 0.5 * (98 + 2 + 1) = 50.5 in any quarter ...
    residual = national - municipal - other
    assert residual.abs().max() <= 0.5 * (98 + 2 + 1)
    # ... and rounding errors average out: with independent uniform errors the residual has
    # sd sqrt(101 / 12) ~ 2.9, its mean over 76 quarters sd ~ 0.33; 1.5 is > 4 sd. The
    # shortfall without "Abroad" averages far more (66 persons in this file).
    assert abs(residual.mean()) < 1.5
    assert shortfall.mean() > 40
    # It is not exact: the residual is non-zero in some quarters (|residual| <= 7 in this file).
    assert (residual != 0).any()

    # Independent check of the same sums with the csv module.
    raw = totals_by_quarter(path, "OMRÅDE")
    names = {label for label in raw["2015Q1"] if area_code(label)[1] == "municipality"}
    assert len(names) == 98
    assert sum(raw["2015Q1"][label] for label in names) == municipal[pd.Period("2015Q1")]


def test_folk1a_population_adds_up_exactly(statbank_dir: Path) -> None:
    # Population counts are whole persons, not rounded full-time figures: the identities are
    # exact, tolerance 0. Christiansø belongs to no municipality but to Region Hovedstaden.
    frame = read_statbank(statbank_dir / "folk1a_total_pop.csv")
    national = frame[frame["area_level"] == "country"].set_index("period")["value"]
    assert [str(p) for p in national.index] == FOLK1A_QUARTERS
    christianso = frame[frame["area"] == "Christiansø"].set_index("period")["value"]
    pd.testing.assert_series_equal(
        level_sum(frame, "municipality") + christianso, national, check_names=False
    )
    pd.testing.assert_series_equal(level_sum(frame, "region"), national, check_names=False)


def test_lbesk69_national_total_within_rounding(statbank_dir: Path) -> None:
    # Full-time employees are rounded per cell like AUK01: bound 0.5 * (98 + 2 + 1).
    frame = read_statbank(statbank_dir / "lbesk69_employees_by_municipality.csv")
    national = frame[frame["area_level"] == "country"].set_index("period")["value"]
    residual = national - level_sum(frame, "municipality") - level_sum(frame, "other")
    assert len(residual) == 71
    assert residual.abs().max() <= 0.5 * (98 + 2 + 1)


def test_real_export_is_not_modified_and_reads_identically(statbank_dir: Path) -> None:
    path = statbank_dir / "auk01_social_assistance.csv"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    first, second = read_statbank(path), read_statbank(path)
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


# --- a Danish-language export -------------------------------------------------------------

DANISH_HEADER = "OMRÅDE;YDELSESTYPE;KØN;TID;INDHOLD"
DANISH_AREAS = [
    ("Hele landet", 0, "country"),
    ("Region Nordjylland", 81, "region"),
    ("Landsdel Nordjylland", None, "province"),
    ("Hjørring", 860, "municipality"),
    ("Vesthimmerland", 820, "municipality"),
    ("København", 101, "municipality"),
]
DANISH_VALUES = ["1.234,5", "4,3", "..", "12", "-2,5", "0,25"]
DANISH_PARSED = [1234.5, 4.3, np.nan, 12.0, -2.5, 0.25]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2015K1", pd.Period("2015Q1")),
        ("2015M01", pd.Period("2015-01", freq="M")),
        ("2015H2", pd.Period("2015-07", freq="6M")),
        ("2015", pd.Period("2015", freq="Y")),
    ],
)
def test_danish_export(tmp_path: Path, code: str, expected: pd.Period) -> None:
    lines = [DANISH_HEADER] + [
        f"{label};Kontanthjælp, jobparate;I alt;{code};{value}"
        for (label, _, _), value in zip(DANISH_AREAS, DANISH_VALUES, strict=True)
    ]
    path = write_export(tmp_path / "auk01_da.csv", lines)
    frame = read_statbank(path)

    assert list(frame.columns) == ["YDELSESTYPE", "KØN", *OUTPUT_COLUMNS]
    assert frame["area"].tolist() == [label for label, _, _ in DANISH_AREAS]
    assert frame["area_code"].tolist() == [pd.NA if c is None else c for _, c, _ in DANISH_AREAS]
    assert frame["area_level"].tolist() == [level for _, _, level in DANISH_AREAS]
    assert frame["period"].tolist() == [expected] * len(DANISH_AREAS)
    assert frame["period"].dtype == pd.PeriodDtype(expected.freq)
    # Decimal texts parse to the nearest double, the same as the float literals.
    np.testing.assert_array_equal(frame["value"].to_numpy(), DANISH_PARSED)
    assert frame["value"].dtype == "float64"
    assert frame["YDELSESTYPE"].tolist() == ["Kontanthjælp, jobparate"] * len(DANISH_AREAS)
    assert frame.attrs["decimal"] == ","
    assert frame.attrs["missing_values"] == 1


def test_missing_markers_are_counted_not_errors(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "missing.csv",
        ["KOMK;TID;INDHOLD", "Hjørring;2015M01;..", "Hjørring;2015M02;.", "Hjørring;2015M03;-",
         "Hjørring;2015M04;", "Hjørring;2015M05;7"],
        bom=False,
    )
    frame = read_statbank(path)
    assert frame["value"].isna().tolist() == [True, True, True, True, False]
    assert frame.attrs["missing_values"] == 4
    assert frame.attrs["area_column"] == "KOMK"


def test_decimal_can_be_given_and_is_inferred_from_the_values(tmp_path: Path) -> None:
    english = write_export(tmp_path / "en.csv", ["BOPKOM;TID;INDHOLD", "Hjørring;2015;4.3", "Læsø;2015;12"])
    assert read_statbank(english)["value"].tolist() == [4.3, 12.0]
    assert read_statbank(english).attrs["decimal"] == "."
    grouped = write_export(tmp_path / "da.csv", ["BOPKOM;TID;INDHOLD", "Hjørring;2015;1.234", "Læsø;2015;12"])
    # Without a decimal comma anywhere, "1.234" reads as a decimal point; a caller who knows
    # the export is Danish says so.
    assert read_statbank(grouped)["value"].tolist() == [1.234, 12.0]
    assert read_statbank(grouped, decimal=",")["value"].tolist() == [1234.0, 12.0]


def test_windows_1252_export(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "cp1252.csv",
        ["OMRÅDE;KØN;TID;INDHOLD", "Hjørring;Mænd;2015K1;4,5", "Ærø;Mænd;2015K1;3"],
        bom=False,
        encoding="cp1252",
    )
    frame = read_statbank(path)
    assert frame["area_code"].tolist() == [860, 492]
    assert frame["KØN"].tolist() == ["Mænd", "Mænd"]
    assert frame.attrs["encoding"] == "cp1252"


def test_area_column_given_by_caller_and_codes_as_labels(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "codes.csv",
        ["TAL;Arbejdsstedskommune;TID;INDHOLD", "A;000;2015;10", "A;081;2015;4", "A;860;2015;1"],
    )
    assert "area" not in read_statbank(path).columns
    frame = read_statbank(path, area_column="arbejdsstedskommune")
    assert frame["area_code"].tolist() == [0, 81, 860]
    assert frame["area_level"].tolist() == ["country", "region", "municipality"]
    assert frame.attrs["area_column"] == "Arbejdsstedskommune"


def test_blank_lines_are_skipped_and_rows_keep_file_order(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "blank.csv", ["OMRÅDE;TID;INDHOLD", "Læsø;2016;2", "", "Hjørring;2015;1", ""]
    )
    frame = read_statbank(path)
    assert frame["area"].tolist() == ["Læsø", "Hjørring"]
    assert list(frame.index) == [0, 1]


def test_file_is_not_modified_and_reads_identically(tmp_path: Path) -> None:
    path = write_export(tmp_path / "same.csv", [DANISH_HEADER, "Hjørring;Kontanthjælp;I alt;2015K1;4,3"])
    before = path.read_bytes()
    first, second = read_statbank(path), read_statbank(str(path))
    pd.testing.assert_frame_equal(first, second)
    assert first.attrs == second.attrs
    assert path.read_bytes() == before


def test_a_hundred_thousand_rows_read_quickly(tmp_path: Path) -> None:
    quarters = [f"{year}K{q}" for year in range(2000, 2025) for q in range(1, 5)]
    labels = [name for name, _ in MUNICIPALITIES.values()]
    ages = [f"{age}-{age + 4} år" for age in range(15, 65, 5)]
    lines = ["OMRÅDE;ALDER;TID;INDHOLD"] + [
        f"{label};{age};{quarter};{i % 1000},5"
        for i, (label, age, quarter) in enumerate(
            (label, age, quarter) for label in labels for age in ages for quarter in quarters
        )
    ]
    path = write_export(tmp_path / "big.csv", lines)
    start = time.perf_counter()
    frame = read_statbank(path)
    elapsed = time.perf_counter() - start
    assert len(frame) == 98 * 10 * 100
    assert frame["area_level"].eq("municipality").all()
    assert frame["value"].iloc[-1] == (len(frame) - 1) % 1000 + 0.5
    # About 0.5 s on one core here; 15 s leaves room for slow machines while still
    # catching a per-row Python loop over area lookups or period parsing.
    assert elapsed < 15


# --- bad input: every message names the file, the column and the file rows -----------------


def file_pattern(path: Path, *parts: str) -> str:
    """A regex requiring the file name and then each part, in order."""
    return re.escape(str(path)) + ".*" + ".*".join(re.escape(p) for p in parts)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.csv"
    with pytest.raises(hj.DataError, match=file_pattern(path, "file not found")):
        read_statbank(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(hj.DataError, match=file_pattern(path, "empty", "TID;INDHOLD")):
        read_statbank(path)


def test_header_only(tmp_path: Path) -> None:
    path = write_export(tmp_path / "header.csv", [DANISH_HEADER])
    with pytest.raises(hj.DataError, match=file_pattern(path, "header but no data rows")):
        read_statbank(path)


def test_comma_separated_file(tmp_path: Path) -> None:
    path = write_export(tmp_path / "comma.csv", ["municipality,year,value", "Aabenraa,2007,3.84"], bom=False)
    with pytest.raises(
        hj.DataError,
        match=file_pattern(path, "row 1", "not ';'-separated", "['municipality', 'year', 'value']", "INDHOLD"),
    ):
        read_statbank(path)


@pytest.mark.parametrize(
    ("header", "absent"),
    [("OMRÅDE;TID;VÆRDI", "INDHOLD"), ("OMRÅDE;PERIODE;INDHOLD", "TID")],
)
def test_header_without_statbank_columns(tmp_path: Path, header: str, absent: str) -> None:
    path = write_export(tmp_path / "columns.csv", [header, "Hjørring;2015;1"])
    found = str(header.split(";"))
    with pytest.raises(
        hj.DataError, match=file_pattern(path, "row 1", f"no column '{absent}'", found, "OMRÅDE;YDELSESTYPE")
    ):
        read_statbank(path)


def test_values_that_are_not_numbers(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "values.csv",
        ["OMRÅDE;TID;INDHOLD", "Hjørring;2015;1", "Hjørring;2016;n/a", "Hjørring;2017;..", "Hjørring;2018;4,5x"],
    )
    with pytest.raises(hj.DataError, match=file_pattern(path, "'INDHOLD'", "'n/a'", "rows 3, 5")):
        read_statbank(path)


def test_point_decimals_when_a_comma_is_declared(tmp_path: Path) -> None:
    path = write_export(tmp_path / "mixed.csv", ["OMRÅDE;TID;INDHOLD", "Hjørring;2015;4,5", "Læsø;2015;4.5"])
    with pytest.raises(hj.DataError, match=file_pattern(path, "'INDHOLD'", "decimal mark ','", "'4.5'", "row 3")):
        read_statbank(path)


def test_periods_that_cannot_be_parsed(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "periods.csv",
        ["OMRÅDE;TID;INDHOLD", "Hjørring;2015K1;1", "Hjørring;2015K2;2", "Hjørring;2015K5;3"],
    )
    with pytest.raises(hj.DataError, match=file_pattern(path, "'TID'", "'2015K5'", "row 4", "header is row 1")):
        read_statbank(path)


def test_duplicated_cells(tmp_path: Path) -> None:
    path = write_export(
        tmp_path / "duplicates.csv",
        ["OMRÅDE;KØN;TID;INDHOLD", "Hjørring;Mænd;2015K1;1", "Hjørring;Kvinder;2015K1;2",
         "Hjørring;Mænd;2015Q1;3"],
    )
    with pytest.raises(hj.DataError, match=file_pattern(path, "more than once", "rows 2, 4", "'OMRÅDE', 'KØN', 'TID'")):
        read_statbank(path)


def test_line_with_wrong_number_of_fields(tmp_path: Path) -> None:
    path = write_export(tmp_path / "fields.csv", ["OMRÅDE;TID;INDHOLD", "Hjørring;2015;1", "Hjørring;2016"])
    with pytest.raises(hj.DataError, match=file_pattern(path, "header's 3", "row 3", "2 fields")):
        read_statbank(path)


def test_unknown_area_column(tmp_path: Path) -> None:
    path = write_export(tmp_path / "area.csv", ["OMRÅDE;TID;INDHOLD", "Hjørring;2015;1"])
    with pytest.raises(hj.DataError, match=file_pattern(path, "area_column='KOMMUNE'", "row 1", "['OMRÅDE'")):
        read_statbank(path, area_column="KOMMUNE")
