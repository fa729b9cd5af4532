"""Cells, margins and lines of a table, and which hidden cells a reader can solve for.

A table holds one row (a *cell*) per combination of its dimension columns. A
:class:`Margin` declares that along one dimension some cells (the *parts*) add up
to another cell (the *total*), for every combination of the other dimensions. Each
such combination is a *line*: its parts plus, when the table has it, its total cell.
A line whose total is not in the table is taken to have a total that the reader
knows from elsewhere (published in another table, or derivable).

Cells are kept in a canonical order, the ascending order of their dimension values
(see :func:`table_lines`), so that everything computed from it is independent of
the order of the caller's rows.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hjeval.errors import DataError, format_rows

__all__ = [
    "DETERMINED_TOLERANCE",
    "DisclosureError",
    "Line",
    "Margin",
    "TableLines",
    "margins_from",
    "solve_hidden",
    "table_lines",
]

DETERMINED_TOLERANCE = 1e-9
"""Entries of magnitude up to this count as zero while the reader's system is reduced."""


class DisclosureError(DataError):
    """A table that would reveal, or cannot be kept from revealing, a number resting on too few persons.

    Raised when no suppression pattern protects a table (for example a line with a single
    cell whose total is published) and by :func:`hjeval.disclosure.check_protected` when a
    hidden cell can be recovered from what is published.

    Examples
    --------
    >>> issubclass(DisclosureError, ValueError)
    True
    """


@dataclass(frozen=True)
class Margin:
    """A declared sum: along ``dimension``, the ``parts`` add up to the ``total``.

    Parameters
    ----------
    dimension : str
        The dimension column summed over (e.g. ``"municipality"``).
    total : hashable, optional
        The value of ``dimension`` that labels total cells in the table (e.g. ``"Total"``).
        None when the table has no total cells: the totals are then taken to be known to
        the reader from elsewhere, and each line needs 0 or at least 2 hidden parts.
        A line whose total cell is missing from the table is treated the same way.
    parts : sequence of hashable, optional
        The values of ``dimension`` that add up to the total. By default every value of
        the dimension except the totals of all margins declared on that dimension, which
        suits a single total (``"all municipalities"``) and two-level hierarchies whose
        top total is the sum of all the bottom values. Give the parts for anything else,
        e.g. ``Margin("group", "all", ("treated", "comparison"))``.

    Examples
    --------
    >>> Margin("municipality", "Total")
    Margin(dimension='municipality', total='Total', parts=None)
    >>> Margin("group", "all", ["treated", "comparison"]).parts
    ('treated', 'comparison')
    """

    dimension: str
    total: Hashable | None = None
    parts: tuple[Hashable, ...] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.dimension, str):
            raise DataError(f"a margin's dimension must be a column name, not {self.dimension!r}")
        if self.parts is not None:
            parts = tuple(self.parts)
            if not parts:
                raise DataError(f"margin over {self.dimension!r}: parts must not be empty")
            if self.total is not None and any(_same(p, self.total) for p in parts):
                raise DataError(f"margin over {self.dimension!r}: the total {self.total!r} is also among its parts")
            object.__setattr__(self, "parts", parts)


def _same(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def margins_from(margins: Sequence[str | Margin]) -> tuple[Margin, ...]:
    """Normalise a margins declaration: a column name ``"x"`` stands for ``Margin("x")``.

    Parameters
    ----------
    margins : sequence of str or Margin

    Returns
    -------
    tuple of Margin

    Examples
    --------
    >>> margins_from(["period", Margin("municipality", "Total")])[0]
    Margin(dimension='period', total=None, parts=None)
    """
    if isinstance(margins, str | Margin):
        margins = [margins]
    out = []
    for margin in margins:
        if isinstance(margin, str):
            out.append(Margin(margin))
        elif isinstance(margin, Margin):
            out.append(margin)
        else:
            raise DataError(f"a margin is a column name or a Margin, not {margin!r}")
    return tuple(out)


@dataclass(frozen=True, eq=False)
class Line:
    """One line of a margin: cells (canonical positions) and their signs in the line's sum.

    ``parts`` add up to ``total``; ``total`` is None when the total is not in the table.
    """

    margin: int
    key: tuple[object, ...]
    parts: np.ndarray
    total: int | None

    @property
    def cells(self) -> np.ndarray:
        """Parts, then the total cell when present."""
        return self.parts if self.total is None else np.append(self.parts, self.total)

    @property
    def signs(self) -> np.ndarray:
        """+1 for parts, -1 for the total cell: the line says ``signs @ values == external total``."""
        signs = np.ones(len(self.parts), dtype=float)
        return signs if self.total is None else np.append(signs, -1.0)


@dataclass(frozen=True, eq=False)
class TableLines:
    """The cells of a table in canonical order and the lines of its declared margins.

    Attributes
    ----------
    dims : tuple of str
    margins : tuple of Margin
    order : numpy.ndarray
        ``order[i]`` is the position in the caller's frame of canonical cell ``i``.
    codes : numpy.ndarray
        Integer rank of each canonical cell's value in each dimension (cells x dims).
    levels : tuple of list
        The sorted distinct values of each dimension.
    lines : tuple of Line
    """

    dims: tuple[str, ...]
    margins: tuple[Margin, ...]
    order: np.ndarray
    codes: np.ndarray
    levels: tuple[list[object], ...]
    lines: tuple[Line, ...]

    @property
    def size(self) -> int:
        """Number of cells."""
        return len(self.order)

    def describe(self, cell: int) -> str:
        """``"municipality=860, period=2015-01"`` for canonical cell ``cell``."""
        return ", ".join(f"{d}={self.levels[k][self.codes[cell, k]]}" for k, d in enumerate(self.dims))

    def describe_line(self, line: Line) -> str:
        """Which margin and which values of the other dimensions a line belongs to."""
        margin = self.margins[line.margin]
        others = [d for d in self.dims if d != margin.dimension]
        where = ", ".join(f"{d}={v}" for d, v in zip(others, line.key, strict=True))
        return f"the line of margin over {margin.dimension!r}" + (f" at {where}" if where else "")


def _sorted_levels(values: list[Any]) -> list[Any]:
    """Ascending order; numbers before labels when a dimension mixes them, then by type name."""
    try:
        return sorted(values)
    except TypeError:
        pass

    def key(value: Any) -> tuple[str, Any]:
        return ("", value) if isinstance(value, numbers.Real) else (type(value).__name__, value)

    try:
        return sorted(values, key=key)
    except TypeError:
        return sorted(values, key=lambda v: (type(v).__name__, repr(v)))


def _check_columns(frame: pd.DataFrame, names: Sequence[str], role: str) -> None:
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise DataError(
            f"{role} column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} not in the table "
            f"(columns: {', '.join(map(str, frame.columns))})"
        )


def table_lines(frame: pd.DataFrame, dims: Sequence[str], margins: Sequence[str | Margin]) -> TableLines:
    """Validate the dimension columns and build the lines of every declared margin.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per cell.
    dims : sequence of str
        Dimension columns; together they identify a cell.
    margins : sequence of str or Margin
        Declared sums, see :class:`Margin`.

    Returns
    -------
    TableLines
        Cells are in canonical order: ascending by the first dimension, then the second,
        and so on. Within a dimension values sort ascending; when a dimension mixes numbers
        and labels (codes and ``"Total"``), numbers come first, then labels by type name.

    Raises
    ------
    DataError
        If a dimension column is missing or has missing values, two rows describe the same
        cell, or a margin names an unknown dimension, total or part.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"municipality": [860, 813, "Total"], "persons": [7, 3, 10]})
    >>> lines = table_lines(frame, ["municipality"], [Margin("municipality", "Total")])
    >>> [lines.describe(int(c)) for c in lines.lines[0].cells]
    ['municipality=813', 'municipality=860', 'municipality=Total']
    """
    dims = tuple(dims)
    if not dims:
        raise DataError("a table needs at least one dimension column")
    if len(set(dims)) != len(dims):
        raise DataError(f"dimension columns repeat: {', '.join(dims)}")
    _check_columns(frame, dims, "dimension")
    levels: list[list[object]] = []
    codes = np.empty((len(frame), len(dims)), dtype=np.int64)
    for k, dim in enumerate(dims):
        column = frame[dim]
        missing = column.isna().to_numpy()
        if missing.any():
            raise DataError(f"column {dim!r}: missing dimension values in {format_rows(list(frame.index[missing]))}")
        level = _sorted_levels(list(pd.unique(column.to_numpy(dtype=object))))
        lookup = {value: i for i, value in enumerate(level)}
        codes[:, k] = [lookup[value] for value in column.to_numpy(dtype=object)]
        levels.append(level)
    duplicated = pd.DataFrame(codes).duplicated(keep=False).to_numpy()
    if duplicated.any():
        raise DataError(
            f"columns {', '.join(map(repr, dims))}: more than one row for the same cell in "
            f"{format_rows(list(frame.index[duplicated]))}"
        )
    order = np.lexsort(codes.T[::-1]) if len(frame) else np.zeros(0, dtype=np.int64)
    codes = codes[order]
    declared = margins_from(margins)
    lines = []
    for index, margin in enumerate(declared):
        lines += _margin_lines(index, margin, declared, dims, codes, levels)
    return TableLines(dims, declared, order, codes, tuple(levels), tuple(lines))


def _code_of(level: list[object], value: object) -> int | None:
    try:
        return {v: i for i, v in enumerate(level)}.get(value)
    except TypeError:  # an unhashable label matches nothing
        return None


def _margin_lines(
    index: int, margin: Margin, declared: tuple[Margin, ...], dims: tuple[str, ...], codes: np.ndarray,
    levels: list[list[object]],
) -> list[Line]:
    if margin.dimension not in dims:
        raise DataError(
            f"margin over {margin.dimension!r}: not a dimension column (dimensions: {', '.join(dims)})"
        )
    k = dims.index(margin.dimension)
    level = levels[k]
    total_code: int | None = None
    if margin.total is not None:
        total_code = _code_of(level, margin.total)
        if total_code is None:
            raise DataError(f"margin over {margin.dimension!r}: no row has {margin.dimension} == {margin.total!r}")
    if margin.parts is None:
        totals = {_code_of(level, m.total) for m in declared if m.dimension == margin.dimension}
        part_codes = [i for i in range(len(level)) if i not in totals]
    else:
        part_codes = []
        for part in margin.parts:
            code = _code_of(level, part)
            if code is None:
                raise DataError(f"margin over {margin.dimension!r}: no row has {margin.dimension} == {part!r}")
            part_codes.append(code)
    is_part = np.isin(codes[:, k], part_codes)
    is_total = codes[:, k] == (-1 if total_code is None else total_code)
    others = [j for j in range(len(dims)) if j != k]
    if others:
        groups = pd.DataFrame(codes[:, others]).groupby(list(range(len(others))), sort=True).indices
        items = sorted((tuple(np.atleast_1d(key).tolist()), rows) for key, rows in groups.items())
    else:
        items = [((), np.arange(len(codes)))]
    lines = []
    for key, rows in items:
        rows = np.sort(rows)
        parts = rows[is_part[rows]]
        if not len(parts):
            continue
        total_rows = rows[is_total[rows]]
        total = int(total_rows[0]) if len(total_rows) else None
        values = tuple(levels[j][c] for j, c in zip(others, key, strict=True))
        lines.append(Line(index, values, parts, total))
    return lines


def solve_hidden(
    table: TableLines, hidden: np.ndarray, values: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which hidden cells a reader can solve for, and the values they would find.

    The reader knows every shown cell and, for every line, that its parts add up to its
    total (a cell, or a number known from elsewhere when the total is not in the table).
    Moving the shown cells to the right-hand side leaves ``A x = b`` in the hidden cells
    ``x``. Hidden cell ``j`` is determined iff its unit vector lies in the row space of
    ``A`` (then ``rank([A; e_j]) == rank(A)`` and ``x_j`` is the same in every solution).
    Each connected block of ``A`` is brought to reduced row echelon form by Gauss–Jordan
    elimination with partial pivoting, carrying ``b`` along; ``e_j`` is in the row space
    iff column ``j`` has a pivot whose row is zero in every non-pivot column, and that
    row's right-hand side is then ``x_j``. The entries of ``A`` are 0 and ±1, and entries
    of magnitude up to :data:`DETERMINED_TOLERANCE` count as zero.

    Parameters
    ----------
    table : TableLines
    hidden : numpy.ndarray of bool
        Hidden cells, in canonical order.
    values : numpy.ndarray of float, optional
        One additive column's values in canonical order (hidden entries are ignored).

    Returns
    -------
    determined : numpy.ndarray of bool
        Hidden cells whose value follows from what is shown.
    recovered : numpy.ndarray of float
        For determined cells, the value a reader computes; NaN elsewhere, when ``values``
        is None, or when the value also depends on a total known only from outside the table.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"m": ["a", "b", "all"], "hours": [3.0, 4.0, 7.0]})
    >>> lines = table_lines(frame, ["m"], [Margin("m", "all")])
    >>> hidden = (frame["m"] == "a").to_numpy()[lines.order]  # canonical order: a, all, b
    >>> determined, recovered = solve_hidden(lines, hidden, frame["hours"].to_numpy()[lines.order])
    >>> determined.tolist(), recovered.tolist()
    ([True, False, False], [3.0, nan, nan])
    """
    hidden = np.asarray(hidden, dtype=bool)
    size = table.size
    determined = np.zeros(size, dtype=bool)
    recovered = np.full(size, np.nan)
    unknown = np.flatnonzero(hidden)
    if not unknown.size:
        return determined, recovered
    position = np.full(size, -1, dtype=np.int64)
    position[unknown] = np.arange(unknown.size)
    # union-find over hidden cells that share a line: each connected block is solved on its own
    parent = np.arange(unknown.size)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    equations: list[tuple[np.ndarray, np.ndarray, float, bool]] = []
    for line in table.lines:
        cells, signs = line.cells, line.signs
        mask = hidden[cells]
        if not mask.any():
            continue
        columns = position[cells[mask]]
        first = root(int(columns[0]))
        for other in columns[1:]:
            parent[root(int(other))] = first
        rhs = 0.0 if values is None else float(-(signs[~mask] * values[cells[~mask]]).sum())
        equations.append((columns, signs[mask], rhs, line.total is None))
    roots = np.array([root(i) for i in range(unknown.size)])
    blocks: dict[int, list[int]] = {}
    for e, (columns, _, _, _) in enumerate(equations):
        blocks.setdefault(int(roots[columns[0]]), []).append(e)
    for block_root in np.unique(roots):
        members = np.flatnonzero(roots == block_root)
        rows = blocks.get(int(block_root), [])
        if not rows:
            continue  # hidden cells in no line: nothing ties them to anything shown
        local = np.full(unknown.size, -1, dtype=np.int64)
        local[members] = np.arange(members.size)
        matrix = np.zeros((len(rows), members.size))
        known = np.zeros(len(rows))
        external = np.zeros(len(rows), dtype=bool)
        for r, e in enumerate(rows):
            columns, signs, b, from_outside = equations[e]
            matrix[r, local[columns]] = signs
            known[r], external[r] = b, from_outside
        # right-hand sides: the shown cells' part, then one unit column per total known from outside
        outside = np.zeros((len(rows), int(external.sum())))
        outside[np.flatnonzero(external), np.arange(outside.shape[1])] = 1.0
        pivots, reduced = _reduce(matrix, np.column_stack([known, outside]))
        cells = unknown[members]
        for row, column in enumerate(pivots):
            if np.count_nonzero(reduced[row, : members.size]) == 1:
                determined[cells[column]] = True
                if values is not None and not reduced[row, members.size + 1 :].any():
                    recovered[cells[column]] = reduced[row, members.size]
    return determined, recovered


def _reduce(matrix: np.ndarray, right: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Reduced row echelon form of ``[matrix | right]``, pivoting only in ``matrix``'s columns."""
    work = np.hstack([matrix, right]).astype(float)
    rows, columns = matrix.shape
    pivots: list[int] = []
    for column in range(columns):
        row = len(pivots)
        if row == rows:
            break
        best = row + int(np.argmax(np.abs(work[row:, column])))
        if abs(work[best, column]) <= DETERMINED_TOLERANCE:
            continue
        if best != row:
            work[[row, best]] = work[[best, row]]
        work[row] /= work[row, column]
        work[row, np.abs(work[row]) <= DETERMINED_TOLERANCE] = 0.0
        factors = work[:, column].copy()
        factors[row] = 0.0
        touched = np.flatnonzero(factors)
        if touched.size:
            work[touched] -= np.outer(factors[touched], work[row])
            block = work[touched]
            block[np.abs(block) <= DETERMINED_TOLERANCE] = 0.0
            work[touched] = block
        pivots.append(column)
    return pivots, work
