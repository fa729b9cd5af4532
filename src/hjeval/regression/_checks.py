"""Validation of the arrays handed to the regression kernel."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hjeval.errors import DataError, format_rows

__all__ = ["as_columns", "as_weights", "check_length"]


def as_columns(values: ArrayLike, *, name: str) -> tuple[np.ndarray, bool]:
    """A finite float64 matrix (n, k) from a 1-d or 2-d array, and whether it was 1-d.

    No copy is made when ``values`` already is a float64 array.
    """
    array = np.asarray(values, dtype=np.float64)
    was_vector = array.ndim == 1
    if was_vector:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise DataError(f"{name}: expected a 1-d or 2-d array, got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise DataError(
            f"{name}: missing or infinite values in column {int(cols[0])}, "
            f"{format_rows(np.unique(rows).tolist())}; drop or impute them first"
        )
    return array, was_vector


def as_weights(weights: ArrayLike | None, n_obs: int) -> np.ndarray | None:
    """Positive finite float64 weights of length ``n_obs`` (a private copy), or None."""
    if weights is None:
        return None
    w = np.array(weights, dtype=np.float64)
    if w.ndim != 1:
        raise DataError(f"weights: expected a 1-d array, got shape {w.shape}")
    check_length(w, n_obs, name="weights")
    bad = ~(np.isfinite(w) & (w > 0))
    if bad.any():
        raise DataError(
            f"weights: must be positive and finite; offending {format_rows(np.flatnonzero(bad).tolist())}"
        )
    return w


def check_length(array: np.ndarray, n_obs: int, *, name: str) -> None:
    """Raise unless ``array`` has ``n_obs`` rows."""
    if len(array) != n_obs:
        raise DataError(f"{name}: has {len(array)} rows, expected {n_obs} (one per observation)")
