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
  of a few array operations whatever the number of re-fits.
"""

from __future__ import annotations

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
        gram = np.einsum("kni,knj->kij", a, a)
        cross = np.einsum("kni,kn->ki", a, b)
        target = np.einsum("kn,kn->k", b, b)
        ok = np.ones(cross.shape, dtype=bool) if usable is None else usable
        n = np.full(len(b), a.shape[1], dtype=np.float64) if rows is None else np.asarray(rows, dtype=np.float64)
        return cls(gram, cross, target, n, np.asarray(zeta, dtype=np.float64), ok)


_UNUSABLE = 1e300
"""Gradient given to padded columns: never the smallest, and harmless when multiplied by a zero weight."""


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
    ``sc.weight.fw``); the gradient ``Q w - h`` is updated along the step
    (``Q w`` moves to ``(1 - s) Q w + s Q e_i``) rather than recomputed, and
    the decrease of the objective is taken from the line search,
    ``(2 s g - s^2 d) / n_k``, so one iteration costs a few operations on
    ``(K, c)`` arrays.

    Examples
    --------
    >>> a = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    >>> problems = FrankWolfeProblems.from_matrices(a, np.array([[0.3, 0.7]]), np.array([0.0]))
    >>> w, it = frank_wolfe(problems, np.array([[0.5, 0.5]]), min_decrease=np.array([1e-8]), max_iter=100)
    >>> w.round(6).tolist()
    [[0.3, 0.7]]
    """
    k, c = problems.cross.shape
    n = problems.rows
    if k == 0:
        return np.zeros((0, c)), np.zeros(0, dtype=np.int64)
    usable = problems.usable
    eta = n * problems.zeta**2
    q_matrix = problems.gram + eta[:, None, None] * np.eye(c)[None]
    h = np.where(usable, problems.cross, 0.0)
    x = np.array(start, dtype=np.float64)
    x[~usable] = 0.0
    # the half-gradient Q x - h, and the value it moves towards when the step goes all the way to vertex i
    gradient = np.einsum("kij,kj->ki", q_matrix, x) - h
    gradient[~usable] = _UNUSABLE
    towards = q_matrix - h[:, None, :]
    towards[np.broadcast_to(~usable[:, None, :], towards.shape)] = _UNUSABLE
    towards = towards.reshape(k * c, c)
    # per vertex: Q_ii - 2 h_i and h_i
    table = np.stack([np.einsum("kii->ki", q_matrix) - 2.0 * h, h], axis=2).reshape(k * c, 2)
    flat_x = x.reshape(-1)
    offsets = np.arange(k) * c
    threshold = n * np.asarray(min_decrease, dtype=np.float64) ** 2
    active = np.ones(k, dtype=bool)
    moving = np.empty(k, dtype=bool)
    iterations = np.zeros(k, dtype=np.int64)
    xh = np.vecdot(h, x)
    flat = np.empty(k, dtype=np.intp)
    slope, curvature, step, keep, change = (np.empty(k) for _ in range(5))
    step_column, keep_column = step[:, None], keep[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        for t in range(max_iter):
            np.argmin(gradient, axis=1, out=flat)
            flat += offsets
            g_vertex = gradient.take(flat)
            per_vertex = table.take(flat, axis=0)
            # along d = e_i - x: slope -g'd = g'x - g_i, curvature d'Qd = Q_ii - 2 (Qx)_i + x'Qx
            np.subtract(np.vecdot(gradient, x), g_vertex, out=slope)
            np.add(per_vertex[:, 0], xh, out=curvature)
            curvature += slope
            curvature -= g_vertex
            np.divide(slope, curvature, out=step)
            # at a vertex the slope is exactly 0 and so is the step (0/0 included)
            np.fmax(step, 0.0, out=step)
            np.minimum(step, 1.0, out=step)
            step *= active
            update = towards.take(flat, axis=0)
            update -= gradient
            update *= step_column
            gradient += update
            np.subtract(1.0, step, out=keep)
            x *= keep_column
            flat_x[flat] += step
            xh *= keep
            xh += step * per_vertex[:, 1]
            iterations += active
            if t >= 1:
                # the objective fell by (2 s slope - s^2 curvature) / n_k
                np.multiply(step, curvature, out=change)
                np.subtract(2.0 * slope, change, out=change)
                change *= step
                np.greater(change, threshold, out=moving)
                active &= moving
                if not t & 15 and not active.any():
                    break
    return x, iterations
