"""A two-way design held as (group, period) cell statistics instead of rows.

When every regressor is constant within (group, period) cells (the treatment
indicator, a cycle series per municipality and period), units (persons) are
nested in groups and each unit's rows weigh alike, the exact two-way fit and
its inference need only these sums, which a group-by computes without
holding a row:

* per cell: rows, weight ``W_gt``, weighted outcome sum ``Y_gt`` and the
  regressors' values;
* per group: the blocks ``M_g = sum_{i in g} w_i w_i' / W_i`` of
  :class:`hjeval.design.twoway.TwoWayProjector` (from each unit's runs of
  consecutive periods), the cover ``C_gt = sum_{i in g observed at t} c_i
  S_i / n_i`` of the unit means (``S_i`` the outcome sum of unit i, ``n_i`` its
  rows, ``c_i`` its row weight), ``sum w y^2`` and ``sum_i c_i S_i^2 / n_i``.

:mod:`hjeval.estimators.twfe_cells` fits and infers from them;
:mod:`hjeval.engines.cell_statistics` computes them with DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from hjeval.design.labels import DesignLabels
from hjeval.design.twoway import TwoWayProjector

__all__ = ["CellDesign"]


@dataclass(frozen=True)
class CellDesign(DesignLabels):
    """Cell and group statistics of a two-way design with cell-constant regressors, and its labels.

    Offers the summary of :class:`hjeval.design.panel.PanelDesign` that
    estimators and results read (labels, treated groups, start, sample
    counts, clusters, group sizes) for a design whose treated groups share
    one start.

    Attributes
    ----------
    cell_rows : numpy.ndarray of int64, shape (G, T)
        Rows of every (group, period) cell.
    cell_weight, cell_y : numpy.ndarray, shape (G, T)
        Weight sum (rows when unweighted) and weighted outcome sum of every cell.
    regressors : numpy.ndarray, shape (G, T, k)
        Each regressor's value in every cell (0 in cells without rows).
    blocks : numpy.ndarray, shape (G, T, T)
        ``M_g``.
    unit_cover : numpy.ndarray, shape (G, T)
        ``C_gt``.
    group_y2, group_unit_y2 : numpy.ndarray, shape (G,)
        ``sum w y^2`` and ``sum_i c_i S_i^2 / n_i`` over each group.
    group_units : numpy.ndarray, shape (G,)
        Fixed-effect units per group (1 when the unit is the group).
    cluster_of_group : numpy.ndarray of int64, shape (G,)
        Cluster code of every group (clusters are groups or unions of them).
    weighted : bool
        Whether row weights were given.

    Examples
    --------
    Two groups, one unit each, two periods, group 1 treated from period 1:

    >>> import numpy as np
    >>> w = np.ones((2, 2))
    >>> design = CellDesign(
    ...     cell_rows=np.ones((2, 2), dtype=np.int64), cell_weight=w, cell_y=np.array([[1.0, 2.0], [1.0, 4.0]]),
    ...     regressors=np.zeros((2, 2, 0)), regressor_names=(), blocks=np.stack([np.outer(r, r) / 2 for r in w]),
    ...     unit_cover=np.array([[1.5, 1.5], [2.5, 2.5]]), group_y2=np.array([5.0, 17.0]),
    ...     group_unit_y2=np.array([4.5, 12.5]), group_units=np.ones(2), cluster_of_group=np.arange(2),
    ...     treated_groups=np.array([1]), start=1, group_labels=("a", "b"), period_labels=(2014, 2015),
    ...     cluster_labels=("a", "b"), unit_is_group=True, weighted=False, outcome="y",
    ...     comparison="all other groups", n_rows_input=4)
    >>> design.n_obs, design.group_sizes()
    (4, (array([2., 2.]), 'rows'))
    """

    cell_rows: np.ndarray
    cell_weight: np.ndarray
    cell_y: np.ndarray
    regressors: np.ndarray
    regressor_names: tuple[str, ...]
    blocks: np.ndarray = field(repr=False)
    unit_cover: np.ndarray = field(repr=False)
    group_y2: np.ndarray
    group_unit_y2: np.ndarray
    group_units: np.ndarray
    cluster_of_group: np.ndarray
    treated_groups: np.ndarray
    start: int
    group_labels: tuple[object, ...]
    period_labels: tuple[object, ...]
    cluster_labels: tuple[object, ...]
    unit_is_group: bool
    weighted: bool
    outcome: str
    comparison: str
    n_rows_input: int
    exclusions: tuple[dict[str, object], ...] = field(default=())
    adjustments: tuple[dict[str, object], ...] = field(default=())
    units_nested_in_clusters: bool = True

    @property
    def has_cohorts(self) -> bool:
        """Whether treated groups start at different periods: never, for a cell design."""
        return False

    @property
    def n_obs(self) -> int:
        """Rows used."""
        return int(self.cell_rows.sum())

    @property
    def n_clusters(self) -> int:
        """Number of clusters."""
        return len(self.cluster_labels)

    @property
    def n_units(self) -> int:
        """Fixed-effect units."""
        return int(self.group_units.sum())

    def treated_clusters(self) -> int:
        """Clusters that contain treated groups."""
        return len(np.unique(self.cluster_of_group[self.treated_groups]))

    def fixed_effect_parameters(self) -> int:
        """Fixed-effect parameters in the small-sample K: units nested in clusters count as one (fixest)."""
        return self.n_periods

    def group_sizes(self) -> tuple[np.ndarray, Literal["persons", "weight sum", "rows"]]:
        """Each group's size for the size correction, as :meth:`hjeval.design.panel.PanelDesign.group_sizes`."""
        if self.weighted:
            return self.cell_weight.sum(axis=1), "weight sum"
        if self.unit_is_group:
            return self.cell_rows.sum(axis=1).astype(np.float64), "rows"
        return self.group_units.astype(np.float64), "persons"

    def start_label(self) -> object:
        """The first treated period as a label."""
        return self.period_labels[self.start]

    def cohort_codes(self) -> np.ndarray:
        """The start period code of the treated groups (one: a cell design has one start)."""
        return np.array([self.start], dtype=np.int64)

    def projector(self) -> TwoWayProjector:
        """The two-way projector of cell-constant columns (:meth:`TwoWayProjector.from_cells`)."""
        return TwoWayProjector.from_cells(self.cell_weight, self.blocks, n_units=self.n_units)
