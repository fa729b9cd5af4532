"""Weighted sums of columns per (group, period) cell, on any engine, over the values that are numbers.

Synthetic control's predictors are a unit's weighted mean of a column over a
window of periods, leaving out missing values. On a Parquet dataset the rows
never need to be held: the weighted sum of each column and the weight of its
finite values per cell are enough, and the window means follow from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hjeval.engines import resolve_engine
from hjeval.engines.dask_support import dask_rows
from hjeval.engines.duckdb_engine import _FLOAT_TYPES, _NUMERIC_TYPES, _connection, _open, _quote
from hjeval.engines.in_memory import read_columns
from hjeval.errors import DataError

__all__ = ["WEIGHT_SUFFIX", "weighted_cell_sums"]

WEIGHT_SUFFIX = ":weight"
"""The weight column of column ``c`` in the result is ``c + WEIGHT_SUFFIX``."""


def _numeric_type(kind: str) -> bool:
    return kind != "BOOLEAN" and kind.split("(")[0] in _NUMERIC_TYPES


def _duckdb_sums(data: object, *, group: str, time: str, weights: str | None, columns: Sequence[str],
                 role: str) -> pd.DataFrame:
    with _connection() as con:
        found = _open(con, data)
        found.require({"group": group, "time": time, "weights": weights,
                       **{f"{role} {c!r}": c for c in columns}})
        for c in columns:
            if not _numeric_type(found.types[c]):
                raise DataError(f"{found.name}: {role} column {c!r} must hold numbers, not {found.types[c]}")
        w = "1.0" if weights is None else f"CAST({_quote(weights)} AS DOUBLE)"
        terms = []
        for c in columns:
            x = f"CAST({_quote(c)} AS DOUBLE)"
            finite = f"{x} IS NOT NULL" + (f" AND isfinite({x})" if found.types[c].split("(")[0] in _FLOAT_TYPES
                                           else "")
            terms.append(f"coalesce(sum({x} * {w}) FILTER (WHERE {finite}), 0) AS {_quote(c)}")
            terms.append(f"coalesce(sum({w}) FILTER (WHERE {finite}), 0) AS {_quote(c + WEIGHT_SUFFIX)}")
        g, t = _quote(group), _quote(time)
        sql = (f"SELECT {g}, {t}, {', '.join(terms)} FROM _data WHERE {g} IS NOT NULL AND {t} IS NOT NULL "
               f"GROUP BY {g}, {t}")
        return con.execute(sql).df()  # type: ignore[attr-defined]


def _frame_sums(part: pd.DataFrame, *, group: str, time: str, weights: str | None,
                columns: Sequence[str]) -> pd.DataFrame:
    w = np.ones(len(part)) if weights is None else part[weights].to_numpy(dtype=np.float64)
    out: dict[str, Any] = {group: part[group], time: part[time]}
    for c in columns:
        x = part[c].to_numpy(dtype=np.float64, na_value=np.nan)
        finite = np.isfinite(x)
        out[c] = np.where(finite, x * w, 0.0)
        out[c + WEIGHT_SUFFIX] = np.where(finite, w, 0.0)
    return pd.DataFrame(out).groupby([group, time], observed=True, sort=False, dropna=True).sum().reset_index()


def _check_numeric(frame: pd.DataFrame, columns: Sequence[str], role: str, name: str) -> None:
    for c in columns:
        kind = frame[c].dtype
        if not pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind):
            raise DataError(f"{name}: {role} column {c!r} must hold numbers, not {kind}")


def weighted_cell_sums(
    data: object, *, engine: str | None, client: object = None, group: str, time: str, weights: str | None,
    columns: Sequence[str], role: str = "column",
) -> pd.DataFrame:
    """Per (group, time) cell, each column's weighted sum over its finite values and their weight.

    Parameters
    ----------
    data : DataFrame or path
        Rows, or the path of a Parquet file or folder.
    engine : {"pandas", "duckdb", "dask"} or None
        As :func:`hjeval.engines.resolve_engine`.
    client : distributed.Client, optional
        The cluster of ``engine="dask"`` (default: a local one for the call).
    group, time : str
        The cell's columns; rows missing either are not counted.
    weights : str or None
        Row weights (None: each row weighs 1).
    columns : sequence of str
        Numeric columns to sum.
    role : str
        What the columns are, for messages (e.g. ``"predictor"``).

    Returns
    -------
    pandas.DataFrame
        ``group, time`` and, per column ``c``, ``c`` (the sum of ``w * c``
        over rows where ``c`` is a finite number) and ``c + ":weight"``
        (the sum of ``w`` over those rows); one row per cell, in no set order.

    Raises
    ------
    DataError
        A missing or non-numeric column (naming the data and the column).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"m": [1, 1, 2], "t": [1, 1, 1], "x": [1.0, None, 4.0]})
    >>> sums = weighted_cell_sums(rows, engine="duckdb", group="m", time="t", weights=None, columns=["x"])
    >>> sums.sort_values("m").to_dict("records")
    [{'m': 1, 't': 1, 'x': 1.0, 'x:weight': 1.0}, {'m': 2, 't': 1, 'x': 4.0, 'x:weight': 1.0}]
    """
    chosen = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    if client is not None and chosen != "dask":
        raise DataError(f"client= is the Dask cluster of engine='dask', but engine={chosen!r}; pass engine='dask' "
                        "or drop client=")
    roles: dict[str, str | None] = {"group": group, "time": time, "weights": weights,
                                    **{f"{role} {c!r}": c for c in columns}}
    if chosen == "duckdb":
        return _duckdb_sums(data, group=group, time=time, weights=weights, columns=columns, role=role)
    if chosen == "dask":
        with dask_rows(data, roles, client=client) as rows:
            meta = rows.frame._meta
            _check_numeric(meta, columns, role, rows.name)
            parts = rows.frame.map_partitions(_frame_sums, group=group, time=time, weights=weights,
                                              columns=list(columns))
            cells = rows.client.compute(parts, sync=True)
        return cells.groupby([group, time], observed=True, sort=False).sum().reset_index()
    frame = data if isinstance(data, pd.DataFrame) else read_columns(data, roles)  # type: ignore[arg-type]
    missing = {r: c for r, c in roles.items() if c is not None and c not in frame.columns}
    if missing:
        detail = ", ".join(f"{r}={c!r}" for r, c in missing.items())
        raise DataError(f"the DataFrame: column(s) not found: {detail}; it has {list(frame.columns)}")
    _check_numeric(frame, columns, role, "the DataFrame")
    return _frame_sums(frame, group=group, time=time, weights=weights, columns=columns)
