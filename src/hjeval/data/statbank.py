"""Read CSV exports from Statistics Denmark's Statbank as they come from the API.

A Statbank export is a ``;``-separated UTF-8 file (usually with a byte-order
mark) whose header holds Danish upper-case dimension names, a period column
``TID`` and a value column ``INDHOLD``::

    OMRÅDE;YDELSESTYPE;KØN;ALDER;TID;INDHOLD
    All Denmark;Net unemployed recipients of social assistance;Total;Age, total;2007Q1;19206

:func:`read_statbank` turns such a file into a tidy frame: one row per data
line, the area dimension mapped to Statistics Denmark codes and levels, periods
as :class:`pandas.Period` and values as floats, with Statbank's missing-value
markers (``..``) as NaN. Row numbers in error messages are file lines; the
header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.data.municipalities import area_code, code_label_conflict, is_known_other_area
from hjeval.data.readers import PathLike
from hjeval.errors import DataError, describe_rows, warn_user
from hjeval.periods import parse_periods

__all__ = ["AREA_DIMENSIONS", "MISSING_MARKERS", "read_statbank"]

AREA_DIMENSIONS: tuple[str, ...] = ("OMRÅDE", "BOPKOM", "KOMK", "KOMMUNE", "ARBKOM", "BOKOMMUNE")
"""Statbank dimension names that hold areas (municipalities, regions, country)."""

MISSING_MARKERS: frozenset[str] = frozenset({"", "..", ".", "-"})
"""Cell texts that Statbank uses for a value that is missing or not published."""

PERIOD_COLUMN = "TID"
VALUE_COLUMN = "INDHOLD"
SEPARATOR = ";"

_OUTPUT_COLUMNS = frozenset({"area", "area_code", "area_level", "period", "value"})
_EXAMPLE_HEADER = "OMRÅDE;YDELSESTYPE;KØN;ALDER;TID;INDHOLD"

# A decimal comma, with or without "." grouping thousands: 4,3 / 1.234,5 / 1.234.567
_COMMA_EVIDENCE = r"-?\d+,\d+|-?\d{1,3}(?:\.\d{3})+,\d+|-?\d{1,3}(?:\.\d{3}){2,}"
_THOUSANDS = r"-?\d{1,3}(?:\.\d{3})+"
_DANISH_LABELS = frozenset({"hele landet", "i alt", "mænd", "kvinder", "alder i alt", "køn i alt", "udlandet",
                            "uoplyst kommune", "uden for danmark"})
"""Labels only a Danish-language export has; with them ``19.206`` is nineteen thousand."""
_NUMBER = {
    ",": r"-?(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?",
    ".": r"-?\d+(?:\.\d+)?",
}


def read_statbank(
    path: PathLike,
    *,
    decimal: str | None = None,
    area_column: str | None = None,
) -> pd.DataFrame:
    """Read a Statbank CSV export into a tidy frame.

    Parameters
    ----------
    path : str or path-like
        The export as downloaded: ``;``-separated, UTF-8 with or without a
        byte-order mark (Windows-1252/Latin-1 are accepted too), English or
        Danish labels, a period column ``TID`` and a value column ``INDHOLD``.
    decimal : {",", "."}, optional
        Decimal mark of ``INDHOLD``. When omitted it is a comma if any value
        looks like ``4,3`` or ``1.234,5`` (Danish-language exports, where
        ``.`` groups thousands, so ``19.206`` is 19206), or if the labels are
        Danish ("Hele landet", "I alt", "Mænd") and every value with a dot is
        grouped in thousands; else a point.
    area_column : str, optional
        Dimension that holds areas. By default the first column named like
        one of :data:`AREA_DIMENSIONS` (``OMRÅDE``, ``BOPKOM``, ...), matched
        without regard to case; a file without one has no area columns.

    Returns
    -------
    pandas.DataFrame
        One row per data line, in file order, with a column per other
        dimension (named as in the header, labels as text); ``area`` (the
        label), ``area_code`` (nullable ``Int64``: municipality, region or 0
        for the country; <NA> for provinces and labels such as "Abroad") and
        ``area_level`` (``"country"``, ``"region"``, ``"province"``,
        ``"municipality"`` or ``"other"``) when there is an area column;
        ``period`` (Period dtype) and ``value`` (float64, NaN where missing).
        ``attrs`` holds ``source``, ``table_columns`` (the header),
        ``area_column``, ``missing_values`` (count of missing values),
        ``decimal``, ``encoding`` and ``unrecognised_areas`` (labels that are
        no known area, with their count of rows; a warning names them). Area
        labels may be names ("Hjørring"), codes ("860") or both ("860
        Hjørring", as in exports with codes and texts).

    Raises
    ------
    DataError
        If the file is missing or has no data lines; if it is not a
        ``;``-separated export with ``TID`` and ``INDHOLD``; if a line has
        the wrong number of fields; if ``INDHOLD`` holds text that is neither
        a number nor a missing-value marker; if ``TID`` holds text that is
        not a period; if two lines share all dimensions and the period; or if
        an area label's code and name disagree ("851 Hjørring").
        The message names the file, the column and the first offending rows.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> export = folder / "auk01.csv"
    >>> _ = export.write_text(
    ...     "\\ufeffOMRÅDE;KØN;TID;INDHOLD\\n"
    ...     "Hele landet;I alt;2015K1;19206\\n"
    ...     "Hjørring;I alt;2015K1;..\\n",
    ...     encoding="utf-8",
    ... )
    >>> frame = read_statbank(export)
    >>> frame[["area", "area_code", "area_level", "period", "value"]]
              area  area_code    area_level  period    value
    0  Hele landet          0       country  2015Q1  19206.0
    1     Hjørring        860  municipality  2015Q1      NaN
    >>> frame.attrs["missing_values"]
    1
    """
    file = Path(path)
    text, encoding = _read_text(file)
    header = _read_header(text, file)
    period_name = _require_column(header, PERIOD_COLUMN, file)
    value_name = _require_column(header, VALUE_COLUMN, file)
    area_name = _find_area_column(header, area_column, file, exclude=(period_name, value_name))
    dimensions = [c for c in header if c not in (period_name, value_name, area_name)]
    _check_output_names(dimensions, file)

    cells = _read_cells(text, header, file)
    if decimal is None:
        decimal = _infer_decimal(cells[value_name], cells[[c for c in header if c not in (period_name, value_name)]])
    values, missing = _parse_values(cells[value_name], decimal, file, value_name)
    periods = _parse_tid(cells[period_name], file, period_name)
    keys = [c for c in header if c not in (period_name, value_name)]
    _check_duplicates(cells[keys], periods, file, period_name)

    area = None if area_name is None else cells[area_name]
    frame = _tidy_frame(cells[dimensions], area, periods, values, file, area_name)
    frame.attrs.update(
        source=str(file),
        table_columns=list(header),
        area_column=area_name,
        missing_values=int(missing.sum()),
        decimal=decimal,
        encoding=encoding,
        unrecognised_areas=frame.attrs.get("unrecognised_areas", {}),
    )
    return frame


def _read_text(file: Path) -> tuple[str, str]:
    """The file's text and encoding; UTF-8 first, then the Windows/Latin-1 code pages."""
    if not file.exists():
        raise DataError(f"{file}: file not found")
    if not file.is_file():
        raise DataError(f"{file}: is not a file")
    text, encoding = _decode(file.read_bytes())
    if not text.strip():
        raise DataError(f"{file}: the file is empty; expected a Statbank export such as {_EXAMPLE_HEADER!r}")
    return text, encoding


def _decode(raw: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding).removeprefix("\ufeff").removeprefix("ï»¿"), encoding
        except UnicodeDecodeError:
            continue
    # Latin-1 decodes every byte string; it differs from cp1252 only in bytes 0x80-0x9f.
    return raw.decode("latin-1").removeprefix("ï»¿"), "latin-1"


def _physical_lines(text: str) -> list[str]:
    """Lines as a reader of the file counts them (``\\r\\n``, ``\\n`` or ``\\r`` ends a line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _split_line(line: str) -> list[str]:
    if '"' not in line:
        return line.split(SEPARATOR)
    return next(csv.reader([line], delimiter=SEPARATOR), [""])


def _canonical(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def _not_statbank(file: Path, found: Sequence[str], problem: str) -> DataError:
    return DataError(
        f"{file}: row 1 (the header) {problem}; found columns {list(found)}. "
        f"A Statbank CSV export is {SEPARATOR!r}-separated with Danish upper-case dimension names, "
        f"a period column {PERIOD_COLUMN!r} and a value column {VALUE_COLUMN!r}, "
        f"e.g. {_EXAMPLE_HEADER!r}"
    )


def _read_header(text: str, file: Path) -> list[str]:
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    header = [name.strip() for name in _split_line(first_line)]
    if len(header) < 2:
        other = "\t" if "\t" in first_line else ","
        found = [name.strip() for name in first_line.split(other)]
        raise _not_statbank(file, found, f"is not {SEPARATOR!r}-separated")
    empty = [i + 1 for i, name in enumerate(header) if not name]
    if empty:
        raise _not_statbank(file, header, f"has an empty column name at position(s) {empty}")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise _not_statbank(file, header, f"names columns {repeated} more than once")
    return header


def _locate(header: Sequence[str], wanted: str) -> str | None:
    key = _canonical(wanted)
    return next((name for name in header if _canonical(name) == key), None)


def _require_column(header: Sequence[str], wanted: str, file: Path) -> str:
    found = _locate(header, wanted)
    if found is None:
        raise _not_statbank(file, header, f"has no column {wanted!r}")
    return found


def _find_area_column(
    header: Sequence[str], requested: str | None, file: Path, *, exclude: Sequence[str]
) -> str | None:
    if requested is not None:
        found = _locate(header, requested)
        if found is None or found in exclude:
            raise DataError(
                f"{file}: area_column={requested!r} is not a dimension of the file; "
                f"row 1 (the header) has columns {list(header)}"
            )
        return found
    for candidate in AREA_DIMENSIONS:
        found = _locate(header, candidate)
        if found is not None:
            return found
    return None


def _check_output_names(dimensions: Sequence[str], file: Path) -> None:
    clashes = [name for name in dimensions if name in _OUTPUT_COLUMNS]
    if clashes:
        raise DataError(
            f"{file}: row 1 (the header) has dimensions {clashes} whose names clash with the "
            f"columns read_statbank adds ({sorted(_OUTPUT_COLUMNS)}); rename them in the header"
        )


def _read_cells(text: str, header: Sequence[str], file: Path) -> pd.DataFrame:
    """All data cells as stripped text, indexed by file row number, blank lines left out."""
    lines = _physical_lines(text)
    blank = [number for number, line in enumerate(lines[1:], start=2) if not line.strip()]
    if len(blank) == len(lines) - 1:
        raise DataError(f"{file}: the file has a header but no data rows")
    _check_field_counts(lines, len(header), set(blank), file)
    try:
        cells = pd.read_csv(
            io.StringIO(text),
            sep=SEPARATOR,
            header=None,
            skiprows=1,
            names=list(header),
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=False,
            index_col=False,
        )
    except (ValueError, pd.errors.ParserError) as err:
        raise DataError(f"{file}: cannot be read as a {SEPARATOR!r}-separated Statbank export ({err})") from err
    if len(cells) != len(lines) - 1:
        raise DataError(
            f"{file}: quoted fields span several lines, which Statbank exports never do; "
            "re-download the table as CSV"
        )
    cells.index = pd.RangeIndex(2, len(cells) + 2)
    return cells.drop(index=blank).apply(lambda column: column.str.strip())


def _check_field_counts(lines: Sequence[str], expected: int, blank: set[int], file: Path) -> None:
    """Every non-blank data line must have as many fields as the header."""
    wrong = [
        (number, len(_split_line(line)))
        for number, line in enumerate(lines[1:], start=2)
        if line.count(SEPARATOR) != expected - 1 and number not in blank
    ]
    wrong = [(number, count) for number, count in wrong if count != expected]
    if wrong:
        number, count = wrong[0]
        raise DataError(
            f"{file}: the number of fields differs from the header's {expected} in "
            f"{describe_rows([n for n, _ in wrong])} (first: {count} fields in row {number}); "
            f"a Statbank export separates every line with {SEPARATOR!r}, like {_EXAMPLE_HEADER!r}"
        )


def _infer_decimal(values: pd.Series, labels: pd.DataFrame) -> str:
    """A comma when a value has a decimal comma (or several thousands dots), or when the labels are
    Danish and every value with a dot is a whole number grouped in thousands (``19.206``)."""
    if values.str.fullmatch(_COMMA_EVIDENCE).any():
        return ","
    dotted = values[values.str.contains(".", regex=False)]
    if dotted.empty or not dotted.str.fullmatch(_THOUSANDS).all():
        return "."
    danish = any(
        bool(pd.Series(pd.unique(labels[name])).str.casefold().isin(_DANISH_LABELS).any()) for name in labels.columns
    )
    return "," if danish else "."


def _parse_values(values: pd.Series, decimal: str, file: Path, column: str) -> tuple[pd.Series, pd.Series]:
    """Values as floats (NaN where missing) and the mask of missing-value markers."""
    if decimal not in _NUMBER:
        raise DataError(f"{file}: decimal={decimal!r} is not a decimal mark; use ',' or '.'")
    missing = values.isin(MISSING_MARKERS)
    numeric = values.str.fullmatch(_NUMBER[decimal])
    bad = ~(missing | numeric)
    if bad.any():
        example = values[bad].iloc[0]
        raise DataError(
            f"{file}: column {column!r} has values that are neither numbers (decimal mark {decimal!r}) "
            f"nor missing-value markers {sorted(MISSING_MARKERS)} (first: {example!r}) in "
            f"{describe_rows(list(values.index[bad.to_numpy()]))}"
        )
    text = values.where(~missing)
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return text.astype("float64"), missing


def _parse_tid(values: pd.Series, file: Path, column: str) -> pd.Series:
    """Periods parsed once per distinct code; errors name file rows (``values`` is indexed by them)."""
    try:
        return parse_periods(values, column=column, source=str(file))
    except DataError as err:
        raise DataError(f"{err} (rows are lines of the file; the header is row 1)") from err


def _check_duplicates(dimensions: pd.DataFrame, periods: pd.Series, file: Path, period_name: str) -> None:
    keys = dimensions.assign(**{period_name: periods})
    repeated = keys.duplicated(keep=False)
    if repeated.any():
        rows = list(keys.index[repeated.to_numpy()])
        first = keys.loc[rows[0]]
        described = ", ".join(f"{name}={str(first[name])!r}" for name in keys.columns)
        raise DataError(
            f"{file}: the same dimensions and period appear more than once, in {describe_rows(rows)} "
            f"(columns {list(keys.columns)}; first: {described}); "
            "a Statbank export has one line per cell"
        )


def _tidy_frame(
    dimensions: pd.DataFrame, area: pd.Series | None, periods: pd.Series, values: pd.Series,
    file: Path, area_name: str | None,
) -> pd.DataFrame:
    """Other dimensions, the area columns, ``period`` and ``value``, indexed 0..n-1."""
    columns = {name: dimensions[name] for name in dimensions.columns}
    unrecognised: dict[str, int] = {}
    if area is not None:
        area_columns, unrecognised = _area_columns(area, file, area_name or "")
        columns.update(area_columns)
    columns["period"] = periods
    columns["value"] = values
    frame = pd.concat(columns, axis=1).reset_index(drop=True)
    frame.attrs["unrecognised_areas"] = unrecognised
    return frame


def _area_columns(labels: pd.Series, file: Path, column: str) -> tuple[dict[str, pd.Series], dict[str, int]]:
    """``area``, ``area_code`` and ``area_level``, looking up each distinct label once.

    Labels whose code and name disagree raise; labels that are no known area
    (neither a municipality, region, province, the country nor one of
    Statbank's areas outside them) are counted and named in a warning.
    """
    inverse, distinct = pd.factorize(labels)
    looked_up = [area_code(label) for label in distinct]
    conflicts = [(i, code_label_conflict(label)) for i, label in enumerate(distinct)]
    conflicts = [(i, text) for i, text in conflicts if text is not None]
    if conflicts:
        first, text = conflicts[0]
        rows = labels.index[np.isin(inverse, [i for i, _ in conflicts])]
        raise DataError(
            f"{file}: column {column!r} has area labels whose code and name disagree "
            f"(first: {distinct[first]!r}: {text}) in {describe_rows(list(rows))}; correct the code or the name"
        )
    strange = [
        i for i, (label, (_, level)) in enumerate(zip(distinct, looked_up, strict=True))
        if level == "other" and not is_known_other_area(label)
    ]
    unrecognised: dict[str, int] = {}
    if strange:
        counts = np.bincount(inverse, minlength=len(distinct))
        unrecognised = {str(distinct[i]): int(counts[i]) for i in strange}
        rows = labels.index[np.isin(inverse, strange)]
        shown = ", ".join(repr(label) for label in list(unrecognised)[:5])
        warn_user(
            f"{file}: column {column!r} has area labels that are no known municipality, region, province or "
            f"country ({shown}) in {describe_rows(list(rows))}; their area_code is <NA> and their area_level "
            "'other'; check the spelling, or pass area_column= if another column holds the areas"
        )
    codes = pd.array([code for code, _ in looked_up], dtype="Int64")
    levels = np.array([level for _, level in looked_up], dtype=object)
    return {
        "area": labels,
        "area_code": pd.Series(codes.take(inverse), index=labels.index),
        "area_level": pd.Series(levels[inverse], index=labels.index, dtype="str"),
    }, unrecognised
