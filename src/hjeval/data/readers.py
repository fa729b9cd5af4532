"""Read tabular files (CSV, Parquet, Excel) into frames that remember file rows.

Every frame returned here is indexed by the row number a person would see in
the file, with the header as row 1 and the first record as row 2, for CSV,
Excel and Parquet alike; blank lines keep their numbers (and are left out and
counted). ``attrs["row_labels"] == "file"`` marks such frames, so that
validation errors point at rows the user can find (see
:func:`hjeval.errors.describe_rows`).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from hjeval.errors import DataError, describe_rows

__all__ = [
    "PathLike",
    "apply_column_map",
    "canonical_name",
    "check_unique_columns",
    "excel_sheets_with",
    "read_table",
    "release_arrow_memory",
    "sniff_csv",
]

PathLike = str | os.PathLike[str]

_DECIMAL_COMMA = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d+$|^-?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^-?\d+\.\d+$")
_THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")  # 19.206: a decimal point or grouped thousands
_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_SIGNATURES = {b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip file", b"PAR1": "a Parquet file"}
_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def canonical_name(name: object) -> str:
    """A header reduced for matching: case, spaces, punctuation and Danish letters do not matter.

    Parameters
    ----------
    name : object
        A column label as found in a file or DataFrame.

    Returns
    -------
    str

    Examples
    --------
    >>> canonical_name(" MUNICIPALITY "), canonical_name("Person ID"), canonical_name("Måned")
    ('municipality', 'person_id', 'maaned')
    >>> canonical_name("Beløb (kr.)"), canonical_name("Sager pr. sagsbehandler")
    ('beloeb_kr', 'sager_pr_sagsbehandler')
    """
    text = unicodedata.normalize("NFKC", str(name)).casefold().translate(_TRANSLITERATION)
    return re.sub(r"[\W_]+", "_", text).strip("_")


def sniff_csv(sample: str) -> tuple[str, str | None]:
    """Guess the separator and decimal mark of a CSV sample.

    Parameters
    ----------
    sample : str
        The first few kilobytes of the file.

    Returns
    -------
    (separator, decimal) : tuple
        ``decimal`` is ``","`` or ``"."``, or None when the sample has no
        number with decimals to tell (each column is then judged on its own).

    Examples
    --------
    >>> sniff_csv("kommune;timer\\n860;4,5\\n")
    (';', ',')
    >>> sniff_csv("municipality,hours\\n860,4.5\\n")
    (',', '.')
    >>> sniff_csv("municipality;persons\\n860;12\\n")
    (';', None)
    """
    lines = [line for line in sample.splitlines() if line.strip()][:50]
    if not lines:
        return ",", None
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
    point = sum(bool(_DECIMAL_POINT.match(f)) and not _THOUSANDS_ONLY.match(f) for f in fields)
    if separator == ",":
        return separator, "." if point or comma else None
    if comma == point == 0:
        return separator, None
    return separator, "," if comma > point else "."


def _decode(raw: bytes, file: Path) -> str:
    for signature, what in _SIGNATURES.items():
        if raw.startswith(signature):
            raise DataError(
                f"{file}: the file is {what}, not text; give it the matching suffix (.xlsx or .parquet)"
            )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise DataError(f"{file}: the file is not text (it holds NUL bytes); save it as CSV (UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _header_cells(text: str, separator: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text), delimiter=separator), [])
    return [cell.strip() for cell in first]


def _field_count_error(text: str, separator: str, expected: int, file: Path) -> DataError:
    """Name the rows whose number of fields differs from the header's (only called when parsing failed)."""
    wrong: list[int] = []
    counts: list[int] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=separator), start=1):
        counts.append(len(row))
        if number > 1 and len(row) > expected:
            wrong.append(number)
    if not wrong:
        return DataError(f"{file}: cannot be read as CSV with separator {separator!r}; check its quoting")
    first = wrong[0]
    rest = [c for c in counts[first - 1:] if c]
    if first <= 20 and len(rest) >= 2 and all(c == counts[first - 1] for c in rest):
        return DataError(
            f"{file}: the header seems to be in row {first}: row 1 has {expected} field(s), every row from "
            f"{first} on has {counts[first - 1]}; delete the rows above the header"
        )
    return DataError(
        f"{file}: {describe_rows(wrong)} {'has' if len(wrong) == 1 else 'have'} more fields than the header's "
        f"{expected} (first: {counts[first - 1]} fields in row {first}); a value with the separator "
        f"{separator!r} in it (a decimal comma in a comma-separated file?) must be quoted, or the file saved with ';'"
    )


def _read_csv(path: Path, decimal: str | None) -> pd.DataFrame:
    text = _decode(path.read_bytes(), path)
    separator, sniffed_decimal = sniff_csv(text[:65536])
    header = [cell or f"Unnamed: {_excel_letter(i)}" for i, cell in enumerate(_header_cells(text, separator))]
    check_unique_columns(header, source=str(path))
    try:
        # no names given: a line with more fields than the header is then an error, not silently cut
        raw = pd.read_csv(
            io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, na_values=[],
            skip_blank_lines=False, header=None,
        )
    except (ValueError, pd.errors.ParserError) as err:
        raise _field_count_error(text, separator, len(header), path) from err
    if raw.shape[1] != len(header):
        raise _field_count_error(text, separator, len(header), path)
    frame = raw.iloc[1:]
    frame.columns = header
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    unnamed = [c for c in frame.columns if c.startswith("Unnamed: ") and _blank(frame[c]).all()]
    if unnamed:  # trailing separators: columns without a name or a value
        frame = frame.drop(columns=unnamed)
    # blank lines (and lines of separators only) are no records: left out and counted, numbers kept
    blank = _blank(frame.iloc[:, 0]).to_numpy().copy()
    if blank.any():
        candidates = frame[blank]
        blank[blank] = candidates.apply(_blank).all(axis=1).to_numpy()
        frame = frame[~blank]
    frame.attrs["blank_rows"] = int(blank.sum())
    frame.attrs["decimal"] = decimal or sniffed_decimal
    return frame


def _blank(column: pd.Series) -> pd.Series:
    return column.isna() | (column.str.strip() == "")


def _excel_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_name(book: pd.ExcelFile, sheet: str | int, file: Path) -> str:
    names = [str(n) for n in book.sheet_names]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise DataError(f"{file}: sheet={sheet} does not exist; the workbook has sheets {names} (0 is the first)")
        return names[sheet]
    if sheet in names:
        return str(sheet)
    close = [n for n in names if canonical_name(n) == canonical_name(sheet)]
    if len(close) == 1:
        return close[0]
    raise DataError(f"{file}: the workbook has no sheet {sheet!r}; its sheets are {names}")


def _other_sheets(path: Path, name: str) -> str:
    try:
        with pd.ExcelFile(path) as book:
            others = [str(n) for n in book.sheet_names if str(n) != name]
    except Exception:  # only a hint
        return ""
    return f"; the workbook's other sheets are {others}: choose one with sheet=" if others else ""


def _read_excel(path: Path, sheet: str | int) -> tuple[pd.DataFrame, str]:
    with pd.ExcelFile(path) as book:
        name = _sheet_name(book, sheet, path)
        raw = pd.read_excel(book, sheet_name=name, header=None)
    source = f"{path} (sheet {name!r})"
    if raw.empty:
        raise DataError(f"{source}: the sheet is empty" + _other_sheets(path, name))
    header: list[str] = []
    keep: list[int] = []
    for position, cell in enumerate(raw.iloc[0]):
        empty_header = pd.isna(cell) or not str(cell).strip()
        if empty_header and raw.iloc[1:, position].isna().all():
            continue  # an empty column
        header.append(f"Unnamed: {_excel_letter(position)}" if empty_header else str(cell).strip())
        keep.append(position)
    check_unique_columns(header, source=source)
    frame = raw.iloc[1:, keep].infer_objects()
    frame.columns = header
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame = frame[~blank]
    frame.attrs["blank_rows"] = int(blank.sum())
    frame.attrs["sheet"] = name
    return frame, source


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    check_unique_columns(list(pq.read_schema(path).names), source=str(path))
    table = pq.read_table(path)
    # each column's Arrow buffers are freed once it is converted, so the file is not held
    # twice (split_blocks would save more but leaves zero-copy columns read-only)
    frame = table.to_pandas(date_as_object=False, self_destruct=True)
    del table
    release_arrow_memory()
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    return frame


def read_table(
    path: PathLike,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | int = 0,
    decimal: str | None = None,
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file, indexed by its row numbers.

    CSV files may be ``,``, ``;`` or tab separated, UTF-8 (with or without a
    byte-order mark), UTF-16 or Windows-1252, with a decimal point or a decimal
    comma; CSV cells are returned as text so that validation can say exactly
    which cell could not be read. Rows are numbered as in a spreadsheet: the
    header is row 1 (Parquet files are numbered the same way). Blank lines are
    left out and counted in ``attrs["blank_rows"]``.

    Parameters
    ----------
    path : str or path-like
        ``.csv``/``.txt``/``.tsv``, ``.parquet``/``.pq`` or ``.xlsx``/``.xlsm``.
    columns : mapping, optional
        Renames columns from the file's names to hjeval's, e.g.
        ``{"kommune": "municipality"}``.
    sheet : str or int, default 0
        Excel sheet, by name or position (0 is the first).
    decimal : {",", "."}, optional
        Decimal mark of a CSV file; detected when omitted.
    allow_empty : bool, default False
        Return a file with a header but no records instead of raising (the
        loaders check the columns first, then the rows).

    Returns
    -------
    pandas.DataFrame
        Index: file row numbers. ``attrs`` holds ``source`` (the path, and the
        sheet for Excel), ``path``, ``row_labels`` (``"file"``),
        ``blank_rows`` and, for CSV, ``decimal`` (None when undetermined); for
        Excel ``sheet``.

    Raises
    ------
    DataError
        If the file is missing, empty, of an unknown type, has a column name
        twice or cannot be parsed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "c.csv").write_text("kommune;timer\\n860;4,5\\n", encoding="utf-8")
    >>> frame = read_table(folder / "c.csv", columns={"kommune": "municipality"})
    >>> list(frame.columns), frame.index[0], frame.attrs["decimal"]
    (['municipality', 'timer'], 2, ',')
    """
    if not isinstance(path, str | os.PathLike):
        raise DataError(
            f"the source must be a file path or a pandas DataFrame, not {type(path).__name__}"
        )
    if decimal not in (None, ",", "."):
        raise DataError(f"decimal={decimal!r} is not a decimal mark; use ',' or '.'")
    file = Path(path)
    if not file.exists():
        raise DataError(f"{file}: file not found")
    if file.is_dir():
        raise DataError(f"{file}: is a folder, not a file")
    if file.stat().st_size == 0:
        raise DataError(f"{file}: the file is empty")
    suffix = file.suffix.lower()
    source = str(file)
    try:
        if suffix in _CSV_SUFFIXES:
            frame = _read_csv(file, decimal)
        elif suffix in _PARQUET_SUFFIXES:
            frame = _read_parquet(file)
        elif suffix in _EXCEL_SUFFIXES:
            frame, source = _read_excel(file, sheet)
        elif suffix == ".xls":
            raise DataError(f"{file}: old Excel files (.xls) are not read; save it as .xlsx or .csv")
        else:
            raise DataError(
                f"{file}: unknown file type {suffix!r}; use .csv, .parquet or .xlsx"
            )
    except DataError:
        raise
    except MemoryError:
        raise
    except Exception as err:  # any parser's own error becomes one that names the file
        raise DataError(f"{file}: cannot be read as {suffix[1:]} ({type(err).__name__}: {err})") from err
    if frame.empty and not allow_empty:
        raise DataError(f"{source}: the file has no data rows")
    frame = apply_column_map(frame, columns, source=source)
    frame.attrs.update(source=source, path=str(file), row_labels="file")
    return frame


def check_unique_columns(names: Sequence[object], *, source: str) -> None:
    """Refuse a header that names a column twice (a reader would keep the second as ``hours.1``).

    Parameters
    ----------
    names : sequence
        Column names in file order.
    source : str
        File name for the message.

    Raises
    ------
    DataError
        Naming the repeated columns and their positions.

    Examples
    --------
    >>> check_unique_columns(["a", "hours", "hours"], source="x.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: x.csv: row 1 (the header) names column 'hours' more than once (columns 2 and 3); ...
    """
    seen: dict[str, list[int]] = {}
    for position, name in enumerate(names, start=1):
        seen.setdefault(str(name), []).append(position)
    twice = {name: places for name, places in seen.items() if len(places) > 1}
    if twice:
        described = "; ".join(
            f"column {name!r} more than once (columns {', '.join(map(str, p[:-1]))} and {p[-1]})"
            for name, p in twice.items()
        )
        raise DataError(f"{source}: row 1 (the header) names {described}; remove or rename the copies")


def excel_sheets_with(path: PathLike, needed: Iterable[str], aliases: Mapping[str, str]) -> list[str]:
    """Sheets of a workbook whose header has every needed column (for an error's hint).

    Parameters
    ----------
    path : str or path-like
    needed : iterable of str
        hjeval column names.
    aliases : mapping
        Canonical header -> hjeval name (recognised headers).

    Returns
    -------
    list of str
        Empty when the file is not a workbook or no sheet has them.
    """
    file = Path(path)
    if file.suffix.lower() not in _EXCEL_SUFFIXES:
        return []
    wanted = set(needed)
    found: list[str] = []
    try:
        with pd.ExcelFile(file) as book:
            for name in book.sheet_names:
                header = pd.read_excel(book, sheet_name=name, header=None, nrows=1)
                cells = header.iloc[0] if len(header) else []
                names = {aliases.get(canonical_name(c), canonical_name(c)) for c in cells}
                if wanted <= names:
                    found.append(str(name))
    except Exception:  # only a hint: an unreadable sheet is simply not suggested
        return found
    return found


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

    A key matches a column of the same name, or else the one column whose
    name differs only in case, spaces or punctuation.

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
    >>> apply_column_map(pd.DataFrame({"TIMER ": [1]}), {"timer": "hours"}, source="x").columns.tolist()
    ['hours']
    """
    if not columns:
        return frame
    if not isinstance(columns, Mapping):
        raise DataError(f"columns= must map file column names to hjeval names, not {type(columns).__name__}")
    present = list(frame.columns)
    rename: dict[object, str] = {}
    absent: list[str] = []
    for key, target in columns.items():
        if key in present:
            rename[key] = str(target)
            continue
        close = [c for c in present if canonical_name(c) == canonical_name(key)]
        if len(close) == 1:
            rename[close[0]] = str(target)
        else:
            absent.append(key)
    if absent:
        raise DataError(
            f"{source}: the column map names columns {absent} that the file does not have; "
            f"the file has {present}"
        )
    renamed = [rename.get(c, str(c)) for c in present]
    clashes = sorted({n for n in renamed if renamed.count(n) > 1})
    if clashes:
        raise DataError(f"{source}: after the column map, columns {clashes} appear twice")
    return frame.rename(columns=rename)
