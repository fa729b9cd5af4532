"""Difference-in-differences by phase of a reform whose components start at different times."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hjeval.cycle import CycleMethod
from hjeval.design.cells import CellDesign
from hjeval.design.labels import DesignLabels
from hjeval.design.panel import Comparison, Movers
from hjeval.engines import Data, Engine
from hjeval.errors import DataError
from hjeval.estimators.did import (
    Inference,
    _check_option,
    engine_design,
    inference_options,
    placebo_errors,
    provenance_record,
    twfe_offer,
)
from hjeval.estimators.twfe import TwfeFit, fit_twfe
from hjeval.estimators.twfe_cells import CellTwfeFit, cell_offer, fit_cells
from hjeval.inference.reassignment import Target
from hjeval.inference.record import InferenceRecord
from hjeval.inference.strategies import infer
from hjeval.periods import parse_period
from hjeval.results.phased import PhasedResult

__all__ = ["phase_profiles", "phased_did"]


def _phase_periods(phases: Mapping[str, object], design: DesignLabels, time: str, start: object,
                   ) -> list[tuple[str, pd.Period]]:
    """The phases as (name, first period), checked against the design's periods."""
    if not isinstance(phases, Mapping) or len(phases) < 2:
        raise DataError(
            f"phases={phases!r} must be a dict of at least two phases, name -> first period, e.g. "
            "phases={'caseload': '2015-01', 'team': '2015-10'}; with one phase use hj.did"
        )
    first_label = design.period_labels[0]
    kind = pd.PeriodDtype(first_label.freq)  # type: ignore[attr-defined]
    out = []
    for name, value in phases.items():
        if not isinstance(name, str) or not name:
            raise DataError(f"phases: the name {name!r} must be a non-empty text naming the phase")
        try:
            period = parse_period(value)
        except DataError as err:
            raise DataError(f"phases[{name!r}]={value!r} is not a period: {err}") from err
        if pd.PeriodDtype(period.freq) != kind:
            raise DataError(
                f"phases[{name!r}]={value!r} is a {period.freqstr} period but column {time!r} holds "
                f"{first_label.freqstr} periods (e.g. {first_label}); give each phase's first period "  # type: ignore[attr-defined]
                "in the same kind as the time column"
            )
        out.append((name, period))
    if out[0][1] != parse_period(start):
        raise DataError(
            f"phases[{out[0][0]!r}]={phases[out[0][0]]!r} must be the reform's start ({start!r}): phases split "
            f"the treated periods from start={start!r} on; put the start first (a phase before it would be "
            "part of the pre-period)"
        )
    for (name_a, a), (name_b, b) in itertools.pairwise(out):
        if not b > a:
            raise DataError(
                f"phases must start in increasing order: phases[{name_b!r}]={phases[name_b]!r} is not after "
                f"phases[{name_a!r}]={phases[name_a]!r}; list the phases in the order they began"
            )
    last = design.period_labels[-1]
    for name, period in out:
        if period > last:
            raise DataError(
                f"phases[{name!r}]={phases[name]!r} is after the last period in column {time!r} ({last}): "
                "the phase has no data; drop it or extend the data"
            )
    return out


def phase_profiles(design: DesignLabels, firsts: Sequence[pd.Period], names: Sequence[str]) -> np.ndarray:
    """Indicator profile of each phase over the design's periods, shape (T, K).

    Phase ``k`` covers the periods from its first period up to (not including)
    the next phase's first period; the last runs to the end of the data.

    Raises
    ------
    DataError
        When a phase holds none of the data's periods.
    """
    ordinals = np.array([p.ordinal for p in design.period_labels], dtype=np.int64)  # type: ignore[attr-defined]
    codes = np.searchsorted(ordinals, [p.ordinal for p in firsts], side="left")
    bounds = np.r_[codes, design.n_periods]
    profiles = np.zeros((design.n_periods, len(firsts)))
    for k, name in enumerate(names):
        if bounds[k] >= bounds[k + 1]:
            raise DataError(
                f"phase {name!r} (from {firsts[k]}) holds no period of the data before the next phase "
                "starts; merge it with a neighbour or check the phase dates"
            )
        profiles[bounds[k]:bounds[k + 1], k] = 1.0
    return profiles


def difference_target(coef: np.ndarray) -> Target:
    """Last phase minus first, tested with the two moved apart symmetrically and the others at their estimates.

    Examples
    --------
    >>> t = difference_target(np.array([1.0, 5.0, 3.0]))
    >>> t.weights.tolist(), t.base.tolist(), t.direction.tolist()
    ([-1.0, 0.0, 1.0], [2.0, 5.0, 2.0], [-0.5, 0.0, 0.5])
    """
    k = len(coef)
    weights = np.zeros(k)
    weights[0], weights[-1] = -1.0, 1.0
    base = coef.astype(np.float64).copy()
    base[0] = base[-1] = (coef[0] + coef[-1]) / 2
    direction = np.zeros(k)
    direction[0], direction[-1] = -0.5, 0.5
    return Target(weights, base, direction)


def _row(name: str, record: InferenceRecord) -> dict[str, object]:
    se = float(record.se)
    statistic = record.estimate / se if np.isfinite(se) and se > 0 else np.nan
    return {"term": name, "estimate": float(record.estimate), "se": se, "statistic": statistic,
            "p_value": float(record.pvalue), "ci_low": float(record.ci[0]), "ci_high": float(record.ci[1])}


def phased_did(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
    phases: Mapping[str, object],
    group: str | None = None,
    cycle: str | None = None,
    cycle_method: CycleMethod | None = None,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    comparison: Comparison = None,
    inference: Inference | None = None,
    alpha: float = 0.05,
    seed: int = 0,
    draws: int = 999,
    size_correction: bool = True,
    movers: Movers = "error",
    engine: Engine | None = None,
    cycle_panel: Data | None = None,
    client: object | None = None,
) -> PhasedResult:
    """One difference-in-differences effect per phase of the reform.

    Fits ``y_it = a_i + l_t + sum_k b_k 1{treated group, t in phase k} + g cycle_it + X_it c + e_it``:
    phase ``k`` runs from its first period to the next phase's first period
    (the last to the end of the data), and every ``b_k`` is relative to the
    same pre-reform periods. The difference ``b_K - b_1`` (last phase minus
    first) says whether the later components added to the effect.

    Parameters
    ----------
    data, outcome, unit, time, treated, start, group, cycle, cycle_method, covariates, cluster, weights, comparison
        As in :func:`hjeval.did`.
    phases : dict of str to period
        Phase name -> first period, in the order the phases began, at least
        two; the first must be ``start``. E.g. ``{"caseload": "2015-01",
        "team": "2015-10"}``. Periods are of the same kind as ``time``.
    inference : {"cluster", "placebo", "conley-taber"}, optional
        Default as in :func:`hjeval.did`. With ``"placebo"`` all phases are
        re-assigned to a comparison group together (the joint re-assignment),
        so every phase, the difference and the average use the same
        re-assignments. A phase's test holds the other phases at their
        estimates; the difference's test moves the first and last phase
        apart symmetrically around their mean.
    alpha, seed, draws, size_correction, movers
        As in :func:`hjeval.did`; the size correction fits one variance model
        per tested quantity.
    engine, cycle_panel, client
        As in :func:`hjeval.did` (every engine gives the same result).

    Returns
    -------
    PhasedResult
        ``to_frame()`` has one row per phase (``term`` = its name);
        ``difference`` is a dict ``estimate, ci, pvalue`` (and ``se``) for the
        last phase minus the first; ``estimate``, ``ci`` and ``pvalue`` of
        the result itself are the average effect over the phases, weighted by
        the treated group's weight (rows or ``weights``) in each phase.

    Raises
    ------
    DataError
        Bad phases (fewer than two, not increasing, not starting at
        ``start``, after the data, of another kind of period than ``time``,
        or holding no period of the data), and everything :func:`hjeval.did`
        refuses.

    Notes
    -----
    The phase indicators are treatment profiles of the two-way fit used by
    :func:`hjeval.did` and :func:`hjeval.event_study`, so the placebo
    estimates of every re-assignment come from per-group sums. Ferman and
    Pinto (2019, REStat 101(3)) for the size correction.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(3)
    >>> panel = pd.DataFrame([(m, y) for m in range(20) for y in range(2008, 2020)],
    ...                      columns=["municipality", "year"])
    >>> treated = panel.municipality == 0
    >>> panel["hours"] = (rng.normal(scale=0.3, size=len(panel)) + 2.0 * (treated & (panel.year >= 2014))
    ...                   + 3.0 * (treated & (panel.year >= 2017)))
    >>> res = hj.phased_did(panel, "hours", unit="municipality", time="year", treated=0, start=2014,
    ...                     phases={"first": 2014, "second": 2017})
    >>> res.to_frame()["term"].tolist()
    ['first', 'second']
    >>> bool(abs(res.difference["estimate"] - 3.0) < 1.0)
    True
    """
    if inference is not None:
        _check_option("inference", inference, ("cluster", "placebo", "conley-taber"))
    design, cycle_method, path = engine_design(
        data, engine=engine, client=client, inference=inference, cycle=cycle, cycle_method=cycle_method,
        covariates=covariates, alpha=alpha, movers=movers, cycle_panel=cycle_panel,
        roles=dict(outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                   cluster=cluster, weights=weights, comparison=comparison),
    )
    checked = _phase_periods(phases, design, time, start)
    names = [name for name, _ in checked]
    profiles = phase_profiles(design, [p for _, p in checked], names)
    fit: TwfeFit | CellTwfeFit
    if isinstance(design, CellDesign):
        fit = fit_cells(design, profiles=profiles, treat_names=tuple(names))
        offer = cell_offer(fit, cluster or group or unit, "phased_did")
    else:
        fit = fit_twfe(design, profiles=profiles, treat_names=tuple(names))
        offer = twfe_offer(fit, cluster or group or unit, "phased_did")
    options = inference_options(inference, offer, alpha=alpha, seed=seed, draws=draws,
                                size_correction=size_correction)
    coef = offer.coef
    treated_weight = fit.projector.cell_weight[design.treated_groups].sum(axis=0) @ profiles
    targets = [Target.coefficient(coef, k) for k in range(len(names))]
    targets += [difference_target(coef), Target.average(treated_weight / treated_weight.sum())]
    result = infer(offer, targets, options)
    per_phase, difference, average = result.records[:-2], result.records[-2], result.records[-1]
    table = pd.DataFrame([_row(name, r) for name, r in zip(names, per_phase, strict=True)])
    provenance = provenance_record(design, seed, cycle_method=cycle_method, **path)
    if options.method != "cluster":
        provenance["draws"] = average.draws
        provenance["degenerate_draws"] = average.degenerate
        provenance["exact_enumeration"] = average.exact
    return PhasedResult(
        estimate=average.estimate, se=average.se, ci=(float(average.ci[0]), float(average.ci[1])),
        pvalue=float(average.pvalue), n_obs=design.n_obs, alpha=alpha, inference=average, method="phased_did",
        outcome=outcome, treated=design.treated_label(), start=design.period_labels[design.start],
        comparison=design.comparison, table=table,
        phases={name: str(period) for name, period in checked},
        difference={"estimate": float(difference.estimate), "se": float(difference.se),
                    "ci": (float(difference.ci[0]), float(difference.ci[1])), "pvalue": float(difference.pvalue)},
        phase_records=tuple(per_phase), difference_record=difference,
        placebo_errors=placebo_errors(result.placebo, targets[:-2], [r.estimate for r in per_phase], names),
        provenance=provenance,
    )
