"""Person rows to small cells with DuckDB, out of core: the group-bys behind the descriptives and the stock on support.

Each function takes the :class:`~hjeval.engines.duckdb_rows.DuckRows` of an
open dataset and the small code tables the caller has resolved in Python
from the distinct values (which group is treated, which period a raw time
value is), joins them to the rows and returns one row per cell -- a few
thousand -- as a pandas DataFrame. The caller's cell-level code then runs
unchanged on that frame, as it does on the frame a pandas group-by gives.

The rows are first projected onto the columns a query uses under names of
its own (``_k0``, ``_x0``, ...), so that a data column named like a code
table's column (``period``, ``v``) cannot be mistaken for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hjeval.engines.duckdb_engine import _quote
from hjeval.engines.duckdb_rows import Distinct, DuckRows

__all__ = ["distinct_persons", "outcome_cells", "repeated_keys", "value_cells"]


def repeated_keys(rows: DuckRows, keys: Sequence[str], *,
                  mapped: Mapping[str, tuple[Distinct, np.ndarray]] | None = None,
                  shown: Sequence[str] = ()) -> tuple[int, str]:
    """Rows repeating a key: the number of extra rows (all but the first of each key) and the first ones, named.

    Parameters
    ----------
    rows : DuckRows
    keys : sequence of str
        The key columns.
    mapped : mapping, optional
        Key columns compared by a code rather than their raw value (e.g. the
        period a time value is): column -> (its distinct values, their codes).
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
    >>> from hjeval.engines.duckdb_rows import open_rows
    >>> frame = pd.DataFrame({"pid": [1, 1, 2], "month": ["2015-01", "2015-01", "2015-01"]})
    >>> with open_rows(frame, ["pid", "month"], {"unit": "pid"}) as rows:
    ...     repeated_keys(rows, ["pid", "month"])
    (1, "(pid=1, month='2015-01'); (pid=1, month='2015-01')")
    """
    mapped = dict(mapped or {})
    project = ", ".join(f"{_quote(c)} AS _k{i}" for i, c in enumerate(keys))
    joins, exprs, back_joins, back = [], [], [], []
    for i, column in enumerate(keys):
        if column in mapped:
            distinct, codes = mapped[column]
            rows.register(f"_key{i}", distinct.raw, code=codes)
            joins.append(f" JOIN _key{i} m{i} ON d._k{i} = m{i}.v")
            exprs.append(f"m{i}.code AS k{i}")
            back_joins.append(f" JOIN _key{i} b{i} ON x.k{i} = b{i}.code")
            back.append(f"b{i}.v IS NOT DISTINCT FROM _data.{_quote(column)}")
        else:
            exprs.append(f"d._k{i} AS k{i}")
            back.append(f"x.k{i} IS NOT DISTINCT FROM _data.{_quote(column)}")
    grouped = (f"SELECT {', '.join(exprs)}, count(*) AS n, min(d._hj_pos) AS pos "
               f"FROM (SELECT {project}, _hj_pos FROM {rows.positioned}) d{''.join(joins)} "
               "GROUP BY ALL HAVING count(*) > 1")
    extra = int(rows.scalars(f"SELECT coalesce(sum(n - 1), 0) FROM ({grouped})")[0])
    if not extra:
        return 0, ""
    rows.con.execute(f"CREATE OR REPLACE TEMP TABLE _repeat AS SELECT * FROM ({grouped}) ORDER BY pos LIMIT 5")
    condition = f"EXISTS (SELECT 1 FROM _repeat x{''.join(back_joins)} WHERE {' AND '.join(back)})"
    return extra, rows.examples(condition, [*keys, *shown])


def outcome_cells(
    rows: DuckRows, *, unit: str, group: str, time: str, labels: np.ndarray, groups: Distinct, times: Distinct,
    periods: np.ndarray, buckets: np.ndarray, values: Sequence[str], by_period: bool,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Persons, rows, periods and sums of ``values`` per (label, bucket) cell, and per (label, period) when asked.

    Parameters
    ----------
    rows : DuckRows
    unit, group, time : str
        The person, group and time columns.
    labels : numpy.ndarray of str
        A label per distinct group (``groups``); rows of groups labelled
        ``""`` are left out.
    groups, times : Distinct
        The distinct values of ``group`` and ``time``.
    periods, buckets : numpy.ndarray of int64
        Per distinct time value, its period and the period it is reported in
        (e.g. its calendar year), as codes.
    values : sequence of str
        Numeric columns summed (as ``s0``, ``s1``, ...).
    by_period : bool
        Also return the cells per label and period (rows and sums).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame or None)
        ``label, bucket, persons, rows, periods, s0, ...``: distinct persons
        and periods, rows and sums; and ``label, period, rows, s0, ...``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.engines.duckdb_rows import open_rows
    >>> frame = pd.DataFrame({"pid": [1, 2, 3], "m": [860, 860, 813], "t": ["a", "a", "a"], "y": [1.0, 3.0, 5.0]})
    >>> with open_rows(frame, ["pid", "m", "t", "y"], {}) as rows:
    ...     cells, _ = outcome_cells(rows, unit="pid", group="m", time="t", labels=np.array(["treated", ""]),
    ...                              groups=rows.distinct("m"), times=rows.distinct("t"), periods=np.array([0]),
    ...                              buckets=np.array([0]), values=["y"], by_period=False)
    >>> cells.values.tolist()
    [['treated', 0, 2, 2, 1, 4.0]]
    """
    rows.register("_labels", groups.raw, label=labels)
    rows.register("_times", times.raw, period=periods, bucket=buckets)
    project = ", ".join([f"{_quote(unit)} AS _u", f"{_quote(group)} AS _g", f"{_quote(time)} AS _t",
                         *(f"CAST({_quote(c)} AS DOUBLE) AS _x{i}" for i, c in enumerate(values))])
    sums = "".join(f", fsum(d._x{i}) AS s{i}" for i in range(len(values)))
    joined = (f"FROM (SELECT {project} FROM {rows.view}) d JOIN _labels l ON d._g = l.v JOIN _times t ON d._t = t.v "
              "WHERE l.label <> ''")
    cells = rows.sql(f"SELECT l.label, t.bucket, count(DISTINCT d._u) AS persons, count(*) AS rows, "
                     f"count(DISTINCT t.period) AS periods{sums} {joined} GROUP BY ALL").to_pandas()
    fine = None
    if by_period:
        fine = rows.sql(f"SELECT l.label, t.period, count(*) AS rows{sums} {joined} GROUP BY ALL").to_pandas()
    return cells, fine


def distinct_persons(rows: DuckRows, *, unit: str, group: str, time: str, times: Distinct,
                     periods: np.ndarray) -> pd.DataFrame:
    """Distinct persons per (group, period): a person with several rows in a cell counts once.

    Rows whose person is missing count as one person per cell, as they do
    when pandas drops duplicate (group, period, person) rows.

    Returns
    -------
    pandas.DataFrame
        ``g, period, n`` (rows of a missing group left out).
    """
    rows.register("_times", times.raw, period=periods)
    return rows.sql(
        "SELECT d._g AS g, t.period, count(DISTINCT d._u) + CAST(bool_or(d._u IS NULL) AS BIGINT) AS n "
        f"FROM (SELECT {_quote(unit)} AS _u, {_quote(group)} AS _g, {_quote(time)} AS _t FROM {rows.view}) d "
        "JOIN _times t ON d._t = t.v WHERE d._g IS NOT NULL GROUP BY ALL"
    ).to_pandas()


def value_cells(rows: DuckRows, *, group: str, time: str, times: Distinct, periods: np.ndarray,
                value: str) -> pd.DataFrame:
    """The sum, least and greatest of the SQL expression ``value`` per (group, period).

    Returns
    -------
    pandas.DataFrame
        ``g, period, total, low, high`` (rows of a missing group left out).
    """
    rows.register("_times", times.raw, period=periods)
    return rows.sql(
        "SELECT d._g AS g, t.period, fsum(d._x) AS total, min(d._x) AS low, max(d._x) AS high "
        f"FROM (SELECT {_quote(group)} AS _g, {_quote(time)} AS _t, {value} AS _x FROM {rows.view}) d "
        "JOIN _times t ON d._t = t.v WHERE d._g IS NOT NULL GROUP BY ALL"
    ).to_pandas()
