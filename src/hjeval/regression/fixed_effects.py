"""Absorbing fixed effects: weighted residuals of columns on several factors.

The residual of a column ``x`` on factors ``f_1..f_F`` with weights ``w`` is
``x - D theta`` where ``D`` holds the level dummies and ``theta`` solves the
normal equations ``D'WD theta = D'Wx``. The factor with the most levels (the
person) is eliminated in closed form, which leaves the Schur complement

    S = R - C' diag(1/W_big) C,    S lam = s_rest - C' (s_big / W_big),

in the levels of the other factors (``R`` their own cross-weights, ``C`` the
big factor's cross-weights with them, ``s`` weighted sums of ``x``). ``S``
depends only on the design: it is built once per :class:`FixedEffects` (over
ranges of big-factor levels, never holding all of ``C``) and every column then
costs a few passes over the rows (products with ``C`` are a gather and a
:func:`numpy.bincount`).

* One factor: group means (exact).
* Few other levels (up to a few thousand, e.g. months): ``S`` is
  eigen-decomposed once and solved exactly; redundant directions (one per
  connected component for two factors) get zero weight.
* Many other levels (e.g. firms): preconditioned conjugate gradients on the
  sparse ``S``, stopped when no level effect would move by more than ``tol``
  times the column's scale in one Jacobi step.

Compared with alternating projections on the rows (fixest, pyfixest), this
needs no iteration in the usual person x period case and iterates on the
small level system, not on the rows, otherwise.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy.sparse.csgraph import connected_components

from hjeval.errors import DataError, HjevalWarning
from hjeval.regression._checks import as_columns, as_weights
from hjeval.regression.encoding import encode

__all__ = ["DemeanInfo", "FixedEffects", "SolverOption", "demean"]

SolverOption = Literal["auto", "direct", "cg"]
_SOLVERS: tuple[str, ...] = ("auto", "direct", "cg")

# Elements per chunk when the cross table is built in pieces (small enough for the allocator to reuse).
_CHUNK_ELEMENTS = 2_000_000
# Most other levels solved by an eigen-decomposition under solver="auto".
_DIRECT_LEVELS_MAX = 3_000
# Eigenvalues below this fraction (times the number of levels) of the largest are redundancies.
_RANK_RTOL = 1e-12


@dataclass(frozen=True)
class DemeanInfo:
    """How a demeaning went.

    Attributes
    ----------
    method : str
        ``"none"`` (no factors), ``"group-means"`` (one factor), ``"direct"``
        (exact solve) or ``"cg"`` (conjugate gradients).
    iterations : int
        Conjugate-gradient iterations (0 for the exact methods).
    converged : bool
        Whether the tolerance was met.
    max_change : float
        Largest change of a level effect one more Jacobi step would make,
        relative to the column scale (0 for the exact methods).
    fe_dof : int
        Fixed-effect parameters absorbed (levels minus redundancies).
    """

    method: str
    iterations: int
    converged: bool
    max_change: float
    fe_dof: int


@dataclass(frozen=True, eq=False)
class _LevelSystem:
    """The Schur complement in the levels of all factors but the largest."""

    big: int
    rest: tuple[int, ...]
    offsets: tuple[int, ...]
    big_weight: np.ndarray
    eigvecs: np.ndarray | None = None
    inv_eigvals: np.ndarray | None = None
    schur: sp.csr_matrix | None = None
    inv_diag: np.ndarray | None = None
    rank: int | None = None

    @property
    def n_rest(self) -> int:
        return self.offsets[-1] if self.rest else 0

    def solve(self, rhs: np.ndarray, scale: np.ndarray, tol: float, maxiter: int) -> tuple[np.ndarray, str, int, float]:
        """Level effects ``lam`` with ``S lam = rhs``; the method, iterations and remaining change."""
        if self.eigvecs is not None and self.inv_eigvals is not None:
            return self.eigvecs @ (self.inv_eigvals[:, None] * (self.eigvecs.T @ rhs)), "direct", 0, 0.0
        if self.schur is None or self.inv_diag is None:
            raise RuntimeError("level system has neither a decomposition nor a sparse matrix")
        effects, iterations, change = _conjugate_gradients(self.schur, self.inv_diag, rhs, scale, tol, maxiter)
        return effects, "cg", iterations, change


@dataclass(frozen=True, eq=False)
class FixedEffects:
    """Fixed-effect factors and weights, prepared to demean any number of columns.

    Build it once with :meth:`build` and call :meth:`demean` for every column
    set that shares the design (outcome, regressors, placebo treatments).

    Attributes
    ----------
    codes : tuple of numpy.ndarray
        ``int64`` codes ``0..n_levels-1`` per factor.
    n_levels : tuple of int
        Levels per factor.
    weights : numpy.ndarray or None
        Row weights (None: all 1).
    fe_dof : int
        Absorbed parameters: the sum of levels minus redundancies. Exact for
        one or two factors (two factors: minus the connected components of
        the bipartite level graph) and for more factors solved directly;
        otherwise fixest's count (see :attr:`fe_dof_exact`).
    fe_dof_exact : bool
        Whether :attr:`fe_dof` is exact.

    Examples
    --------
    >>> person = np.array([0, 0, 1, 1, 2]); month = np.array([0, 1, 0, 1, 1])
    >>> fe = FixedEffects.build([person, month])
    >>> x_tilde, info = fe.demean(np.array([1.0, 2.0, 3.0, 5.0, 7.0]))
    >>> np.round(x_tilde, 6).tolist(), info.fe_dof
    ([0.25, -0.25, -0.25, 0.25, 0.0], 4)
    """

    codes: tuple[np.ndarray, ...]
    n_levels: tuple[int, ...]
    weights: np.ndarray | None
    fe_dof: int
    fe_dof_exact: bool
    tol: float
    maxiter: int
    _system: _LevelSystem | None = field(repr=False)

    @property
    def n_obs(self) -> int:
        """Number of rows."""
        return len(self.codes[0]) if self.codes else 0

    @property
    def n_factors(self) -> int:
        """Number of factors."""
        return len(self.codes)

    @property
    def fe_dof_fixest(self) -> int:
        """fixest's and pyfixest's count: the sum of levels minus one per factor after the first."""
        total = sum(self.n_levels)
        return total - (self.n_factors - 1) if self.n_factors > 1 else total

    @classmethod
    def build(
        cls,
        factors: Sequence[ArrayLike],
        weights: ArrayLike | None = None,
        *,
        tol: float = 1e-12,
        maxiter: int = 10_000,
        solver: SolverOption = "auto",
    ) -> FixedEffects:
        """Encode the factors and prepare the level system.

        Parameters
        ----------
        factors : sequence of array_like
            One label or code array per factor, all of the same length.
            Integer codes ``0..L-1`` with every level present are used as
            they are; anything else goes through :func:`encode`.
        weights : array_like, optional
            Positive row weights.
        tol : float, default 1e-12
            Iterative solver: stop when no level effect would change by more
            than ``tol`` times the column's largest absolute value.
        maxiter : int, default 10_000
            Iterative solver: iteration limit.
        solver : {"auto", "direct", "cg"}
            ``"auto"`` solves directly when the factors other than the
            largest have at most a few thousand levels together.

        Returns
        -------
        FixedEffects

        Raises
        ------
        DataError
            If the factors differ in length, hold missing labels, or the
            weights are not positive.
        """
        if solver not in _SOLVERS:
            raise DataError(f"solver must be one of {_SOLVERS}, got {solver!r}")
        encoded = [_as_codes(f, name=f"fixed effect {j}") for j, f in enumerate(factors)]
        n_obs = len(encoded[0][0]) if encoded else 0
        for j, (factor_codes, _) in enumerate(encoded):
            if len(factor_codes) != n_obs:
                raise DataError(f"fixed effect {j}: has {len(factor_codes)} rows, expected {n_obs}")
        codes = tuple(c for c, _ in encoded)
        n_levels = tuple(n for _, n in encoded)
        w = as_weights(weights, n_obs) if encoded else None
        if not codes:
            return cls((), (), w, 0, True, tol, maxiter, None)
        system = _build_system(codes, n_levels, w, solver)
        fe_dof, exact = _count_parameters(codes, n_levels, system)
        return cls(codes, n_levels, w, fe_dof, exact, tol, maxiter, system)

    def demean(self, X: ArrayLike) -> tuple[np.ndarray, DemeanInfo]:
        """Weighted residuals of the columns of ``X`` on the factors.

        Parameters
        ----------
        X : array_like, shape (n,) or (n, k)
            Finite values; not modified.

        Returns
        -------
        (X_tilde, info) : tuple of numpy.ndarray and DemeanInfo
            ``X_tilde`` has the shape of ``X`` (column-major when 2-d).

        Warns
        -----
        HjevalWarning
            If the iterative solver stops before reaching ``tol``.
        """
        x, was_vector = as_columns(X, name="X")
        if len(x) != self.n_obs and self.codes:
            raise DataError(f"X: has {len(x)} rows, expected {self.n_obs} like the fixed effects")
        out, info = self._demean_columns(x)
        if not info.converged:
            warnings.warn(
                f"demeaning stopped after {info.iterations} iterations with a relative change of "
                f"{info.max_change:.2e} > tol={self.tol:.0e}; residuals are inexact. Raise maxiter or tol.",
                HjevalWarning,
                stacklevel=2,
            )
        return (out[:, 0] if was_vector else out), info

    def nested_in(self, cluster: np.ndarray) -> tuple[bool, ...]:
        """For each factor, whether every level lies within one cluster.

        Examples
        --------
        >>> fe = FixedEffects.build([np.array([0, 0, 1, 2]), np.array([0, 1, 0, 1])])
        >>> fe.nested_in(np.array([5, 5, 6, 6]))
        (True, False)
        """
        cluster = np.asarray(cluster)
        nested = []
        for codes, n_levels in zip(self.codes, self.n_levels, strict=True):
            owner = np.empty(n_levels, dtype=cluster.dtype)
            owner[codes] = cluster
            nested.append(bool(np.array_equal(owner[codes], cluster)))
        return tuple(nested)

    def subset(self, factors: Sequence[int]) -> FixedEffects:
        """The same design restricted to some of the factors (by position)."""
        return FixedEffects.build(
            [self.codes[j] for j in factors], self.weights, tol=self.tol, maxiter=self.maxiter
        )

    def _demean_columns(self, x: np.ndarray) -> tuple[np.ndarray, DemeanInfo]:
        n, k = x.shape
        system = self._system
        if system is None:
            return np.array(x, order="F"), DemeanInfo("none", 0, True, 0.0, 0)
        big_codes = self.codes[system.big]
        big_sums = np.empty((self.n_levels[system.big], k))
        rest_sums = np.empty((system.n_rest, k))
        for j in range(k):
            weighted = x[:, j] if self.weights is None else x[:, j] * self.weights
            big_sums[:, j] = np.bincount(big_codes, weighted, self.n_levels[system.big])
            for f, start in zip(system.rest, system.offsets[:-1], strict=True):
                rest_sums[start:start + self.n_levels[f], j] = np.bincount(self.codes[f], weighted, self.n_levels[f])
        method, iterations, change, converged = "group-means", 0, 0.0, True
        effects = np.zeros((0, k))
        if system.rest:
            rhs = rest_sums - self._cross_transpose_times(system, big_sums / system.big_weight[:, None])
            scale = np.maximum(np.max(np.abs(x), axis=0), np.finfo(float).tiny)
            effects, method, iterations, change = system.solve(rhs, scale, self.tol, self.maxiter)
            converged = change <= self.tol
            big_effects = (big_sums - self._cross_times(system, effects)) / system.big_weight[:, None]
        else:
            big_effects = big_sums / system.big_weight[:, None]
        out = np.empty((n, k), order="F")
        for j in range(k):
            np.subtract(x[:, j], big_effects[:, j].take(big_codes), out=out[:, j])
            for f, start in zip(system.rest, system.offsets[:-1], strict=True):
                out[:, j] -= effects[start:start + self.n_levels[f], j].take(self.codes[f])
        return out, DemeanInfo(method, iterations, converged, change, self.fe_dof)


    def _cross_transpose_times(self, system: _LevelSystem, per_big: np.ndarray) -> np.ndarray:
        """``C' v`` for v per big level (n_big, k), in one pass over the rows per column."""
        out = np.empty((system.n_rest, per_big.shape[1]))
        for j in range(per_big.shape[1]):
            on_rows = per_big[:, j].take(self.codes[system.big])
            if self.weights is not None:
                on_rows *= self.weights
            for f, start in zip(system.rest, system.offsets[:-1], strict=True):
                out[start:start + self.n_levels[f], j] = np.bincount(self.codes[f], on_rows, self.n_levels[f])
        return out

    def _cross_times(self, system: _LevelSystem, effects: np.ndarray) -> np.ndarray:
        """``C lam`` for lam per other level (m, k), in one pass over the rows per column."""
        n_big = self.n_levels[system.big]
        out = np.empty((n_big, effects.shape[1]))
        for j in range(effects.shape[1]):
            on_rows = None
            for f, start in zip(system.rest, system.offsets[:-1], strict=True):
                gathered = effects[start:start + self.n_levels[f], j].take(self.codes[f])
                on_rows = gathered if on_rows is None else np.add(on_rows, gathered, out=on_rows)
            if self.weights is not None:
                on_rows *= self.weights
            out[:, j] = np.bincount(self.codes[system.big], on_rows, n_big)
        return out


def demean(
    X: ArrayLike,
    fixed_effects: Sequence[ArrayLike],
    weights: ArrayLike | None = None,
    *,
    tol: float = 1e-12,
    maxiter: int = 10_000,
) -> tuple[np.ndarray, DemeanInfo]:
    """Weighted residuals of ``X`` on any number of fixed-effect factors.

    A shortcut for ``FixedEffects.build(fixed_effects, weights).demean(X)``;
    build :class:`FixedEffects` yourself to demean several column sets on
    one design.

    Parameters
    ----------
    X : array_like, shape (n,) or (n, k)
        Columns to demean; not modified.
    fixed_effects : sequence of array_like
        One label or code array per factor.
    weights : array_like, optional
        Positive row weights.
    tol, maxiter : float, int
        Used by the iterative solver only (see :meth:`FixedEffects.build`).

    Returns
    -------
    (X_tilde, info) : tuple of numpy.ndarray and DemeanInfo
        ``info.fe_dof`` is the number of absorbed parameters.

    Examples
    --------
    >>> x = np.array([1.0, 3.0, 10.0, 14.0])
    >>> x_tilde, info = demean(x, [np.array([0, 0, 1, 1])])
    >>> x_tilde.tolist(), info.fe_dof
    ([-1.0, 1.0, -2.0, 2.0], 2)
    """
    return FixedEffects.build(fixed_effects, weights, tol=tol, maxiter=maxiter).demean(X)


def _as_codes(values: ArrayLike, *, name: str) -> tuple[np.ndarray, int]:
    array = np.asarray(values)
    if array.ndim == 1 and np.issubdtype(array.dtype, np.integer) and array.size:
        n_levels = int(array.max()) + 1
        if array.min() >= 0 and n_levels <= len(array) and np.bincount(array, minlength=n_levels).all():
            return np.array(array, dtype=np.int64), n_levels
    return encode(array, name=name)


def _level_weights(codes: np.ndarray, n_levels: int, w: np.ndarray | None) -> np.ndarray:
    return np.bincount(codes, w, n_levels).astype(np.float64, copy=False)


def _build_system(
    codes: tuple[np.ndarray, ...], n_levels: tuple[int, ...], w: np.ndarray | None, solver: str
) -> _LevelSystem:
    order = sorted(range(len(codes)), key=lambda j: -n_levels[j])
    big, rest = order[0], tuple(order[1:])
    big_weight = _level_weights(codes[big], n_levels[big], w)
    offsets = tuple(np.concatenate([[0], np.cumsum([n_levels[f] for f in rest])]).astype(int).tolist())
    if not rest:
        return _LevelSystem(big, rest, offsets, big_weight)
    m = offsets[-1]
    rest_codes = [codes[f] + start for f, start in zip(rest, offsets[:-1], strict=True)]
    direct = solver == "direct" or (solver == "auto" and m <= _DIRECT_LEVELS_MAX)
    rest_gram = _rest_gram(rest_codes, m, w, dense=direct)
    if direct:
        schur = rest_gram - _projected_in_chunks(codes[big], n_levels[big], big_weight, rest_codes, m, w)
    else:
        sparse_cross = _sparse_cross(codes[big], n_levels[big], rest_codes, m, w)
        projected = sparse_cross.T @ sp.diags(1.0 / big_weight) @ sparse_cross
        schur = (rest_gram - projected).tocsr()
        diag = schur.diagonal()
        inv_diag = np.where(diag > 0, 1.0 / np.where(diag > 0, diag, 1.0), 0.0)
        rank = m - _components(schur) if len(rest) == 1 else None
        return _LevelSystem(big, rest, offsets, big_weight, schur=schur, inv_diag=inv_diag, rank=rank)
    eigvals, eigvecs = scipy.linalg.eigh((schur + schur.T) / 2)
    n_null = _null_dimension(eigvals, schur, len(rest))
    inv = np.zeros_like(eigvals)
    inv[n_null:] = 1.0 / eigvals[n_null:]
    return _LevelSystem(big, rest, offsets, big_weight, eigvecs, inv, rank=m - n_null)


def _dense_cross(
    big_codes: np.ndarray, first: int, n_big: int, rest_codes: list[np.ndarray], m: int, w: np.ndarray | None
) -> np.ndarray:
    """Weights of each (big level, other level) pair for big levels ``first..first+n_big-1``."""
    base = (big_codes - first) * m if first else big_codes * m
    flat = np.bincount(base + rest_codes[0], w, n_big * m)
    for codes in rest_codes[1:]:
        flat += np.bincount(base + codes, w, n_big * m)
    return flat.reshape(n_big, m).astype(np.float64, copy=False)


def _projected_in_chunks(
    big_codes: np.ndarray, n_big: int, big_weight: np.ndarray, rest_codes: list[np.ndarray], m: int,
    w: np.ndarray | None,
) -> np.ndarray:
    """``C' diag(1/W_big) C`` built over ranges of big levels, never holding all of ``C``."""
    if np.all(big_codes[1:] >= big_codes[:-1]):
        order = None
        sorted_codes = big_codes
    else:
        order = np.argsort(big_codes, kind="stable")
        sorted_codes = big_codes[order]
    step = max(1, _CHUNK_ELEMENTS // m)
    bounds = np.searchsorted(sorted_codes, np.append(np.arange(0, n_big, step), n_big))
    projected = np.zeros((m, m))
    for first, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        rows = slice(lo, hi) if order is None else order[lo:hi]
        start = first * step
        count = min(step, n_big - start)
        chunk = _dense_cross(
            big_codes[rows], start, count, [c[rows] for c in rest_codes], m, None if w is None else w[rows]
        )
        chunk /= np.sqrt(big_weight[start:start + count, None])
        projected += chunk.T @ chunk  # recognised as a symmetric rank-k update
    return projected


def _sparse_cross(
    big_codes: np.ndarray, n_big: int, rest_codes: list[np.ndarray], m: int, w: np.ndarray | None
) -> sp.csr_matrix:
    data = np.ones(len(big_codes)) if w is None else w
    table = sp.csr_matrix((data, (big_codes, rest_codes[0])), shape=(n_big, m))
    for codes in rest_codes[1:]:
        table = table + sp.csr_matrix((data, (big_codes, codes)), shape=(n_big, m))
    table.sum_duplicates()
    return table


def _rest_gram(
    rest_codes: list[np.ndarray], m: int, w: np.ndarray | None, *, dense: bool
) -> np.ndarray | sp.csr_matrix:
    """``R``: level weights on the diagonal, cross-weights between the other factors off it."""
    diag = np.sum([_level_weights(c, m, w) for c in rest_codes], axis=0)
    gram = np.diag(diag) if dense else sp.diags(diag).tocsr()
    for i in range(len(rest_codes)):
        for j in range(i + 1, len(rest_codes)):
            if dense:
                block = np.bincount(rest_codes[i] * m + rest_codes[j], w, m * m).reshape(m, m)
            else:
                data = np.ones(len(rest_codes[i])) if w is None else w
                block = sp.csr_matrix((data, (rest_codes[i], rest_codes[j])), shape=(m, m))
            gram = gram + block + block.T
    return gram


def _null_dimension(eigvals: np.ndarray, schur: np.ndarray, n_rest_factors: int) -> int:
    if n_rest_factors == 1:
        return _components(sp.csr_matrix(schur))
    threshold = max(float(eigvals[-1]), 0.0) * len(eigvals) * _RANK_RTOL
    return int(np.sum(eigvals <= threshold))


def _components(schur: sp.csr_matrix) -> int:
    """Connected components of the levels linked through shared big-factor levels."""
    pattern = sp.csr_matrix(schur, copy=True)
    pattern.data = np.ones_like(pattern.data)
    return int(connected_components(pattern, directed=False)[0])


def _count_parameters(
    codes: tuple[np.ndarray, ...], n_levels: tuple[int, ...], system: _LevelSystem
) -> tuple[int, bool]:
    big_levels = n_levels[system.big]
    if not system.rest:
        return big_levels, True
    if system.rank is not None:
        return big_levels + system.rank, True
    return sum(n_levels) - (len(codes) - 1), False


def _conjugate_gradients(
    schur: sp.csr_matrix, inv_diag: np.ndarray, rhs: np.ndarray, scale: np.ndarray, tol: float, maxiter: int
) -> tuple[np.ndarray, int, float]:
    """Jacobi-preconditioned CG on each column; returns effects, iterations, max relative change."""
    effects = np.zeros_like(rhs)
    resid = rhs.copy()
    precond = resid * inv_diag[:, None]
    direction = precond.copy()
    rz = np.sum(resid * precond, axis=0)

    def relative_change(r: np.ndarray) -> np.ndarray:
        return np.max(np.abs(r) * inv_diag[:, None], axis=0) / scale

    change = relative_change(resid)
    iterations = 0
    while iterations < maxiter:
        active = change > tol
        if not active.any():
            true_change = relative_change(rhs - schur @ effects)
            if (true_change <= tol).all():
                change = true_change
                break
            resid = rhs - schur @ effects  # floating-point drift: restart from the true residual
            precond = resid * inv_diag[:, None]
            direction, rz, change = precond.copy(), np.sum(resid * precond, axis=0), true_change
            continue
        p = direction[:, active]
        q = schur @ p
        curvature = np.sum(p * q, axis=0)
        step = np.divide(rz[active], curvature, out=np.zeros_like(curvature), where=curvature > 0)
        effects[:, active] += step * p
        resid[:, active] -= step * q
        z = resid[:, active] * inv_diag[:, None]
        rz_new = np.sum(resid[:, active] * z, axis=0)
        beta = np.divide(rz_new, rz[active], out=np.zeros_like(rz_new), where=rz[active] > 0)
        direction[:, active] = z + beta * p
        rz[active] = rz_new
        change = relative_change(resid)
        iterations += 1
    return effects, iterations, float(change.max()) if change.size else 0.0
