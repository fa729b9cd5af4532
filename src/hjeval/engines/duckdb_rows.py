"""Person rows of a Parquet dataset (or a DataFrame) as DuckDB scans them, for the descriptive and duration passes.

:func:`open_rows` registers the rows as the view ``_data`` (the helpers of
:mod:`hjeval.engines.duckdb_engine`) and a view ``_rows`` beside it with each
row's position in the dataset read whole (``_hj_pos``: files in the sorted
order of :func:`hjeval.engines.dataset.dataset_files`, rows in file order),
so that "in order of first appearance" means what it means in memory. The
:class:`DuckRows` it yields answers the questions every pass asks first --
are the columns there, are values missing, which distinct values does a
column hold -- with one group-by each, and names the offending rows by file
and row number. The aggregations themselves are in
:mod:`hjeval.engines.duckdb_person_cells` and :mod:`hjeval.engines.duckdb_spells`.

Columns that pandas wrote as Periods (the ``pandas.period`` Arrow extension,
which DuckDB reads as integer ordinals) come back as Periods, and time-zone
aware timestamps in their own zone, so that parsing the distinct values in
Python gives what parsing the column in memory gives.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hjeval.engines.dataset import dataset_files, is_dataset_path
from hjeval.engines.duckdb_engine import (
    _NUMERIC_TYPES,
    _connection,
    _examples,
    _missing,
    _open,
    _quote,
    _Source,
)
from hjeval.errors import DataError

__all__ = ["Distinct", "DuckRows", "open_rows"]

_NAT = np.iinfo(np.int64).min
_VIEWS = itertools.count()


@dataclass(frozen=True)
class Distinct:
    """The distinct values of a column, in order of first appearance.

    Attributes
    ----------
    values : pandas.Series
        The values as pandas reads them from the dataset, indexed by the
        position (0-based, over the dataset read whole) of their first row.
    raw : pyarrow.Array
        The same values as DuckDB holds them, to key small tables joined back.
    rows : numpy.ndarray of int64
        Rows holding each value.
    """

    values: pd.Series
    raw: Any
    rows: np.ndarray


@dataclass(frozen=True)
class DuckRows:
    """Rows DuckDB scans: the connection, the registered source and how its columns map to pandas.

    ``view`` and ``positioned`` name the relations of the rows (within the
    restriction ``where``), the second with the position column ``_hj_pos``.
    """

    con: Any
    source: _Source
    periods: dict[str, pd.PeriodDtype]
    zones: dict[str, str]
    view: str = "_data"
    positioned: str = "_rows"
    where: str = "TRUE"

    @property
    def name(self) -> str:
        """The dataset as messages name it (its path, or "the DataFrame")."""
        return self.source.name

    def restricted(self, column: str, value: str) -> DuckRows:
        """The same rows where ``column`` (as text) equals ``value``."""
        where = f"({self.where}) AND CAST({_quote(column)} AS VARCHAR) = {_text(value)}"
        n = next(_VIEWS)
        view, positioned = f"_hj_kept{n}", f"_hj_kept{n}_rows"
        self.con.execute(f"CREATE TEMP VIEW {view} AS SELECT * FROM _data WHERE {where}")
        self.con.execute(f"CREATE TEMP VIEW {positioned} AS SELECT * FROM _rows WHERE {where}")
        return DuckRows(self.con, self.source, self.periods, self.zones, view, positioned, where)

    def has(self, column: str) -> bool:
        """Whether the dataset has ``column``."""
        return column in self.source.types

    def type_of(self, column: str) -> str:
        """DuckDB's type of ``column``, upper case."""
        return self.source.types[column].upper()

    def require(self, roles: Mapping[str, str | None]) -> None:
        """Raise naming the dataset and every role whose column it lacks (None: not used)."""
        self.source.require(dict(roles))

    def sql(self, query: str) -> Any:
        """Run ``query``; the result as a pyarrow Table."""
        return self.con.sql(query).to_arrow_table()

    def scalars(self, query: str) -> tuple[Any, ...]:
        """Run ``query``; its single row."""
        return tuple(self.con.execute(query).fetchall()[0])

    def count(self) -> int:
        """Rows (within the restriction)."""
        return int(self.scalars(f"SELECT count(*) FROM {self.view}")[0])

    def examples(self, condition: str, columns: Sequence[str]) -> str:
        """The first rows where ``condition`` holds, by file and row, with the named columns."""
        return _examples(self.con, self.source, f"({condition}) AND {self.where}", list(dict.fromkeys(columns)))

    def missing(self, column: str) -> str:
        """SQL: the value of ``column`` is missing (NULL, or NaN in a float column)."""
        return _missing(column, self.source.types[column])

    def refuse_missing(self, columns: Sequence[tuple[str, str]], *, shown: Sequence[str], fix: str) -> None:
        """Raise for the first (role, column) with missing values, naming file, rows and ``fix``; one pass."""
        if not columns:
            return
        counts = self.scalars("SELECT " + ", ".join(f"count(*) FILTER (WHERE {self.missing(c)})" for _, c in columns)
                              + f" FROM {self.view}")
        for (role, column), n in zip(columns, counts, strict=True):
            if n:
                shown_rows = self.examples(self.missing(column), [*shown, column])
                raise DataError(f"{self.name}: column {column!r} ({role}) has missing values in {int(n)} rows, "
                                f"e.g. {shown_rows}; {fix}")

    def refuse_types(self, columns: Sequence[tuple[str, str]]) -> None:
        """Raise for the first (role, column) whose type is not a number type (true/false is not one)."""
        for role, column in columns:
            kind = self.type_of(column)
            if not kind.startswith(_NUMERIC_TYPES) or kind == "BOOLEAN":
                raise DataError(f"{self.name}: column {column!r} ({role}) must be numeric, not {kind}: convert the "
                                "column (e.g. pandas.to_numeric) when writing the files")

    def numbers(self, column: str, *, role: str, shown: Sequence[str], minimum: float | None = None) -> str:
        """The SQL of ``column`` as DOUBLE, after refusing values that are not finite numbers (at least ``minimum``).

        A text column is read as numbers where every value is one (as
        ``pandas.to_numeric``); true/false values are refused.
        """
        kind = self.type_of(column)
        q = _quote(column)
        if kind == "BOOLEAN":
            raise DataError(f"{self.name}: column {column!r} ({role}) holds true/false values, not numbers")
        if kind.startswith(_NUMERIC_TYPES):
            value = f"CAST({q} AS DOUBLE)"
        elif kind.startswith("VARCHAR"):
            value = f"TRY_CAST({q} AS DOUBLE)"
        else:
            raise DataError(f"{self.name}: column {column!r} ({role}) has type {kind}; it must hold numbers: "
                            "convert the column (e.g. pandas.to_numeric) when writing the files")
        text_sql = f"{q} IS NOT NULL AND {value} IS NULL"
        bad_sql = f"{value} IS NULL OR NOT isfinite({value})"
        low_sql = f"{value} < {minimum}" if minimum is not None else "FALSE"
        text, bad, low = self.scalars(f"SELECT count(*) FILTER (WHERE {text_sql}), count(*) FILTER (WHERE {bad_sql}), "
                                      f"count(*) FILTER (WHERE {low_sql}) FROM {self.view}")
        columns = [*shown, column]
        if text:
            raise DataError(f"{self.name}: column {column!r} ({role}) has values that are not numbers in "
                            f"{int(text)} rows, e.g. {self.examples(text_sql, columns)}")
        if bad:
            raise DataError(f"{self.name}: column {column!r} ({role}) has missing or infinite values in {int(bad)} "
                            f"rows, e.g. {self.examples(bad_sql, columns)}")
        if low:
            raise DataError(f"{self.name}: column {column!r} ({role}) has values below {minimum:g} in {int(low)} "
                            f"rows, e.g. {self.examples(low_sql, columns)}")
        return value

    def distinct(self, column: str) -> Distinct:
        """The distinct values of ``column`` (missing ones included) in order of first appearance."""
        table = self.sql(f"SELECT {_quote(column)} AS v, min(_hj_pos) AS pos, count(*) AS n FROM {self.positioned} "
                         "GROUP BY 1 ORDER BY pos")
        raw = table["v"].combine_chunks()
        index = pd.Index(table["pos"].to_numpy())
        return Distinct(values=self._pandas(column, raw, index), raw=raw,
                        rows=table["n"].to_numpy().astype(np.int64))

    def _pandas(self, column: str, raw: Any, index: pd.Index) -> pd.Series:
        if column in self.periods:
            ordinals = pd.array(raw.to_pandas(), dtype="Int64").to_numpy(dtype=np.int64, na_value=_NAT)
            values = pd.PeriodIndex.from_ordinals(ordinals, freq=self.periods[column].freq).array
            return pd.Series(values, index=index, name=column)
        series = pd.Series(raw.to_pandas().array, index=index, name=column)
        if column in self.zones:
            series = series.dt.tz_convert(self.zones[column])
        return series

    def register(self, name: str, raw: Any, **codes: np.ndarray) -> None:
        """Register a small table ``name`` keyed by raw values (column ``v``) with code columns."""
        import pyarrow as pa

        self.con.register(name, pa.table({"v": raw, **{k: pa.array(np.asarray(v)) for k, v in codes.items()}}))

    def rows_with(self, column: str, raw: Any, shown: Sequence[str]) -> str:
        """The first rows whose ``column`` holds one of the values ``raw`` (a pyarrow Array), by file and row."""
        table = f"_hj_values{next(_VIEWS)}"
        self.register(table, raw)
        return self.examples(f"{_quote(column)} IN (SELECT v FROM {table})", [*shown, column])

    def restate(self, err: DataError, shown_rows: str) -> DataError:
        """``err`` (raised on the distinct values of a column) restated for the dataset, with rows at fault."""
        return DataError(f"{self.name}: {str(err).removeprefix('data: ')}"
                         + (f"; e.g. {shown_rows}" if shown_rows else ""))


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _arrow_kinds(files: Sequence[Path]) -> tuple[dict[str, pd.PeriodDtype], dict[str, str]]:
    """Columns the files hold as pandas Periods (with their dtype) and as time-zone aware timestamps (zone)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    periods: dict[str, pd.PeriodDtype] = {}
    zones: dict[str, str] = {}
    for field in pq.read_schema(files[0]):
        kind = field.type
        if getattr(kind, "extension_name", None) == "pandas.period":
            periods[field.name] = pd.PeriodDtype(kind.freq)
        elif pa.types.is_timestamp(kind) and kind.tz:
            zones[field.name] = str(kind.tz)
    return periods, zones


def _frame_for_duckdb(data: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, dict[str, pd.PeriodDtype]]:
    """The columns DuckDB can scan: Periods as ordinals, aware timestamps as local wall time, categories as values."""
    out: dict[str, object] = {}
    periods: dict[str, pd.PeriodDtype] = {}
    for column in dict.fromkeys(columns):
        if column not in data.columns:
            continue
        values = data[column]
        if isinstance(values.dtype, pd.PeriodDtype):
            ordinals = pd.array(values.array.asi8, dtype="Int64")
            ordinals[values.isna().to_numpy()] = pd.NA
            out[column] = ordinals
            periods[column] = values.dtype
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            out[column] = values.dt.tz_localize(None).to_numpy()
        elif isinstance(values.dtype, pd.CategoricalDtype):
            out[column] = np.asarray(values.astype(object))
        else:
            out[column] = values.array
    out["_hj_pos"] = np.arange(len(data), dtype=np.int64)
    return pd.DataFrame(out), periods


@contextmanager
def open_rows(data: object, columns: Sequence[str], roles: Mapping[str, str | None]) -> Iterator[DuckRows]:
    """Open a Parquet dataset (or a DataFrame) for DuckDB with row positions.

    Parameters
    ----------
    data : path or pandas.DataFrame
        A Parquet file, a folder of them (``key=value`` folders read as
        partition columns), or a DataFrame DuckDB scans in place.
    columns : sequence of str
        The columns the passes may use (a DataFrame hands over only these;
        absent ones are left out, to be refused by ``roles`` or checked with
        :meth:`DuckRows.has`).
    roles : mapping
        Role to column of the columns that must be there.

    Yields
    ------
    DuckRows

    Raises
    ------
    DataError
        A missing path or one without Parquet files, and the columns of
        ``roles`` the data lack, naming the path.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pid": [1, 2, 1], "month": pd.period_range("2015-01", periods=3, freq="M")})
    >>> with open_rows(frame, ["pid", "month"], {"unit": "pid"}) as rows:
    ...     rows.distinct("pid").values.tolist(), rows.distinct("month").values.iloc[0]
    ([1, 2], Period('2015-01', 'M'))
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _connection() as con:
        periods: dict[str, pd.PeriodDtype]
        zones: dict[str, str] = {}
        if is_dataset_path(data):
            files = dataset_files(data)  # type: ignore[arg-type]
            periods, zones = _arrow_kinds(files)
            source = _open(con, data)
            starts = np.r_[0, np.cumsum([pq.ParquetFile(f).metadata.num_rows for f in files])[:-1]]
            con.register("_files", pa.table({  # type: ignore[attr-defined]
                "file": pa.array([str(f) for f in files]), "start": pa.array(starts.astype(np.int64)),
            }))
            con.execute("CREATE TEMP VIEW _rows AS SELECT d.*, f.start + d.file_row_number AS _hj_pos "  # type: ignore[attr-defined]
                        "FROM _data d JOIN _files f ON d._hj_file = f.file")
        elif isinstance(data, pd.DataFrame):
            absent = {role: c for role, c in roles.items() if c is not None and c not in data.columns}
            if absent:
                detail = ", ".join(f"{role}={c!r}" for role, c in absent.items())
                raise DataError(f"the DataFrame: column(s) not in the data: {detail}; it has "
                                f"{[str(c) for c in data.columns]}")
            frame, periods = _frame_for_duckdb(data, columns)
            source = _open(con, frame)
            source = _Source(source.sql, source.name, {k: v for k, v in source.types.items() if k != "_hj_pos"},
                             source.has_rows)
            con.execute("CREATE TEMP VIEW _rows AS SELECT * FROM _data")  # type: ignore[attr-defined]
        else:
            raise DataError(f"data must be a pandas DataFrame or the path of a Parquet file or folder, "
                            f"not {type(data).__name__}")
        rows = DuckRows(con, source, periods, zones)
        rows.require(roles)
        yield rows
