"""Least squares on the unit simplex: an exact active-set solver and synthdid's regularised Frank-Wolfe.

Synthetic-control weights are non-negative and sum to one. Two solvers are
offered:

- :func:`simplex_least_squares` minimises ``||A w - b||^2`` over the simplex
  exactly (to rounding): a primal active-set method in the manner of Lawson
  and Hanson's NNLS, with the sum-to-one constraint kept on every face. Each
  step solves an equality-constrained least-squares problem on the current
  support by a QR-based solve of the affinely reduced system, so the
  conditioning is that of ``A``, not of ``A'A``.
- :func:`frank_wolfe` runs the regularised, early-stopped Frank-Wolfe iteration
  of Arkhangelsky et al. (2021) for ``||A w - b||^2 / n + zeta^2 ||w||^2``
  (``n`` rows), with exact line search, a stopping rule on the decrease of the
  objective and an iteration cap: the estimator is the iterate where it stops,
  not the minimiser. Many problems of the same shape are advanced together
  (one placebo re-fit per row of a batch), so the cost per iteration is that
  of a dozen array operations whatever the number of re-fits; a problem
  leaves the batch once it has stopped, and each problem's Gram matrix and
  vertex table are computed once however often it is run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["FrankWolfeProblems", "SimplexSolution", "frank_wolfe", "simplex_least_squares", "sparsify"]


@dataclass(frozen=True)
class SimplexSolution:
    """The minimiser of ``||A w - b||^2`` over the unit simplex.

    Attributes
    ----------
    weights : numpy.ndarray, shape (n,)
        Non-negative, summing to one.
    support : numpy.ndarray of intp
        Indices of the positive weights.
    objective : float
        ``||A w - b||^2`` at ``weights``.
    iterations : int
        Active-set changes made.
    """

    weights: np.ndarray
    support: np.ndarray
    objective: float
    iterations: int


def _face_solution(a: np.ndarray, b: np.ndarray, face: list[int], reference: int) -> np.ndarray:
    """``argmin ||A_F z - b||`` subject to ``sum(z) = 1`` on the face ``F``.

    The constraint is removed by writing ``z_r = 1 - sum(others)``:
    ``A_F z - b = (a_r - b) + (A_others - a_r) y``, solved by least squares
    (minimum norm where the face's columns are affinely dependent).
    """
    if len(face) == 1:
        return np.ones(1)
    position = face.index(reference)
    others = [j for j in face if j != reference]
    base = a[:, reference]
    y = np.linalg.lstsq(a[:, others] - base[:, None], b - base, rcond=None)[0]
    z = np.empty(len(face))
    z[np.arange(len(face)) != position] = y
    z[position] = 1.0 - y.sum()
    return z


def _optimise_on_face(a: np.ndarray, b: np.ndarray, w: np.ndarray, face: list[int]) -> tuple[list[int], int]:
    """From feasible ``w`` (positive on ``face``), move to the minimiser over the face, dropping weights that reach 0.

    Changes ``w`` in place; returns the final face and the steps taken.
    """
    steps = 0
    while True:
        z = _face_solution(a, b, face, max(face, key=lambda j: w[j]))
        if np.all(z > 0):
            w[:] = 0.0
            w[face] = z
            return face, steps
        # move towards z as far as the simplex allows; the weights that reach zero leave the face
        current = w[face]
        falling = np.flatnonzero(z <= 0)
        ratios = current[falling] / (current[falling] - z[falling])
        step = float(np.min(ratios))
        moved = current + step * (z - current)
        leaving = np.zeros(len(face), dtype=bool)
        leaving[falling[ratios <= step]] = True
        leaving |= moved <= 0
        face = [j for j, out in zip(face, leaving, strict=True) if not out]
        w[:] = 0.0
        w[face] = moved[~leaving] / moved[~leaving].sum()
        steps += 1


def simplex_least_squares(a: np.ndarray, b: np.ndarray, *, start: np.ndarray | None = None,
                          tol: float = 1e-12, max_iter: int | None = None) -> SimplexSolution:
    """Minimise ``||A w - b||^2`` subject to ``w >= 0`` and ``sum(w) = 1``, exactly.

    Parameters
    ----------
    a : numpy.ndarray, shape (m, n)
        One column per candidate (a donor unit), one row per fitted value.
    b : numpy.ndarray, shape (m,)
        The target (the treated unit).
    start : numpy.ndarray, shape (n,), optional
        Weights to start from (e.g. the solution of a slightly different
        problem); default: the single best column.
    tol : float, default 1e-12
        Optimality tolerance on the reduced gradient, relative to the scale
        of ``A'A`` and ``A'b``.
    max_iter : int, optional
        Cap on active-set changes (default ``10 * n + 50``); the method
        normally needs about twice the size of the support.

    Returns
    -------
    SimplexSolution

    Notes
    -----
    A primal active-set method. On the current face ``F`` (the positive
    weights) it minimises over the affine hull of ``F``; when the minimiser
    leaves the simplex it moves as far as feasible and drops the weights that
    reach zero; when it lies inside, it checks the Karush-Kuhn-Tucker
    conditions ``g_i >= nu`` (``g = A'(Aw - b)``, ``nu`` the gradient's common
    value on ``F``) and adds the most violating column. Every step lowers the
    objective, so the method ends at the exact minimiser (within rounding)
    after finitely many steps.

    Examples
    --------
    >>> a = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 2.0]])
    >>> sol = simplex_least_squares(a, np.array([0.5, 0.5]))
    >>> sol.weights.round(12).tolist(), round(sol.objective, 12)
    ([0.5, 0.5, 0.0], 0.0)
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = a.shape[1]
    if n == 0:
        raise ValueError("no columns to weight")
    limit = 10 * n + 50 if max_iter is None else max_iter
    scale = max(float(np.max(np.abs(a))) if a.size else 0.0, float(np.max(np.abs(b))) if b.size else 0.0, 1e-300)
    threshold = tol * scale * scale * max(a.shape[0], 1)
    w = np.zeros(n)
    iterations = 0
    if start is not None and np.sum(np.clip(start, 0.0, None)) > 0:
        w[:] = np.clip(start, 0.0, None) / np.sum(np.clip(start, 0.0, None))
        face, iterations = _optimise_on_face(a, b, w, [int(j) for j in np.flatnonzero(w > 0)])
    else:
        j = int(np.argmin(np.sum((a - b[:, None]) ** 2, axis=0)))
        face = [j]
        w[j] = 1.0
    refused = -1
    while iterations < limit:
        gradient = a.T @ (a @ w - b)
        nu = float(w @ gradient)
        candidates = gradient.copy()
        candidates[face] = np.inf
        entering = int(np.argmin(candidates))
        if not np.isfinite(candidates[entering]) or candidates[entering] >= nu - threshold or entering == refused:
            break
        face, steps = _optimise_on_face(a, b, w, sorted([*face, entering]))
        iterations += steps + 1
        # a column that entered and left at once signals a rounding artefact: do not try it again next
        refused = entering if entering not in face else -1
    residual = a @ w - b
    support = np.flatnonzero(w > 0)
    return SimplexSolution(w, support, float(residual @ residual), iterations)


def sparsify(weights: np.ndarray) -> np.ndarray:
    """synthdid's sparsification: weights at most a quarter of the largest set to zero, the rest rescaled.

    Works row by row on a 2-D array.

    Examples
    --------
    >>> sparsify(np.array([0.5, 0.1, 0.4])).round(4).tolist()
    [0.5556, 0.0, 0.4444]
    """
    w = np.array(weights, dtype=np.float64)
    w[w <= np.max(w, axis=-1, keepdims=True) / 4] = 0.0
    return w / w.sum(axis=-1, keepdims=True)


_UNUSABLE = 1e300
"""Gradient given to padded columns: never the smallest, and harmless when multiplied by a zero weight."""


@dataclass(frozen=True)
class FrankWolfeProblems:
    """A batch of regularised simplex least-squares problems of one shape.

    Problem ``k`` is ``min ||A_k w - b_k||^2 / n_k + zeta_k^2 ||w||^2`` over
    the simplex, for ``A_k`` with ``n_k`` rows and ``c`` columns, held through
    ``Q_k = A_k' A_k + n_k zeta_k^2 I``, ``h_k = A_k' b_k`` and ``b_k' b_k``.
    Columns marked unusable in ``usable`` (padding, so that problems with
    fewer candidates share the batch) are never chosen.

    Attributes
    ----------
    gram : numpy.ndarray, shape (K, c, c)
        ``A_k' A_k`` (without the ridge).
    cross : numpy.ndarray, shape (K, c)
        ``A_k' b_k``.
    target : numpy.ndarray, shape (K,)
        ``b_k' b_k``.
    rows : numpy.ndarray, shape (K,)
        ``n_k``.
    zeta : numpy.ndarray, shape (K,)
    usable : numpy.ndarray of bool, shape (K, c)
    """

    gram: np.ndarray
    cross: np.ndarray
    target: np.ndarray
    rows: np.ndarray
    zeta: np.ndarray
    usable: np.ndarray

    @classmethod
    def from_matrices(cls, a: np.ndarray, b: np.ndarray, zeta: np.ndarray, usable: np.ndarray | None = None,
                      rows: np.ndarray | None = None) -> FrankWolfeProblems:
        """From ``A`` (K, n, c) and ``b`` (K, n); padded rows and columns must be zero.

        ``rows`` gives each problem's ``n_k`` where some are padded (default: ``n``).
        """
        at = np.swapaxes(a, 1, 2)
        gram = np.matmul(at, a)
        cross = np.matmul(at, b[:, :, None])[:, :, 0]
        target = np.vecdot(b, b)
        ok = np.ones(cross.shape, dtype=bool) if usable is None else usable
        n = np.full(len(b), a.shape[1], dtype=np.float64) if rows is None else np.asarray(rows, dtype=np.float64)
        return cls(gram, cross, target, n, np.asarray(zeta, dtype=np.float64), ok)

    @functools.cached_property
    def vertex_table(self) -> np.ndarray:
        """Row ``k c + i``: ``[Q_k e_i - h_k, e_i]``, the gradient and weights at vertex ``i`` of problem ``k``.

        Built once and kept, so that every run of :func:`frank_wolfe` on these
        problems (synthdid's two phases) takes its vertices from it.
        """
        k, c = self.cross.shape
        table = np.zeros((k, c, 2 * c))
        vertices = table[:, :, :c]
        vertices[...] = self.gram
        vertices[:, np.arange(c), np.arange(c)] += (self.rows * self.zeta**2)[:, None]
        vertices -= np.where(self.usable, self.cross, 0.0)[:, None, :]
        vertices[np.broadcast_to(~self.usable[:, None, :], (k, c, c))] = _UNUSABLE
        table[:, np.arange(c), c + np.arange(c)] = 1.0
        return table.reshape(k * c, 2 * c)


_CHECK_EVERY = 16
"""Iterations advanced between two looks at the stopping rule; each problem's stop is then found exactly."""


def _start_state(problems: FrankWolfeProblems, x: np.ndarray) -> np.ndarray:
    """The iteration's state at ``x``: row ``k`` is ``[Q_k x_k - h_k, x_k]``."""
    c = problems.cross.shape[1]
    state = np.empty((len(x), 2 * c))
    gradient = state[:, :c]
    np.matmul(problems.gram, x[:, :, None], out=gradient[:, :, None])
    gradient += (problems.rows * problems.zeta**2)[:, None] * x
    gradient -= problems.cross
    gradient[~problems.usable] = _UNUSABLE
    state[:, c:] = x
    return state


class _Batch:
    """The problems still iterating: one row of state each, and what a block of ``m`` iterations records.

    Per iteration and row it records the table row taken, ``g'd``, ``d'Qd``
    and ``-s``; a new batch is made when problems leave it.
    """

    def __init__(self, state: np.ndarray, rows: np.ndarray, threshold: np.ndarray, m: int) -> None:
        size, width = state.shape
        c = width // 2
        self.state, self.rows, self.m = state, rows, m
        self.offsets = rows * c
        self.threshold = threshold[rows]
        self.taken = np.empty((m, size), dtype=np.intp)
        self.g_d, self.curvature, self.step = np.empty((m, size)), np.empty((m, size)), np.empty((m, size))
        self._fell, self._work, self._low = np.empty((m, size)), np.empty((m, size)), np.empty((m, size), dtype=bool)
        self._per_iteration = list(zip(self.taken, self.g_d, self.curvature, self.step, self.step[:, :, None],
                                       strict=True))
        self._vertex = np.empty(size, dtype=np.intp)
        self._move = np.empty_like(state)

    def advance(self, table: np.ndarray) -> None:
        """Run ``m`` iterations on every row (in place), recording each step."""
        state, move, vertex, offsets = self.state, self._move, self._vertex, self.offsets
        c = state.shape[1] // 2
        gradient, along, direction = state[:, :c], move[:, :c], move[:, c:]
        # bound methods and positional outputs: the batch is small, so the cost is in the calls
        add, divide, fmin, fmax, vecdot = np.add, np.divide, np.fmin, np.fmax, np.vecdot
        smallest, vertex_rows, to_move, scale, step_on = (gradient.argmin, table.take, move.__isub__,
                                                          move.__imul__, state.__isub__)
        for row, gd, dqd, s, s_column in self._per_iteration:
            smallest(1, vertex)
            add(vertex, offsets, row)
            vertex_rows(row, 0, move, "wrap")
            to_move(state)  # move = [Q d, d] for d = e_i - x
            vecdot(gradient, direction, out=gd)
            vecdot(along, direction, out=dqd)
            # -s, clipped to [-1, 0]; at a vertex d = 0, and 0/0 gives a step of 0
            divide(gd, dqd, s)
            fmin(s, 0.0, out=s)
            fmax(s, -1.0, out=s)
            scale(s_column)
            step_on(move)

    def low(self) -> np.ndarray:
        """Per iteration of the block and row, whether the objective fell by no more than ``min_decrease^2``.

        It fell by ``(2 s (-g'd) - s^2 d'Qd) / n_k``: the numerator is
        compared with ``n_k min_decrease^2``.
        """
        fell, work = self._fell, self._work
        np.add(self.g_d, self.g_d, out=fell)
        np.multiply(self.step, self.curvature, out=work)
        fell -= work
        fell *= self.step  # -s (2 g'd + s d'Qd), with -s recorded
        return np.less_equal(fell, self.threshold, out=self._low)


def _replay(x: np.ndarray, vertices: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The weights after the recorded steps ``x -= (-s) (e_i - x)``, with the batch's arithmetic."""
    x = x.copy()
    for i, s in zip(vertices, steps, strict=True):
        d = np.zeros(len(x))
        d[i] = 1.0
        d -= x
        d *= s
        x -= d
    return x


def frank_wolfe(problems: FrankWolfeProblems, start: np.ndarray, *, min_decrease: np.ndarray,
                max_iter: int) -> tuple[np.ndarray, np.ndarray]:
    """Frank-Wolfe with exact line search, stopped as synthdid stops it, on every problem of a batch.

    Each iteration moves towards the vertex with the smallest gradient by the
    step that minimises the objective along that direction (clipped to
    ``[0, 1]``). A problem stops after the iteration at which its objective
    fell by no more than ``min_decrease^2`` (checked from the second
    iteration on), or after ``max_iter`` iterations. Problems are independent:
    each row of the result is what the iteration gives for that problem alone.

    Parameters
    ----------
    problems : FrankWolfeProblems
    start : numpy.ndarray, shape (K, c)
        Starting weights (zero on unusable columns).
    min_decrease : numpy.ndarray, shape (K,)
    max_iter : int

    Returns
    -------
    (weights, iterations) : tuple of numpy.ndarray
        Weights (K, c) and the iterations each problem ran.

    Notes
    -----
    The iterates are those of Arkhangelsky et al.'s algorithm (synthdid's
    ``sc.weight.fw``). The half-gradient ``g = Q x - h`` and the weights
    move together along the step, as one row ``[g, x]`` per problem: towards
    vertex ``i`` the row moves to ``(1 - s) [g, x] + s [Q e_i - h, e_i]``, and
    the difference ``[Q d, d]`` (``d = e_i - x``) gives the line search,
    ``s = -g'd / d'Qd``, and the decrease of the objective,
    ``(2 s (-g'd) - s^2 d'Qd) / n_k``. One iteration is a dozen operations on
    the ``(K, 2c)`` batch, whatever the number of problems. The stopping rule
    is looked at every 16 iterations: a problem found to have stopped within
    them gets its weights back as they were at its stopping iteration (the
    steps it took are replayed from the weights at the start of the 16) and
    leaves the batch, so that the batch shrinks as problems stop and its
    result is the same as checking after every iteration.

    Examples
    --------
    >>> a = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> problems = FrankWolfeProblems.from_matrices(a, np.array([[0.3, 0.7]]), np.array([0.0]))
    >>> w, it = frank_wolfe(problems, np.array([[0.5, 0.5]]), min_decrease=np.array([1e-8]), max_iter=100)
    >>> w.round(6).tolist()
    [[0.3, 0.7]]
    """
    k, c = problems.cross.shape
    x = np.array(start, dtype=np.float64)
    x[~problems.usable] = 0.0
    if k == 0 or max_iter < 1:
        return x, np.zeros(k, dtype=np.int64)
    state, table = _start_state(problems, x), problems.vertex_table
    threshold = problems.rows * np.asarray(min_decrease, dtype=np.float64) ** 2
    weights = np.empty((k, c))
    iterations = np.full(k, max_iter, dtype=np.int64)
    batch = _Batch(state, np.arange(k), threshold, min(_CHECK_EVERY, max_iter))
    done = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        while done < max_iter:
            m = min(_CHECK_EVERY, max_iter - done)
            if m != batch.m:
                batch = _Batch(batch.state, batch.rows, threshold, m)
            before = batch.state[:, c:].copy()
            batch.advance(table)
            low = batch.low()
            if done == 0:
                low[0] = False  # the rule applies from the second iteration on
            done += m
            if not low.any():
                continue
            first = np.argmax(low, axis=0)
            stopped = np.flatnonzero(low[first, np.arange(len(batch.rows))])
            for r in stopped:
                j, problem = first[r], batch.rows[r]
                weights[problem] = _replay(before[r], batch.taken[: j + 1, r] - batch.offsets[r],
                                           batch.step[: j + 1, r])
                iterations[problem] = done - m + j + 1
            alive = np.ones(len(batch.rows), dtype=bool)
            alive[stopped] = False
            if not alive.any():
                return weights, iterations
            batch = _Batch(batch.state[alive], batch.rows[alive], threshold, m)
    weights[batch.rows] = batch.state[:, c:]
    return weights, iterations
