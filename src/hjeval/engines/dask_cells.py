"""The cell statistics of a two-way design, computed by group-bys on a Dask cluster's workers.

Passes 1 and 2 are those of :func:`hjeval.engines.dask_engine.dask_design`
(labels, pool, periods, the cycle panel's lookup, every check and exclusion).
In place of its pass 3 (the kept rows sorted by unit and period and fetched
to the client), the workers code the kept rows partition by partition and
reduce them by two group-bys, with no shuffle of rows:

* by (group, period) cell: rows, weight, ``sum w y``, ``sum w y^2`` and each
  regressor's (and a finer cluster's) smallest and largest value;
* by unit (person): its smallest and largest group code, rows ``n_i``, first
  and last period, outcome sum ``S_i``, smallest and largest weight, and its
  periods as a bit mask (one 64-bit word per 64 periods). The mask of a
  partition's rows is the sum of their bits ``1 << period``, combined across
  partitions by summing again: a unit's sum equals the bitwise OR of its bits
  exactly when no period repeats, and a repeat always shows as fewer set bits
  than rows (carries only lose bits), which is the check for repeated (unit,
  period) pairs.

The units' table is reduced on the workers, in the same graph; from it come the same aggregates as
DuckDB's (:mod:`hjeval.engines.cell_statistics`): the checks, per group its
units and ``sum_i c_i S_i^2 / n_i``, per (group, first, last) the sums over
units seen in one run of periods, and the masks of the units with gaps,
whose runs, blocks and cover are found by the same numpy code. Only these
small tables reach the client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hjeval.design.cells import CellDesign
from hjeval.design.panel import Comparison, Movers
from hjeval.engines.cell_statistics import (
    _WORD,
    NotCellConstant,
    assemble_cells,
    cell_grids,
    gap_runs,
    group_units,
    unit_statistics,
)
from hjeval.engines.dask_engine import (
    _cluster,
    _Data,
    _describe,
    _kept_rows,
    _open,
    _Piece,
    _plain,
    _read_piece,
    _Roles,
    _Scan,
    _scan,
)
from hjeval.errors import DataError, HjevalWarning

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["dask_cells"]


def dask_cells(
    data: object,
    *,
    client: object | None = None,
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
    """The cell statistics of a Parquet dataset's design (or a DataFrame's), by group-bys on a Dask cluster.

    The same checks, exclusions, labels and messages as
    :func:`hjeval.engines.dask_engine.dask_design`, and the same statistics
    and reasons as :func:`hjeval.engines.cell_statistics.duckdb_cells`: when
    the design needs the rows, the reason is returned instead, before any
    warning.

    Parameters
    ----------
    data, client, outcome, unit, time, treated, start, group, cluster, regressors, weights, comparison, movers,
    cycle, cycle_panel
        As :func:`hjeval.engines.dask_engine.dask_design`.
    stacklevel : int
        For the warning about rows left out, counted from the caller of this function.

    Returns
    -------
    CellDesign or NotCellConstant

    Raises
    ------
    DataError
        As :func:`hjeval.engines.dask_engine.dask_design`, and when a unit or
        period has no weight.

    Examples
    --------
    Two persons in municipality 1 (treated from 2015), one in municipality 2:

    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"pid": [1, 1, 2, 2, 3, 3], "m": [1, 1, 1, 1, 2, 2], "year": [2014, 2015] * 3,
    ...               "y": [1.0, 3.0, 1.0, 2.0, 0.0, 1.0]}).to_parquet(f"{folder}/panel.parquet")
    >>> cells = dask_cells(folder, outcome="y", unit="pid", group="m", time="year", treated=1, start=2015)
    >>> cells.cell_y.tolist(), cells.group_sizes()
    ([[2.0, 5.0], [0.0, 1.0]], (array([2., 1.]), 'persons'))
    """
    if movers not in ("error", "entry", "split"):
        raise DataError(f"movers={movers!r} is not one of ['error', 'entry', 'split']")
    group = group or unit
    roles = _Roles(outcome=outcome, unit=unit, time=time, group=group, cluster=cluster or group,
                   regressors=tuple(regressors), weights=weights, cycle=cycle if cycle_panel is not None else None)
    source, dataset = _describe(data)
    if roles.cycle is not None and roles.cycle in source.types:
        raise DataError(f"{source.name}: column {roles.cycle!r} is in the dataset and in cycle_panel; drop "
                        "cycle_panel= to use the dataset's column, or rename one of them")
    source.require({"outcome": outcome, "unit": unit, "time": time, "group": group, "cluster": roles.cluster,
                    "weights": weights, **{f"regressor {r!r}": r for r in regressors}},
                   extra={roles.cycle: "DOUBLE"} if roles.cycle is not None else None)
    with _cluster(client) as running, running.as_current():
        rows = _open(data, roles, source, dataset, running)
        found = _scan(rows, running, roles, treated=treated, start=start, comparison=comparison,
                      cycle_panel=cycle_panel)
        if found.treated_starts is not None:
            return NotCellConstant("the treated groups start in different periods")
        return _cells(rows, running, roles, found, start=start, movers=movers, stacklevel=stacklevel + 1)


def _cells(data: _Data, client: Client, roles: _Roles, found: _Scan, *, start: object, movers: str,
           stacklevel: int) -> CellDesign | NotCellConstant:
    """The cell and unit group-bys over the kept rows, and the design from their results."""
    import warnings

    n_periods = len(found.period_labels)
    words = -(-n_periods // _WORD)
    coded = data.frame.map_partitions(
        _kept_rows, keys=found.keys, roles=roles, group_code=found.group_code, period_code=found.period_code,
        meta=_kept_rows(found.meta, keys=found.keys, roles=roles, group_code=found.group_code,
                        period_code=found.period_code))
    clustered = roles.cluster != roles.group
    weighted = roles.weights is not None
    shape: dict[str, Any] = dict(n_periods=n_periods, n_regressors=len(roles.regressors), weighted=weighted,
                                 clustered=clustered)
    per_cell_rows = coded.map_partitions(_cell_terms, **shape, meta=_cell_terms(coded._meta, **shape))
    per_cell = per_cell_rows.groupby("cell").agg(_cell_spec(per_cell_rows.columns), split_out=1)
    if roles.unit == roles.group:
        frame = client.compute(per_cell, sync=True)
    else:
        unit_shape: dict[str, Any] = dict(words=words, n_regressors=len(roles.regressors), weighted=weighted)
        per_unit_rows = coded.map_partitions(_unit_terms, **unit_shape, meta=_unit_terms(coded._meta, **unit_shape))
        units = per_unit_rows.groupby("u").agg(_unit_spec(per_unit_rows.columns),
                                               split_out=_unit_split(coded.npartitions))
        checks = units.map_partitions(_unit_checks, words=words, meta=_unit_checks(units._meta, words=words))
        sums = units.map_partitions(_unit_sums, words=words, meta=_unit_sums(units._meta, words=words))
        gap_columns = ["g", "n", "s", *(["w"] if weighted else []), *(f"m{k}" for k in range(words))]
        # one graph: every partition is read and coded once for both group-bys, and the units' table is
        # reduced on the workers; only the cells, the checks' counts and the units' aggregates come back
        frame, *aggregates = client.compute([
            per_cell, checks.sum(), sums.groupby("g")[["units", "q"]].sum(),
            sums[~sums["gaps"]].groupby(["g", "a", "b"])[["v", "m"]].sum(), units[sums["gaps"]][gap_columns],
        ], sync=True)
    frame = frame.sort_index()

    cell = frame.index.to_numpy(dtype=np.int64)
    r = len(roles.regressors)
    cells = cell_grids(
        cell // n_periods, cell % n_periods, frame["n"].to_numpy(), frame["w"].to_numpy() if roles.weights else None,
        frame["y"].to_numpy(), frame["y2"].to_numpy(),
        [(frame[f"lo{j}"].to_numpy(), frame[f"hi{j}"].to_numpy()) for j in range(r)],
        (frame["clo"].to_numpy(), frame["chi"].to_numpy()) if clustered else None,
        group_labels=found.group_labels, n_periods=n_periods, regressors=roles.regressors, cluster=roles.cluster,
        group=roles.group, time=roles.time,
    )
    if isinstance(cells, NotCellConstant):
        return cells
    if roles.unit == roles.group:
        statistics = group_units(cells)
    else:
        person = _person_units(data, client, roles, found, checks, coded, aggregates, words=words, movers=movers)
        if isinstance(person, NotCellConstant):
            return person
        statistics = person

    def warn_exclusions() -> None:
        if found.exclusions:
            detail = "; ".join(f"{e['rows']} rows: {e['reason']}" for e in found.exclusions)
            warnings.warn(f"rows left out of the estimation: {detail}", HjevalWarning, stacklevel=stacklevel + 3)

    return assemble_cells(
        cells, statistics, treated_codes=found.treated_codes, start_code=found.start_code, start=start,
        group_labels=found.group_labels, period_labels=found.period_labels, regressors=roles.regressors,
        weights=roles.weights, unit_is_group=roles.unit == roles.group, outcome=roles.outcome,
        comparison=found.pool_name, n_rows_input=found.n_input, exclusions=found.exclusions,
        warn_exclusions=warn_exclusions,
    )


def _cell_terms(part: pd.DataFrame, *, n_periods: int, n_regressors: int, weighted: bool,
                clustered: bool) -> pd.DataFrame:
    """Per kept row (coded by :func:`hjeval.engines.dask_engine._kept_rows`) its cell and the terms summed there."""
    y = part["f0"].to_numpy(dtype=np.float64)
    w = part[f"f{n_regressors + 1}"].to_numpy(dtype=np.float64) if weighted else None
    wy = y if w is None else w * y
    out: dict[str, object] = {"cell": part["g"].to_numpy(dtype=np.int64) * n_periods + part["p"].to_numpy(),
                              "n": np.ones(len(part), dtype=np.int64)}
    if w is not None:
        out["w"] = w
    out["y"], out["y2"] = wy, wy * y
    for j in range(n_regressors):
        x = part[f"f{j + 1}"].to_numpy(dtype=np.float64)
        out[f"lo{j}"], out[f"hi{j}"] = x, x
    if clustered:
        out["clo"], out["chi"] = part["k"].array, part["k"].array
    return pd.DataFrame(out)


def _unit_split(npartitions: int) -> int:
    """Partitions of the units' table: one, combined by a tree of sums, unless there are many partitions of rows.

    A shuffle of the per-partition unit tables costs more than it saves until each output partition
    gathers the units of about 64 partitions of rows.
    """
    return -(-npartitions // 64)


def _cell_spec(columns: Sequence[str]) -> dict[str, str]:
    return {c: "min" if c.startswith(("lo", "clo")) else "max" if c.startswith(("hi", "chi")) else "sum"
            for c in columns if c != "cell"}


def _unit_terms(part: pd.DataFrame, *, words: int, n_regressors: int, weighted: bool) -> pd.DataFrame:
    """Per kept row its unit and the terms reduced per unit: group, period, outcome, weight and period bits."""
    g = part["g"].to_numpy()
    p = part["p"].to_numpy().astype(np.int64)
    out: dict[str, object] = {"u": part["u"].array, "g": g, "g_last": g, "n": np.ones(len(part), dtype=np.int64),
                              "a": p, "b": p, "s": part["f0"].to_numpy(dtype=np.float64)}
    if weighted:
        w = part[f"f{n_regressors + 1}"].to_numpy(dtype=np.float64)
        out["w"], out["w_last"] = w, w
    word, bit = p // _WORD, (p % _WORD).astype(np.uint64)
    for k in range(words):
        out[f"m{k}"] = np.where(word == k, np.uint64(1) << bit, np.uint64(0))
    return pd.DataFrame(out)


def _unit_spec(columns: Sequence[str]) -> dict[str, str]:
    """Per unit: the smallest group, period and weight, the largest (``*_last``, ``b``), sums of the rest."""
    return {c: "min" if c in ("g", "a", "w") else "max" if c in ("g_last", "b", "w_last") else "sum"
            for c in columns if c != "u"}


def _seen(part: pd.DataFrame, words: int) -> np.ndarray:
    """Periods set in each unit's mask."""
    return sum((np.bitwise_count(part[f"m{k}"].to_numpy(dtype=np.uint64)).astype(np.int64) for k in range(words)),
               np.zeros(len(part), dtype=np.int64))


def _unit_checks(part: pd.DataFrame, *, words: int) -> pd.DataFrame:
    """Per unit: seen in two groups, extra rows of a repeated period, weights that vary, no positive weight."""
    moved = part["g"].to_numpy() != part["g_last"].to_numpy()
    none = np.zeros(len(part), dtype=np.int64)
    found = {"moved": moved.astype(np.int64), "extra": np.where(moved, 0, part["n"].to_numpy() - _seen(part, words)),
             "varying": none, "weightless": none}
    if "w" in part.columns:
        w, w_last = part["w"].to_numpy(dtype=np.float64), part["w_last"].to_numpy(dtype=np.float64)
        found["varying"], found["weightless"] = (w != w_last).astype(np.int64), (w_last <= 0).astype(np.int64)
    return pd.DataFrame(found, index=part.index)


def _unit_sums(part: pd.DataFrame, *, words: int) -> pd.DataFrame:
    """Per unit the terms of :func:`hjeval.engines.cell_statistics.unit_statistics` and whether it has gaps."""
    n = part["n"].to_numpy(dtype=np.float64)
    s = part["s"].to_numpy(dtype=np.float64)
    c = part["w"].to_numpy(dtype=np.float64) if "w" in part.columns else np.ones(len(part))
    a, b = part["a"].to_numpy(), part["b"].to_numpy()
    return pd.DataFrame({"g": part["g"].to_numpy(), "a": a, "b": b, "units": np.ones(len(part), dtype=np.int64),
                         "q": c * s * s / n, "v": c / n, "m": c * s / n,
                         "gaps": _seen(part, words) < b - a + 1}, index=part.index)


def _person_units(
    data: _Data, client: Client, roles: _Roles, found: _Scan, checks: Any, coded: Any, aggregates: list[Any], *,
    words: int, movers: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool] | NotCellConstant:
    """The checks on the units and the blocks, cover and sums from the units' aggregates.

    ``aggregates`` holds the checks' counts, the per-group and single-run sums and the units with gaps;
    ``checks`` (per unit) and ``coded`` (the kept rows as :func:`hjeval.engines.dask_engine._kept_rows`
    codes them) are the lazy frames to name the offending units from.
    """
    unit, group, time, weights = roles.unit, roles.group, roles.time, roles.weights
    counts, per_group, single, gaps = aggregates
    if counts["moved"]:
        if movers == "error":
            raise _movers_error(data, client, found, checks, int(counts["moved"]), unit=unit, group=group)
        return NotCellConstant(f"{unit} values move between {group} values (movers={movers!r})")
    if counts["extra"]:  # a repeat is certain; summed masks overcount the extra rows, the rows count them
        flagged = client.compute(checks.index[checks["extra"] > 0].to_series(), sync=True).to_numpy()
        pairs = coded[coded["u"].isin(flagged)][["u", "p"]]
        extra = client.compute((pairs.groupby(["u", "p"]).size() - 1).sum(), sync=True)
        raise _repeated_pairs_error(data, client, pd.Index(flagged), int(extra), unit=unit, time=time)
    if counts["varying"]:
        return NotCellConstant(f"weights {weights!r} vary within units of {unit!r}")
    per_group, single = per_group.reset_index(), single.reset_index()
    weight = gaps["w"].to_numpy(dtype=np.float64) if weights else np.ones(len(gaps))
    word_array = gaps[[f"m{k}" for k in range(words)]].to_numpy(dtype=np.uint64)
    runs = gap_runs({"g": gaps["g"].to_numpy(), "n": gaps["n"].to_numpy(), "s": gaps["s"].to_numpy(), "w": weight},
                    lambda begin, end: word_array[begin:end], len(gaps))
    return unit_statistics({c: per_group[c].to_numpy() for c in ("g", "units", "q")},
                           {c: single[c].to_numpy() for c in ("g", "a", "b", "v", "m")}, runs,
                           n_groups=len(found.group_labels), n_periods=len(found.period_labels),
                           weightless=bool(counts["weightless"]))


def _first_units(client: Client, checks: Any, column: str, limit: int = 5) -> list[object]:
    """The first units (in sorted order) whose check ``column`` is set."""
    flagged = client.compute(checks.index[checks[column] > 0].to_series(), sync=True)
    return pd.Index(flagged.to_numpy()).sort_values()[:limit].tolist()


def _piece_select(piece: _Piece, *, schema: Any, columns: list[str], column: str, values: list[object]
                  ) -> pd.DataFrame:
    part = _read_piece(piece, schema=schema, columns=columns)
    return part[part[column].isin(values)]


def _rows_of(data: _Data, client: Client, column: str, values: list[object], columns: list[str]) -> pd.DataFrame:
    """The rows whose ``column`` holds one of ``values`` (a few units' rows, to name them), as read from the files."""
    if data.local is not None:
        return data.local.loc[data.local[column].isin(values), columns]
    parts = client.gather(client.map(_piece_select, list(data.pieces), schema=data.schema, columns=columns,
                                     column=column, values=values))
    return pd.concat(parts, ignore_index=True)


def _movers_error(data: _Data, client: Client, found: _Scan, checks: Any, n_moved: int, *, unit: str,
                  group: str) -> DataError:
    """The error for units seen in more than one group, naming the first few as the DuckDB engine does."""
    first = _first_units(client, checks, "moved")
    rows = _rows_of(data, client, unit, first, [unit, group])
    rows = rows[found.group_code[found.keys.groups.get_indexer(rows[group])] >= 0]
    shown = "; ".join(f"{_plain(u)!r} in {sorted(pd.unique(rows.loc[rows[unit] == u, group]).tolist())}"
                      for u in first)
    return DataError(
        f"{data.source.name}: {n_moved} {unit} value(s) appear in more than one {group}, e.g. {shown}. "
        f"Treatment is assigned by {group!r}, so each {unit} must belong to one: pass movers='entry' to keep "
        f"each in the {group} of its first period, or movers='split' to make {unit} x {group} the "
        "fixed-effect unit"
    )


def _repeated_pairs_error(data: _Data, client: Client, flagged: pd.Index, repeats: int, *, unit: str,
                          time: str) -> DataError:
    """The error for ``repeats`` extra rows of a (unit, period) pair, naming the first few as DuckDB does."""
    first = flagged.sort_values()[:5].tolist()
    rows = _rows_of(data, client, unit, first, [unit, time])
    counted = rows.groupby([unit, time], sort=True).size()
    counted = counted[counted > 1].iloc[:5]
    shown = "; ".join(f"{_plain(u)!r} in {_plain(p)!r} ({int(n)} rows)" for (u, p), n in counted.items())
    return DataError(
        f"{data.source.name}: rows repeat a ({unit}, {time}) pair ({repeats} extra rows), e.g. {shown}: "
        f"each {unit} has at most one row per period; drop the duplicates or sum them first"
    )
