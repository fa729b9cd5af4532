"""Check that no person identifier, nor the identifier column, reaches an output.

Outputs are scanned for identifiers as whole tokens. A token is a maximal run of letters
and digits (underscores, hyphens, commas, spaces and other punctuation separate tokens),
so ``123456`` is found in ``"123456,860,2015-01"`` and in ``"id 123456."`` but not in
``1234567``, ``A123456`` or ``12345678``. A run of digits that is part of a decimal
number is no token of its own: the digits after a decimal point (``0.123456``) and a run
followed by a decimal point and digits (``123456.5``) are skipped, except when those
digits are all zeros (``123456.0``, an identifier written as a float). A comma always
separates fields, so a decimal-comma number such as ``123456,5`` is flagged: the check
errs on the side of a false alarm.

Identifiers shorter than ``min_length`` characters (default 6) cannot be told apart from
counts, years and codes, so they are not looked for and a :class:`ShortIdentifierWarning`
says how many were skipped. Pseudonymised identifiers (hjeval's synthetic ones have up to
19 digits) are far longer. The name of the identifier column (``person_id``) is looked for
as well, in any case and as a whole word, since a table or file carrying that column
should never leave the analysis.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hjeval.errors import DataError, HjevalWarning, format_rows

__all__ = ["DEFAULT_MIN_LENGTH", "IDENTIFIER_COLUMNS", "ShortIdentifierWarning", "check_no_identifiers"]

DEFAULT_MIN_LENGTH = 6
"""Identifiers with fewer characters are not looked for (see the module notes)."""

IDENTIFIER_COLUMNS: tuple[str, ...] = ("person_id",)
"""Column names that must not appear in an output."""

_TOKEN = re.compile(r"[^\W_]+")


class ShortIdentifierWarning(HjevalWarning):
    """Some identifiers are too short to be looked for without false alarms."""


def _identifier_text(value: object) -> str | None:
    if value is None or isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        return str(int(number)) if number.is_integer() else repr(number)
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


def _word(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<![^\W_])" + re.escape(text) + r"(?![^\W_])")


class _Identifiers:
    """Identifier texts split into single tokens (set lookup) and others (one pattern each)."""

    def __init__(self, identifiers: Iterable[object], min_length: int) -> None:
        texts = {t for t in map(_identifier_text, identifiers) if t is not None}
        short = {t for t in texts if len(t) < min_length}
        if short:
            warnings.warn(
                f"{len(short)} person identifier{'s are' if len(short) > 1 else ' is'} shorter than {min_length} "
                "characters and cannot be told from ordinary numbers; not looked for",
                ShortIdentifierWarning,
                stacklevel=3,
            )
        texts -= short
        self.tokens = frozenset(t for t in texts if _TOKEN.fullmatch(t))
        self.patterns = [_word(t) for t in sorted(texts - self.tokens)]

    def in_text(self, text: str) -> list[int]:
        """Start positions of identifiers in ``text``."""
        hits = []
        for match in _TOKEN.finditer(text):
            token = match.group()
            if token in self.tokens and not (token.isdigit() and _in_decimal(text, match.start(), match.end())):
                hits.append(match.start())
        for pattern in self.patterns:
            hits += [m.start() for m in pattern.finditer(text)]
        return sorted(hits)


def _in_decimal(text: str, start: int, end: int) -> bool:
    """Is the digit run ``text[start:end]`` part of a decimal number (beyond an all-zero fraction)?"""
    if start >= 2 and text[start - 1] == "." and text[start - 2].isdigit():
        return True
    if end + 1 < len(text) and text[end] == "." and text[end + 1].isdigit():
        stop = end + 1
        while stop < len(text) and text[stop].isdigit():
            stop += 1
        return bool(text[end + 1 : stop].strip("0"))
    return False


def _lines(text: str, positions: list[int]) -> list[int]:
    return sorted({text.count("\n", 0, p) + 1 for p in positions})


def _numeric_texts(column: pd.Series) -> pd.Series | None:
    """Digits of the whole numbers in a numeric column (sign dropped, "" elsewhere); None if not numeric."""
    if pd.api.types.is_bool_dtype(column) or not pd.api.types.is_numeric_dtype(column):
        return None
    values = column.to_numpy(dtype=float, na_value=np.nan)
    whole = np.isfinite(values) & (values == np.floor(values))
    texts = np.full(len(values), "", dtype=object)
    if pd.api.types.is_integer_dtype(column):
        exact = column[whole].astype(object)  # integers beyond 2**53 keep every digit
        texts[whole] = [str(abs(int(v))) for v in exact]
    else:
        texts[whole] = [str(abs(int(v))) for v in values[whole]]
    return pd.Series(texts, index=column.index)


def _cell_text(value: object) -> str:
    if value is None or (np.ndim(value) == 0 and pd.isna(value)):  # type: ignore[arg-type]
        return ""
    return str(value)


def _scan_frame(frame: pd.DataFrame, found: _Identifiers, names: list[tuple[str, re.Pattern[str]]],
                source: str) -> None:
    labels = [str(c) for c in frame.columns] + [str(n) for n in frame.index.names if n is not None]
    for label in labels:
        for name, pattern in names:
            if pattern.search(label):
                raise DataError(f"{source}: column {label!r} carries the identifier column name {name!r}; drop it")
        if found.in_text(label):
            raise DataError(f"{source}: a column label is a person identifier")
    parts = [(str(c), frame[c]) for c in frame.columns]
    if not isinstance(frame.index, pd.RangeIndex):
        parts.append(("(index)", frame.index.to_series(index=frame.index)))
    tokens = list(found.tokens)
    for label, column in parts:
        digits = _numeric_texts(column)
        if digits is not None:
            hit = digits.isin(tokens).to_numpy()
            if found.patterns:  # identifiers with a sign or punctuation: match the written numbers
                hit |= np.array([bool(found.in_text(_cell_text(v))) for v in column], dtype=bool)
        else:
            hit = np.array([bool(found.in_text(_cell_text(v))) for v in column], dtype=bool)
        if hit.any():
            raise DataError(
                f"{source}: person identifiers in column {label!r}, {format_rows(list(frame.index[hit]))}"
            )


def check_no_identifiers(
    output: str | os.PathLike[str] | pd.DataFrame | pd.Series,
    identifiers: Iterable[object],
    *,
    columns: Iterable[str] = IDENTIFIER_COLUMNS,
    min_length: int = DEFAULT_MIN_LENGTH,
    source: str | None = None,
) -> None:
    """Raise if an output contains a person identifier or the identifier column's name.

    Parameters
    ----------
    output : str, path, pandas.DataFrame or pandas.Series
        A ``str`` is the text itself (CSV, Markdown, HTML, ...); a :class:`pathlib.Path`
        (or other path object) is read as UTF-8 text. For a frame, column labels, index
        names and values and every cell are scanned. Binary formats (PNG, PDF) cannot be
        scanned this way: scan the data they are drawn from.
    identifiers : iterable
        The person identifiers of the input, e.g. its ``person_id`` column. Integers and
        whole floats are compared by their decimal digits, strings as given (stripped);
        missing values are ignored.
    columns : iterable of str, default :data:`IDENTIFIER_COLUMNS`
        Column names that must not appear, as a whole word in any letter case.
    min_length : int, default :data:`DEFAULT_MIN_LENGTH`
        Identifiers with fewer characters are skipped, with a :class:`ShortIdentifierWarning`.
    source : str, optional
        Name of the output for error messages (default: the file name, ``"text"`` or
        ``"table"``).

    Raises
    ------
    DataError
        Naming the output and the lines (text) or the column and rows (frame) where an
        identifier or identifier column name was found. The identifiers themselves are not
        repeated in the message.

    Notes
    -----
    See the module notes for what counts as a whole token.

    Examples
    --------
    >>> ids = [4811902236, 7730018421]
    >>> check_no_identifiers("municipality,persons\\n860,48119022361\\n", ids)
    >>> check_no_identifiers("municipality,who\\n860,7730018421\\n", ids, source="cells.csv")
    Traceback (most recent call last):
    ...
    hjeval.errors.DataError: cells.csv: person identifiers on line 2
    """
    if isinstance(min_length, bool) or not isinstance(min_length, int) or min_length < 1:
        raise DataError(f"min_length must be a whole number, at least 1, not {min_length!r}")
    found = _Identifiers(identifiers, min_length)
    names = [(name, re.compile(_word(name).pattern, re.IGNORECASE)) for name in columns]
    if isinstance(output, pd.Series):
        output = output.to_frame()
    if isinstance(output, pd.DataFrame):
        _scan_frame(output, found, names, source or "table")
        return
    if isinstance(output, str):
        text, where = output, source or "text"
    elif isinstance(output, os.PathLike):
        path = Path(output)
        text, where = path.read_text(encoding="utf-8", errors="replace"), source or str(path)
    else:
        raise DataError(f"cannot scan an output of type {type(output).__name__}: pass text, a path or a DataFrame")
    for name, pattern in names:
        named = [m.start() for m in pattern.finditer(text)]
        if named:
            lines = _lines(text, named)
            raise DataError(f"{where}: the identifier column name {name!r} "
                            f"appears on {format_rows(lines).replace('row', 'line')}")
    hits = found.in_text(text)
    if hits:
        lines = _lines(text, hits)
        raise DataError(f"{where}: person identifiers on {format_rows(lines).replace('row', 'line')}")
