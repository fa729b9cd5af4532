"""The distinct values of a Parquet dataset's columns, their row counts and named rows, out of core.

Estimators that split a dataset (one fit per subgroup) or cut it (the periods
before a start) first need to know what is there: which levels, how many rows
each, how many persons of the treated groups, which periods. On ``"duckdb"``
these are group-bys in SQL; on ``"dask"`` each partition of the files is
tallied by a worker and only the small tallies reach the client. Either way
the values come back as pandas reads them from Arrow, so they can be handed
back to select rows (:func:`hjeval.engines.subset.subset_rows`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hjeval.engines.dask_engine import _cluster, _piece_rows, _pieces, _read_piece
from hjeval.engines.dataset import arrow_dataset
from hjeval.engines.duckdb_engine import _connection, _examples, _missing, _open, _quote
from hjeval.errors import DataError
from hjeval.periods import frequency_of, mixed_frequencies, period_lookup

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["dataset_columns", "dataset_periods", "engine_client", "rows_where", "treated_persons", "value_rows"]

Source = str | os.PathLike[str]


def dataset_columns(source: Source) -> list[str]:
    """The columns of a Parquet file or folder (``key=value`` folders as columns), from the files' metadata.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"g": ["a"], "y": [1.0]}).to_parquet(folder / "rows.parquet")
    >>> dataset_columns(folder)
    ['g', 'y']
    """
    return list(arrow_dataset(source).schema.names)


@contextmanager
def engine_client(engine: str, client: object | None) -> Iterator[Client | None]:
    """The Dask client the passes of ``engine="dask"`` share: the one given, or a local cluster for the block.

    Other engines get ``client`` back unchanged (None).

    Examples
    --------
    >>> with engine_client("duckdb", None) as client:
    ...     client is None
    True
    """
    if engine != "dask":
        yield None
        return
    with _cluster(client) as running:
        yield running


def _complete(table: Any, columns: Sequence[str]) -> Any:
    """Per row of an Arrow table: no column of ``columns`` missing (null, or NaN in a float column)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keep = pa.array(np.ones(table.num_rows, dtype=bool))
    for name in columns:
        values = table.column(name)
        keep = pc.and_(keep, pc.is_valid(values))
        if pa.types.is_floating(values.type):
            keep = pc.and_(keep, pc.invert(pc.fill_null(pc.is_nan(values), True)))
    return keep


def _counted(table: Any, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """Rows per distinct combination of ``columns`` in an Arrow table of counted rows (``rows``), and the rest."""
    import pyarrow.compute as pc

    keep = _complete(table, columns)
    frame = table.filter(keep).to_pandas()
    left = table.filter(pc.invert(keep))
    missing = int(pc.sum(left.column("rows")).as_py() or 0) if "rows" in table.column_names else left.num_rows
    if "rows" not in frame.columns:
        frame = frame.groupby(list(columns), sort=False, observed=True).size().rename("rows").reset_index()
    return frame, missing


def _piece_values(piece: Any, *, schema: Any, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    return _counted(piece.fragment.to_table(schema=schema, columns=list(columns)), columns)


def _dask_map(source: Source, client: object, func: Any, **kwargs: Any) -> list[Any]:
    """``func(piece, schema=..., **kwargs)`` for each partition of the files, run by the workers."""
    dataset = arrow_dataset(source)
    pieces = _pieces(dataset, Path(source))
    with _cluster(client) as running:
        return list(running.gather(running.map(func, pieces, schema=dataset.schema, **kwargs)))


def value_rows(source: Source, columns: Sequence[str], *, engine: str, client: object | None = None,
               ) -> tuple[pd.DataFrame, int]:
    """The distinct combinations of ``columns`` with their row counts, and how many rows miss one of them.

    Parameters
    ----------
    source : str or path-like
        A Parquet file or folder.
    columns : sequence of str
    engine : {"duckdb", "dask"}
    client : distributed.Client, optional
        For ``"dask"`` (default: a local cluster for the call).

    Returns
    -------
    (pandas.DataFrame, int)
        ``columns`` and ``rows``, one row per combination that has no missing
        value (null, or NaN in a float column), in no particular order; and the
        number of rows with a missing value.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"g": ["a", "b", "a", None]}).to_parquet(folder / "rows.parquet")
    >>> found, missing = value_rows(folder, ["g"], engine="duckdb")
    >>> found.sort_values("g").to_dict("records"), missing
    ([{'g': 'a', 'rows': 2}, {'g': 'b', 'rows': 1}], 1)
    """
    names = list(dict.fromkeys(columns))
    if engine == "dask":
        parts = _dask_map(source, client, _piece_values, columns=names)
        missing = sum(n for _, n in parts)
        found = pd.concat([f for f, _ in parts], ignore_index=True)
        found = found.groupby(names, sort=False, observed=True)["rows"].sum().reset_index()
        return found, missing
    keys = ", ".join(_quote(c) for c in names)
    with _connection() as con:
        _open(con, str(source))
        table = con.sql(f"SELECT {keys}, count(*) AS \"rows\" FROM _data GROUP BY ALL").to_arrow_table()  # type: ignore[attr-defined]
    found, missing = _counted(table, names)
    return found.astype({"rows": np.int64}), missing


def _is_missing(part: pd.DataFrame, *, column: str) -> np.ndarray:
    return part[column].isna().to_numpy(dtype=bool)


def _is_in(part: pd.DataFrame, *, column: str, values: list[object]) -> np.ndarray:
    return part[column].isin(values).to_numpy(dtype=bool)


def rows_where(source: Source, column: str, *, values: Sequence[object] | None = None, shown: Sequence[str] = (),
               engine: str, client: object | None = None, limit: int = 5) -> tuple[int, str]:
    """How many rows have ``column`` missing (or, with ``values``, holding one of them), and the first ones.

    Returns
    -------
    (int, str)
        The count and the first rows as ``"file row N (column=value, ...)"``
        (rows counted from 1 in each file, files relative to a folder) with
        ``column`` and ``shown``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"g": ["a", None, "b"]}).to_parquet(folder / "rows.parquet")
    >>> rows_where(folder, "g", engine="duckdb")
    (1, 'rows.parquet row 2 (g=None)')
    >>> rows_where(folder, "g", values=["b"], engine="duckdb")
    (1, "rows.parquet row 3 (g='b')")
    """
    import pyarrow as pa

    show = list(dict.fromkeys([column, *shown]))
    if engine == "dask":
        test = (functools.partial(_is_missing, column=column) if values is None
                else functools.partial(_is_in, column=column, values=list(values)))
        parts = _dask_map(source, client, _piece_rows, columns=show, condition=test, shown=show, limit=limit)
        return sum(n for n, _ in parts), "; ".join([r for _, rows in parts for r in rows][:limit])
    with _connection() as con:
        found = _open(con, str(source))
        if values is None:
            condition = _missing(column, found.types[column])
        else:
            con.register("_wanted", pa.table({"v": pa.array(list(values))}))  # type: ignore[attr-defined]
            condition = f"{_quote(column)} IN (SELECT v FROM _wanted)"
        count = int(con.execute(f"SELECT count(*) FROM _data WHERE {condition}").fetchone()[0])  # type: ignore[attr-defined]
        return count, _examples(con, found, condition, show, limit) if count else ""


def _piece_persons(piece: Any, *, schema: Any, by: list[str], unit: str, group: str, time: str,
                   weights: str | None, treated: list[object]) -> pd.DataFrame:
    names = [*by, group, *([time, weights] if weights and unit == group else [unit])]
    part = _read_piece(piece, schema=schema, columns=list(dict.fromkeys(names)))
    part = part[part[group].isin(treated).to_numpy()]
    if unit != group:
        return part[[*by, unit]].drop_duplicates()
    return part.groupby([*by, time], sort=False, observed=True)[weights].sum().reset_index()


def treated_persons(source: Source, *, by: Sequence[str], unit: str, group: str, time: str, weights: str | None,
                    treated: Sequence[object], engine: str, client: object | None = None) -> pd.DataFrame:
    """Persons per level of ``by`` in the rows of the treated groups.

    With a person-level panel (``unit`` is not ``group``) the distinct units;
    with an aggregated one the largest period's sum of ``weights`` (missing
    weights count 0), as :func:`hjeval.subgroups` counts them in memory.

    Returns
    -------
    pandas.DataFrame
        ``by`` and ``persons`` (an int count, or a float sum of weights), one
        row per level with treated rows.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"pid": [1, 1, 2, 3], "m": [0, 0, 0, 1], "t": [1, 2, 1, 1],
    ...               "sex": ["f", "f", "m", "m"]}).to_parquet(folder / "rows.parquet")
    >>> found = treated_persons(folder, by=["sex"], unit="pid", group="m", time="t", weights=None, treated=[0],
    ...                         engine="duckdb")
    >>> found.sort_values("sex").to_dict("records")
    [{'sex': 'f', 'persons': 1}, {'sex': 'm', 'persons': 1}]
    """
    import pyarrow as pa

    by = list(by)
    weighted = unit == group
    if weighted and weights is None:
        raise DataError(f"persons per level need unit= to differ from group= or weights=, not unit={unit!r} alone")
    if engine == "dask":
        parts = _dask_map(source, client, _piece_persons, by=by, unit=unit, group=group, time=time, weights=weights,
                          treated=list(treated))
        found = pd.concat(parts, ignore_index=True)
        if not weighted:
            pairs = found.drop_duplicates()
            return pairs.groupby(by, sort=False, observed=True)[unit].nunique().rename("persons").reset_index()
        sums = found.groupby([*by, time], sort=False, observed=True)[weights].sum()
        return sums.groupby(level=list(range(len(by))), sort=False).max().rename("persons").reset_index()
    keys = ", ".join(_quote(c) for c in by)
    g, t = _quote(group), _quote(time)
    with _connection() as con:
        found_ = _open(con, str(source))
        con.register("_treated", pa.table({"v": pa.array(list(treated))}))  # type: ignore[attr-defined]
        if not weighted:
            query = (f"SELECT {keys}, count(DISTINCT {_quote(unit)}) AS persons FROM _data "
                     f"WHERE {g} IN (SELECT v FROM _treated) GROUP BY ALL")
        else:
            w = str(weights)
            value = f"CASE WHEN {_missing(w, found_.types[w])} THEN 0 ELSE CAST({_quote(w)} AS DOUBLE) END"
            query = (f"SELECT {keys}, max(s) AS persons FROM (SELECT {keys}, {t}, sum({value}) AS s FROM _data "
                     f"WHERE {g} IN (SELECT v FROM _treated) AND {t} IS NOT NULL GROUP BY ALL) GROUP BY ALL")
        return con.sql(query).to_arrow_table().to_pandas()  # type: ignore[attr-defined]


def dataset_periods(source: Source, time: str, *, engine: str, client: object | None = None) -> pd.DataFrame:
    """Each distinct value of the ``time`` column, its period and its rows; the values checked as in memory.

    Returns
    -------
    pandas.DataFrame
        ``value`` (as pandas reads it), ``period`` and ``rows``.

    Raises
    ------
    DataError
        Rows without a period, values that are not periods, or periods of
        several frequencies, naming the dataset, the column and the first rows.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"month": ["2015-01", "2015-02", "2015-01"]}).to_parquet(folder / "rows.parquet")
    >>> found = dataset_periods(folder, "month", engine="duckdb").sort_values("value")
    >>> found["period"].astype(str).tolist(), found["rows"].tolist()
    (['2015-01', '2015-02'], [2, 1])
    """
    counts, missing = value_rows(source, [time], engine=engine, client=client)
    fix = "use 2015, 2015Q1/2015K1, 2015M01/2015-01 or 2015H1"
    if missing:
        n, shown = rows_where(source, time, engine=engine, client=client)
        raise DataError(f"{source}: column {time!r} has no period in {n} rows, e.g. {shown}; give every row a period "
                        f"({fix}) or drop those rows")
    values = counts[time].reset_index(drop=True)
    if isinstance(values.dtype, pd.PeriodDtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        periods = values if isinstance(values.dtype, pd.PeriodDtype) else values.dt.to_period("M")
        return pd.DataFrame({"value": values, "period": periods, "rows": counts["rows"].to_numpy()})
    parsed, bad = period_lookup(values)
    if bad:
        n, shown = rows_where(source, time, values=bad, engine=engine, client=client)
        raise DataError(f"{source}: column {time!r} has values that are not periods (first: {bad[0]!r}) in {n} rows, "
                        f"e.g. {shown}; {fix}")
    periods = values.map(parsed)
    kinds = periods.map(frequency_of)
    if kinds.nunique() > 1:
        by_kind = pd.Series(counts["rows"].to_numpy(), index=kinds.to_numpy()).groupby(level=0).sum()
        by_kind = by_kind.sort_values(ascending=False, kind="stable")
        odd = values[(kinds != by_kind.index[0]).to_numpy()].tolist()
        n, shown = rows_where(source, time, values=odd, engine=engine, client=client)
        raise DataError(f"{source}: column {time!r} mixes period frequencies: {mixed_frequencies(by_kind)} "
                        f"(the others in {n} rows, e.g. {shown}); use one frequency per column")
    dtype = pd.PeriodDtype(next(iter(parsed.values())).freq) if parsed else "period[M]"
    return pd.DataFrame({"value": values, "period": periods.astype(dtype), "rows": counts["rows"].to_numpy()})
