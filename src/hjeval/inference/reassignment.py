"""Inference by re-assigning the treatment: placebo permutation and Conley-Taber.

Both strategies need from an estimator only what :class:`Reassignable` holds:
its treatment coefficients under any set of treated groups (with how they
move when an effect is removed from the truly treated), and, for
Conley-Taber and the size correction, the estimator applied to its residuals.
A linear estimator (the two-way fixed-effects fit) gets these from
per-group sums; an estimator that is re-fitted per assignment (synthetic
control) offers a function that re-fits. Neither strategy knows which.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from hjeval.errors import DataError, HjevalWarning
from hjeval.inference.permutation import PermutationDistribution, conley_taber_interval, invert_permutation_test
from hjeval.inference.record import InferenceOptions, InferenceRecord, SizeCorrection, SizeMeasure
from hjeval.inference.sizes import fit_size_model, set_variance

__all__ = ["PlaceboSample", "Reassignable", "Target", "conley_taber", "placebo"]

Evaluate = Callable[[list[np.ndarray]], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Target:
    """One quantity to infer on: ``c' b`` for the treatment coefficients ``b``.

    It is tested under ``H0: b = base + t * direction`` (``c' base = 0``,
    ``c' direction = 1``): a DiD has ``c = base + direction = [1]``; an event
    study's single period ``k`` keeps the other periods at their estimates;
    its average after the start moves every post period together.

    Examples
    --------
    >>> Target.coefficient(np.array([1.0, 2.0, 3.0]), 1).base.tolist()
    [1.0, 0.0, 3.0]
    """

    weights: np.ndarray
    base: np.ndarray
    direction: np.ndarray

    @classmethod
    def coefficient(cls, coef: np.ndarray, k: int) -> Target:
        """Coefficient ``k``, the others held at their estimates under the null."""
        unit = np.zeros(len(coef))
        unit[k] = 1.0
        return cls(unit, np.where(unit > 0, 0.0, coef), unit)

    @classmethod
    def average(cls, weights: np.ndarray) -> Target:
        """A weighted average whose terms move together under the null (others zero)."""
        weights = np.asarray(weights, dtype=np.float64)
        direction = (weights != 0).astype(np.float64)
        return cls(weights, np.zeros(len(weights)), direction / float(weights @ direction))

    def value(self, coef: np.ndarray) -> float:
        """``c' b``."""
        return float(self.weights @ coef)


@dataclass(frozen=True)
class Reassignable:
    """What an estimator offers to re-assignment inference.

    Attributes
    ----------
    coef : numpy.ndarray, shape (m,)
        The treatment coefficients under the actual assignment.
    treated, comparison : numpy.ndarray
        Group codes.
    group_labels : tuple
    sizes : numpy.ndarray, shape (G,)
        Each group's size ``M_j`` for the size correction.
    shares : numpy.ndarray, shape (G,)
        Each group's regression weight (rows or weight sum), to combine the
        variances of several treated groups.
    size_measure : {"persons", "weight sum", "rows"}
    evaluate : callable
        ``evaluate(sets) -> (estimates (S, m), slopes (S, m, m))``: the
        coefficients when the groups in ``sets[s]`` are treated, and
        ``slopes[s]`` such that removing effects ``b0`` from the truly
        treated moves them by ``-slopes[s] @ b0``. NaN rows where the effect
        cannot be estimated.
    residual_errors : callable or None
        ``residual_errors(sets) -> (S, m)``: the estimator applied to the
        fit's residuals with ``sets[s]`` treated; None when the estimator has
        no residuals (then Conley-Taber is not offered and the size model is
        fitted on the placebo estimates).
    ordered : bool
        Whether a set's order matters: the treated groups start at different
        times and the k-th group of a set takes the k-th treated group's
        start. Random sets are then drawn in random order, so that starts are
        re-assigned at random along with the groups.
    """

    coef: np.ndarray
    treated: np.ndarray
    comparison: np.ndarray
    group_labels: tuple[object, ...]
    sizes: np.ndarray
    shares: np.ndarray
    size_measure: SizeMeasure
    evaluate: Evaluate
    residual_errors: Callable[[list[np.ndarray]], np.ndarray] | None = None
    ordered: bool = False

    @property
    def treated_size(self) -> float:
        """Size of the treated group(s) together."""
        return float(self.sizes[self.treated].sum())

    def set_label(self, groups: np.ndarray) -> object:
        """The label of a re-assigned set: one label, or a tuple of labels."""
        if len(groups) == 1:
            return self.group_labels[int(groups[0])]
        return tuple(self.group_labels[int(g)] for g in groups)


@dataclass(frozen=True)
class PlaceboSample:
    """The placebo re-assignments behind a set of placebo records.

    Attributes
    ----------
    estimates : numpy.ndarray, shape (S, m)
        The actual assignment first; degenerate re-assignments removed.
    slopes : numpy.ndarray, shape (S, m, m)
    ratios : numpy.ndarray, shape (S, n_targets)
        Size-correction factor of each re-assignment for each target (1 for
        the actual one and where no correction applies).
    labels : tuple
        Who was treated in each re-assignment.
    exact : bool
    degenerate : int
    """

    estimates: np.ndarray
    slopes: np.ndarray
    ratios: np.ndarray
    labels: tuple[object, ...]
    exact: bool
    degenerate: int

    @property
    def n_draws(self) -> int:
        """Re-assignments used, the actual one not counted."""
        return len(self.labels) - 1

    def distribution(self, target: Target, j: int = 0) -> PermutationDistribution:
        """The (size-corrected) permutation distribution of target ``j``."""
        estimates = np.einsum("m,sm->s", target.weights, self.estimates
                              - np.einsum("smk,k->sm", self.slopes, target.base))
        slopes = np.einsum("m,smk,k->s", target.weights, self.slopes, target.direction)
        ratio = self.ratios[:, j]
        return PermutationDistribution(estimates * ratio, slopes * ratio, self.labels, self.exact)


def _assignment_sets(problem: Reassignable, pool: np.ndarray, rng: np.random.Generator, draws: int,
                     ) -> tuple[list[np.ndarray], bool]:
    """Every single group of ``pool`` with one treated group, else ``draws`` random sets of as many."""
    k = len(problem.treated)
    if k == 1:
        return [np.array([g]) for g in pool], True
    if len(pool) < k:
        raise DataError(f"{k} treated groups but only {len(pool)} groups to re-assign the treatment to")
    if problem.ordered:
        return [rng.choice(pool, size=k, replace=False) for _ in range(draws)], False
    return [np.sort(rng.choice(pool, size=k, replace=False)) for _ in range(draws)], False


def _size_models(problem: Reassignable, targets: Sequence[Target], errors: np.ndarray | None,
                 enabled: bool) -> list[SizeCorrection]:
    """One variance model per target, fitted on the comparison groups' residual estimates."""
    comparison_sizes = problem.sizes[problem.comparison]
    models = []
    for target in targets:
        values = np.full(len(problem.comparison), np.nan) if errors is None else errors @ target.weights
        models.append(fit_size_model(values, comparison_sizes, treated_size=problem.treated_size,
                                     all_sizes=problem.sizes, measure=problem.size_measure, enabled=enabled))
    return models


def _ratios(problem: Reassignable, models: Sequence[SizeCorrection], sets: Sequence[np.ndarray]) -> np.ndarray:
    """``sqrt(Var(treated) / Var(set))`` per set and model (1 where a model is not applied)."""
    out = np.ones((len(sets), len(models)))
    for j, model in enumerate(models):
        if not model.applied:
            continue
        treated = set_variance(model, problem.sizes, problem.shares, problem.treated)
        for s, groups in enumerate(sets):
            out[s, j] = np.sqrt(treated / set_variance(model, problem.sizes, problem.shares, groups))
    return out


def _singleton_errors(problem: Reassignable) -> np.ndarray | None:
    if problem.residual_errors is None:
        return None
    return problem.residual_errors([np.array([g]) for g in problem.comparison])


def placebo(
    problem: Reassignable, targets: Sequence[Target], options: InferenceOptions, *, stacklevel: int = 2
) -> tuple[list[InferenceRecord], PlaceboSample]:
    """Placebo-in-space permutation inference, size-corrected where group sizes differ.

    With one treated group the treatment is given to every comparison group
    in turn (exact enumeration); with several, ``options.draws`` random sets
    of as many groups are drawn from all groups. Each re-assignment's
    estimate (net of a hypothesised effect) is rescaled to the treated
    group's variance before it is compared with the actual estimate; the
    p-value is the share of assignments, the actual one included, at least
    as extreme, and the interval inverts that test exactly.

    Parameters
    ----------
    problem : Reassignable
    targets : sequence of Target
    options : InferenceOptions
    stacklevel : int
        For the warning about degenerate re-assignments, counted from the
        caller of this function.

    Returns
    -------
    (records, sample) : tuple
        One record per target, and the re-assignments behind them.
    """
    rng = np.random.default_rng(options.seed)
    pool = problem.comparison if len(problem.treated) == 1 else np.arange(len(problem.group_labels))
    sets, exact = _assignment_sets(problem, pool, rng, options.draws)
    all_sets = [problem.treated, *sets]
    estimates, slopes = problem.evaluate(all_sets)
    usable = np.asarray(np.isfinite(estimates).all(axis=1))
    if not usable[0]:
        raise DataError("the treatment effect cannot be estimated for the treated group")
    degenerate = int((~usable).sum())
    if degenerate:
        warnings.warn(
            f"{degenerate} placebo re-assignment(s) left out: the effect cannot be estimated for that group "
            "(for a regression, its persons' treatment does not vary within them: it has no rows in some treated "
            "period, or each of its persons is seen only before or only after the start; for durations, no spells "
            "in a window)",
            HjevalWarning, stacklevel=stacklevel + 1,
        )
    kept = [a for a, keep in zip(all_sets, usable, strict=True) if keep]
    estimates, slopes = estimates[usable], slopes[usable]
    errors = _singleton_errors(problem)
    if errors is None and exact:
        # no residuals offered: the placebo estimates themselves, the effect removed, stand in for them
        comparison = estimates[1:] - np.einsum("smk,k->sm", slopes[1:], problem.coef)
        errors = np.full((len(problem.comparison), len(problem.coef)), np.nan)
        position = {int(a[0]): i for i, a in enumerate(kept[1:])}
        for i, g in enumerate(problem.comparison):
            if int(g) in position:
                errors[i] = comparison[position[int(g)]]
    models = _size_models(problem, targets, errors, options.size_correction)
    ratios = _ratios(problem, models, kept)
    sample = PlaceboSample(estimates, slopes, ratios, tuple(problem.set_label(a) for a in kept), exact, degenerate)
    records = []
    for j, (target, model) in enumerate(zip(targets, models, strict=True)):
        dist = sample.distribution(target, j)
        estimate = target.value(problem.coef)
        notes = []
        if 1 / (sample.n_draws + 1) > options.alpha:
            notes.append(f"with {sample.n_draws} re-assignments the smallest attainable p-value is "
                         f"{1 / (sample.n_draws + 1):.3f} > alpha={options.alpha}: the interval is unbounded")
        records.append(InferenceRecord(
            "placebo", estimate, float(np.std(dist.null_spread(estimate), ddof=1)),
            invert_permutation_test(dist, options.alpha), dist.pvalue(0.0), options.alpha,
            draws=sample.n_draws, exact=exact, seed=None if exact else options.seed, degenerate=degenerate,
            size_correction=model, notes=tuple(notes),
        ))
    return records, sample


def conley_taber(problem: Reassignable, targets: Sequence[Target], options: InferenceOptions,
                 ) -> list[InferenceRecord]:
    """Conley-Taber (2011) intervals from the comparison groups' residual estimates, size-corrected.

    The estimator's error is approximated by the estimator applied to the
    fit's residuals with the treatment given to comparison groups: each
    single group with one treated group, ``options.draws`` random sets of as
    many with several. Each draw is rescaled to the treated group's variance
    (where sizes differ) and the interval is ``[tau - q(1 - alpha/2), tau -
    q(alpha/2)]`` of the rescaled draws.

    Returns
    -------
    list of InferenceRecord
        One per target.
    """
    if problem.residual_errors is None:
        raise DataError("inference='conley-taber' needs the estimator's residuals, which this estimator does not "
                        "offer; use inference='placebo'")
    rng = np.random.default_rng(options.seed)
    sets, exact = _assignment_sets(problem, problem.comparison, rng, options.draws)
    errors = problem.residual_errors(sets)
    usable = np.asarray(np.isfinite(errors).all(axis=1))
    singles = errors if exact else _singleton_errors(problem)
    models = _size_models(problem, targets, singles, options.size_correction)
    kept = [a for a, keep in zip(sets, usable, strict=True) if keep]
    ratios = _ratios(problem, models, kept)
    records = []
    for j, (target, model) in enumerate(zip(targets, models, strict=True)):
        draws = (errors[usable] @ target.weights) * ratios[:, j]
        estimate = target.value(problem.coef)
        ci, pvalue = conley_taber_interval(estimate, draws, options.alpha)
        records.append(InferenceRecord(
            "conley-taber", estimate, float(np.std(draws, ddof=1)), ci, pvalue, options.alpha,
            draws=len(draws), exact=exact, seed=None if exact else options.seed,
            degenerate=int((~usable).sum()), size_correction=model,
        ))
    return records
