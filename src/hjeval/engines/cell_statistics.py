"""The cell statistics of a two-way design, computed by DuckDB group-bys without holding a row.

Passes 1 and 2 are those of :func:`hjeval.engines.duckdb_engine.duckdb_design`
(labels, pool, periods, every check and exclusion); pass 2 also sums, per
(group, time) cell over the kept rows, the rows, weights, outcome and squared
outcome, and takes each regressor's and the cluster's smallest and largest
value. In place of the row stream of pass 3, one more group-by over the rows,
by unit (person), gives each unit's group, rows ``n_i``, outcome sum ``S_i``,
weight and its set of periods as a bit mask (one 64-bit word per 64 periods).
The units' table stays in DuckDB; from it come

* repeated (unit, period) pairs (more rows than periods in the mask) and
  units in two groups, which are refused with the row path's messages;
* per group: units and ``sum_i c_i S_i^2 / n_i``;
* per (group, first, last) for units observed in one run of consecutive
  periods: the sums of ``c_i / n_i`` and ``c_i S_i / n_i``;
* the units with gaps (several runs): their masks, whose runs are found in
  numpy, a chunk of units at a time.

From these :func:`hjeval.design.twoway.run_blocks` builds the blocks ``M_g``
and :func:`hjeval.design.twoway.run_cover` the cover of the unit means.
With the group as the fixed-effect unit the cells alone suffice.

The memory needed is that of the cells (G x T), the blocks (G x T x T) and
DuckDB's hash table of units; nothing grows with the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hjeval.design.cells import CellDesign
from hjeval.design.panel import Comparison, Movers, _check_weight_sums, _treatment
from hjeval.design.twoway import run_blocks, run_cover
from hjeval.engines.duckdb_engine import (
    Scan,
    _connection,
    _movers_error,
    _quote,
    _repeated_pairs_error,
    scan,
)
from hjeval.errors import DataError

__all__ = ["GapRuns", "NotCellConstant", "assemble_cells", "cell_grids", "duckdb_cells", "gap_runs", "group_units",
           "unit_statistics"]

_WORD = 64
"""Periods per word of a unit's period mask."""

_MASK_UNITS = 1 << 16
"""Units with gaps whose masks are unpacked to runs at a time."""


@dataclass(frozen=True)
class NotCellConstant:
    """Why a dataset's design cannot be fitted from cell statistics (the rows are needed).

    Attributes
    ----------
    reason : str
        E.g. ``"covariate 'age' varies within (municipality, month) cells"``.
    """

    reason: str


def _double(sql: str) -> str:
    return f"CAST({sql} AS DOUBLE)"


def _cell_aggregates(
    outcome: str, regressors: Sequence[str], weights: str | None, cluster: str | None, cycle: str | None,
) -> Callable[[Callable[[str], str], str], list[tuple[str, str]]]:
    """The extra per-cell aggregates of pass 2 (over the kept rows; the cycle panel's value comes per cell)."""

    def extra(col: Callable[[str], str], kept: str) -> list[tuple[str, str]]:
        y = _double(col(outcome))
        w = None if weights is None else _double(col(weights))
        wy = y if w is None else f"{w} * {y}"
        found = [("k_y", f"sum({wy}) FILTER (WHERE {kept})"), ("k_y2", f"sum({wy} * {y}) FILTER (WHERE {kept})")]
        if w is not None:
            found.append(("k_w", f"sum({w}) FILTER (WHERE {kept})"))
        for j, name in enumerate(regressors):
            if name == cycle:
                continue
            x = _double(col(name))
            found += [(f"k_lo{j}", f"min({x}) FILTER (WHERE {kept})"), (f"k_hi{j}", f"max({x}) FILTER (WHERE {kept})")]
        if cluster is not None:
            found += [("k_clo", f"min({col(cluster)}) FILTER (WHERE {kept})"),
                      ("k_chi", f"max({col(cluster)}) FILTER (WHERE {kept})")]
        return found

    return extra


def duckdb_cells(
    data: object,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    group: str | None = None,
    cluster: str | None = None,
    regressors: Sequence[str] = (),
    weights: str | None = None,
    comparison: Comparison = None,
    movers: Movers = "error",
    cycle: str | None = None,
    cycle_panel: object = None,
    stacklevel: int = 2,
) -> CellDesign | NotCellConstant:
    """The cell statistics of a Parquet dataset's design (or a DataFrame's), by DuckDB, out of core.

    The same checks, exclusions, labels and messages as
    :func:`hjeval.engines.duckdb_engine.duckdb_design`; instead of the rows,
    the statistics of :class:`hjeval.design.cells.CellDesign`. When the
    design needs the rows -- a regressor that varies within (group, period)
    cells, clusters finer than groups, row weights that vary within a unit,
    units in two groups with ``movers`` other than ``"error"``, treated groups
    that start apart -- the reason is returned instead, before any warning.

    Parameters
    ----------
    data, outcome, unit, time, treated, start, group, cluster, regressors, weights, comparison, movers, cycle,
    cycle_panel
        As :func:`hjeval.engines.duckdb_engine.duckdb_design`.
    stacklevel : int
        For the warning about rows left out, counted from the caller of this function.

    Returns
    -------
    CellDesign or NotCellConstant

    Raises
    ------
    DataError
        As :func:`hjeval.engines.duckdb_engine.duckdb_design`, and when a unit
        or period has no weight.

    Examples
    --------
    Two persons in municipality 1 (treated from 2015), one in municipality 2:

    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"pid": [1, 1, 2, 2, 3, 3], "m": [1, 1, 1, 1, 2, 2], "year": [2014, 2015] * 3,
    ...               "y": [1.0, 3.0, 1.0, 2.0, 0.0, 1.0], "age": [30, 31, 50, 51, 40, 41]},
    ...              ).to_parquet(f"{folder}/panel.parquet")
    >>> cells = duckdb_cells(folder, outcome="y", unit="pid", group="m", time="year", treated=1, start=2015)
    >>> cells.cell_y.tolist(), cells.group_sizes()
    ([[2.0, 5.0], [0.0, 1.0]], (array([2., 1.]), 'persons'))
    >>> duckdb_cells(folder, outcome="y", unit="pid", group="m", time="year", treated=1, start=2015,
    ...              regressors=["age"]).reason
    "regressor 'age' varies within (m, year) cells"
    """
    if movers not in ("error", "entry", "split"):
        raise DataError(f"movers={movers!r} is not one of ['error', 'entry', 'split']")
    group = group or unit
    cluster = cluster or group
    regressors = list(regressors)
    joined = cycle if cycle_panel is not None else None  # the regressor the cycle panel supplies
    with _connection() as con:
        found = scan(
            con, data, outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
            cluster=cluster, regressors=regressors, weights=weights, comparison=comparison, cycle=joined,
            cycle_panel=cycle_panel,
            extra=_cell_aggregates(outcome, regressors, weights, cluster if cluster != group else None, joined),
        )
        if found.treated_starts is not None:
            return NotCellConstant("the treated groups start in different periods")
        cells = _cells(found, regressors=regressors, weighted=weights is not None, cluster=cluster,
                       group=group, time=time, cycle=joined)
        if isinstance(cells, NotCellConstant):
            return cells
        n_groups, n_periods = len(found.group_labels), len(found.period_labels)
        units: _Units | NotCellConstant
        if unit == group:
            units = group_units(cells)
        else:
            units = _person_units(con, found, unit=unit, group=group, time=time, outcome=outcome, weights=weights,
                                  movers=movers, n_groups=n_groups, n_periods=n_periods)
            if isinstance(units, NotCellConstant):
                return units
        return assemble_cells(
            cells, units, treated_codes=found.treated_codes, start_code=found.start_code, start=start,
            group_labels=found.group_labels, period_labels=found.period_labels, regressors=regressors,
            weights=weights, unit_is_group=unit == group, outcome=outcome, comparison=found.pool_name,
            n_rows_input=found.n_input, exclusions=found.exclusions,
            warn_exclusions=lambda: found.warn_exclusions(stacklevel + 3),
        )


def assemble_cells(
    cells: _Cells, units: _Units, *, treated_codes: np.ndarray, start_code: int, start: object,
    group_labels: tuple[object, ...], period_labels: tuple[object, ...], regressors: Sequence[str],
    weights: str | None, unit_is_group: bool, outcome: str, comparison: str, n_rows_input: int,
    exclusions: Sequence[dict[str, object]], warn_exclusions: Callable[[], None],
) -> CellDesign:
    """The design's last checks on its cells (treatment, weights) and the :class:`CellDesign`, whichever engine.

    ``cells`` is what :func:`cell_grids` returns and ``units`` what
    :func:`unit_statistics` does (or the groups' own, when the group is the
    unit); ``warn_exclusions`` warns about the rows left out, after the checks
    that refuse the data and before the one on the weights.
    """
    rows, weight, y, y2, x, cluster_of_group, cluster_labels = cells
    n_groups, n_periods = rows.shape
    present = rows > 0
    some, every, before = _treatment(np.nonzero(present)[0], np.nonzero(present)[1], treated_codes, start_code,
                                     n_groups)
    if every or not some:
        raise DataError("the treatment indicator is constant in the sample: no treated or no untreated rows")
    if not before:
        raise DataError(f"the treated group has no rows before start={start!r}")
    if weights is not None:
        _check_weight_sums(weight.ravel(), np.repeat(np.arange(n_groups), n_periods), treated_codes,
                           group_labels, weights)
    warn_exclusions()
    blocks, cover, unit_y2, group_units, weightless = units
    if weightless or np.any(weight.sum(axis=1) <= 0):
        raise DataError("every unit and period needs positive total weight")
    return CellDesign(
        cell_rows=rows, cell_weight=weight, cell_y=y, regressors=x, regressor_names=tuple(regressors),
        blocks=blocks, unit_cover=cover, group_y2=y2.sum(axis=1), group_unit_y2=unit_y2,
        group_units=group_units, cluster_of_group=cluster_of_group, treated_groups=treated_codes,
        start=start_code, group_labels=group_labels, period_labels=period_labels,
        cluster_labels=cluster_labels, unit_is_group=unit_is_group, weighted=weights is not None,
        outcome=outcome, comparison=comparison, n_rows_input=n_rows_input, exclusions=tuple(exclusions),
    )


_Cells = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, tuple[object, ...]]


def _cells(found: Scan, *, regressors: list[str], weighted: bool, cluster: str, group: str, time: str,
           cycle: str | None) -> _Cells | NotCellConstant:
    """Pass 2's per-cell sums as (G, T) arrays, the regressors' cell values and each group's cluster."""
    frame = found.per_cell
    g = pd.Index(list(found.group_labels)).get_indexer(frame["g"])
    t = np.full(len(frame), -1, dtype=np.intp)
    at = pd.Index(found.kept_times).get_indexer(frame["t"])
    t[at >= 0] = found.period_codes[at[at >= 0]]
    kept_rows = frame["n"].to_numpy() - sum(frame[c].to_numpy() for c in frame.columns if c.startswith("miss_"))
    use = (kept_rows > 0) & (g >= 0) & (t >= 0)
    frame = frame[use]

    def column(name: str) -> np.ndarray:
        return frame[name].to_numpy(dtype=np.float64)

    bounds = []
    for j, name in enumerate(regressors):
        value = column("_cycle_v") if name == cycle else None  # the cycle panel's value of the cell
        bounds.append((value, value) if value is not None else (column(f"k_lo{j}"), column(f"k_hi{j}")))
    return cell_grids(
        g[use], t[use], kept_rows[use], column("k_w") if weighted else None, column("k_y"), column("k_y2"), bounds,
        None if cluster == group else (frame["k_clo"].to_numpy(), frame["k_chi"].to_numpy()),
        group_labels=found.group_labels, n_periods=len(found.period_labels), regressors=regressors,
        cluster=cluster, group=group, time=time,
    )


def cell_grids(
    g: np.ndarray, t: np.ndarray, rows: np.ndarray, weight: np.ndarray | None, y: np.ndarray, y2: np.ndarray,
    bounds: Sequence[tuple[np.ndarray, np.ndarray]], cluster_bounds: tuple[np.ndarray, np.ndarray] | None, *,
    group_labels: tuple[object, ...], n_periods: int, regressors: Sequence[str], cluster: str, group: str, time: str,
) -> _Cells | NotCellConstant:
    """The per-cell aggregates of the kept rows, whichever engine summed them, as (G, T) arrays.

    Parameters
    ----------
    g, t : numpy.ndarray of int
        Group and period code of each cell that keeps rows.
    rows, weight, y, y2 : numpy.ndarray
        Per cell: kept rows, their weight sum (None when unweighted), ``sum w y`` and ``sum w y^2``.
    bounds : sequence of (lo, hi)
        Per regressor, its smallest and largest value in each cell.
    cluster_bounds : (lo, hi) or None
        The cluster's smallest and largest value in each cell; None when the clusters are the groups.
    group_labels, n_periods, regressors, cluster, group, time
        The groups (the cluster labels when clusters are groups), the periods and the columns' names.

    Returns
    -------
    tuple or NotCellConstant
        Rows, weights, ``Y``, ``sum w y^2`` (G, T), the regressors (G, T, k), each group's cluster code and
        the cluster labels; or why the rows are needed.
    """

    n_groups = len(group_labels)

    def grid(values: object, dtype: type = np.float64) -> np.ndarray:
        out: np.ndarray = np.zeros((n_groups, n_periods), dtype=dtype)
        out[g, t] = np.asarray(values, dtype=dtype)
        return out

    counts = grid(rows, np.int64)
    weights = grid(weight) if weight is not None else counts.astype(np.float64)
    x = np.zeros((n_groups, n_periods, len(regressors)))
    for j, (name, (lo, hi)) in enumerate(zip(regressors, bounds, strict=True)):
        lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
        if np.any(lo != hi):
            return NotCellConstant(f"regressor {name!r} varies within ({group}, {time}) cells")
        x[g, t, j] = lo
    if cluster_bounds is None:
        return counts, weights, grid(y), grid(y2), x, np.arange(n_groups), group_labels
    low, high = pd.Series(cluster_bounds[0]), pd.Series(cluster_bounds[1])
    if np.any((low != high).to_numpy()):
        return NotCellConstant(f"cluster {cluster!r} varies within ({group}, {time}) cells")
    per_group = pd.DataFrame({"g": g, "k": low.to_numpy()}).drop_duplicates()
    if per_group["g"].duplicated().any():
        return NotCellConstant(f"cluster {cluster!r} varies within groups of {group!r}")
    codes, labels = pd.factorize(per_group["k"], sort=True)
    cluster_of_group = np.zeros(n_groups, dtype=np.int64)
    cluster_of_group[per_group["g"].to_numpy()] = codes
    return counts, weights, grid(y), grid(y2), x, cluster_of_group, tuple(labels.tolist())


_Units = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]


def group_units(cells: _Cells) -> _Units:
    """Blocks, cover, ``sum S^2 / W`` and unit counts when each group is one fixed-effect unit."""
    weight, y = cells[1], cells[2]
    total = weight.sum(axis=1)
    safe = np.where(total > 0, total, 1.0)
    sums = y.sum(axis=1)
    blocks = weight[:, :, None] * weight[:, None, :] / safe[:, None, None]
    cover = weight * (sums / safe)[:, None]
    return blocks, cover, sums**2 / safe, np.ones(len(weight)), False


def _person_units(
    con: object, found: Scan, *, unit: str, group: str, time: str, outcome: str, weights: str | None, movers: str,
    n_groups: int, n_periods: int,
) -> _Units | NotCellConstant:
    """Blocks, cover, ``sum_i c_i S_i^2 / n_i`` and units per group from one group-by of the rows by unit."""
    import pyarrow as pa

    sql = con.sql  # type: ignore[attr-defined]
    words = -(-n_periods // _WORD)
    codes = found.period_codes.astype(np.int64)
    word, bit = codes // _WORD, (codes % _WORD).astype(np.uint64)
    period_masks = {f"m{k}": pa.array(np.where(word == k, np.uint64(1) << bit, np.uint64(0))) for k in range(words)}
    con.register("_period_bits", pa.table({  # type: ignore[attr-defined]
        "t": pa.array(found.kept_times, type=found.times_arrow.type),  # type: ignore[attr-defined]
        "code": pa.array(codes, type=pa.int32()), **period_masks,
    }))
    y = _double(f"d.{_quote(outcome)}")
    w = None if weights is None else _double(f"d.{_quote(weights)}")
    masks = ", ".join(f"bit_or(pb.m{k}) AS m{k}" for k in range(words))
    weight_sql = "" if w is None else f", min({w}) AS w, max({w}) AS w_last"
    run = con.execute  # type: ignore[attr-defined]
    # the cycle panel is joined only when a missing cycle value leaves rows out
    join, kept = ("", found.kept_unjoined) if found.kept_unjoined is not None else (found.join, found.kept)
    run(f"CREATE TEMP TABLE _units AS SELECT min(gm.code) AS g, max(gm.code) AS g_last, count(*) AS n, "
        f"min(pb.code) AS a, max(pb.code) AS b, sum({y}) AS s{weight_sql}, {masks} "
        f"FROM _data d JOIN _groups gm ON d.{_quote(group)} = gm.g JOIN _period_bits pb ON d.{_quote(time)} = pb.t"
        f"{join} WHERE {kept} GROUP BY d.{_quote(unit)}")
    seen = " + ".join(f"CAST(bit_count(m{k}) AS BIGINT)" for k in range(words))
    c = "CAST(1 AS DOUBLE)" if w is None else "w"
    moved, repeats, varying, weightless = run(
        f"SELECT count(*) FILTER (WHERE g <> g_last), coalesce(sum(n - ({seen})) FILTER (WHERE g = g_last), 0), "
        f"{'0' if w is None else 'count(*) FILTER (WHERE w <> w_last)'}, "
        f"{'0' if w is None else 'count(*) FILTER (WHERE w_last <= 0)'} FROM _units"
    ).fetchall()[0]
    if moved:
        if movers == "error":
            raise _movers_error(con, found.source, int(moved), unit=unit, group=group)
        return NotCellConstant(f"{unit} values move between {group} values (movers={movers!r})")
    if repeats:
        raise _repeated_pairs_error(con, found.source, int(repeats), unit=unit, time=time)
    if varying:
        return NotCellConstant(f"weights {weights!r} vary within units of {unit!r}")
    per_group = sql(f"SELECT g, count(*) AS units, sum({c} * s * s / n) AS q FROM _units GROUP BY g").fetchnumpy()
    single = sql(f"SELECT g, a, b, sum({c} / n) AS v, sum({c} * s / n) AS m FROM _units "
                 f"WHERE ({seen}) = b - a + 1 GROUP BY ALL").fetchnumpy()
    table = sql(f"SELECT g, n, s, {c} AS w, {', '.join(f'm{k}' for k in range(words))} FROM _units "
                f"WHERE ({seen}) < b - a + 1").to_arrow_table()

    def unit_masks(begin: int, end: int) -> np.ndarray:
        return np.column_stack([table.column(f"m{k}").slice(begin, end - begin).to_numpy() for k in range(words)])

    runs = gap_runs({name: table.column(name).to_numpy() for name in ("g", "n", "s", "w")}, unit_masks,
                    table.num_rows)
    run("DROP TABLE _units")
    return unit_statistics(per_group, single, runs, n_groups=n_groups, n_periods=n_periods,
                           weightless=bool(weightless))


def unit_statistics(
    per_group: Mapping[str, np.ndarray], single: Mapping[str, np.ndarray], runs: GapRuns, *, n_groups: int,
    n_periods: int, weightless: bool,
) -> _Units:
    """Blocks, cover, ``sum_i c_i S_i^2 / n_i`` and units per group from the units' aggregates, whichever engine.

    Parameters
    ----------
    per_group : mapping
        ``g`` (group code), ``units`` and ``q`` (``sum_i c_i S_i^2 / n_i``) per group with units.
    single : mapping
        Per (group ``g``, first ``a``, last ``b`` period) over the units seen in one run of consecutive
        periods: ``v = sum c_i / n_i`` and ``m = sum c_i S_i / n_i``.
    runs : GapRuns
        The runs of the units seen with gaps (:func:`gap_runs`).
    n_groups, n_periods : int
    weightless : bool
        Whether some unit has no positive weight.
    """
    group_units = np.zeros(n_groups)
    unit_y2 = np.zeros(n_groups)
    group_units[np.asarray(per_group["g"], dtype=np.intp)] = per_group["units"]
    unit_y2[np.asarray(per_group["g"], dtype=np.intp)] = per_group["q"]
    n_single = len(single["g"])
    run_group = np.concatenate([single["g"], runs.group[runs.owner]]).astype(np.intp)
    first = np.concatenate([single["a"], runs.first]).astype(np.intp)
    last = np.concatenate([single["b"], runs.last]).astype(np.intp)
    several = (runs.first_run, first[n_single:] * n_periods + last[n_single:], runs.group, runs.value)
    blocks = run_blocks(run_group, first, last, np.concatenate([single["v"], runs.value[runs.owner]]),
                        n_groups, n_periods, several=several)
    cover = run_cover(run_group, first, last, np.concatenate([single["m"], runs.mean[runs.owner]]),
                      n_groups, n_periods)
    return blocks, cover, unit_y2, group_units, weightless


@dataclass(frozen=True)
class GapRuns:
    """Runs of the units observed with gaps: per unit its group, ``c / n`` and ``c S / n``; per run its unit."""

    group: np.ndarray
    value: np.ndarray
    mean: np.ndarray
    owner: np.ndarray
    first: np.ndarray
    last: np.ndarray

    @property
    def first_run(self) -> np.ndarray:
        """Each unit's first run (and the number of runs last)."""
        return np.r_[0, np.cumsum(np.bincount(self.owner, minlength=len(self.group)))]


def _bits(words: np.ndarray) -> np.ndarray:
    """The bits of (units, words) uint64 masks as (units, 64 * words) 0/1 bytes, period 0 first."""
    little = np.ascontiguousarray(words, dtype="<u8")
    return np.unpackbits(little.view(np.uint8).reshape(len(little), -1), axis=1, bitorder="little")


def gap_runs(columns: Mapping[str, np.ndarray], masks: Callable[[int, int], np.ndarray], n: int) -> GapRuns:
    """The runs of consecutive periods in each unit's period mask, a chunk of units at a time.

    ``columns`` holds per unit its group code ``g``, rows ``n``, outcome sum ``s``
    and weight ``w``; ``masks(begin, end)`` gives units ``begin:end``'s period
    masks as (units, words) 64-bit words, period 0 the lowest bit of word 0.
    A run starts at a seen period whose predecessor is unseen (``m & ~(m << 1)``,
    carrying the top bit of each word into the next) and ends at one whose
    successor is unseen.
    """
    counts = np.asarray(columns["n"], dtype=np.float64)
    owners, firsts, lasts = [], [], []
    for begin in range(0, n, _MASK_UNITS):
        end = min(n, begin + _MASK_UNITS)
        mask = np.asarray(masks(begin, end)).astype(np.uint64)
        before = mask << np.uint64(1)  # bit t: period t - 1 seen
        before[:, 1:] |= mask[:, :-1] >> np.uint64(_WORD - 1)
        after = mask >> np.uint64(1)  # bit t: period t + 1 seen
        after[:, :-1] |= mask[:, 1:] << np.uint64(_WORD - 1)
        owner, first = np.nonzero(_bits(mask & ~before))
        _, last = np.nonzero(_bits(mask & ~after))
        owners.append(owner + begin)
        firsts.append(first)
        lasts.append(last)
    empty = np.zeros(0, dtype=np.intp)
    return GapRuns(
        group=np.asarray(columns["g"]).astype(np.intp), value=np.asarray(columns["w"], dtype=np.float64) / counts,
        mean=np.asarray(columns["w"], dtype=np.float64) * np.asarray(columns["s"], dtype=np.float64) / counts,
        owner=np.concatenate(owners) if owners else empty, first=np.concatenate(firsts) if firsts else empty,
        last=np.concatenate(lasts) if lasts else empty,
    )
