"""Audit a published table: can a reader compute any hidden cell back from what is shown?"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hjeval.disclosure.structure import DisclosureError, Margin, solve_hidden, table_lines
from hjeval.disclosure.suppression import ProtectedTable
from hjeval.errors import DataError, format_rows

__all__ = ["audit", "check_protected"]

_RESULT_COLUMNS = ("column", "value")


def _numeric(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        raise DataError(f"audited column {name!r} not in the table (columns: {', '.join(map(str, frame.columns))})")
    numeric = pd.to_numeric(frame[name], errors="coerce")
    bad = (numeric.isna() & frame[name].notna()).to_numpy()
    if bad.any():
        raise DataError(f"column {name!r}: non-numeric values in {format_rows(list(frame.index[bad]))}")
    return numeric.to_numpy(dtype=float)


def audit(
    table: ProtectedTable | pd.DataFrame,
    *,
    dims: Sequence[str] | None = None,
    margins: Sequence[str | Margin] | None = None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every hidden cell a reader can compute exactly from the shown cells and the margins.

    For each audited column the reader's knowledge is a linear system: shown cells are
    known numbers, hidden (missing) cells are unknowns, and every line of every declared
    margin says that its parts add up to its total (a cell of the table, or a number known
    from elsewhere when the table has no total cell for the line). A hidden cell is
    recoverable iff its value is the same in every solution, i.e. iff its unit vector lies
    in the row space of the system restricted to the unknowns; see
    :func:`hjeval.disclosure.structure.solve_hidden` for the rank tolerance. The audit is
    about exact recovery: bounds a reader may derive from values being non-negative are
    not checked.

    Parameters
    ----------
    table : ProtectedTable or pandas.DataFrame
        What is published. In a frame, a missing value in an audited column is a hidden cell.
    dims : sequence of str, optional
        Dimension columns; required for a frame, taken from a ProtectedTable.
    margins : sequence of str or Margin, optional
        Declared sums (see :class:`Margin`). For a ProtectedTable, its own margins by default;
        pass more to audit against sums a reader may know in addition.
    columns : sequence of str, optional
        Columns that add up along the margins. Required for a frame. For a ProtectedTable,
        by default its count column and its additive columns: the count is audited as if it
        added up along every margin, which holds when the margin splits persons into
        disjoint groups and errs on the side of reporting otherwise.

    Returns
    -------
    pandas.DataFrame
        One row per recoverable hidden cell and column: the dimension columns, ``column``
        and ``value``, the number the reader computes (NaN when it also needs a total
        known only from outside the table). Empty when nothing is recoverable. Rows are in
        canonical cell order (see :func:`hjeval.disclosure.protect`), then column order.

    Raises
    ------
    DataError
        If a column is missing or not numeric, two rows describe the same cell, or a margin
        does not match the table.

    Examples
    --------
    >>> import pandas as pd
    >>> published = pd.DataFrame({"municipality": [813, 860, "Total"],
    ...                           "hours": [float("nan"), 500.0, 530.0]})
    >>> audit(published, dims=["municipality"], margins=[Margin("municipality", "Total")], columns=["hours"])
      municipality column  value
    0          813  hours   30.0
    """
    if isinstance(table, ProtectedTable):
        frame = table.table
        dims = table.dims if dims is None else tuple(dims)
        margins = table.margins if margins is None else margins
        columns = (table.count, *table.additive) if columns is None else tuple(columns)
    else:
        frame = table
        if dims is None or columns is None:
            raise DataError("auditing a DataFrame needs its dims and the additive columns to audit")
        margins = () if margins is None else margins
        columns = tuple(columns)
    clash = [d for d in dims if d in _RESULT_COLUMNS]
    if clash:
        raise DataError(f"dimension column {clash[0]!r} clashes with the audit's own columns; rename it")
    lines = table_lines(frame, dims, margins)
    rows: list[int] = []
    names: list[str] = []
    recovered_values: list[float] = []
    for name in columns:
        data = _numeric(frame, name)[lines.order]
        determined, recovered = solve_hidden(lines, np.isnan(data), np.nan_to_num(data))
        for cell in np.flatnonzero(determined):
            rows.append(int(lines.order[cell]))
            names.append(name)
            recovered_values.append(float(recovered[cell]))
    result = frame.iloc[rows][list(lines.dims)].reset_index(drop=True)
    result["column"] = pd.Series(names, dtype=object)
    result["value"] = pd.Series(recovered_values, dtype=float)
    if rows:
        position = np.empty(lines.size, dtype=np.int64)
        position[lines.order] = np.arange(lines.size)
        rank = position[rows] * (len(columns) + 1) + [columns.index(n) for n in names]
        result = result.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)
    return result


def check_protected(
    table: ProtectedTable | pd.DataFrame,
    *,
    dims: Sequence[str] | None = None,
    margins: Sequence[str | Margin] | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Raise unless :func:`audit` finds nothing recoverable: the last guard before publishing.

    Parameters
    ----------
    table, dims, margins, columns
        As for :func:`audit`.

    Raises
    ------
    DisclosureError
        Naming the first recoverable cells (by their dimension values and column, never
        their values).

    Examples
    --------
    >>> import pandas as pd
    >>> published = pd.DataFrame({"m": ["a", "b", "c", "all"], "hours": [float("nan"), float("nan"), 9.0, 30.0]})
    >>> check_protected(published, dims=["m"], margins=[Margin("m", "all")], columns=["hours"])
    >>> published.loc[1, "hours"] = 12.0
    >>> check_protected(published, dims=["m"], margins=[Margin("m", "all")], columns=["hours"])
    Traceback (most recent call last):
    ...
    hjeval.disclosure.structure.DisclosureError: 1 hidden cell can be computed from what is shown: m=a (hours)
    """
    found = audit(table, dims=dims, margins=margins, columns=columns)
    if found.empty:
        return
    dim_names = [c for c in found.columns if c not in _RESULT_COLUMNS]
    described = [
        ", ".join(f"{d}={row[d]}" for d in dim_names) + f" ({row['column']})"
        for _, row in found.head(5).iterrows()
    ]
    more = f" (and {len(found) - 5} more)" if len(found) > 5 else ""
    raise DisclosureError(
        f"{len(found)} hidden cell{'s' if len(found) > 1 else ''} can be computed from what is shown: "
        + "; ".join(described) + more
    )
