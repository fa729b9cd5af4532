"""Passes over many rows in chunks, so that temporaries stay small.

A person-month panel has millions of rows; an elementwise expression over all
of them allocates a full-length temporary for every intermediate result (and
numpy casts int32 index arrays to intp before indexing or counting). Working
through the rows in chunks of a few hundred thousand keeps those temporaries
at a few megabytes without changing any result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

__all__ = ["CHUNK_VALUES", "is_nondecreasing", "row_slices", "selected_rows"]

CHUNK_VALUES = 1 << 18
"""Values (float64: 2 MiB) in one chunk's temporary, summed over its columns."""


def row_slices(n_rows: int, columns: int = 1) -> Iterator[slice]:
    """Consecutive row ranges covering ``0..n_rows``, sized for ``columns`` values per row.

    Examples
    --------
    >>> [(s.start, s.stop) for s in row_slices(5, columns=CHUNK_VALUES // 2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    step = max(2, CHUNK_VALUES // max(1, columns))
    for start in range(0, n_rows, step):
        yield slice(start, min(n_rows, start + step))


def is_nondecreasing(values: np.ndarray) -> bool:
    """Whether ``values[i] <= values[i + 1]`` for every row.

    Examples
    --------
    >>> is_nondecreasing(np.array([0, 0, 1, 3])), is_nondecreasing(np.array([1, 0]))
    (True, False)
    """
    for rows in row_slices(len(values) - 1):
        if not np.all(values[rows.start + 1:rows.stop + 1] >= values[rows]):
            return False
    return True


def selected_rows(n_rows: int, select: Callable[[slice], np.ndarray]) -> np.ndarray:
    """Positions of the rows where ``select(rows)`` (a boolean mask of a chunk) is true.

    Examples
    --------
    >>> values = np.array([3, 1, 4, 1, 5])
    >>> selected_rows(5, lambda rows: values[rows] == 1).tolist()
    [1, 3]
    """
    parts = [np.flatnonzero(select(rows)) + rows.start for rows in row_slices(n_rows)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.intp)
