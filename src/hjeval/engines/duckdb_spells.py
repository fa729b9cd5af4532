"""Benefit spells from person-month rows with DuckDB window functions, out of core.

A spell is a run of months of one person (and benefit) with gaps of at most
``gap`` months without a row. The gaps-and-islands query makes one sorted
pass over each person's rows ordered by month, marking the rows that begin a
spell (more than ``gap`` months after the row before), end one, or lie in
another municipality than the row before; only those rows -- about two a
spell -- are numbered into spells by a running sum of the beginnings and
aggregated. Rows repeating a person-month (with ``benefit``: a person,
benefit and month) are counted once, the first in the dataset's order kept,
as a stable sort keeps it in memory. One row per spell comes back; the caller
codes persons, groups and benefits and orders the spells in Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hjeval.engines.duckdb_engine import _quote
from hjeval.engines.duckdb_rows import Distinct, DuckRows

__all__ = ["spell_runs"]


def spell_runs(rows: DuckRows, *, unit: str, group: str, time: str, benefit: str | None, months: Distinct,
               codes: np.ndarray, gap: int, merge: bool = True) -> pd.DataFrame:
    """One row per spell of the rows.

    Parameters
    ----------
    rows : DuckRows
    unit, group, time : str
        The person, group (municipality) and month columns.
    benefit : str or None
        The benefit column, or None for spells of any benefit.
    months, codes : Distinct, numpy.ndarray of int64
        The distinct values of ``time`` and their month ordinals.
    gap : int
        Longest gap (months without a row) bridged inside a spell.
    merge : bool, default True
        Count rows repeating a person(-benefit)-month once, keeping the first
        in the dataset's order; False (no row repeats one) skips that pass.

    Returns
    -------
    pandas.DataFrame
        ``u, b, g, first, last, months_on, first_pos, person_pos, moved``:
        the person, the benefit (NULL without one), the group of the spell's
        first month, its first and last month ordinals, the months with a
        row, the position of its first row, the position of the person's
        first row in the dataset, and whether its months lie in more than one
        group. In no particular order.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.engines.duckdb_rows import open_rows
    >>> frame = pd.DataFrame({"pid": [1, 1, 1], "m": [860, 860, 813], "t": ["a", "b", "d"]})
    >>> with open_rows(frame, ["pid", "m", "t"], {}) as rows:
    ...     runs = spell_runs(rows, unit="pid", group="m", time="t", benefit=None, months=rows.distinct("t"),
    ...                       codes=np.array([0, 1, 3]), gap=0)
    >>> runs.sort_values("first")[["first", "last", "months_on", "moved"]].values.tolist()
    [[0, 1, 2, False], [3, 3, 1, False]]
    """
    rows.register("_months", months.raw, m=codes)
    b = _quote(benefit) if benefit is not None else "NULL"
    projected = (f"SELECT d._u AS u, d._b AS b, d._g AS g, mo.m AS m, d._hj_pos AS pos "
                 f"FROM (SELECT {_quote(unit)} AS _u, {b} AS _b, {_quote(group)} AS _g, {_quote(time)} AS _t, _hj_pos "
                 f"FROM {rows.positioned}) d JOIN _months mo ON d._t = mo.v")
    if merge:  # the first row of each repeated person(-benefit)-month, in the dataset's order
        projected = f"SELECT u, b, m, arg_min(g, pos) AS g, min(pos) AS pos FROM ({projected}) GROUP BY u, b, m"
    query = f"""
        WITH marks AS (
            SELECT u, b, g, m, pos,
                   row_number() OVER w AS rn,
                   coalesce(m - lag(m) OVER w > {gap + 1}, TRUE) AS starts,
                   coalesce(lead(m) OVER w - m > {gap + 1}, TRUE) AS ends,
                   g IS DISTINCT FROM lag(g) OVER w AS changed,
                   min(pos) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS pair_pos
            FROM ({projected}) WINDOW w AS (PARTITION BY u, b ORDER BY m)
        ),
        edges AS (
            SELECT *, sum(CAST(starts AS INTEGER)) OVER (PARTITION BY u, b ORDER BY m ROWS UNBOUNDED PRECEDING)
                      AS spell
            FROM marks WHERE starts OR ends OR changed
        )
        SELECT u, b, arg_min(g, m) AS g, min(m) AS first, max(m) AS last, max(rn) - min(rn) + 1 AS months_on,
               arg_min(pos, m) AS first_pos, min(min(pair_pos)) OVER (PARTITION BY u) AS person_pos,
               bool_or(changed AND NOT starts) AS moved
        FROM edges GROUP BY u, b, spell
    """
    return rows.sql(query).to_pandas()
