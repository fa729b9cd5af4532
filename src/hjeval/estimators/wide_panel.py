"""The balanced unit x period panel that synthetic control and synthetic DiD fit, from rows or cell sums.

Person rows are averaged to (group, period) cells. On a Parquet dataset
(``engine="duckdb"`` or ``"dask"``) the cells come from the engine's cell
statistics (:mod:`hjeval.engines.cell_statistics`) when the regressors are
constant within cells and persons stay in one group, so the rows are never
held; otherwise from the row design the engine builds. Predictors
(column means over windows of periods) are computed from weighted cell sums
on the same engine (:mod:`hjeval.engines.cell_sums`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from hjeval.design.cells import CellDesign
from hjeval.design.labels import DesignLabels
from hjeval.design.panel import Comparison, Movers, PanelDesign, build_design, require_columns
from hjeval.engines import Data, Engine, build_design_on, resolve_engine
from hjeval.engines.cell_statistics import NotCellConstant, duckdb_cells
from hjeval.engines.cell_sums import WEIGHT_SUFFIX, weighted_cell_sums
from hjeval.engines.dask_cells import dask_cells
from hjeval.errors import DataError, warn_user
from hjeval.periods import parse_period

__all__ = ["Predictor", "WidePanel", "panel_design", "predictor_values", "wide_panel", "window_codes"]

Predictor = tuple[str, object, object] | tuple[str, object]
"""``(column, first, last)``: the column's mean over those periods; ``(column, period)`` for one period."""

@dataclass(frozen=True)
class WidePanel:
    """A balanced panel as unit x period matrices.

    Attributes
    ----------
    y : numpy.ndarray, shape (N, T)
        The outcome per unit (group) and period: the mean of the rows in the
        cell (weighted with ``weights=``).
    x : numpy.ndarray, shape (N, T, k)
        Cell means of the regressors (cycle, covariates), in ``x_names`` order.
    x_names : tuple of str
    design : PanelDesign or CellDesign
        The design the matrices were built from (codes, labels, exclusions):
        rows, or the cell statistics an engine computed.
    sizes : numpy.ndarray, shape (N,)
        Each unit's size for the size correction (persons, weight sum or rows).
    size_measure : {"persons", "weight sum", "rows"}
    """

    y: np.ndarray
    x: np.ndarray
    x_names: tuple[str, ...]
    design: PanelDesign | CellDesign
    sizes: np.ndarray
    size_measure: Literal["persons", "weight sum", "rows"]

    @property
    def start(self) -> int:
        """Code of the first treated period (the number of periods before it)."""
        return self.design.start

    @property
    def treated(self) -> np.ndarray:
        """Unit codes of the treated units."""
        return self.design.treated_groups

    @property
    def comparison(self) -> np.ndarray:
        """Unit codes of the comparison units."""
        return self.design.comparison_groups

    @property
    def unit_labels(self) -> tuple[object, ...]:
        """Label of every unit code."""
        return self.design.group_labels

    @property
    def period_labels(self) -> tuple[object, ...]:
        """Label of every period code."""
        return self.design.period_labels


def _describe_cells(design: DesignLabels, missing: np.ndarray, limit: int = 4) -> str:
    """``'Utah' in 1980, 1981; 'Ohio' in 1975 (and 3 more units)`` for a (units x periods) mask."""
    units = np.flatnonzero(missing.any(axis=1))
    parts = []
    for g in units[:limit]:
        periods = [str(design.period_labels[t]) for t in np.flatnonzero(missing[g])]
        shown = ", ".join(periods[:4]) + (f" (and {len(periods) - 4} more)" if len(periods) > 4 else "")
        parts.append(f"{design.group_labels[g]!r} in {shown}")
    more = f" (and {len(units) - limit} more units)" if len(units) > limit else ""
    return "; ".join(parts) + more


_MIN_DONORS = 2
"""A synthetic unit needs donors to weight, and each donor's placebo needs at least one other."""


def panel_design(
    data: Data, *, engine: Engine | None, client: object | None, cycle: str | None, cycle_panel: Data | None,
    regressors: Sequence[str], movers: Movers, roles: dict[str, object],
) -> PanelDesign | CellDesign:
    """The design of a wide panel: rows for a DataFrame in memory, else the engine's cell statistics where they do.

    ``roles`` are the other arguments of :func:`hjeval.design.panel.build_design`
    (outcome, unit, time, treated, start, group, weights, comparison). The
    cell statistics serve when the regressors are constant within (group,
    period) cells and each unit stays in one group; otherwise the engine
    builds the row design.
    """
    chosen = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    found: CellDesign | NotCellConstant | None = None
    plain = cycle_panel is None or cycle is not None
    if chosen == "duckdb" and client is None and plain:
        found = duckdb_cells(data, regressors=list(regressors), cycle=cycle, cycle_panel=cycle_panel, movers=movers,
                             stacklevel=4, **roles)  # type: ignore[arg-type]
    elif chosen == "dask" and plain:
        found = dask_cells(data, client=client, regressors=list(regressors), cycle=cycle, cycle_panel=cycle_panel,
                           movers=movers, stacklevel=4, **roles)  # type: ignore[arg-type]
    if isinstance(found, CellDesign):
        return found
    if chosen == "pandas" and isinstance(data, pd.DataFrame) and cycle_panel is None and client is None:
        return build_design(data, regressors=list(regressors), movers=movers, **roles)  # type: ignore[arg-type]
    return build_design_on(data, engine=engine, client=client, cycle_panel=cycle_panel, cycle=cycle,
                           regressors=regressors, movers=movers, **roles)  # type: ignore[arg-type]


def wide_panel(
    data: Data, *, estimator: str, outcome: str, unit: str, time: str, treated: object, start: object,
    group: str | None, weights: str | None, regressors: Sequence[str], comparison: Comparison, movers: Movers,
    engine: Engine | None = None, client: object | None = None, cycle: str | None = None,
    cycle_panel: Data | None = None,
) -> WidePanel:
    """Validate the roles (see :func:`hjeval.design.panel.build_design`) and build the balanced unit x period panel.

    The fitted unit is ``group`` when given (person rows are averaged to
    group x period cells), else ``unit``. ``engine``, ``client`` and
    ``cycle_panel`` are those of :func:`hjeval.did` (``cycle``: the regressor
    the panel supplies); every engine gives the same matrices.

    Raises
    ------
    DataError
        Everything :func:`build_design` refuses; a unit and period that
        appear twice in a panel of units; a treated unit without periods
        before the start; a panel that is not balanced (every unit observed
        in every period), naming the cells missing.
    """
    roles: dict[str, object] = dict(outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                                    weights=weights, comparison=comparison)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        design = panel_design(data, engine=engine, client=client, cycle=cycle, cycle_panel=cycle_panel,
                              regressors=regressors, movers=movers, roles=roles)
    for warning in caught:
        warn_user(str(warning.message), warning.category)
    if design.has_cohorts:
        raise DataError(
            f"{estimator} takes one start for all treated units, but start= gives them different starts; give one "
            "start, or use hj.staggered_did for units adopting at different times"
        )
    n_groups, n_periods = design.n_groups, design.n_periods
    if len(design.comparison_groups) < _MIN_DONORS:
        raise DataError(
            f"{estimator} needs at least {_MIN_DONORS} comparison {group or unit} values to weight (and to re-fit "
            f"each of them as a placebo), but the comparison has {len(design.comparison_groups)}; widen comparison="
        )
    if isinstance(design, CellDesign):
        rows, total, y_sum = design.cell_rows, design.cell_weight, design.cell_y
    else:
        cell = design.group.astype(np.int64) * n_periods + design.period
        rows = np.bincount(cell, minlength=n_groups * n_periods).reshape(n_groups, n_periods)
        w = design.weights()
        total = np.bincount(cell, weights=w, minlength=n_groups * n_periods).reshape(n_groups, n_periods)
        y_sum = np.bincount(cell, weights=design.y * w, minlength=n_groups * n_periods).reshape(n_groups, n_periods)
        k = design.regressors.shape[1]
        flat = np.zeros((n_groups * n_periods, k))
        for j in range(k):
            flat[:, j] = np.bincount(cell, weights=design.regressors[:, j] * w, minlength=n_groups * n_periods)
        x_sum = flat.reshape(n_groups, n_periods, k)
    group_name = group or unit
    if design.unit_is_group and (rows > 1).any():
        twice = _describe_cells(design, rows > 1)
        raise DataError(
            f"{estimator} needs one row per {unit} and period, but {int((rows > 1).sum())} ({unit}, {time}) "
            f"pairs repeat: {twice}; drop the duplicates or sum them first"
        )
    missing = rows == 0
    left_out = sum(int(str(e["rows"])) for e in design.exclusions if str(e["reason"]).startswith("missing"))
    note = (f"; {left_out} rows were left out for missing values, which may have emptied these cells"
            if left_out else "")
    for g in design.treated_groups:
        if missing[g, : design.start].all():
            raise DataError(
                f"treated {group_name} {design.group_labels[g]!r} has no rows before start="
                f"{design.period_labels[design.start]}: its synthetic comparison cannot be fitted{note}"
            )
    if missing.any():
        raise DataError(
            f"{estimator} needs a balanced panel (every {group_name} in every period), but "
            f"{int(missing.sum())} {group_name} x period cells have no rows: {_describe_cells(design, missing)}"
            f"{note}; drop those {group_name} values (e.g. comparison=[...]) or fill the cells"
        )
    if (total <= 0).any():
        empty = total <= 0
        raise DataError(f"column {weights!r} (weights) sums to zero in {int(empty.sum())} {group_name} x period "
                        f"cells: {_describe_cells(design, empty)}")
    y = y_sum / total
    if isinstance(design, CellDesign):
        x = design.regressors  # the value of a cell-constant regressor is its cell mean
    else:
        x = x_sum / total[:, :, None]
    sizes, measure = design.group_sizes()
    return WidePanel(y, x, design.regressor_names, design, sizes, measure)


def _period_code(panel: WidePanel, value: object, argument: str) -> int:
    """The code of a period given by the user, or DataError."""
    try:
        period = parse_period(value)
    except DataError as err:
        raise DataError(f"{argument}: {value!r} is not a period: {err}") from err
    labels = panel.period_labels
    if pd.PeriodDtype(period.freq) != pd.PeriodDtype(labels[0].freq):  # type: ignore[attr-defined]
        raise DataError(f"{argument}: {value!r} is a {period.freqstr} period but the data's periods are "
                        f"{labels[0].freqstr}; give it in the same kind")  # type: ignore[attr-defined]
    if period not in labels:
        raise DataError(f"{argument}: {period} is not a period of the data, which runs from {labels[0]} to "
                        f"{labels[-1]}")
    return labels.index(period)


def window_codes(panel: WidePanel, window: object, argument: str) -> tuple[int, int]:
    """``(first, last)`` period codes of a window before the start."""
    if not isinstance(window, tuple | list) or len(window) != 2:
        raise DataError(f"{argument} must be a pair (first, last) of periods, not {window!r}")
    first, last = (_period_code(panel, v, argument) for v in window)
    if first > last:
        raise DataError(f"{argument}: {window[0]!r} comes after {window[1]!r}")
    if last >= panel.start:
        raise DataError(
            f"{argument}: {panel.period_labels[last]} is not before start={panel.period_labels[panel.start]}; "
            "the weights are fitted to periods before the start only"
        )
    return first, last


# --------------------------------------------------------------------------- predictors


@dataclass(frozen=True)
class _Predictors:
    values: np.ndarray  # (N, k): each unit's predictor values
    labels: tuple[str, ...]
    ends: tuple[int, ...]  # code of each predictor's last period


def _predictor_specs(predictors: object) -> list[tuple[str, object, object]]:
    if isinstance(predictors, str | bytes) or not isinstance(predictors, Sequence) or not predictors:
        raise DataError("predictors must be a non-empty list of (column, first, last) tuples, e.g. "
                        "[('beer', 1984, 1988), ('cigsale', 1975, 1975)]")
    specs: list[tuple[str, object, object]] = []
    for item in predictors:
        if not isinstance(item, tuple | list) or len(item) not in (2, 3) or not isinstance(item[0], str):
            raise DataError(f"predictor {item!r} is not a (column, first, last) or (column, period) tuple")
        specs.append((item[0], item[1], item[-1]))
    return specs


def _codes(frame: pd.DataFrame, panel: WidePanel, group: str, time: str) -> tuple[np.ndarray, np.ndarray]:
    """Unit and period codes of rows (-1 where not in the panel)."""
    codes = pd.Index(panel.unit_labels).get_indexer(frame[group])
    lookup = {value: parse_period(value) for value in pd.unique(frame[time].dropna())}
    position = {p: i for i, p in enumerate(panel.period_labels)}
    period = frame[time].map(lambda v: position.get(lookup.get(v), -1) if v in lookup else -1).to_numpy()
    return codes, period


def predictor_values(data: Data, panel: WidePanel, predictors: Sequence[Predictor], *, group: str, time: str,
                     weights: str | None, engine: Engine | None = None, client: object | None = None) -> _Predictors:
    """Each unit's mean of each predictor column over its periods (missing values ignored).

    A DataFrame on the pandas engine is read row by row; otherwise the
    engine sums each column per (unit, period) cell
    (:func:`hjeval.engines.cell_sums.weighted_cell_sums`) and the window
    means follow from the cell sums: the same means.
    """
    specs = _predictor_specs(predictors)
    columns = list(dict.fromkeys(c for c, _, _ in specs))
    chosen = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    if chosen == "pandas" and isinstance(data, pd.DataFrame):
        require_columns(data, {f"predictor {c!r}": c for c in columns})
        for column in columns:
            kind = data[column].dtype
            if not pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind):
                raise DataError(f"predictor column {column!r} must hold numbers, not {kind}")
        frame = data
        w = np.ones(len(data)) if weights is None else data[weights].to_numpy(dtype=np.float64)

        def sums(column: str) -> tuple[np.ndarray, np.ndarray]:
            x = frame[column].to_numpy(dtype=np.float64)
            finite = np.isfinite(x)
            return np.where(finite, x * w, 0.0), np.where(finite, w, 0.0)
    else:
        frame = weighted_cell_sums(data, engine=chosen, client=client, group=group, time=time, weights=weights,
                                   columns=columns, role="predictor")

        def sums(column: str) -> tuple[np.ndarray, np.ndarray]:
            return (frame[column].to_numpy(dtype=np.float64),
                    frame[column + WEIGHT_SUFFIX].to_numpy(dtype=np.float64))
    codes, period = _codes(frame, panel, group, time)
    if frame is not data:
        # cells in unit and period order: with one row per cell the sums are those of a frame in that order
        order = np.lexsort((period, codes))
        frame, codes, period = frame.iloc[order], codes[order], period[order]
    n_units = len(panel.unit_labels)
    values = np.empty((n_units, len(specs)))
    labels = []
    ends = []
    for j, (column, first, last) in enumerate(specs):
        lo, hi = window_codes(panel, (first, last), f"predictor {(column, first, last)!r}")
        ends.append(hi)
        weighted, weight = sums(column)
        use = (codes >= 0) & (period >= lo) & (period <= hi)
        total = np.bincount(codes[use], weights=weight[use], minlength=n_units)
        summed = np.bincount(codes[use], weights=weighted[use], minlength=n_units)
        empty = total <= 0
        if empty.any():
            names = [panel.unit_labels[g] for g in np.flatnonzero(empty)[:5]]
            raise DataError(f"predictor column {column!r} has no values from {panel.period_labels[lo]} to "
                            f"{panel.period_labels[hi]} for {int(empty.sum())} unit(s), e.g. {names}")
        values[:, j] = summed / total
        span = str(panel.period_labels[lo]) if lo == hi else f"{panel.period_labels[lo]}-{panel.period_labels[hi]}"
        labels.append(f"{column} {span}")
    if len(set(labels)) != len(labels):
        raise DataError(f"predictors repeat an entry: {labels}")
    return _Predictors(values, tuple(labels), tuple(ends))
