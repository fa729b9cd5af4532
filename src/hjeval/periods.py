"""Period codes as they appear in Danish statistics and in user data.

hjeval works with :class:`pandas.Period` values internally. This module turns
the spellings users bring into periods: years (``2015``), quarters (``2015Q1``
or the Danish ``2015K1``), months (``2015M01``, ``2015-01``), half-years
(``2015H1``) and :class:`pandas.Timestamp` / :class:`pandas.Period` values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from hjeval.errors import DataError, format_rows

__all__ = [
    "FREQUENCY_NAMES",
    "Frequency",
    "calendar_distance",
    "frequency_of",
    "mixed_frequencies",
    "parse_period",
    "parse_periods",
    "period_lookup",
    "spelling_hint",
]

Frequency = Literal["Y", "6M", "Q", "M"]

FREQUENCY_NAMES: dict[str, tuple[str, str]] = {
    "Y": ("year", "years"),
    "6M": ("half-year", "half-years"),
    "Q": ("quarter", "quarters"),
    "M": ("month", "months"),
}
"""Singular and plural names of each frequency, for messages."""

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (its 1900 date system)

_PATTERNS: tuple[tuple[re.Pattern[str], Frequency], ...] = (
    (re.compile(r"^(\d{4})$"), "Y"),
    (re.compile(r"^(\d{4})[.,]0+$"), "Y"),  # a year written as a number with decimals: 2015.0
    (re.compile(r"^(\d{4})\s*[HhSs]([12])$"), "6M"),
    (re.compile(r"^(\d{4})\s*[QqKk]([1-4])$"), "Q"),
    (re.compile(r"^(\d{4})\s*[Mm](\d{1,2})$"), "M"),
    (re.compile(r"^(\d{4})-(\d{1,2})(?:-01)?$"), "M"),
    (re.compile(r"^(\d{4})/(\d{1,2})$"), "M"),
)


def _match(text: str) -> tuple[int, int, Frequency] | None:
    for pattern, freq in _PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        year = int(found.group(1))
        sub = int(found.group(2)) if found.lastindex and found.lastindex > 1 else 0
        if freq == "M" and not 1 <= sub <= 12:
            return None
        return year, sub, freq
    return None


def _to_period(year: int, sub: int, freq: Frequency) -> pd.Period:
    if freq == "Y":
        return pd.Period(year=year, freq="Y")
    if freq == "Q":
        return pd.Period(year=year, quarter=sub, freq="Q")
    if freq == "6M":
        return pd.Period(year=year, month=1 + 6 * (sub - 1), freq="6M")
    return pd.Period(year=year, month=sub, freq="M")


def parse_period(value: object) -> pd.Period:
    """Parse one period value.

    Parameters
    ----------
    value : int, str, pandas.Period or pandas.Timestamp
        ``2015`` (year), ``"2015Q1"``/``"2015K1"`` (quarter), ``"2015M01"`` or
        ``"2015-01"`` (month), ``"2015H1"`` (half-year, a 6-month period), a
        Period (returned unchanged) or a Timestamp (its month).

    Returns
    -------
    pandas.Period

    Raises
    ------
    DataError
        If the value is not a recognised period spelling.

    Examples
    --------
    >>> parse_period("2015K3")
    Period('2015Q3', 'Q-DEC')
    >>> parse_period(2015)
    Period('2015', 'Y-DEC')
    >>> parse_period("2015M01")
    Period('2015-01', 'M')
    """
    if isinstance(value, pd.Period):
        return value
    if isinstance(value, pd.Timestamp | np.datetime64 | dt.date):
        return pd.Timestamp(value).to_period("M")
    if isinstance(value, bool):
        raise DataError(f"cannot read {value!r} as a period")
    if isinstance(value, dict | pd.Series):
        raise DataError(f"{value!r} is a mapping, not one period; a start per treated group is taken by "
                        "hj.did and hj.event_study (and cohorts by hj.staggered_did); give one period here")
    try:
        if isinstance(value, int | np.integer):
            return pd.Period(year=int(value), freq="Y")
        if isinstance(value, float | np.floating) and float(value).is_integer():
            return pd.Period(year=int(value), freq="Y")
    except (ValueError, OverflowError) as err:
        raise DataError(f"cannot read {value!r} as a period: the year is out of range") from err
    if isinstance(value, str):
        found = _match(value.strip())
        if found is not None:
            return _to_period(*found)
    hint = spelling_hint(value)
    raise DataError(
        f"cannot read {value!r} as a period; use a year (2015), quarter (2015Q1 or 2015K1), "
        "month (2015M01 or 2015-01) or half-year (2015H1)" + (f"; {hint}" if hint else "")
    )


def frequency_of(period: pd.Period) -> str:
    """The frequency of a period as ``"Y"``, ``"6M"``, ``"Q"`` or ``"M"``.

    Examples
    --------
    >>> frequency_of(parse_period("2015K1")), frequency_of(parse_period(2015))
    ('Q', 'Y')
    """
    name = period.freqstr
    if name.startswith(("Y", "A")):
        return "Y"
    if name.startswith("Q"):
        return "Q"
    return name


def spelling_hint(value: object) -> str:
    """A likely explanation of a value that is not a period or lies outside plausible years.

    Parameters
    ----------
    value : object
        The raw value as the user gave it.

    Returns
    -------
    str
        Empty when there is nothing to add.

    Examples
    --------
    >>> spelling_hint(42005)
    '42005 is how Excel stores the date 2015-01-01: format the cells as dates or as text such as 2015-01 before saving'
    >>> spelling_hint("201503")
    "'201503' looks like year and month run together: write 2015-03 or 2015M03"
    """
    number: float | None = None
    if isinstance(value, np.generic):
        value = value.item()  # shown as 42005, not np.int64(42005)
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d+([.,]0+)?", value.strip()):
        number = float(value.strip().replace(",", "."))
    if number is None or not np.isfinite(number) or not number.is_integer():
        return ""
    whole = int(number)
    if 190001 <= whole <= 210012 and 1 <= whole % 100 <= 12:
        year, month = divmod(whole, 100)
        return f"{value!r} looks like year and month run together: write {year}-{month:02d} or {year}M{month:02d}"
    if 2_100 < whole < 80_000:
        date = (_EXCEL_EPOCH + pd.Timedelta(days=whole)).date()
        return (
            f"{value!r} is how Excel stores the date {date.isoformat()}: format the cells as dates or as text "
            f"such as {date.year}-{date.month:02d} before saving"
        )
    return ""


def period_lookup(values: pd.Series) -> tuple[dict[object, pd.Period], list[object]]:
    """Parse each distinct value of a column once.

    Parameters
    ----------
    values : pandas.Series
        Raw period values; missing values are ignored.

    Returns
    -------
    (parsed, bad) : tuple
        ``parsed`` maps each readable raw value to its period; ``bad`` lists the
        raw values that are not periods.

    Examples
    --------
    >>> import pandas as pd
    >>> parsed, bad = period_lookup(pd.Series(["2015K1", "2015K1", "spring"]))
    >>> parsed, bad
    ({'2015K1': Period('2015Q1', 'Q-DEC')}, ['spring'])
    """
    parsed: dict[object, pd.Period] = {}
    bad: list[object] = []
    for raw in pd.unique(values.dropna()):
        try:
            parsed[raw] = parse_period(raw)
        except DataError:
            bad.append(raw)
    return parsed, bad


def parse_periods(
    values: pd.Series, *, column: str = "period", source: str = "data"
) -> pd.Series:
    """Parse a column of period values into one pandas Period dtype.

    All values must share one frequency (all months, all quarters, ...).
    Datetime columns become monthly periods.

    Parameters
    ----------
    values : pandas.Series
        Raw period values (strings, integers, datetimes or periods).
    column, source : str
        Column and file names used in error messages.

    Returns
    -------
    pandas.Series
        Same index, dtype ``period[...]``.

    Raises
    ------
    DataError
        Naming the column and the first rows that cannot be parsed, or that
        mix frequencies.

    Examples
    --------
    >>> import pandas as pd
    >>> parse_periods(pd.Series(["2015K1", "2015Q2"])).tolist()
    [Period('2015Q1', 'Q-DEC'), Period('2015Q2', 'Q-DEC')]
    """
    if isinstance(values.dtype, pd.PeriodDtype):
        return values
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.dt.to_period("M")
    parsed, bad = period_lookup(values)
    missing = values.isna()
    if bad or missing.any():
        bad_mask = values.isin(bad) | missing
        rows = list(values.index[bad_mask.to_numpy()])
        example = values[bad_mask].iloc[0]
        raise DataError(
            f"{source}: column {column!r} has values that are not periods "
            f"(first: {example!r}) in {format_rows(rows)}; use 2015, 2015Q1/2015K1, "
            "2015M01/2015-01 or 2015H1"
        )
    freqs = {p.freqstr for p in parsed.values()}
    out = values.map(parsed)
    if len(freqs) > 1:
        kinds = out.map(frequency_of)
        counts = kinds.value_counts()
        odd = (kinds != counts.index[0]).to_numpy()
        raise DataError(
            f"{source}: column {column!r} mixes period frequencies: {mixed_frequencies(counts)} "
            f"(first other: {values[odd].iloc[0]!r}) in {format_rows(list(values.index[odd]))}; "
            "use one frequency per column"
        )
    return out.astype(pd.PeriodDtype(next(iter(parsed.values())).freq)) if parsed else out


def mixed_frequencies(counts: pd.Series) -> str:
    """Say how many values have each frequency, e.g. ``"1200 months and 1 quarter"``.

    Parameters
    ----------
    counts : pandas.Series
        Counts indexed by frequency (``"M"``, ``"Q"``, ...), most common first.

    Examples
    --------
    >>> import pandas as pd
    >>> mixed_frequencies(pd.Series({"M": 1200, "Q": 1}))
    '1200 months and 1 quarter'
    """
    parts = []
    for freq, count in counts.items():
        singular, plural = FREQUENCY_NAMES.get(str(freq), (str(freq), str(freq)))
        parts.append(f"{count} {singular if count == 1 else plural}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def calendar_distance(labels: Sequence[object], start: int) -> np.ndarray:
    """Calendar distance of every period from the one at position ``start``, in periods of their frequency.

    Periods missing from ``labels`` still count: with yearly labels that skip
    2012 and a start in 2015, 2011 is -4.

    Examples
    --------
    >>> years = [pd.Period(y, "Y") for y in (2010, 2011, 2013, 2015, 2016)]
    >>> calendar_distance(years, 3).tolist()
    [-5, -4, -2, 0, 1]
    """
    ordinals = np.array([p.ordinal for p in labels], dtype=np.int64)  # type: ignore[attr-defined]
    step = getattr(labels[0], "freq", None)
    step_n = int(getattr(step, "n", 1) or 1)
    return (ordinals - ordinals[start]) // step_n
