"""The inference strategies every estimator shares, looked up by name.

An estimator describes what it can offer in an :class:`InferenceOffer`:
re-assignments (placebo, Conley-Taber), a cluster covariance (cluster), a
wild bootstrap (wild-bootstrap). :func:`infer` runs the chosen strategy on
the quantities asked for and returns one :class:`InferenceRecord` each; a
strategy whose needs the estimator does not offer is refused with the reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from hjeval.errors import DataError, HjevalWarning
from hjeval.inference.reassignment import PlaceboSample, Reassignable, Target, conley_taber, placebo
from hjeval.inference.record import InferenceMethod, InferenceOptions, InferenceRecord
from hjeval.inference.wild import WildClusterBootstrap
from hjeval.regression import Covariance

__all__ = ["MIN_TREATED_CLUSTERS", "InferenceOffer", "InferenceOutcome", "default_method", "infer"]

MIN_TREATED_CLUSTERS = 10
"""Below this many treated clusters, cluster-robust inference over-rejects (MacKinnon-Webb)."""


@dataclass(frozen=True)
class InferenceOffer:
    """What an estimator offers the inference strategies.

    Attributes
    ----------
    coef : numpy.ndarray, shape (m,)
        Treatment coefficients.
    estimator : str
        Its name, for messages.
    clusters, treated_clusters : int
    cluster_by : str
        The cluster column.
    reassignment : Reassignable or None
        For ``"placebo"`` and ``"conley-taber"``.
    covariance : callable or None
        ``covariance(kind) -> Covariance`` (``"CR1"`` or ``"CR2"``), the
        treatment coefficients first; for ``"cluster"`` and ``"wild-bootstrap"``.
    bootstrap : callable or None
        ``bootstrap(options, small_sample) -> WildClusterBootstrap`` of the first coefficient.
    """

    coef: np.ndarray
    estimator: str
    clusters: int
    treated_clusters: int
    cluster_by: str
    reassignment: Reassignable | None = None
    covariance: Callable[[str], Covariance] | None = None
    bootstrap: Callable[[InferenceOptions, float], WildClusterBootstrap] | None = None


@dataclass(frozen=True)
class InferenceOutcome:
    """Records of the targets asked for, and what a strategy leaves for figures and tests.

    Attributes
    ----------
    records : list of InferenceRecord
    placebo : PlaceboSample or None
        The re-assignments (``"placebo"`` only).
    covariance : Covariance or None
        The cluster covariance (``"cluster"`` and ``"wild-bootstrap"``).
    """

    records: list[InferenceRecord]
    placebo: PlaceboSample | None = None
    covariance: Covariance | None = None


def default_method(offer: InferenceOffer) -> InferenceMethod:
    """Cluster-robust with at least 10 treated clusters, else placebo (or Conley-Taber without placebo)."""
    if offer.treated_clusters >= MIN_TREATED_CLUSTERS and offer.covariance is not None:
        return "cluster"
    return "placebo"


def _cluster(offer: InferenceOffer, targets: Sequence[Target], options: InferenceOptions,
             stacklevel: int) -> InferenceOutcome:
    if offer.covariance is None:
        raise DataError(f"inference='cluster' is not available for {offer.estimator}; use inference='placebo'")
    if offer.treated_clusters < MIN_TREATED_CLUSTERS:
        warnings.warn(
            f"only {offer.treated_clusters} treated cluster(s): cluster-robust standard errors are far too small "
            "with so few treated clusters; use inference='placebo'", HjevalWarning, stacklevel=stacklevel + 1,
        )
    covariance = offer.covariance(options.vcov)
    m = len(offer.coef)
    v = covariance.vcov[:m, :m]
    records = []
    for target in targets:
        involved = np.flatnonzero(target.weights)
        df = float(np.min(covariance.df_t[involved]))
        se = float(np.sqrt(target.weights @ v @ target.weights))
        estimate = target.value(offer.coef)
        crit = float(stats.t.ppf(1 - options.alpha / 2, df))
        pvalue = float(2 * stats.t.sf(abs(estimate / se), df)) if se > 0 else np.nan
        records.append(InferenceRecord(
            "cluster", estimate, se, (estimate - crit * se, estimate + crit * se), pvalue, options.alpha,
            clusters=offer.clusters, treated_clusters=offer.treated_clusters, df=df, vcov=options.vcov,
            cluster_by=offer.cluster_by,
        ))
    return InferenceOutcome(records, covariance=covariance)


def _wild(offer: InferenceOffer, targets: Sequence[Target], options: InferenceOptions,
          stacklevel: int) -> InferenceOutcome:
    if offer.bootstrap is None or offer.covariance is None:
        raise DataError(f"inference='wild-bootstrap' is not available for {offer.estimator}; "
                        "use inference='placebo'")
    if len(offer.coef) != 1 or any(not np.array_equal(t.weights, [1.0]) for t in targets):
        raise DataError(f"inference='wild-bootstrap' is available for a single effect, not for {offer.estimator}")
    notes: tuple[str, ...] = ()
    if offer.treated_clusters < 2:
        note = ("the wild cluster bootstrap with one treated cluster is known to under-reject badly "
                "(MacKinnon and Webb 2017); use inference='placebo'")
        warnings.warn(note, HjevalWarning, stacklevel=stacklevel + 1)
        notes = (note,)
    covariance = offer.covariance("CR1")
    boot = offer.bootstrap(options, covariance.small_sample)
    estimate = float(offer.coef[0])
    se = float(np.sqrt(covariance.vcov[0, 0]))
    record = InferenceRecord(
        "wild-bootstrap", estimate, se, boot.interval(estimate, se, options.alpha), boot.pvalue(0.0),
        options.alpha, draws=options.draws, seed=options.seed, clusters=offer.clusters,
        treated_clusters=offer.treated_clusters, vcov="CR1", bootstrap_weights=options.bootstrap_weights,
        cluster_by=offer.cluster_by, notes=notes,
    )
    return InferenceOutcome([record], covariance=covariance)


def _placebo(offer: InferenceOffer, targets: Sequence[Target], options: InferenceOptions,
             stacklevel: int) -> InferenceOutcome:
    if offer.reassignment is None:
        raise DataError(f"inference='placebo' is not available for {offer.estimator}")
    records, sample = placebo(offer.reassignment, targets, options, stacklevel=stacklevel + 1)
    for record in records[:1]:
        for note in record.notes:
            warnings.warn(note, HjevalWarning, stacklevel=stacklevel + 1)
    return InferenceOutcome(records, placebo=sample)


def _conley_taber(offer: InferenceOffer, targets: Sequence[Target], options: InferenceOptions,
                  stacklevel: int) -> InferenceOutcome:
    if offer.reassignment is None:
        raise DataError(f"inference='conley-taber' is not available for {offer.estimator}")
    return InferenceOutcome(conley_taber(offer.reassignment, targets, options))


STRATEGIES: dict[str, Callable[[InferenceOffer, Sequence[Target], InferenceOptions, int], InferenceOutcome]] = {
    "cluster": _cluster,
    "placebo": _placebo,
    "conley-taber": _conley_taber,
    "wild-bootstrap": _wild,
}
"""The registry: each strategy takes the offer, the targets, the options and a warning stacklevel."""


def infer(offer: InferenceOffer, targets: Sequence[Target], options: InferenceOptions, *,
          stacklevel: int = 2) -> InferenceOutcome:
    """Run the strategy ``options.method`` for each target.

    Parameters
    ----------
    offer : InferenceOffer
    targets : sequence of Target
        The quantities to infer on (the DiD coefficient; an event study's
        periods and their average).
    options : InferenceOptions
    stacklevel : int
        For warnings, counted from the caller of this function.

    Returns
    -------
    InferenceOutcome
    """
    return STRATEGIES[options.method](offer, targets, options, stacklevel + 1)
