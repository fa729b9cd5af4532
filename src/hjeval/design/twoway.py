"""Exact two-way fixed-effect projections when one dimension is short.

For a panel of units (persons or municipalities) observed in T periods with
weights ``w``, the residual of a column ``x`` on unit and period fixed effects
is ``x - alpha[unit] - lam[period]``. Eliminating the unit effects leaves the
T x T system

    (diag(W_t) - sum_i w_i w_i' / W_i) lam = b - c,
    b_t = sum_i w_it x_it,   c = sum_i w_i (sum_s w_is x_is) / W_i,

where ``w_i`` is unit i's weight vector over periods and ``W_i`` its sum. The
matrix depends only on the design, so it is built and factorised once; every
column is then projected exactly (no iteration) in a few passes over the rows.

When units are nested in groups (persons living in one municipality) and a
regressor is constant within (group, period) cells -- a treatment indicator,
a local unemployment rate -- its projection and cross-products need only the
per-group blocks ``M_g = sum_{i in g} w_i w_i' / W_i`` and the cell weights.
That is what makes placebo re-assignment of the treatment cost T x T algebra
instead of a pass over millions of rows.

Rows are visited in chunks (:mod:`hjeval.design.rows`), all columns of a fit
in the same pass, so no full-length temporary is made. The unit x period
weights ``w_i`` enter in one of three ways, whichever the rows allow:

* few units (e.g. municipality effects): the dense U x T matrix is kept, and
  ``c`` and the unit sums of ``lam`` are small matrix products;
* rows ordered by unit, each unit's periods increasing and its weight constant
  (a register sorted by person and month): ``w_i`` is constant on runs of
  consecutive periods. The blocks come from the runs by cumulative sums
  (``w_i w_i'`` is a sum of constant rectangles), and ``c`` and the unit sums
  of ``lam`` from per-run sums, so only one pass over the rows is needed;
* otherwise dense unit x period chunks for the blocks and passes over the rows.

When each unit's rows are consecutive, unit sums and per-row unit values work
on contiguous segments instead of scattered counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from hjeval.design.rows import CHUNK_VALUES, is_nondecreasing, row_slices
from hjeval.errors import DataError

__all__ = ["ColumnEffects", "ColumnSource", "ProjectedRows", "TwoWayProjector", "run_blocks", "run_cover",
           "weighted"]

_MAX_RUN_PAIRS_PER_ROW = 1.0
"""Run pairs (sum over units of runs squared) per row up to which blocks are built from runs."""

ColumnSource = Callable[[slice | np.ndarray], np.ndarray]
"""Rows (a slice or positions) -> the values of k columns on them, shape (k, rows)."""


def weighted(values: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """``weight * values`` row by row, or ``values`` itself when unweighted (no copy).

    Examples
    --------
    >>> weighted(np.array([1.0, 2.0]), None).tolist(), weighted(np.array([1.0, 2.0]), np.array([2.0, 3.0])).tolist()
    ([1.0, 2.0], [2.0, 6.0])
    """
    if weight is None:
        return values
    return values * (weight if values.ndim == 1 else weight[:, None])


def _weighted_columns(values: np.ndarray, weight: np.ndarray | None) -> np.ndarray:
    """``weighted`` for columns held as rows of a (k, rows) array."""
    return values if weight is None else values * weight


@dataclass(frozen=True)
class ColumnEffects:
    """Unit and period effects of k row-level columns.

    Attributes
    ----------
    alpha : numpy.ndarray, shape (n_units, k)
    lam : numpy.ndarray, shape (n_periods, k)
        The first period at 0; ``x - alpha[unit] - lam[period]`` is the projection residual.
    total : numpy.ndarray, shape (k,)
        Weighted sum of each column over all rows.
    """

    alpha: np.ndarray
    lam: np.ndarray
    total: np.ndarray


@dataclass(frozen=True)
class ProjectedRows:
    """One chunk of rows with raw and projected values of k columns.

    Attributes
    ----------
    rows : slice
    weight : numpy.ndarray or None
        The chunk's row weights.
    raw, tilde : numpy.ndarray, shape (k, rows)
        Column values and their residuals on the fixed effects.
    """

    rows: slice
    weight: np.ndarray | None
    raw: np.ndarray
    tilde: np.ndarray


@dataclass(frozen=True)
class _Chunk:
    """Rows of one pass step. With rows ordered by unit, ``units`` are the units they
    touch and ``lengths`` each unit's rows in the chunk; otherwise ``unit`` holds
    the codes per row."""

    rows: slice
    period: np.ndarray
    weight: np.ndarray | None
    unit: np.ndarray | None
    units: slice
    offsets: np.ndarray | None
    lengths: np.ndarray | None


@dataclass(frozen=True)
class _Runs:
    """Runs of consecutive periods of each unit, for rows ordered by unit.

    ``first_run[i]`` is unit i's first run (``first_run[-1]`` the number of
    runs); ``cell`` is ``a * T + b`` for a run over periods ``a..b``; every row
    of unit i weighs ``scale[i]`` (None: one).
    """

    first_run: np.ndarray
    cell: np.ndarray
    scale: np.ndarray | None

    def per_run(self, per_unit: np.ndarray) -> np.ndarray:
        """Per-unit values (U,) repeated onto the units' runs."""
        return np.repeat(per_unit, np.diff(self.first_run))


def _integer_codes(codes: np.ndarray) -> np.ndarray:
    array = np.asarray(codes)
    return array if array.dtype in (np.int32, np.int64) else array.astype(np.int64)


def _position_dtype(n_rows: int) -> type[np.signedinteger]:
    """The narrowest of int32 and int64 that holds row positions up to ``n_rows``."""
    return np.int32 if n_rows < np.iinfo(np.int32).max else np.int64


def _unit_starts(unit: np.ndarray, n_units: int) -> np.ndarray | None:
    """First row of every unit (and the row count last) when unit codes never decrease, else None."""
    if not is_nondecreasing(unit):
        return None
    return np.searchsorted(unit, np.arange(n_units + 1, dtype=unit.dtype)).astype(_position_dtype(len(unit)))


def _unit_counts(unit: np.ndarray, n_units: int) -> np.ndarray:
    counts = np.zeros(n_units, dtype=np.int64)
    for rows in row_slices(len(unit)):
        counts += np.bincount(unit[rows], minlength=n_units)
    return counts


def _unit_weights(unit: np.ndarray, weight: np.ndarray, starts: np.ndarray | None, n_units: int) -> np.ndarray:
    sums = np.zeros(n_units)
    for rows in row_slices(len(unit)):
        if starts is None:
            sums += np.bincount(unit[rows], weights=weight[rows], minlength=n_units)
        else:
            first, last = int(unit[rows.start]), int(unit[rows.stop - 1]) + 1
            offsets = starts[first:last].clip(rows.start, rows.stop) - rows.start
            sums[first:last] += np.add.reduceat(weight[rows], offsets)
    return sums


def _row_ranges(start: int, stop: int) -> Iterator[slice]:
    for rows in row_slices(stop - start):
        yield slice(start + rows.start, start + rows.stop)


def _dense_values() -> int:
    """Values in one dense unit x period chunk; designs up to this size keep the whole matrix."""
    return 4 * CHUNK_VALUES


def _dense_blocks(
    unit: np.ndarray, period: np.ndarray, weight: np.ndarray | None, group_of_unit: np.ndarray,
    unit_weight: np.ndarray, unit_starts: np.ndarray | None, order: np.ndarray | None, n_periods: int, n_groups: int,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-group T x T blocks M_g = sum_{i in g} w_i w_i' / W_i from dense unit x period chunks.

    ``unit_starts`` are each unit's first position in the rows ordered by unit
    (the rows themselves, or ``order``); None scans all rows for every chunk,
    for designs with few units. Also returns the dense U x T weights when all
    units fit in one chunk, else None.
    """
    n_units = len(unit_weight)
    blocks = np.zeros((n_groups, n_periods, n_periods))
    units_per_chunk = max(1, _dense_values() // n_periods)
    if unit_starts is None and n_units > units_per_chunk:
        order = np.argsort(unit, kind="stable").astype(_position_dtype(len(unit)))
        unit_starts = np.r_[0, np.cumsum(_unit_counts(unit, n_units))]
    dense = np.zeros((0, n_periods))
    for first in range(0, n_units, units_per_chunk):
        last = min(n_units, first + units_per_chunk)
        size = (last - first) * n_periods
        sums = np.zeros(size)
        ranges = (
            _row_ranges(int(unit_starts[first]), int(unit_starts[last])) if unit_starts is not None
            else row_slices(len(unit))
        )
        for rows in ranges:
            at = rows if order is None else order[rows]
            cells = (unit[at].astype(np.intp) - first) * n_periods + period[at]
            sums += np.bincount(cells, weights=None if weight is None else weight[at], minlength=size)
        dense = sums.reshape(last - first, n_periods)
        scaled = dense / unit_weight[first:last, None]
        groups = group_of_unit[first:last]
        if np.all(groups[1:] >= groups[:-1]):  # units ordered by group: contiguous slices
            present, starts_at = np.unique(groups, return_index=True)
            bounds = np.r_[starts_at, len(groups)]
            for g, a, b in zip(present, bounds[:-1], bounds[1:], strict=True):
                blocks[g] += dense[a:b].T @ scaled[a:b]
        else:
            for g in np.unique(groups):
                members = groups == g
                blocks[g] += dense[members].T @ scaled[members]
    return blocks, dense if n_units <= units_per_chunk else None


def _period_runs(
    period: np.ndarray, weight: np.ndarray | None, unit_starts: np.ndarray, order: np.ndarray | None
) -> np.ndarray | None:
    """Start of every run of consecutive periods within a unit, as positions in the rows ordered by unit.

    ``order`` lists the rows by unit (None: they already are). None unless
    every unit's periods increase row by row and its weight is constant.
    """
    n_rows = len(period)
    found = [np.zeros(1, dtype=np.intp)]
    for rows in row_slices(n_rows - 1):
        # pairs of positions (r, r + 1) for r in rows; a run starts at r + 1 where the step is not one period
        pair = slice(rows.start, rows.stop + 1)
        at = pair if order is None else order[pair]
        periods = period[at]
        step = periods[1:] - periods[:-1]
        new_unit = unit_starts[np.searchsorted(unit_starts, rows.start + 1):np.searchsorted(unit_starts, rows.stop + 1)]
        within = np.ones(len(step), dtype=bool)
        within[new_unit - rows.start - 1] = False
        if np.any((step <= 0) & within):
            return None
        if weight is not None:
            weights = weight[at]
            if np.any((weights[1:] != weights[:-1]) & within):
                return None
        np.logical_or(step != 1, ~within, out=within)
        found.append(np.flatnonzero(within) + (rows.start + 1))
    return np.concatenate(found)


def _cover(table: np.ndarray) -> np.ndarray:
    """``sum_{a <= t, b >= s} table[..., a, b]`` at every (t, s), in place of ``table``."""
    flipped = table[..., ::-1]
    np.cumsum(flipped, axis=-1, out=flipped)
    np.cumsum(table, axis=-2, out=table)
    return table


def _spell_blocks(
    period: np.ndarray, weight: np.ndarray | None, unit_starts: np.ndarray, order: np.ndarray | None,
    group_of_unit: np.ndarray, unit_weight: np.ndarray, n_periods: int, n_groups: int,
) -> tuple[np.ndarray, _Runs] | None:
    """Blocks M_g from runs of consecutive periods, and the runs; None when the rows do not allow it.

    A unit observed in runs ``[a_r, b_r]`` with constant weight has
    ``w_i w_i' / W_i = v sum_{r, s} 1[a_r, b_r] 1[a_s, b_s]'`` with ``v = W_i / n_i^2``.
    The squares (``r = s``) are summed as ``sum_{a <= t, b >= s} v`` by cumulative
    sums; the rectangles between a unit's different runs (gaps in a spell) by
    their four signed corners. ``unit_starts`` are positions in the rows ordered
    by unit: the rows themselves, or ``order``.
    """
    n_rows = len(period)
    run_starts = _period_runs(period, weight, unit_starts, order)
    if run_starts is None:
        return None
    first_run = np.searchsorted(run_starts, unit_starts).astype(unit_starts.dtype)
    runs_per_unit = np.diff(first_run)
    if float(np.sum(runs_per_unit.astype(np.float64) ** 2)) > _MAX_RUN_PAIRS_PER_ROW * n_rows:
        return None  # too fragmented: the dense products are cheaper
    first = period[run_starts if order is None else order[run_starts]].astype(np.intp)
    run_starts[:-1] = run_starts[1:]
    run_starts[-1] = n_rows
    run_starts -= 1
    cell = first * n_periods + period[run_starts if order is None else order[run_starts]]
    del run_starts
    counts = np.diff(unit_starts).astype(np.float64)
    value = unit_weight / counts**2
    per_group = np.repeat(group_of_unit.astype(np.intp) * (n_periods * n_periods), runs_per_unit)
    per_group += cell
    squares = np.bincount(
        per_group, weights=np.repeat(value, runs_per_unit), minlength=n_groups * n_periods * n_periods,
    ).reshape(n_groups, n_periods, n_periods)
    del per_group
    cover = _cover(squares)  # at (t, s), t <= s: runs with a <= t and b >= s
    blocks = np.triu(cover)
    blocks += np.swapaxes(np.triu(cover, 1), 1, 2)
    del cover, squares
    if np.any(runs_per_unit >= 2):
        blocks += _gap_rectangles(first_run, cell, group_of_unit, value, n_periods, n_groups)
    scale = None if weight is None else unit_weight / counts
    return blocks, _Runs(first_run, cell.astype(np.int32), scale)


def _gap_rectangles(
    first_run: np.ndarray, cell: np.ndarray, group_of_unit: np.ndarray, value: np.ndarray,
    n_periods: int, n_groups: int,
) -> np.ndarray:
    """Sum of ``v 1[a_r, b_r] 1[a_s, b_s]'`` over pairs of different runs of one unit."""
    side = n_periods + 1
    size = n_groups * side * side
    corners = np.zeros(size)
    runs_per_unit = np.diff(first_run)
    units = np.flatnonzero(runs_per_unit >= 2)
    pairs = runs_per_unit[units] ** 2
    reach = np.cumsum(pairs)
    budget = CHUNK_VALUES // 2  # run pairs per batch: about 16 temporaries of that length
    cut = np.searchsorted(reach, np.arange(budget, int(reach[-1]) + budget, budget), side="right")
    for a, b in zip(np.r_[0, cut[:-1]], cut, strict=True):
        if a == b:
            continue
        batch = units[a:b]
        many = runs_per_unit[batch]
        left_unit = np.repeat(batch, many)  # every run of the unit, once per run of the unit
        left = np.repeat(first_run[batch], many) + (np.arange(len(left_unit)) - np.repeat(np.cumsum(many) - many, many))
        left_many = np.repeat(many, many)
        right_unit = np.repeat(left_unit, left_many)
        right = np.repeat(first_run[left_unit], left_many) + (
            np.arange(len(right_unit)) - np.repeat(np.cumsum(left_many) - left_many, left_many)
        )
        left = np.repeat(left, left_many)
        different = left != right
        left, right, owner = left[different], right[different], right_unit[different]
        base = group_of_unit[owner].astype(np.intp) * side
        top, bottom = base + cell[left] // n_periods, base + cell[left] % n_periods + 1
        start, stop = cell[right] // n_periods, cell[right] % n_periods + 1
        weights = np.r_[value[owner], value[owner]]
        corners += np.bincount(np.r_[top * side + start, bottom * side + stop], weights, size)
        corners -= np.bincount(np.r_[top * side + stop, bottom * side + start], weights, size)
    full = corners.reshape(n_groups, side, side)
    np.cumsum(full, axis=1, out=full)
    np.cumsum(full, axis=2, out=full)
    return full[:, :n_periods, :n_periods]


def _period_factor(period_weight: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, bool]:
    """Cholesky factor of the period system ``diag(W_t) - sum_g M_g`` with the first period's effect at 0.

    Raises
    ------
    DataError
        When the system is singular: some periods share no unit with the rest.
    """
    system = np.diag(period_weight) - blocks.sum(axis=0)
    try:
        return scipy.linalg.cho_factor(system[1:, 1:])
    except np.linalg.LinAlgError as err:
        raise DataError(
            "the unit and period fixed effects are not connected: some periods share "
            "no unit with the rest, so effects cannot be separated"
        ) from err


@dataclass(frozen=True)
class TwoWayProjector:
    """Exact residualiser on unit and period fixed effects for a fixed design.

    Parameters
    ----------
    unit, period, group : numpy.ndarray of int
        Codes ``0..n-1`` per row (int32 or int64 are used as given). Units must be nested in groups (each unit in
        one group); pass ``group = unit`` when the unit is the group.
    weight : numpy.ndarray, optional
        Row weights (default: every row weighs one, without storing them).

    Attributes
    ----------
    unit_starts : numpy.ndarray or None
        First row of every unit (and the row count last) when the rows are
        ordered by unit code, else None.

    Examples
    --------
    >>> import numpy as np
    >>> unit = np.array([0, 0, 1, 1, 2]); period = np.array([0, 1, 0, 1, 1])
    >>> proj = TwoWayProjector.build(unit, period, group=unit)
    >>> resid = proj.residualize(np.array([1.0, 2.0, 3.0, 5.0, 7.0]))
    >>> np.round(resid, 6).tolist()
    [0.25, -0.25, -0.25, 0.25, 0.0]
    """

    unit: np.ndarray
    period: np.ndarray
    group: np.ndarray
    weight: np.ndarray | None
    n_units: int
    n_periods: int
    n_groups: int
    group_of_unit: np.ndarray
    unit_weight: np.ndarray
    period_weight: np.ndarray
    cell_weight: np.ndarray = field(repr=False)
    blocks: np.ndarray = field(repr=False)
    factor: tuple[np.ndarray, bool] = field(repr=False)
    unit_starts: np.ndarray | None = field(default=None, repr=False)
    unit_period_weight: np.ndarray | None = field(default=None, repr=False)
    runs: _Runs | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        unit: np.ndarray,
        period: np.ndarray,
        *,
        group: np.ndarray,
        weight: np.ndarray | None = None,
    ) -> TwoWayProjector:
        """Precompute the design's weights, blocks and the factorised T x T system.

        Raises
        ------
        DataError
            If a unit appears in two groups, or the design is not connected
            (some period shares no unit with the others).
        """
        unit, period, group = (_integer_codes(codes) for codes in (unit, period, group))
        w = None if weight is None else np.asarray(weight, dtype=np.float64)
        n_units, n_periods, n_groups = int(unit.max()) + 1, int(period.max()) + 1, int(group.max()) + 1
        starts = _unit_starts(unit, n_units)
        counts = np.diff(starts) if starts is not None else _unit_counts(unit, n_units)
        group_of_unit = _group_of_unit(unit, group, n_units, starts, counts)
        if np.any(counts == 0):
            raise DataError("every unit and period needs positive total weight")
        unit_weight = counts.astype(np.float64) if w is None else _unit_weights(unit, w, starts, n_units)
        period_weight = np.zeros(n_periods)
        cell_weight = np.zeros(n_groups * n_periods)
        for rows in row_slices(len(unit)):
            rw = None if w is None else w[rows]
            p = period[rows]
            period_weight += np.bincount(p, weights=rw, minlength=n_periods)
            cell_weight += np.bincount(group[rows].astype(np.intp) * n_periods + p, weights=rw,
                                       minlength=n_groups * n_periods)
        if np.any(unit_weight <= 0) or np.any(period_weight <= 0):
            raise DataError("every unit and period needs positive total weight")
        dense, runs = None, None
        few_units = n_units * n_periods <= _dense_values()
        by_unit, order = starts, None
        if not few_units and starts is None:
            # rows by unit, once (as in a register sorted by person)
            order = np.argsort(unit, kind="stable").astype(_position_dtype(len(unit)))
            by_unit = np.r_[0, np.cumsum(counts)].astype(order.dtype)
        spells = None if few_units or by_unit is None else _spell_blocks(
            period, w, by_unit, order, group_of_unit, unit_weight, n_periods, n_groups
        )
        if spells is None:
            blocks, dense = _dense_blocks(
                unit, period, w, group_of_unit, unit_weight, by_unit, order, n_periods, n_groups
            )
        else:
            blocks, runs = spells
        del order
        factor = _period_factor(period_weight, blocks)
        return cls(
            unit, period, group, w, n_units, n_periods, n_groups, group_of_unit, unit_weight,
            period_weight, cell_weight.reshape(n_groups, n_periods), blocks, factor, starts, dense, runs,
        )

    @classmethod
    def from_cells(cls, cell_weight: np.ndarray, blocks: np.ndarray, *, n_units: int) -> TwoWayProjector:
        """A projector for cell-constant columns, from the cell weights and the per-group blocks alone.

        What :meth:`cell_period_effects`, :meth:`cell_gram`,
        :meth:`assignment_terms` and :meth:`solve_periods` need is the weight
        ``W_gt`` of every (group, period) cell and the blocks
        ``M_g = sum_{i in g} w_i w_i' / W_i``; a group-by over the rows gives
        both (see :func:`run_blocks`), so the rows need not be held. The
        projector has no rows: its row-level methods (``residualize``,
        ``effects_of``, ``cell_sums``) see none.

        Parameters
        ----------
        cell_weight : numpy.ndarray, shape (G, T)
            Weight (rows, or the weight sum) of every cell.
        blocks : numpy.ndarray, shape (G, T, T)
        n_units : int
            Units (persons) behind the blocks, for the record.

        Returns
        -------
        TwoWayProjector

        Raises
        ------
        DataError
            If a period has no weight or the design is not connected.

        Examples
        --------
        Two units, each its own group, observed in periods 0-1 and 0-2:

        >>> import numpy as np
        >>> weight = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0]])
        >>> blocks = np.stack([np.outer(w, w) / w.sum() for w in weight])
        >>> proj = TwoWayProjector.from_cells(weight, blocks, n_units=2)
        >>> rows = TwoWayProjector.build(np.array([0, 0, 1, 1, 1]), np.array([0, 1, 0, 1, 2]),
        ...                              group=np.array([0, 0, 1, 1, 1]))
        >>> z = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])[:, :, None]
        >>> bool(np.allclose(proj.cell_gram(z), rows.cell_gram(z)))
        True
        """
        weight = np.asarray(cell_weight, dtype=np.float64)
        n_groups, n_periods = weight.shape
        period_weight = weight.sum(axis=0)
        if np.any(period_weight <= 0):
            raise DataError("every unit and period needs positive total weight")
        factor = _period_factor(period_weight, blocks)
        no_rows = np.zeros(0, dtype=np.int32)
        return cls(
            no_rows, no_rows, no_rows, None, int(n_units), n_periods, n_groups, no_rows, np.zeros(0),
            period_weight, weight, blocks, factor,
        )

    def _chunks(self, columns: int) -> Iterator[_Chunk]:
        for rows in row_slices(len(self.unit), columns):
            period = self.period[rows].astype(np.intp)
            weight = None if self.weight is None else self.weight[rows]
            if self.unit_starts is None:
                yield _Chunk(rows, period, weight, self.unit[rows].astype(np.intp), slice(0, 0), None, None)
                continue
            first, last = int(self.unit[rows.start]), int(self.unit[rows.stop - 1]) + 1
            bounds = self.unit_starts[first:last + 1].clip(rows.start, rows.stop) - rows.start
            yield _Chunk(rows, period, weight, None, slice(first, last), bounds[:-1], np.diff(bounds))

    def _unit_sums(self, chunk: _Chunk, values: np.ndarray, out: np.ndarray) -> None:
        """Add the chunk's (k, rows) values to their units' sums in ``out`` (k, n_units)."""
        if chunk.offsets is None:
            for j in range(len(values)):
                out[j] += np.bincount(chunk.unit, weights=values[j], minlength=self.n_units)  # type: ignore[arg-type]
        else:
            out[:, chunk.units] += np.add.reduceat(values, chunk.offsets, axis=1)

    def _unit_rows(self, chunk: _Chunk, per_unit: np.ndarray) -> np.ndarray:
        """Per-unit values (k, n_units) on the chunk's rows, shape (k, rows)."""
        if chunk.offsets is None:
            return np.take(per_unit, chunk.unit, axis=1)  # type: ignore[arg-type]
        return np.repeat(per_unit[:, chunk.units], chunk.lengths, axis=1)  # type: ignore[arg-type]

    def _period_sums(self, chunk: _Chunk, values: np.ndarray, out: np.ndarray) -> None:
        for j in range(len(values)):
            out[j] += np.bincount(chunk.period, weights=values[j], minlength=self.n_periods)

    def _solve_periods(self, rhs: np.ndarray) -> np.ndarray:
        """Period effects from the reduced system, the first period pinned at 0."""
        lam = np.zeros((self.n_periods, *rhs.shape[1:]))
        lam[1:] = scipy.linalg.cho_solve(self.factor, rhs[1:])
        return lam

    def _units_to_periods(self, per_unit: np.ndarray) -> np.ndarray:
        """``sum_i w_it u_i`` per period for per-unit values (k, U), shape (k, T)."""
        if self.unit_period_weight is not None:
            return per_unit @ self.unit_period_weight
        if self.runs is not None:
            runs, side = self.runs, self.n_periods
            table = np.stack([
                np.bincount(runs.cell, weights=runs.per_run(u if runs.scale is None else u * runs.scale),
                            minlength=side * side)
                for u in per_unit
            ])
            # a run over a..b adds its value to every period a <= t <= b: the diagonal of the cover
            return np.diagonal(_cover(table.reshape(-1, side, side)), axis1=1, axis2=2).copy()
        out = np.zeros((len(per_unit), self.n_periods))
        for chunk in self._chunks(len(per_unit)):
            self._period_sums(chunk, _weighted_columns(self._unit_rows(chunk, per_unit), chunk.weight), out)
        return out

    def _periods_to_units(self, per_period: np.ndarray) -> np.ndarray:
        """``sum_t w_it l_t`` per unit for per-period values (k, T), shape (k, U)."""
        if self.unit_period_weight is not None:
            return per_period @ self.unit_period_weight.T
        out = np.zeros((len(per_period), self.n_units))
        if self.runs is not None:
            runs, side = self.runs, self.n_periods
            # spans[j, a, b] = sum of l_j over periods a..b, summed in order
            spans = np.cumsum(np.triu(np.broadcast_to(per_period[:, None, :], (len(per_period), side, side))), axis=2)
            for j, span in enumerate(spans.reshape(len(per_period), -1)):
                out[j] = np.add.reduceat(np.take(span, runs.cell), runs.first_run[:-1])
            if runs.scale is not None:
                out *= runs.scale
            return out
        for chunk in self._chunks(len(per_period)):
            values = _weighted_columns(np.take(per_period, chunk.period, axis=1), chunk.weight)
            self._unit_sums(chunk, values, out)
        return out

    def effects_of(self, source: ColumnSource, k: int) -> ColumnEffects:
        """Unit and period effects of k columns read chunk by chunk from ``source``.

        One pass over the rows (all k columns at once) for the unit and period
        sums; the period sums of the unit means and the unit sums of the
        period effects come from the unit x period weights, by runs or, failing
        those, by two more passes.
        """
        unit_mean = np.zeros((k, self.n_units))
        period_sum = np.zeros((k, self.n_periods))
        for chunk in self._chunks(k):
            wx = _weighted_columns(source(chunk.rows), chunk.weight)
            self._unit_sums(chunk, wx, unit_mean)
            self._period_sums(chunk, wx, period_sum)
        unit_mean /= self.unit_weight
        lam = self._solve_periods((period_sum - self._units_to_periods(unit_mean)).T)
        lam_by_unit = self._periods_to_units(np.ascontiguousarray(lam.T))
        lam_by_unit /= self.unit_weight
        unit_mean -= lam_by_unit
        return ColumnEffects(alpha=unit_mean.T, lam=lam, total=period_sum.sum(axis=1))

    def projected_rows(self, source: ColumnSource, effects: ColumnEffects) -> Iterator[ProjectedRows]:
        """Chunks of rows with the raw and projected values of ``source``'s columns."""
        alpha = np.ascontiguousarray(effects.alpha.T)
        lam = np.ascontiguousarray(effects.lam.T)
        for chunk in self._chunks(2 * len(alpha)):
            raw = source(chunk.rows)
            tilde = raw - self._unit_rows(chunk, alpha)
            tilde -= np.take(lam, chunk.period, axis=1)
            yield ProjectedRows(chunk.rows, chunk.weight, raw, tilde)

    def effects(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit and period effects of one row-level column.

        Parameters
        ----------
        x : numpy.ndarray, shape (n,)

        Returns
        -------
        (alpha, lam) : tuple of numpy.ndarray
            ``alpha`` per unit and ``lam`` per period (the first period at 0)
            with ``x - alpha[unit] - lam[period]`` orthogonal to both.
        """
        col = np.asarray(x, dtype=np.float64)
        found = self.effects_of(lambda rows: col[rows][None, :], 1)
        return found.alpha[:, 0], found.lam[:, 0]

    def residualize(self, x: np.ndarray) -> np.ndarray:
        """Residuals of row-level columns on unit and period fixed effects.

        Parameters
        ----------
        x : numpy.ndarray
            Shape (n,) or (n, k).

        Returns
        -------
        numpy.ndarray
            Same shape: ``x - alpha[unit] - lam[period]`` (weighted projection).
        """
        values = np.asarray(x, dtype=np.float64)
        flat = values.reshape(len(values), -1)

        def source(rows: slice | np.ndarray) -> np.ndarray:
            return flat[rows].T

        out = np.empty_like(flat)
        for block in self.projected_rows(source, self.effects_of(source, flat.shape[1])):
            out[block.rows] = block.tilde.T
        return out.reshape(values.shape)

    def solve_periods(self, rhs: np.ndarray) -> np.ndarray:
        """Solve the reduced period system for right-hand sides (T,) or (T, k)."""
        return self._solve_periods(rhs)

    def cells(self, rows: slice | np.ndarray) -> np.ndarray:
        """(group, period) cell index ``group * T + period`` of the rows."""
        return self.group[rows].astype(np.intp) * self.n_periods + self.period[rows]

    def assignment_terms(self, profiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-group pieces of projected "group g, period profile" indicators.

        For a set S of groups and period profiles ``P`` (T x m), the regressors
        ``z_gt = 1{g in S} P_t`` have ``Z~' W Z~ = own[S].sum(0) - v_S' lam(v_S)``
        with ``v_S = v[S].sum(0)`` and ``lam`` the period solve: sums of
        per-group terms and one T x T solve per assignment.

        Parameters
        ----------
        profiles : numpy.ndarray, shape (T,) or (T, m)
            E.g. 1 from the start period on (a DiD), or one indicator column per
            event time (an event study).

        Returns
        -------
        (own, v) : tuple of numpy.ndarray
            ``own`` shape (G, m, m), ``v`` shape (G, T, m).
        """
        prof = np.asarray(profiles, dtype=np.float64).reshape(self.n_periods, -1)
        weighted = self.cell_weight[:, :, None] * prof[None, :, :]
        mixed = np.einsum("gts,sm->gtm", self.blocks, prof)
        own = np.einsum("gtk,tm->gkm", weighted, prof) - np.einsum("tk,gtm->gkm", prof, mixed)
        return own, weighted - mixed

    def cell_sums(self, values: np.ndarray) -> np.ndarray:
        """Weighted sums of row values per (group, period) cell, shape (G, T[, k])."""
        flat = np.asarray(values, dtype=np.float64).reshape(len(self.unit), -1)
        size = self.n_groups * self.n_periods
        out = np.zeros((flat.shape[1], size))
        for rows in row_slices(len(flat), flat.shape[1]):
            cells = self.cells(rows)
            wv = _weighted_columns(flat[rows].T, None if self.weight is None else self.weight[rows])
            for j in range(len(out)):
                out[j] += np.bincount(cells, weights=wv[j], minlength=size)
        shaped = out.T.reshape(self.n_groups, self.n_periods, -1)
        return shaped[..., 0] if np.ndim(values) == 1 else shaped

    def residual_cell_sums(self, x: np.ndarray) -> np.ndarray:
        """``cell_sums(residualize(x))`` for a column x (n,), without holding the residuals, shape (G, T)."""
        col = np.asarray(x, dtype=np.float64)

        def source(rows: slice | np.ndarray) -> np.ndarray:
            return col[rows][None, :]

        size = self.n_groups * self.n_periods
        out = np.zeros(size)
        for block in self.projected_rows(source, self.effects_of(source, 1)):
            out += np.bincount(self.cells(block.rows), weights=weighted(block.tilde[0], block.weight), minlength=size)
        return out.reshape(self.n_groups, self.n_periods)

    def cell_period_effects(self, z: np.ndarray) -> np.ndarray:
        """Period effects ``lam`` of cell-constant regressors ``z`` (G, T[, k])."""
        z3 = z.reshape(self.n_groups, self.n_periods, -1)
        b = np.einsum("gt,gtk->tk", self.cell_weight, z3)
        c = np.einsum("gts,gsk->tk", self.blocks, z3)
        lam = self._solve_periods(b - c)
        return lam if z.ndim == 3 else lam[:, 0]

    def cell_gram(self, z: np.ndarray, u: np.ndarray | None = None) -> np.ndarray:
        """Cross-products of projected cell-constant regressors.

        Parameters
        ----------
        z : numpy.ndarray, shape (G, T, k)
            Values per (group, period) cell of k regressors.
        u : numpy.ndarray, shape (G, T, m), optional
            A second set (default ``z``).

        Returns
        -------
        numpy.ndarray, shape (k, m)
            ``Z~' W U~`` summed over all rows, computed from cell weights and
            the per-group blocks only.
        """
        u = z if u is None else u
        lam_u = self.cell_period_effects(u)
        k, m = z.shape[2], u.shape[2]
        weighted_z = self.cell_weight[:, :, None] * z
        raw = weighted_z.reshape(-1, k).T @ u.reshape(-1, m)
        block = z.reshape(-1, k).T @ (self.blocks @ u).reshape(-1, m)
        b_z = weighted_z.sum(axis=0)
        c_z = (self.blocks @ z).sum(axis=0)
        return raw - block - b_z.T @ lam_u + c_z.T @ lam_u


def _run_table(
    group: np.ndarray, first: np.ndarray, last: np.ndarray, value: np.ndarray, n_groups: int, n_periods: int
) -> np.ndarray:
    """``value`` summed into a (G, T, T) table at (group, first, last)."""
    at = group.astype(np.intp) * (n_periods * n_periods) + first.astype(np.intp) * n_periods + last
    return np.bincount(at, weights=value, minlength=n_groups * n_periods * n_periods).reshape(
        n_groups, n_periods, n_periods
    )


def run_blocks(
    group: np.ndarray, first: np.ndarray, last: np.ndarray, value: np.ndarray, n_groups: int, n_periods: int, *,
    several: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Per-group blocks ``M_g = sum_{i in g} v_i w_i w_i'`` of units observed in runs of consecutive periods.

    A unit with constant row weight ``c_i`` and ``n_i`` rows has ``w_i w_i' / W_i
    = v_i w_i w_i'`` with ``v_i = c_i / n_i`` and ``w_i`` its 0/1 indicator
    of periods. Over one run ``a..b`` that is a square, summed for all runs
    at once by cumulative sums; a unit with several runs adds the rectangles
    between its different runs.

    Parameters
    ----------
    group, first, last, value : numpy.ndarray
        One entry per run (runs alike may come summed): the unit's group, the
        run's first and last period code and the unit's ``v_i``.
    n_groups, n_periods : int
    several : tuple of numpy.ndarray, optional
        The units with two or more runs, for the rectangles: ``first_run``
        (U + 1, each unit's first run in ``cell``), ``cell`` (``first * T +
        last`` of every run of these units), their groups and their ``v_i``.

    Returns
    -------
    numpy.ndarray, shape (G, T, T)

    Examples
    --------
    One unit of group 0 observed in periods 0 and 2 (two runs, v = 1/2):

    >>> blocks = run_blocks(np.array([0, 0]), np.array([0, 2]), np.array([0, 2]), np.array([0.5, 0.5]), 1, 3,
    ...                     several=(np.array([0, 2]), np.array([0, 8]), np.array([0]), np.array([0.5])))
    >>> (blocks[0] * 2).tolist()
    [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]
    """
    cover = _cover(_run_table(group, first, last, value, n_groups, n_periods))
    blocks = np.triu(cover)
    blocks += np.swapaxes(np.triu(cover, 1), 1, 2)
    if several is not None and np.any(np.diff(several[0]) >= 2):
        blocks += _gap_rectangles(*several, n_periods, n_groups)
    return blocks


def run_cover(
    group: np.ndarray, first: np.ndarray, last: np.ndarray, value: np.ndarray, n_groups: int, n_periods: int
) -> np.ndarray:
    """Sum of the values of the runs that cover each period, per group, shape (G, T).

    Examples
    --------
    >>> run_cover(np.array([0, 0]), np.array([0, 1]), np.array([1, 2]), np.array([1.0, 10.0]), 1, 3).tolist()
    [[1.0, 11.0, 10.0]]
    """
    table = _cover(_run_table(group, first, last, value, n_groups, n_periods))
    return np.diagonal(table, axis1=1, axis2=2).copy()


def _group_of_unit(
    unit: np.ndarray, group: np.ndarray, n_units: int, starts: np.ndarray | None, counts: np.ndarray
) -> np.ndarray:
    """Group code of every unit (-1 for a code without rows); DataError if a unit is in two groups."""
    group_of_unit = np.full(n_units, -1, dtype=group.dtype)
    if starts is not None:
        present = counts > 0
        group_of_unit[present] = group[starts[:-1][present]]
    else:
        for rows in row_slices(len(unit)):
            group_of_unit[unit[rows]] = group[rows]
    for rows in row_slices(len(unit)):
        if starts is None:
            expected = group_of_unit[unit[rows]]
        else:
            first, last = int(unit[rows.start]), int(unit[rows.stop - 1]) + 1
            bounds = starts[first:last + 1].clip(rows.start, rows.stop)
            expected = np.repeat(group_of_unit[first:last], np.diff(bounds))
        if np.any(expected != group[rows]):
            raise DataError(
                "units are not nested in groups: some unit appears in two groups "
                "(e.g. a person who moved municipality); use the general fixed-effect solver"
            )
    return group_of_unit
