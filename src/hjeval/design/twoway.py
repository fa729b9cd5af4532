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
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from hjeval.errors import DataError

__all__ = ["TwoWayProjector", "weighted"]

_CHUNK_ROWS = 4_000_000


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


def _unit_period_blocks(
    unit: np.ndarray, period: np.ndarray, weight: np.ndarray | None, group_of_unit: np.ndarray,
    n_units: int, n_periods: int, n_groups: int, unit_weight: np.ndarray,
) -> np.ndarray:
    """Per-group T x T blocks M_g = sum_{i in g} w_i w_i' / W_i, built in unit chunks."""
    blocks = np.zeros((n_groups, n_periods, n_periods))
    order = np.argsort(unit, kind="stable")
    sorted_units = unit[order]
    starts = np.searchsorted(sorted_units, np.arange(n_units + 1))
    units_per_chunk = max(1, _CHUNK_ROWS // n_periods)
    for first in range(0, n_units, units_per_chunk):
        last = min(n_units, first + units_per_chunk)
        rows = order[starts[first]:starts[last]]
        local = unit[rows] - first
        dense = np.bincount(
            local * n_periods + period[rows], weights=None if weight is None else weight[rows],
            minlength=(last - first) * n_periods,
        ).reshape(last - first, n_periods)
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
    return blocks


def _integer_codes(codes: np.ndarray) -> np.ndarray:
    array = np.asarray(codes)
    return array if array.dtype in (np.int32, np.int64) else array.astype(np.int64)


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
        group_of_unit = np.full(n_units, -1, dtype=np.int64)
        group_of_unit[unit] = group
        if np.any(group_of_unit[unit] != group):
            raise DataError(
                "units are not nested in groups: some unit appears in two groups "
                "(e.g. a person who moved municipality); use the general fixed-effect solver"
            )
        unit_weight = np.bincount(unit, weights=w, minlength=n_units).astype(np.float64)
        period_weight = np.bincount(period, weights=w, minlength=n_periods).astype(np.float64)
        if np.any(unit_weight <= 0) or np.any(period_weight <= 0):
            raise DataError("every unit and period needs positive total weight")
        cell_weight = np.bincount(
            group * n_periods + period, weights=w, minlength=n_groups * n_periods
        ).astype(np.float64).reshape(n_groups, n_periods)
        blocks = _unit_period_blocks(
            unit, period, w, group_of_unit, n_units, n_periods, n_groups, unit_weight
        )
        system = np.diag(period_weight) - blocks.sum(axis=0)
        try:
            factor = scipy.linalg.cho_factor(system[1:, 1:])
        except np.linalg.LinAlgError as err:
            raise DataError(
                "the unit and period fixed effects are not connected: some periods share "
                "no unit with the rest, so effects cannot be separated"
            ) from err
        return cls(
            unit, period, group, w, n_units, n_periods, n_groups, group_of_unit, unit_weight,
            period_weight, cell_weight, blocks, factor,
        )

    def _solve_periods(self, rhs: np.ndarray) -> np.ndarray:
        """Period effects from the reduced system, the first period pinned at 0."""
        lam = np.zeros((self.n_periods, *rhs.shape[1:]))
        lam[1:] = scipy.linalg.cho_solve(self.factor, rhs[1:])
        return lam

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
        wx = weighted(col, self.weight)
        unit_mean = np.bincount(self.unit, weights=wx, minlength=self.n_units) / self.unit_weight
        b = np.bincount(self.period, weights=wx, minlength=self.n_periods)
        c = np.bincount(
            self.period, weights=weighted(unit_mean[self.unit], self.weight), minlength=self.n_periods
        )
        lam = self._solve_periods(b - c)
        lam_per_unit = np.bincount(
            self.unit, weights=weighted(lam[self.period], self.weight), minlength=self.n_units
        ) / self.unit_weight
        return unit_mean - lam_per_unit, lam

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
        out = np.empty_like(flat)
        for j in range(flat.shape[1]):
            alpha, lam = self.effects(flat[:, j])
            out[:, j] = flat[:, j] - alpha[self.unit] - lam[self.period]
        return out.reshape(values.shape)

    def solve_periods(self, rhs: np.ndarray) -> np.ndarray:
        """Solve the reduced period system for right-hand sides (T,) or (T, k)."""
        return self._solve_periods(rhs)

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
        cells = self.group * self.n_periods + self.period
        out = np.stack(
            [
                np.bincount(cells, weights=weighted(flat[:, j], self.weight),
                            minlength=self.n_groups * self.n_periods)
                for j in range(flat.shape[1])
            ],
            axis=-1,
        ).reshape(self.n_groups, self.n_periods, -1)
        return out[..., 0] if np.ndim(values) == 1 else out

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
        raw = np.einsum("gt,gtk,gtm->km", self.cell_weight, z, u)
        block = np.einsum("gtk,gts,gsm->km", z, self.blocks, u)
        b_z = np.einsum("gt,gtk->tk", self.cell_weight, z)
        c_z = np.einsum("gts,gsk->tk", self.blocks, z)
        return raw - block - b_z.T @ lam_u + c_z.T @ lam_u
