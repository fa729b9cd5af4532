"""Primary and complementary cell suppression of tables with person counts.

Primary suppression hides every cell resting on ``0 < n < k`` persons. Complementary
(secondary) suppression then hides further cells until no hidden cell can be computed
back from what is shown and the declared margins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hjeval.disclosure.structure import DisclosureError, Margin, TableLines, solve_hidden, table_lines
from hjeval.errors import DataError, format_rows

__all__ = ["DEFAULT_THRESHOLD", "FLAG_COLUMN", "MARKER", "ProtectedTable", "protect", "render"]

DEFAULT_THRESHOLD = 5
"""Statistics Denmark's minimum number of persons behind a published number."""

FLAG_COLUMN = "suppressed"
"""Name of the per-cell flag column: ``""``, ``"primary"`` or ``"secondary"``."""

MARKER = "·"
"""What :func:`render` shows in place of a suppressed number."""

_FLAGS = np.array(["", "primary", "secondary"], dtype=object)


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """A table after suppression: hidden numbers are gone, not just masked.

    Attributes
    ----------
    table : pandas.DataFrame
        The dimension columns, the count column (nullable ``Int64``), the value columns
        (``float64``) and :data:`FLAG_COLUMN`, in the caller's row order. Suppressed cells
        hold NA in the count and every value column; the original numbers are not kept.
    dims : tuple of str
    count : str
        Name of the person-count column.
    values : tuple of str
        Value columns (suppressed together with the count).
    additive : tuple of str
        The value columns that add up along the margins (sums, not means or shares).
    margins : tuple of Margin
        The margins the protection was computed for.
    threshold : int
        Minimum persons behind a shown cell (``k``).
    n_primary, n_secondary : int
        Cells suppressed because they rest on ``0 < n < k`` persons, and cells suppressed
        to protect them.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"municipality": [813, 860, "Total"], "persons": [3, 40, 43],
    ...                       "hours": [30.0, 500.0, 530.0]})
    >>> protected = protect(cells, dims=["municipality"], count="persons", additive=["hours"],
    ...                     margins=[Margin("municipality", "Total")])
    >>> protected.n_primary, protected.n_secondary
    (1, 1)
    >>> protected.to_frame()
      municipality  persons  hours
    0          813     <NA>    NaN
    1          860     <NA>    NaN
    2        Total       43  530.0
    """

    table: pd.DataFrame
    dims: tuple[str, ...]
    count: str
    values: tuple[str, ...]
    additive: tuple[str, ...]
    margins: tuple[Margin, ...]
    threshold: int
    n_primary: int
    n_secondary: int

    @property
    def n_suppressed(self) -> int:
        """All suppressed cells, primary and secondary."""
        return self.n_primary + self.n_secondary

    @property
    def suppressed(self) -> pd.Series:
        """Boolean per row: is the cell suppressed."""
        return self.table[FLAG_COLUMN] != ""

    def to_frame(self, *, flags: bool = False) -> pd.DataFrame:
        """A copy fit for writing out (CSV, figure data): suppressed numbers are empty.

        Parameters
        ----------
        flags : bool, default False
            Include :data:`FLAG_COLUMN`. Left out by default: telling primary from secondary
            suppressions tells the reader which hidden cells rest on fewer than ``k`` persons.

        Returns
        -------
        pandas.DataFrame
            ``to_csv`` writes suppressed counts and values as empty fields.

        Examples
        --------
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"m": ["a", "b"], "persons": [2, 9], "hours": [5.0, 80.0]})
        >>> print(protect(cells, dims=["m"], count="persons").to_frame().to_csv(index=False).strip())
        m,persons,hours
        a,,
        b,9,80.0
        """
        frame = self.table.copy()
        return frame if flags else frame.drop(columns=FLAG_COLUMN)


def _counts(frame: pd.DataFrame, count: str) -> np.ndarray:
    column = frame[count]
    if pd.api.types.is_bool_dtype(column):
        raise DataError(f"column {count!r}: person counts must be whole numbers, not booleans")
    numeric = pd.to_numeric(column, errors="coerce")
    missing = numeric.isna().to_numpy()
    if missing.any():
        raise DataError(
            f"column {count!r}: missing or non-numeric person counts in {format_rows(list(frame.index[missing]))}"
        )
    numbers = numeric.to_numpy(dtype=float)
    negative = numbers < 0
    if negative.any():
        raise DataError(f"column {count!r}: negative person counts in {format_rows(list(frame.index[negative]))}")
    fractional = ~np.isfinite(numbers) | (numbers != np.floor(numbers))
    if fractional.any():
        raise DataError(
            f"column {count!r}: person counts must be whole numbers; not so in "
            f"{format_rows(list(frame.index[fractional]))}"
        )
    return numbers.astype(np.int64)


def _value_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    column = frame[name]
    if pd.api.types.is_bool_dtype(column):
        raise DataError(f"column {name!r}: value columns must be numeric, not booleans")
    numeric = pd.to_numeric(column, errors="coerce")
    bad = (numeric.isna() & column.notna()).to_numpy()
    if bad.any():
        raise DataError(f"column {name!r}: non-numeric values in {format_rows(list(frame.index[bad]))}")
    return numeric.to_numpy(dtype=float)


def _columns(
    frame: pd.DataFrame, dims: Sequence[str], count: str, values: Sequence[str] | None, additive: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if count not in frame.columns:
        raise DataError(f"count column {count!r} not in the table (columns: {', '.join(map(str, frame.columns))})")
    if count in dims:
        raise DataError(f"column {count!r} cannot be both the count and a dimension")
    if FLAG_COLUMN in frame.columns:
        raise DataError(f"column {FLAG_COLUMN!r} is reserved for the suppression flags; rename it")
    if values is None:
        values = [c for c in frame.columns if c not in dims and c != count]
    values = tuple(values)
    missing = [v for v in values if v not in frame.columns]
    if missing:
        raise DataError(f"value column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
                        f"not in the table (columns: {', '.join(map(str, frame.columns))})")
    clash = [v for v in values if v in dims or v == count]
    if clash:
        raise DataError(f"column {clash[0]!r} is listed both as a value and as a dimension or the count")
    extra = [c for c in frame.columns if c not in dims and c != count and c not in values]
    if extra:
        raise DataError(
            f"column {extra[0]!r} is neither a dimension, the count nor a value column: drop it before "
            "protection (attach labels afterwards) or list it among the values"
        )
    additive = tuple(additive)
    stray = [a for a in additive if a not in values]
    if stray:
        raise DataError(f"additive column {stray[0]!r} is not among the value columns ({', '.join(values)})")
    return values, additive


def _line_rule(table: TableLines, status: np.ndarray, counts: np.ndarray) -> None:
    """Until stable: a line with exactly one suppressed cell gets its smallest other cell suppressed."""
    eligible = counts > 0
    changed = True
    while changed:
        changed = False
        for line in table.lines:
            cells = line.cells
            hidden = status[cells] > 0
            if hidden.sum() != 1:
                continue
            candidates = cells[~hidden & eligible[cells]]
            if not candidates.size:
                lone = int(cells[hidden][0])
                raise DisclosureError(
                    f"no protection exists for the cell {table.describe(lone)}: it is the only cell with persons "
                    f"in {table.describe_line(line)}, whose total is published"
                    + ("" if line.total is None or line.total != lone else " (it is that total)")
                    + "; publish the table without that margin or merge cells"
                )
            # smallest count first; ties go to the first cell in canonical (dimension-sorted) order
            pick = candidates[np.lexsort((candidates, counts[candidates]))[0]]
            status[pick] = 2
            changed = True


def _check_outside_totals(table: TableLines, counts: np.ndarray, threshold: int) -> None:
    """A total known from outside the table must not rest on fewer than ``k`` persons either."""
    for line in table.lines:
        if line.total is not None:
            continue
        persons = int(counts[line.parts].sum())  # at least the distinct persons of the line
        if 0 < persons < threshold:
            raise DisclosureError(
                f"{table.describe_line(line)} has no total cell in the table, so its total is taken as published "
                f"elsewhere, but it rests on at most {persons} persons (fewer than {threshold}); add the total "
                "cell to the table so that it can be suppressed, or do not publish it"
            )


def _lines_of(table: TableLines, cell: int) -> np.ndarray:
    found = [line.cells for line in table.lines if cell in line.cells]
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)


def _complement(table: TableLines, status: np.ndarray, counts: np.ndarray) -> None:
    """Secondary suppression: the line rule, then extra cells until no hidden cell is determined."""
    eligible = counts > 0
    while True:
        _line_rule(table, status, counts)
        determined, _ = solve_hidden(table, status > 0)
        if not determined.any():
            return
        target = int(np.flatnonzero(determined)[0])
        nearby = _lines_of(table, target)
        candidates = nearby[(status[nearby] == 0) & eligible[nearby]]
        if not candidates.size:
            candidates = np.flatnonzero((status == 0) & eligible)
        if not candidates.size:
            raise DisclosureError(
                f"no protection exists for the cell {table.describe(target)}: it can be computed from the declared "
                "margins even with every other cell with persons suppressed"
            )
        candidates = candidates[np.lexsort((candidates, counts[candidates]))]
        pick = int(candidates[0])
        for candidate in candidates:
            trial = status > 0
            trial[candidate] = True
            if not solve_hidden(table, trial)[0][target]:
                pick = int(candidate)
                break
        status[pick] = 2


def protect(
    frame: pd.DataFrame,
    *,
    dims: Sequence[str],
    count: str,
    values: Sequence[str] | None = None,
    additive: Sequence[str] = (),
    margins: Sequence[str | Margin] = (),
    threshold: int = DEFAULT_THRESHOLD,
    secondary: bool = True,
) -> ProtectedTable:
    """Suppress every cell resting on too few persons, and enough others to protect them.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per cell: the dimension columns, the count column and value columns, and
        nothing else (attach labels such as municipality names after protection). Margin
        cells (totals) are ordinary rows labelled by their :class:`Margin`'s ``total``.
        Not modified.
    dims : sequence of str
        Dimension columns; together they identify a cell.
    count : str
        Distinct persons behind each cell: whole numbers, at least 0.
    values : sequence of str, optional
        Value columns (sums, means, shares). By default every column that is not a dimension
        or the count.
    additive : sequence of str, default ()
        The value columns that add up along the margins (sums of hours, of benefit payments).
        Recorded for :func:`hjeval.disclosure.audit`.
    margins : sequence of str or Margin, default ()
        Sums a reader knows: each :class:`Margin` (a bare column name ``"x"`` means
        ``Margin("x")``, totals known from outside the table). Without margins there is
        only primary suppression.
    threshold : int, default :data:`DEFAULT_THRESHOLD`
        ``k``: a cell with ``0 < n < k`` persons is suppressed.
    secondary : bool, default True
        Apply complementary suppression. Only switch it off to show what primary
        suppression alone would reveal.

    Returns
    -------
    ProtectedTable

    Raises
    ------
    DataError
        If a column is missing, a count is missing, negative or not a whole number, a value
        is not numeric, two rows describe the same cell, a margin does not match the table,
        or ``threshold`` is below 1.
    DisclosureError
        If no suppression protects the table: a cell with persons is the only one left in a
        line whose total is known from outside the table, or such a total itself rests on
        ``0 < n < k`` persons (the sum of its parts' counts).

    Notes
    -----
    *Cells with zero persons* are structural zeros: they are shown, they never count as
    suppressed, and they are never chosen as complementary suppressions (a reader who knows
    the cell is empty gains nothing from hiding it). A mean over zero persons is NaN anyway.

    *Primary suppression* hides the count and every value column of each cell (margin cells
    included) with ``0 < n < k`` persons. A total that is not a cell of the table cannot be
    hidden here, so one resting on fewer than ``k`` persons is an error.

    *Secondary suppression* follows two rules, repeated until neither changes anything.
    First, every line (the parts of a margin at one combination of the other dimensions,
    with the total cell when the table has it) must have 0 or at least 2 suppressed cells:
    a line with exactly one gets its unsuppressed cell with the fewest persons (more than 0)
    suppressed too. Lines are visited margin by margin in the declared order, and within a
    margin in ascending order of the other dimensions. Second, since that rule alone can
    leave a cell computable through several lines at once, the linear system a reader has
    (see :func:`hjeval.disclosure.audit`) is solved; while some suppressed cell is
    determined, the first such cell (in canonical order) gets one more cell of its lines
    suppressed: the one with the fewest persons among those that make it undetermined, else
    the one with the fewest persons. The result is a heuristic, not a pattern with the least
    loss of information.

    *Ties* between cells with equal counts are broken by canonical order: ascending by the
    first dimension, then the next (numbers before labels where a dimension mixes them, as
    in ``860 < "Total"``). The result does not depend on the order of the rows.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({
    ...     "municipality": [813, 813, 860, 860, "Total", "Total"],
    ...     "period": ["2015", "2016"] * 3,
    ...     "persons": [3, 12, 20, 25, 23, 37],
    ...     "hours": [40.0, 150.0, 300.0, 320.0, 340.0, 470.0],
    ... })
    >>> protected = protect(cells, dims=["municipality", "period"], count="persons", additive=["hours"],
    ...                     margins=[Margin("municipality", "Total")])
    >>> protected.table[["municipality", "period", "persons", "suppressed"]]  # doctest: +NORMALIZE_WHITESPACE
      municipality period  persons suppressed
    0          813   2015     <NA>    primary
    1          813   2016       12
    2          860   2015     <NA>  secondary
    3          860   2016       25
    4        Total   2015       23
    5        Total   2016       37
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise DataError(f"threshold must be a whole number of persons, at least 1, not {threshold!r}")
    dims = tuple(dims)
    values, additive = _columns(frame, dims, count, values, additive)
    table = table_lines(frame, dims, margins)
    counts_in = _counts(frame, count)
    value_data = {name: _value_column(frame, name) for name in values}
    counts = counts_in[table.order]
    status = np.zeros(table.size, dtype=np.int8)
    status[(counts > 0) & (counts < threshold)] = 1
    _check_outside_totals(table, counts, threshold)
    if secondary:
        _complement(table, status, counts)
    flags = np.empty(table.size, dtype=np.int8)
    flags[table.order] = status
    hidden = flags > 0
    out = frame[list(dims)].reset_index(drop=True).copy()
    out[count] = pd.array(np.where(hidden, 0, counts_in), dtype="Int64")
    out.loc[hidden, count] = pd.NA
    for name in values:
        out[name] = np.where(hidden, np.nan, value_data[name])
    out[FLAG_COLUMN] = _FLAGS[flags]
    return ProtectedTable(
        table=out, dims=dims, count=count, values=values, additive=additive, margins=table.margins,
        threshold=int(threshold), n_primary=int((flags == 1).sum()), n_secondary=int((flags == 2).sum()),
    )


def _format(value: object, decimals: int) -> str:
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{float(value):.{decimals}f}"  # type: ignore[arg-type]


def render(
    protected: ProtectedTable,
    *,
    marker: str = MARKER,
    decimals: int | Mapping[str, int] = 1,
    missing: str = "",
) -> pd.DataFrame:
    """The table as text for display, with ``marker`` in place of every suppressed number.

    Parameters
    ----------
    protected : ProtectedTable
    marker : str, default :data:`MARKER` (``"·"``)
        Shown for a suppressed count or value.
    decimals : int or mapping of column to int, default 1
        Decimals of the value columns (counts are whole numbers); a mapping gives them per
        column, 1 for columns it leaves out.
    missing : str, default ""
        Shown for a value that is missing but not suppressed (a mean over zero persons).

    Returns
    -------
    pandas.DataFrame
        Strings; the dimension columns as given, no flag column.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"m": ["a", "b", "c"], "persons": [2, 9, 0],
    ...                       "mean_hours": [5.0, 8.25, float("nan")]})
    >>> protected = protect(cells, dims=["m"], count="persons")
    >>> render(protected, decimals={"mean_hours": 2})  # doctest: +NORMALIZE_WHITESPACE
       m persons mean_hours
    0  a       ·          ·
    1  b       9       8.25
    2  c       0
    """
    frame = protected.to_frame()
    hidden = protected.suppressed.to_numpy()
    shown = frame[list(protected.dims)].copy()
    for name in (protected.count, *protected.values):
        places = decimals.get(name, 1) if isinstance(decimals, Mapping) else decimals
        column = frame[name].astype(object).to_numpy()
        text = [
            marker if hide else missing if pd.isna(value) else _format(value, places)
            for value, hide in zip(column, hidden, strict=True)
        ]
        shown[name] = text
    return shown
