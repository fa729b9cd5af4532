"""Integer codes for fixed-effect and cluster factors, and singleton detection.

Everything downstream (demeaning, covariances) works on ``int64`` codes
``0..n_levels-1`` so that group sums are a single :func:`numpy.bincount`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hjeval.errors import DataError, format_rows

__all__ = ["encode", "singleton_rows"]

# Integer labels spanning at most this many times the number of rows are mapped
# with a lookup table instead of a sort.
_DENSE_SPAN_FACTOR = 4


def encode(values: ArrayLike, *, name: str = "factor") -> tuple[np.ndarray, int]:
    """Factorise labels into integer codes ordered like the sorted labels.

    Parameters
    ----------
    values : array_like, 1-d
        Labels of any sortable dtype (integers, strings, periods as integers).
    name : str, default "factor"
        How the labels are called in error messages.

    Returns
    -------
    (codes, n_levels) : tuple of numpy.ndarray of int64 and int
        ``codes[i]`` is the rank of ``values[i]`` among the distinct labels,
        so level 0 is the smallest label.

    Raises
    ------
    DataError
        If the labels are not 1-d or contain missing values.

    Examples
    --------
    >>> codes, n = encode(["b", "a", "c", "a"])
    >>> codes.tolist(), n
    ([1, 0, 2, 0], 3)
    >>> encode([2015, 2013, 2015])[0].tolist()
    [1, 0, 1]
    """
    array = np.asarray(values)
    if array.ndim != 1:
        raise DataError(f"{name}: expected a 1-d array of labels, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64), 0
    if np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_:
        return _encode_integers(array.astype(np.int64, copy=False))
    missing = _missing_mask(array)
    if missing.any():
        raise DataError(f"{name}: missing labels in {format_rows(np.flatnonzero(missing).tolist())}")
    levels, codes = np.unique(array, return_inverse=True)
    return codes.astype(np.int64, copy=False).reshape(-1), len(levels)


def _encode_integers(array: np.ndarray) -> tuple[np.ndarray, int]:
    low, high = int(array.min()), int(array.max())
    span = high - low + 1
    if span > _DENSE_SPAN_FACTOR * len(array) + 1024:
        levels, codes = np.unique(array, return_inverse=True)
        return codes.astype(np.int64, copy=False).reshape(-1), len(levels)
    shifted = array - low if low != 0 else array
    present = np.bincount(shifted, minlength=span) > 0
    n_levels = int(present.sum())
    if n_levels == span:
        return (shifted if shifted is not array else array.copy()), n_levels
    lookup = np.cumsum(present, dtype=np.int64) - 1
    return lookup[shifted], n_levels


def _missing_mask(array: np.ndarray) -> np.ndarray:
    if np.issubdtype(array.dtype, np.floating):
        return np.isnan(array)
    if np.issubdtype(array.dtype, np.datetime64) or np.issubdtype(array.dtype, np.timedelta64):
        return np.isnat(array)
    if array.dtype == object:
        return np.asarray(pd.isna(array), dtype=bool)
    return np.zeros(len(array), dtype=bool)


def singleton_rows(*codes: np.ndarray) -> np.ndarray:
    """Rows that are alone in a level of some factor, found repeatedly until none remain.

    Such rows are fitted perfectly by their fixed effect: they change no
    coefficient but count as observations. pyfixest drops them by default
    (``fixef_rm="singleton"``), R's fixest keeps them; pass ``~mask`` to keep
    the rest.

    Parameters
    ----------
    *codes : numpy.ndarray of int
        One integer code array per fixed-effect factor, all of the same length.

    Returns
    -------
    numpy.ndarray of bool
        True for rows to drop.

    Examples
    --------
    >>> person = np.array([0, 0, 1, 2, 2]); month = np.array([0, 1, 0, 0, 1])
    >>> singleton_rows(person, month).tolist()
    [False, False, True, False, False]
    """
    if not codes:
        raise DataError("singleton_rows needs at least one factor")
    n = len(codes[0])
    keep = np.ones(n, dtype=bool)
    arrays = [np.asarray(c, dtype=np.int64) for c in codes]
    changed = True
    while changed:
        changed = False
        for factor in arrays:
            counts = np.bincount(factor[keep], minlength=int(factor.max()) + 1 if n else 0)
            alone = keep & (counts[factor] == 1)
            if alone.any():
                keep &= ~alone
                changed = True
    return ~keep
