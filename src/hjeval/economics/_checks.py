"""Checks shared by the economics functions: options, years, numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from hjeval.errors import DataError, format_rows

__all__ = [
    "HOURS_PER_FULL_TIME_YEAR",
    "BenefitGroup",
    "Language",
    "check_alpha",
    "check_option",
    "check_positive",
    "numeric_column",
    "where",
    "year_labels",
]

HOURS_PER_FULL_TIME_YEAR = 1924.0
"""A full-time person in Danish statistics: 37 hours a week, 52 weeks."""

BenefitGroup = Literal["activity_ready_cash", "job_ready_cash", "sickness", "integration"]
"""The benefit groups of the panels (as :data:`hjeval.data.schemas.BENEFIT_GROUPS`)."""

Language = Literal["da", "en"]



def check_option(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise a DataError naming the argument and the allowed values."""
    if not isinstance(value, str) or value not in allowed:
        raise DataError(f"{name}={value!r} is not one of {list(allowed)}")


def check_positive(name: str, value: object) -> float:
    """A finite positive number, or a DataError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DataError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if not np.isfinite(number) or number <= 0:
        raise DataError(f"{name} must be a finite positive number, not {value!r}")
    return number


def check_alpha(value: object) -> float:
    """A level between 0 and 1 (exclusive), or a DataError."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise DataError(f"alpha must be a number between 0 and 1, not {value!r}")
    number = float(value)
    if not 0 < number < 1:
        raise DataError(f"alpha must be between 0 and 1 (e.g. 0.05 for 95 % intervals), not {value!r}")
    return number


def year_labels(values: Sequence[object] | pd.Index, *, what: str) -> list[int]:
    """Calendar years as ints: whole numbers, yearly periods, or their text; a DataError names the bad ones.

    Examples
    --------
    >>> import pandas as pd
    >>> year_labels(pd.Index([2015, 2016.0, "2017", pd.Period("2018", "Y")]), what="index")
    [2015, 2016, 2017, 2018]
    """
    years: list[int] = []
    bad: list[object] = []
    for value in values:
        if isinstance(value, pd.Period) and value.freqstr.split("-")[0] in ("Y", "A"):
            years.append(int(value.year))
        elif isinstance(value, bool):
            bad.append(value)
        elif isinstance(value, int | np.integer):
            years.append(int(value))
        elif isinstance(value, float | np.floating) and float(value).is_integer():
            years.append(int(value))
        elif isinstance(value, str) and value.strip().isdigit():
            years.append(int(value.strip()))
        else:
            bad.append(value)
    if bad:
        shown = ", ".join(repr(b) for b in bad[:5]) + (f" (and {len(bad) - 5} more)" if len(bad) > 5 else "")
        raise DataError(f"{what} must be calendar years (e.g. 2015); not years: {shown}")
    if len(set(years)) != len(years):
        twice = sorted({y for y in years if years.count(y) > 1})
        raise DataError(f"{what} names year(s) {twice} more than once; give each year once")
    return years


def where(frame: pd.DataFrame | pd.Series, mask: np.ndarray, limit: int = 5) -> str:
    """The first rows of ``frame`` where ``mask`` holds, by their index labels.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> where(pd.Series([1.0, -2.0, -3.0], index=[10, 11, 12]), np.array([False, True, True]))
    'rows 11, 12 (index labels)'
    """
    labels = [frame.index[int(i)] for i in np.flatnonzero(mask)]
    return format_rows(labels, limit) + " (index labels)"


def numeric_column(frame: pd.DataFrame, column: str, *, argument: str, minimum: float | None = None) -> np.ndarray:
    """A column as finite float64 numbers; a DataError names the argument, the column and the rows otherwise."""
    values = frame[column]
    coerced = pd.to_numeric(values, errors="coerce") if not pd.api.types.is_bool_dtype(values.dtype) else None
    if coerced is None:
        raise DataError(f"{argument}: column {column!r} holds true/false values, not numbers")
    array = coerced.to_numpy(dtype=np.float64, na_value=np.nan)
    text = (coerced.isna() & values.notna()).to_numpy()
    if text.any():
        raise DataError(f"{argument}: column {column!r} has values that are not numbers "
                        f"(first: {values[text].iloc[0]!r}) in {where(frame, text)}")
    missing = ~np.isfinite(array)
    if missing.any():
        raise DataError(f"{argument}: column {column!r} has missing or infinite values in {where(frame, missing)}")
    if minimum is not None and (array < minimum).any():
        raise DataError(f"{argument}: column {column!r} has values below {minimum:g} in "
                        f"{where(frame, array < minimum)}")
    return array
