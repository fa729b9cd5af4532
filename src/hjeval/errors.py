"""Errors and warnings raised by hjeval.

Every problem with user input raises :class:`DataError`, a :class:`ValueError`
whose message says what is wrong, where (file, column, first offending rows)
and how to fix it. Warnings share the base class :class:`HjevalWarning` so that
callers can filter all of them at once.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from types import FrameType
from typing import Literal

__all__ = [
    "FILE_ROWS_NOTE",
    "DataError",
    "HjevalWarning",
    "RowOrigin",
    "describe_rows",
    "format_rows",
    "row_labels",
    "warn_user",
]


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


RowOrigin = Literal["file", "index"]
"""What row labels are: ``"file"`` rows of a file (the header is row 1) or ``"index"`` labels of a DataFrame."""

FILE_ROWS_NOTE = "the header is row 1"


def _plain(label: object) -> object:
    """A numpy scalar as the Python value it holds, so messages read ``3`` rather than ``np.int64(3)``."""
    item = getattr(label, "item", None)
    if callable(item) and getattr(label, "shape", None) == ():
        return item()
    return label


def row_labels(labels: Sequence[object]) -> tuple[object, ...]:
    """Row labels as plain Python values (for ``attrs`` and messages).

    Examples
    --------
    >>> import numpy as np
    >>> row_labels([np.int64(3), "a"])
    (3, 'a')
    """
    return tuple(_plain(label) for label in labels)


def describe_rows(rows: Sequence[object], origin: RowOrigin = "file", limit: int = 5) -> str:
    """The first offending rows, said as the user sees them.

    Every loader and reader names rows with this helper: rows of a file are
    numbered as in a spreadsheet (the header is row 1, the first record row 2);
    rows of a DataFrame are named by their index labels.

    Parameters
    ----------
    rows : sequence
        File row numbers (``origin="file"``) or index labels (``origin="index"``).
    origin : {"file", "index"}, default "file"
    limit : int, default 5
        How many to show before summarising the rest.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_rows([3])
    'row 3 (the header is row 1)'
    >>> describe_rows([3, 5, 9], limit=2)
    'rows 3, 5 (and 1 more; the header is row 1)'
    >>> describe_rows(["a", 7], origin="index")
    "rows with index labels 'a', 7"
    """
    labels = row_labels(list(rows))
    extra = len(labels) - limit
    if origin == "file":
        shown = ", ".join(str(r) for r in labels[:limit])
        word = "row" if len(labels) == 1 else "rows"
        more = f"and {extra} more; " if extra > 0 else ""
        return f"{word} {shown} ({more}{FILE_ROWS_NOTE})"
    shown = ", ".join(repr(r) for r in labels[:limit])
    word = "the row with index label" if len(labels) == 1 else "rows with index labels"
    return f"{word} {shown}" + (f" (and {extra} more)" if extra > 0 else "")


def warn_user(message: str, category: type[Warning] = HjevalWarning) -> None:
    """Issue a warning attributed to the first caller outside hjeval.

    Parameters
    ----------
    message : str
    category : type, default HjevalWarning
    """
    frame: FrameType | None = sys._getframe(1)  # the caller of this function: stacklevel 2
    level = 2
    while frame is not None and str(frame.f_globals.get("__name__", "")).split(".")[0] == "hjeval":
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
