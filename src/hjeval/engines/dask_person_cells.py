"""Person rows to small cells on a Dask cluster: the checks and group-bys behind the stock on support.

The counterparts, for ``engine="dask"``, of :func:`~hjeval.engines.duckdb_person_cells.repeated_keys`,
:func:`~hjeval.engines.duckdb_person_cells.distinct_persons` and
:func:`~hjeval.engines.duckdb_person_cells.value_cells`, and of the checks of
:class:`~hjeval.engines.duckdb_rows.DuckRows` they rest on. :func:`person_rows`
opens the rows on the cluster (:func:`hjeval.engines.dask_support.dask_rows`)
as a :class:`DaskPersonRows`, which answers what the DuckDB rows answer -- the
distinct values of a column, missing values, numbers -- and names the first
offending rows as the DuckDB engine names them: file and row (counted from 1
in the file) with their values, or index label for a DataFrame. The
workers run the group-bys, partition by partition and then across
partitions; the client receives one row per (group, period) cell.

Distinct persons and repeated keys need every row of a person in one
partition: the rows are shuffled by person once (:meth:`DaskPersonRows.by_unit`)
and that shuffle is kept, on the workers, for every pass that needs it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hjeval.engines.dask_support import POS, DaskRows, by_person, dask_rows, distinct_first, first_examples
from hjeval.engines.dataset import arrow_dataset, is_dataset_path
from hjeval.errors import DataError

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DaskDistinct", "DaskPersonRows", "RowNumbers", "distinct_persons", "person_rows", "repeated_keys",
           "value_cells"]


@dataclass(frozen=True)
class DaskDistinct:
    """The distinct values of a column (missing ones included), in order of first appearance.

    Attributes
    ----------
    values : pandas.Series
        The values as pandas reads them, indexed by the position (0-based,
        over the dataset read whole) of their first row.
    """

    values: pd.Series


def _as_numbers(values: pd.Series) -> np.ndarray:
    """A column as float64: numbers as they are, text read as numbers where it is one (NaN otherwise)."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(pd.Series(np.asarray(values.astype(object)), index=values.index),
                         errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


@dataclass(frozen=True)
class RowNumbers:
    """The float64 values of ``column`` in a partition, once its values have been checked to be numbers."""

    column: str

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        return _as_numbers(part[self.column])


@dataclass(frozen=True)
class _Missing:
    column: str

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        return part[self.column].isna().to_numpy(dtype=bool)


@dataclass(frozen=True)
class _NotNumbers:
    """Rows failing a check of numbers: ``kind`` is ``"text"`` (a value that is not a number), ``"bad"``
    (missing or infinite) or ``"low"`` (below ``minimum``)."""

    column: str
    kind: str
    minimum: float | None = None

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        values = _as_numbers(part[self.column])
        if self.kind == "text":
            return np.isnan(values) & part[self.column].notna().to_numpy(dtype=bool)
        if self.kind == "bad":
            return ~np.isfinite(values)
        return values < self.minimum if self.minimum is not None else np.zeros(len(part), dtype=bool)


def _counts(part: pd.DataFrame, *, conditions: Sequence[Any]) -> pd.DataFrame:
    return pd.DataFrame({f"c{i}": [int(np.count_nonzero(c(part))) if len(part) else 0]
                         for i, c in enumerate(conditions)})


def _equal(part: pd.DataFrame, *, column: str, value: str) -> pd.DataFrame:
    return part[(part[column].astype(object) == value).to_numpy(dtype=bool)]


@dataclass(frozen=True)
class DaskPersonRows:
    """Rows on a Dask cluster and the questions every pass asks first, as :class:`~hjeval.engines.duckdb_rows.DuckRows`.

    Attributes
    ----------
    frame : dask.dataframe.DataFrame
        The rows (within a restriction), with the position column
        :data:`~hjeval.engines.dask_support.POS`.
    opened : DaskRows
        The rows as :func:`~hjeval.engines.dask_support.dask_rows` opened
        them (for naming rows by file and row) and their client.
    data : DataFrame or path
        The rows' source, to name rows in messages.
    name : str
        The dataset as messages name it (its path, or "the DataFrame").
    source_columns : tuple of str
        The columns of the dataset (of a DataFrame: those handed over), for messages.
    """

    frame: Any
    opened: DaskRows
    data: object
    name: str
    source_columns: tuple[str, ...] = ()
    _shuffled: dict[str, DaskPersonRows] = field(default_factory=dict, repr=False, compare=False)
    _restrictions: list[DaskPersonRows] = field(default_factory=list, repr=False, compare=False)

    @property
    def client(self) -> Client:
        """The cluster's client."""
        return self.opened.client

    @property
    def periods(self) -> dict[str, pd.PeriodDtype]:
        """The columns holding pandas Periods, with their dtype."""
        meta = self.frame._meta
        return {str(c): meta[c].dtype for c in meta.columns if isinstance(meta[c].dtype, pd.PeriodDtype)}

    def has(self, column: str) -> bool:
        """Whether the rows have ``column``."""
        return column in self.frame.columns

    def restricted(self, column: str, value: str) -> DaskPersonRows:
        """The same rows where ``column`` equals ``value``."""
        kept = self.frame.map_partitions(_equal, column=column, value=value, meta=self.frame._meta)
        restricted = DaskPersonRows(kept, self.opened, self.data, self.name, self.source_columns)
        self._restrictions.append(restricted)
        return restricted

    def count(self) -> int:
        """Rows (within the restriction)."""
        return int(self.client.compute(self.frame.map_partitions(len).sum(), sync=True))

    def distinct(self, column: str) -> DaskDistinct:
        """The distinct values of ``column`` (missing ones included) in order of first appearance."""
        found = distinct_first(self.frame, self.client, [column])[0]
        return DaskDistinct(pd.Series(found[column].array, index=pd.Index(found[POS].to_numpy()),
                                      name=column))

    def examples(self, condition: Any, columns: Sequence[str], *, counted: Any = None) -> tuple[int, str]:
        """How many rows meet ``condition`` (a function of a partition), and the first ones by file and row."""
        return first_examples(self.data, self.opened, self.frame, condition, columns, counted=counted)

    def refuse_missing(self, columns: Sequence[tuple[str, str]], *, shown: Sequence[str], fix: str) -> None:
        """Raise for the first (role, column) with missing values, naming file, rows and ``fix``; one pass."""
        if not columns:
            return
        counts = self._count([_Missing(c) for _, c in columns])
        for (role, column), n in zip(columns, counts, strict=True):
            if n:
                _, shown_rows = self.examples(_Missing(column), [*shown, column])
                raise DataError(f"{self.name}: column {column!r} ({role}) has missing values in {n} rows, "
                                f"e.g. {shown_rows}; {fix}")

    def numbers(self, column: str, *, role: str, shown: Sequence[str], minimum: float | None = None) -> RowNumbers:
        """The values of ``column`` as numbers, after refusing any that is not a finite number (at least ``minimum``).

        A text column is read as numbers where every value is one (as
        ``pandas.to_numeric``); true/false values are refused.
        """
        kind = self.frame._meta[column].dtype
        if pd.api.types.is_bool_dtype(kind):
            raise DataError(f"{self.name}: column {column!r} ({role}) holds true/false values, not numbers")
        textual = (pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind)
                   or isinstance(kind, pd.CategoricalDtype))
        if not pd.api.types.is_numeric_dtype(kind) and not textual:
            raise DataError(f"{self.name}: column {column!r} ({role}) has type {kind}; it must hold numbers: "
                            "convert the column (e.g. pandas.to_numeric) when writing the files")
        checks = [_NotNumbers(column, "text"), _NotNumbers(column, "bad"), _NotNumbers(column, "low", minimum)]
        text, bad, low = self._count(checks)
        columns = [*shown, column]
        if text:
            raise DataError(f"{self.name}: column {column!r} ({role}) has values that are not numbers in "
                            f"{text} rows, e.g. {self.examples(checks[0], columns)[1]}")
        if bad:
            raise DataError(f"{self.name}: column {column!r} ({role}) has missing or infinite values in {bad} "
                            f"rows, e.g. {self.examples(checks[1], columns)[1]}")
        if low:
            raise DataError(f"{self.name}: column {column!r} ({role}) has values below {minimum:g} in {low} "
                            f"rows, e.g. {self.examples(checks[2], columns)[1]}")
        return RowNumbers(column)

    def by_unit(self, unit: str) -> DaskPersonRows:
        """The same rows shuffled so that each ``unit`` value's rows are in one partition, kept on the workers.

        The shuffle runs once per rows and ``unit``; later calls reuse it, until
        :meth:`release` (which :func:`person_rows` calls on leaving).
        """
        if unit not in self._shuffled:
            shuffled = self.client.persist(by_person(self.frame, unit))
            self._shuffled[unit] = DaskPersonRows(shuffled, self.opened, self.data, self.name, self.source_columns)
        return self._shuffled[unit]

    def release(self) -> None:
        """Let the workers drop the shuffles kept (of these rows and of their restrictions)."""
        for shuffled in self._shuffled.values():
            shuffled.release()
        self._shuffled.clear()
        for restricted in self._restrictions:
            restricted.release()
        self._restrictions.clear()

    def _count(self, conditions: Sequence[Any]) -> list[int]:
        meta = pd.DataFrame({f"c{i}": np.array([], dtype=np.int64) for i in range(len(conditions))})
        counts = self.client.compute(self.frame.map_partitions(_counts, conditions=list(conditions), meta=meta),
                                     sync=True)
        return [int(n) for n in counts.sum().to_numpy()]


@contextmanager
def person_rows(data: object, columns: Sequence[str], roles: Mapping[str, str | None], *,
                client: object = None) -> Iterator[DaskPersonRows]:
    """Open a Parquet dataset (or a DataFrame) on a Dask cluster for the person-cell passes.

    Parameters
    ----------
    data : path or pandas.DataFrame
    columns : sequence of str
        The columns the passes may use (those absent are left out, to be
        refused by ``roles`` or checked with :meth:`DaskPersonRows.has`).
    roles : mapping
        Role to column of the columns that must be there.
    client : distributed.Client, optional
        Default: a local cluster in this process, closed on leaving.

    Yields
    ------
    DaskPersonRows

    Raises
    ------
    DataError
        As :func:`hjeval.engines.duckdb_rows.open_rows`, for a client that
        is not a ``Client``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pid": [1, 2, 1], "month": pd.period_range("2015-01", periods=3, freq="M")})
    >>> with person_rows(frame, ["pid", "month"], {"unit": "pid"}) as rows:
    ...     rows.distinct("pid").values.tolist(), rows.distinct("month").values.iloc[0], rows.count()
    ([1, 2], Period('2015-01', 'M'), 3)
    """
    if isinstance(data, pd.DataFrame):  # refused with the DuckDB engine's words
        absent = {role: c for role, c in roles.items() if c is not None and c not in data.columns}
        if absent:
            detail = ", ".join(f"{role}={c!r}" for role, c in absent.items())
            raise DataError(f"the DataFrame: column(s) not in the data: {detail}; it has "
                            f"{[str(c) for c in data.columns]}")
        names = [str(c) for c in dict.fromkeys(columns) if c in data.columns]
    else:
        names = list(arrow_dataset(data).schema.names) if is_dataset_path(data) else []  # type: ignore[arg-type]
    required = {c for c in roles.values() if c is not None}
    optional = [c for c in columns if c not in required]
    with dask_rows(data, roles, optional, client=client) as rows:
        name = str(Path(data)) if is_dataset_path(data) else "the DataFrame"  # type: ignore[arg-type]
        opened = DaskPersonRows(rows.frame, rows, data, name, tuple(names))
        try:
            yield opened
        finally:
            opened.release()


def _group_keys(values: pd.Series) -> Any:
    """A group column as a group-by key: categories as their values, so that partitions' cells combine."""
    return values.astype(object).array if isinstance(values.dtype, pd.CategoricalDtype) else values.array


def _key_meta(rows: DaskPersonRows, group: str) -> pd.Series:
    meta = rows.frame._meta[group]
    return pd.Series(_group_keys(meta), dtype=object if isinstance(meta.dtype, pd.CategoricalDtype) else meta.dtype)


def _period_of(part: pd.DataFrame, *, group: str, time: str, lookup: pd.Index,
               periods: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows counted (a group and a time value) and their period codes."""
    kept = (part[group].notna() & part[time].notna()).to_numpy(dtype=bool)
    at = lookup.get_indexer(part[time][kept])
    if (at < 0).any():
        raise ValueError(f"column {time!r}: a value of the rows is not among the distinct values given as times")
    return kept, periods[at]


@dataclass(frozen=True)
class _Repeated:
    """Rows whose key (the ``keys`` columns, missing values equal) repeats within the partition."""

    keys: tuple[str, ...]

    def __call__(self, part: pd.DataFrame) -> np.ndarray:
        return part[list(self.keys)].duplicated(keep=False).to_numpy(dtype=bool)

    def extra(self, part: pd.DataFrame) -> int:
        """All but the first row of each repeated key."""
        return int(part[list(self.keys)].duplicated().sum())


def repeated_keys(rows: DaskPersonRows, keys: Sequence[str], *, shown: Sequence[str] = ()) -> tuple[int, str]:
    """Rows repeating a key: the number of extra rows (all but the first of each key) and the first ones, named.

    Keys are compared by their raw values, a missing value equal to another.
    The rows are shuffled by the first key column (see
    :meth:`DaskPersonRows.by_unit`), so that a key's copies meet in one
    partition.

    Parameters
    ----------
    rows : DaskPersonRows
    keys : sequence of str
        The key columns.
    shown : sequence of str
        Columns shown with the rows named.

    Returns
    -------
    (int, str)
        Extra rows, and the first rows of repeated keys (all their copies) by
        file and row; ``(0, "")`` when no key repeats.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"pid": [1, 1, 2], "month": ["2015-01", "2015-01", "2015-01"]})
    >>> with person_rows(frame, ["pid", "month"], {"unit": "pid"}) as rows:
    ...     repeated_keys(rows, ["pid", "month"])
    (1, "index 0 (pid=1, month='2015-01'); index 1 (pid=1, month='2015-01')")
    """
    repeated = _Repeated(tuple(keys))
    return rows.by_unit(keys[0]).examples(repeated, [*keys, *shown], counted=repeated.extra)


def _person_cells(part: pd.DataFrame, *, unit: str, group: str, time: str, lookup: pd.Index,
                  periods: np.ndarray) -> pd.DataFrame:
    kept, period = _period_of(part, group=group, time=time, lookup=lookup, periods=periods)
    cells = pd.DataFrame({"g": _group_keys(part[group][kept]), "period": period, "u": part[unit].array[kept]})
    # a person with several rows in a cell, and every row without a person, count once
    counted = cells.drop_duplicates().groupby(["g", "period"], observed=True, sort=False).size()
    return counted.rename("n").reset_index()


def distinct_persons(rows: DaskPersonRows, *, unit: str, group: str, time: str, times: DaskDistinct,
                     periods: np.ndarray) -> pd.DataFrame:
    """Distinct persons per (group, period): a person with several rows in a cell counts once.

    Rows whose person is missing count as one person per cell, as they do
    when pandas drops duplicate (group, period, person) rows. The rows are
    shuffled by person; each partition counts its persons per cell, and the
    workers sum the partitions' counts.

    Parameters
    ----------
    rows : DaskPersonRows
    unit, group, time : str
    times : DaskDistinct
        The distinct values of ``time``.
    periods : numpy.ndarray of int64
        The period (code) of each distinct time value.

    Returns
    -------
    pandas.DataFrame
        ``g, period, n`` (rows of a missing group or time left out).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frame = pd.DataFrame({"pid": [1, 1, 2, 3], "m": [0, 0, 0, 1], "t": ["a", "a", "a", "a"]})
    >>> with person_rows(frame, ["pid", "m", "t"], {}) as rows:
    ...     cells = distinct_persons(rows, unit="pid", group="m", time="t", times=rows.distinct("t"),
    ...                              periods=np.array([0]))
    >>> cells.sort_values("g").values.tolist()
    [[0, 0, 2], [1, 0, 1]]
    """
    shuffled = rows.by_unit(unit)
    meta = pd.DataFrame({"g": _key_meta(rows, group), "period": np.array([], dtype=np.int64),
                         "n": np.array([], dtype=np.int64)})
    cells = shuffled.frame.map_partitions(_person_cells, unit=unit, group=group, time=time,
                                          lookup=pd.Index(times.values.array), periods=np.asarray(periods), meta=meta)
    summed = cells.groupby(["g", "period"], sort=False)["n"].sum()
    return rows.client.compute(summed, sync=True).reset_index()


def _value_cells(part: pd.DataFrame, *, group: str, time: str, lookup: pd.Index, periods: np.ndarray,
                 value: RowNumbers) -> pd.DataFrame:
    kept, period = _period_of(part, group=group, time=time, lookup=lookup, periods=periods)
    cells = pd.DataFrame({"g": _group_keys(part[group][kept]), "period": period, "x": value(part)[kept]})
    grouped = cells.groupby(["g", "period"], observed=True, sort=False)["x"]
    return pd.DataFrame({"total": grouped.sum(), "low": grouped.min(), "high": grouped.max()}).reset_index()


def value_cells(rows: DaskPersonRows, *, group: str, time: str, times: DaskDistinct, periods: np.ndarray,
                value: RowNumbers) -> pd.DataFrame:
    """The sum, least and greatest of ``value`` (see :meth:`DaskPersonRows.numbers`) per (group, period).

    Each partition groups its rows; the workers combine the partitions' cells.

    Returns
    -------
    pandas.DataFrame
        ``g, period, total, low, high`` (rows of a missing group or time left out).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> frame = pd.DataFrame({"m": [0, 0, 1], "t": ["a", "a", "a"], "n": [2.0, 3.0, 1.0]})
    >>> with person_rows(frame, ["m", "t", "n"], {}) as rows:
    ...     value = rows.numbers("n", role="persons", shown=["m", "t"], minimum=0.0)
    ...     cells = value_cells(rows, group="m", time="t", times=rows.distinct("t"), periods=np.array([0]),
    ...                         value=value)
    >>> cells.sort_values("g").values.tolist()
    [[0.0, 0.0, 5.0, 2.0, 3.0], [1.0, 0.0, 1.0, 1.0, 1.0]]
    """
    meta = pd.DataFrame({"g": _key_meta(rows, group), "period": np.array([], dtype=np.int64),
                         **{c: np.array([], dtype=np.float64) for c in ("total", "low", "high")}})
    cells = rows.frame.map_partitions(_value_cells, group=group, time=time, lookup=pd.Index(times.values.array),
                                      periods=np.asarray(periods), value=value, meta=meta)
    combined = cells.groupby(["g", "period"], sort=False).agg({"total": "sum", "low": "min", "high": "max"})
    return rows.client.compute(combined, sync=True).reset_index()
