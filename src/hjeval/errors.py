"""Errors and warnings raised by hjeval.

Every problem with user input raises :class:`DataError`, a :class:`ValueError`
whose message says what is wrong, where (file, column, first offending rows)
and how to fix it. Warnings share the base class :class:`HjevalWarning` so that
callers can filter all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["DataError", "HjevalWarning", "format_rows"]


class DataError(ValueError):
    """Bad input: a file, a column or rows that hjeval cannot use as given.

    Examples
    --------
    >>> import hjeval as hj
    >>> try:
    ...     raise hj.DataError("column 'hours': negative values in rows 3, 7")
    ... except ValueError as err:
    ...     print(err)
    column 'hours': negative values in rows 3, 7
    """


class HjevalWarning(UserWarning):
    """Base class of every warning hjeval emits (dropped rows, few clusters, pre-trends)."""


def format_rows(rows: Sequence[object], limit: int = 5) -> str:
    """Render the first offending row labels for an error message.

    Parameters
    ----------
    rows : sequence
        Row labels (file line numbers or index values) at fault.
    limit : int, default 5
        How many to show before summarising the rest.

    Returns
    -------
    str
        For example ``"rows 2, 5, 9 (and 12 more)"``.

    Examples
    --------
    >>> format_rows([2, 5, 9, 11, 12, 13, 20], limit=3)
    'rows 2, 5, 9 (and 4 more)'
    >>> format_rows([4])
    'row 4'
    """
    shown = ", ".join(str(r) for r in list(rows)[:limit])
    word = "row" if len(rows) == 1 else "rows"
    extra = len(rows) - limit
    return f"{word} {shown}" + (f" (and {extra} more)" if extra > 0 else "")
