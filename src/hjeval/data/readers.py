"""Read tabular files (CSV, Parquet, Excel) into frames that remember file rows.

Every frame returned here is indexed by the row number a person would see in
the file: for CSV and Excel the header is row 1 and the first record row 2;
for Parquet the first record is row 1. Validation errors can then point at
rows the user can find.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from hjeval.errors import DataError

__all__ = ["PathLike", "apply_column_map", "read_table", "release_arrow_memory", "sniff_csv"]

PathLike = str | os.PathLike[str]

_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^-?\d+\.\d+$")


def sniff_csv(sample: str) -> tuple[str, str]:
    """Guess the separator and decimal mark of a CSV sample.

    Parameters
    ----------
    sample : str
        The first few kilobytes of the file.

    Returns
    -------
    (separator, decimal) : tuple of str

    Examples
    --------
    >>> sniff_csv("kommune;timer\\n860;4,5\\n")
    (';', ',')
    >>> sniff_csv("municipality,hours\\n860,4.5\\n")
    (',', '.')
    """
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        return ",", "."
    counts = {sep: lines[0].count(sep) for sep in (";", "\t", ",")}
    separator = max(counts, key=lambda s: (counts[s], s == ";"))
    if counts[separator] == 0:
        separator = ","
    fields = [
        field.strip().strip('"')
        for row in csv.reader(lines[1:], delimiter=separator)
        for field in row
    ]
    comma = sum(bool(_DECIMAL_COMMA.match(f)) for f in fields)
    point = sum(bool(_DECIMAL_POINT.match(f)) for f in fields)
    decimal = "," if separator != "," and comma > point else "."
    return separator, decimal


def _read_csv(path: Path, decimal: str | None) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    separator, sniffed_decimal = sniff_csv(text[:65536])
    frame = pd.read_csv(
        io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, na_values=[]
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["decimal"] = decimal or sniffed_decimal
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def read_table(
    path: PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | int = 0,
    decimal: str | None = None,
) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file, indexed by its row numbers.

    CSV files may be ``,``, ``;`` or tab separated, UTF-8 (with or without a
    byte-order mark) or Windows-1252, with a decimal point or a decimal comma;
    CSV cells are returned as text so that validation can say exactly which
    cell could not be read.

    Parameters
    ----------
    path : str or path-like
        ``.csv``/``.txt``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm``.
    columns : mapping, optional
        Renames columns from the file's names to hjeval's, e.g.
        ``{"kommune": "municipality"}``.
    sheet : str or int, default 0
        Excel sheet.
    decimal : {",", "."}, optional
        Decimal mark of a CSV file; detected when omitted.

    Returns
    -------
    pandas.DataFrame
        Index: file row numbers. ``attrs["source"]`` holds the path and, for
        CSV, ``attrs["decimal"]`` the decimal mark.

    Raises
    ------
    DataError
        If the file is missing, empty, of an unknown type or cannot be parsed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "c.csv").write_text("kommune;timer\\n860;4,5\\n", encoding="utf-8")
    >>> frame = read_table(folder / "c.csv", columns={"kommune": "municipality"})
    >>> list(frame.columns), frame.index[0], frame.attrs["decimal"]
    (['municipality', 'timer'], 2, ',')
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"{file}: file not found")
    if file.stat().st_size == 0:
        raise DataError(f"{file}: the file is empty")
    suffix = file.suffix.lower()
    try:
        if suffix in {".csv", ".txt", ".tsv"}:
            frame = _read_csv(file, decimal)
        elif suffix in {".parquet", ".pq"}:
            import pyarrow.parquet as pq

            table = pq.read_table(file)
            # each column's Arrow buffers are freed once it is converted, so the file is not held
            # twice (split_blocks would save more but leaves zero-copy columns read-only)
            frame = table.to_pandas(date_as_object=False, self_destruct=True)
            del table
            release_arrow_memory()
            frame.index = pd.RangeIndex(1, len(frame) + 1)
        elif suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(file, sheet_name=sheet)
            frame.columns = [str(c).strip() for c in frame.columns]
            frame.index = pd.RangeIndex(2, len(frame) + 2)
        else:
            raise DataError(
                f"{file}: unknown file type {suffix!r}; use .csv, .parquet or .xlsx"
            )
    except DataError:
        raise
    except (ValueError, OSError, pd.errors.ParserError) as err:
        raise DataError(f"{file}: cannot be read as {suffix[1:]} ({err})") from err
    if frame.empty:
        raise DataError(f"{file}: the file has no data rows")
    frame = apply_column_map(frame, columns, source=str(file))
    frame.attrs["source"] = str(file)
    return frame


def release_arrow_memory() -> None:
    """Hand the memory Arrow's allocator keeps after frees back to the system.

    Parquet reads and pandas' text columns allocate through Arrow, whose pool
    holds on to freed buffers; after a large load that can be more than the
    result itself.
    """
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pandas' text columns need pyarrow
        return
    pa.default_memory_pool().release_unused()


def apply_column_map(
    frame: pd.DataFrame, columns: Mapping[str, str] | None, *, source: str
) -> pd.DataFrame:
    """Rename columns from the caller's names to hjeval's.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : mapping or None
        File name -> hjeval name. Every key must exist in the frame.
    source : str
        File name for error messages.

    Returns
    -------
    pandas.DataFrame
        A renamed copy (the input is not changed).

    Raises
    ------
    DataError
        If a mapped column is absent, or two columns would get the same name.

    Examples
    --------
    >>> import pandas as pd
    >>> apply_column_map(pd.DataFrame({"timer": [1]}), {"timer": "hours"}, source="x").columns.tolist()
    ['hours']
    """
    if not columns:
        return frame
    absent = [name for name in columns if name not in frame.columns]
    if absent:
        raise DataError(
            f"{source}: the column map names columns {absent} that the file does not have; "
            f"the file has {list(frame.columns)}"
        )
    renamed = [columns.get(c, c) for c in frame.columns]
    clashes = sorted({n for n in renamed if renamed.count(n) > 1})
    if clashes:
        raise DataError(f"{source}: after the column map, columns {clashes} appear twice")
    return frame.rename(columns=dict(columns))
