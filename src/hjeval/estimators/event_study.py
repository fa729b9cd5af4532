"""Event study: effects by period relative to the start, with a pre-trend test."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hjeval.cycle import CycleMethod
from hjeval.design.cells import CellDesign
from hjeval.design.panel import Comparison, Movers, PanelDesign
from hjeval.engines import Data, Engine
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators.did import (
    Inference,
    _check_option,
    cell_design,
    inference_options,
    placebo_errors,
    prepare_design,
    provenance_record,
    twfe_offer,
)
from hjeval.estimators.twfe import fit_twfe
from hjeval.estimators.twfe_cells import cell_offer, fit_cells
from hjeval.inference.reassignment import PlaceboSample, Target
from hjeval.inference.strategies import infer
from hjeval.results.event_study import EventStudyResult

__all__ = ["event_study"]


def _bins(
    design: PanelDesign | CellDesign, window: tuple[int, int], bin_width: int, reference: int
) -> tuple[np.ndarray, list[int]]:
    """Relative-time bin of every period for each cohort (C, T), endpoints accumulated, and the kept bins."""
    lo, hi = window
    if not lo <= reference <= hi or reference >= 0:
        raise DataError(f"reference={reference} must be a pre-period bin inside window={window}")
    if bin_width < 1:
        raise DataError(f"bin_width must be a positive whole number, not {bin_width}")
    binned = np.stack([np.clip(np.floor_divide(design.relative_periods(int(c)), bin_width), lo, hi)
                       for c in design.cohort_codes()])
    present = sorted(set(binned.ravel().tolist()))
    kept = [b for b in present if b != reference]
    if reference not in present:
        raise DataError(f"reference bin {reference} has no periods in the data")
    if not any(b < 0 for b in kept):
        warnings.warn("no pre-period bins besides the reference: no pre-trend test", HjevalWarning, stacklevel=3)
    return binned, kept


def _profiles(binned: np.ndarray, kept: list[int]) -> np.ndarray:
    """Indicator profiles of the kept bins: (T, m) for one cohort, (C, T, m) for several."""
    profiles = np.stack([(binned == b).astype(np.float64) for b in kept], axis=-1)
    return profiles[0] if len(binned) == 1 else profiles


def event_study(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
    group: str | None = None,
    window: tuple[int, int] = (-4, 4),
    reference: int = -1,
    bin_width: int = 1,
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
) -> EventStudyResult:
    """Effects by period relative to the start of treatment.

    Fits ``y_it = a_i + l_t + sum_{r != ref} b_r 1{treated group, bin(t - start) = r} + X_it g + e_it``.
    Relative time is the calendar distance to the start (with 2012 missing
    from yearly data and a start in 2015, 2011 is -4). Relative periods are
    grouped into bins of ``bin_width`` periods (e.g. 12 for years on a monthly
    panel); bins outside ``window`` are accumulated into the end bins. When
    treated groups start apart (``start`` a mapping), each group's relative
    time counts from its own start and ``b_r`` pools the cohorts at the same
    relative time; with effects that differ between cohorts, earlier
    cohorts' effects can leak into other periods' coefficients (Sun and
    Abraham 2021), and :func:`hjeval.staggered_did` with
    ``.aggregate("dynamic")`` is the robust alternative.

    Parameters
    ----------
    data, outcome, unit, time, treated, start, group, cycle, cycle_method, covariates, cluster, weights, comparison
        As in :func:`hjeval.did`.
    engine, cycle_panel, client
        As in :func:`hjeval.did`: a Parquet path is read out of core with
        DuckDB by default (from cell statistics alone where the design allows
        it, as ``hj.did`` does; ``provenance["engine_path"]`` says which ran),
        ``cycle_panel`` is joined there, and ``client`` is the Dask client of
        ``engine="dask"``.
    window : tuple of int, default (-4, 4)
        First and last relative bin shown; bins beyond are pooled into them.
    reference : int, default -1
        The omitted bin (normalised to 0); must be before the start.
    bin_width : int, default 1
        Periods per bin.
    inference : {"cluster", "placebo", "conley-taber"}, optional
        Default as in :func:`hjeval.did`. With ``"placebo"`` each period's
        p-value is the permutation test of no effect in that period (the
        other periods' effects held at their estimates) and its interval
        inverts that test exactly; the average effect after the start is
        tested with every post period moved together. ``"conley-taber"``
        uses the comparison groups' residual estimates of each period.
    movers : {"error", "entry", "split"}, default "error"
        As in :func:`hjeval.did`.
    size_correction : bool, default True
        Placebo and Conley-Taber corrected for unequal group sizes, a variance
        model per period (see :func:`hjeval.did`).
    alpha : float, default 0.05
    seed, draws : int
        Random placebo assignments when several groups are treated.

    Returns
    -------
    EventStudyResult

    Notes
    -----
    The joint pre-trend test is a Wald test of all pre-period effects: with
    cluster inference an F test with the CR1 covariance; with placebo
    inference the Wald statistic with the placebo covariance is compared with
    the same statistic under every re-assignment.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(0)
    >>> panel = pd.DataFrame([(m, y) for m in range(25) for y in range(2008, 2020)],
    ...                      columns=["municipality", "year"])
    >>> effect = 3.0 * ((panel.municipality == 0) & (panel.year >= 2015))
    >>> panel["hours"] = rng.normal(size=len(panel)) + effect
    >>> es = hj.event_study(panel, "hours", unit="municipality", time="year", treated=0, start=2015)
    >>> es.to_frame()["rel_time"].tolist()
    [-4, -3, -2, -1, 0, 1, 2, 3, 4]
    """
    if inference is not None:
        _check_option("inference", inference, ("cluster", "placebo", "conley-taber"))
    cells, why_rows = cell_design(
        data, engine=engine, client=client, inference=inference, vcov="CR1", cycle=cycle, cycle_method=cycle_method,
        covariates=covariates, alpha=alpha, movers=movers, cycle_panel=cycle_panel,
        roles=dict(outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                   cluster=cluster, weights=weights, comparison=comparison),
    )
    design: PanelDesign | CellDesign
    if cells is not None:
        design = cells
        binned, kept = _bins(design, window, bin_width, reference)
        names = tuple(f"rel_{b}" for b in kept)
        offer = cell_offer(fit_cells(cells, profiles=_profiles(binned, kept), treat_names=names),
                           cluster or group or unit, "event_study")
        path = {"engine_path": "cells"}
    else:
        design, _ = prepare_design(
            data, outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group, cycle=cycle,
            cycle_method=cycle_method, covariates=covariates, cluster=cluster, weights=weights,
            comparison=comparison, alpha=alpha, movers=movers, engine=engine, cycle_panel=cycle_panel, client=client,
        )
        binned, kept = _bins(design, window, bin_width, reference)
        names = tuple(f"rel_{b}" for b in kept)
        offer = twfe_offer(fit_twfe(design, profiles=_profiles(binned, kept), treat_names=names),
                           cluster or group or unit, "event_study")
        path = {"engine_path": "rows"} if why_rows.startswith("engine=") else {
            "engine_path": "rows", "engine_path_reason": why_rows}
    options = inference_options(inference, offer, alpha=alpha, seed=seed, draws=draws,
                                size_correction=size_correction)
    coef = offer.coef
    pre = np.array([b < 0 for b in kept])
    if not (~pre).any():
        raise DataError(f"window={window} has no bin from the start on")
    targets = [Target.coefficient(coef, k) for k in range(len(kept))] + [Target.average((~pre) / (~pre).sum())]
    result = infer(offer, targets, options)
    per_period, average = result.records[:-1], result.records[-1]
    if options.method == "cluster":
        assert result.covariance is not None  # the cluster strategy returns the covariance it used
        v = result.covariance.vcov[: len(kept), : len(kept)]
        pretrend = _wald_cluster(coef[pre], v[np.ix_(pre, pre)], design.n_clusters - 1)
    else:
        sample = result.placebo
        if sample is None:  # Conley-Taber: the joint pre-trend test still compares with the re-assignments
            placebo = dataclasses.replace(options, method="placebo")
            sample = infer(offer, targets, placebo).placebo
        assert sample is not None  # the placebo strategy always returns its re-assignments
        pretrend = _wald_placebo(coef, sample, pre)
    provenance = provenance_record(design, seed, **path)
    if options.method != "cluster":
        provenance["draws"] = average.draws
        provenance["degenerate_draws"] = average.degenerate
    rows = [
        {"rel_time": b, "estimate": float(r.estimate), "se": float(r.se), "ci_low": float(r.ci[0]),
         "ci_high": float(r.ci[1]), "p_value": float(r.pvalue)}
        for b, r in zip(kept, per_period, strict=True)
    ]
    rows.append({"rel_time": reference, "estimate": 0.0, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                 "p_value": np.nan})
    table = pd.DataFrame(rows).sort_values("rel_time", kind="stable").reset_index(drop=True)
    return EventStudyResult(
        estimate=average.estimate, se=average.se, ci=(float(average.ci[0]), float(average.ci[1])),
        pvalue=float(average.pvalue), n_obs=design.n_obs, alpha=alpha, inference=average, method="event_study",
        outcome=outcome, treated=design.treated_label(), start=design.start_label(),
        comparison=design.comparison, table=table, reference=reference, bin_width=bin_width, pretrend=pretrend,
        pooled_ends=_pooled_ends(design, window, bin_width), period_records=tuple(per_period),
        placebo_errors=placebo_errors(result.placebo, targets[:-1], [r.estimate for r in per_period], kept),
        provenance=provenance,
    )


def _pooled_ends(design: PanelDesign | CellDesign, window: tuple[int, int], bin_width: int) -> tuple[bool, bool]:
    relative = np.concatenate([np.floor_divide(design.relative_periods(int(c)), bin_width)
                               for c in design.cohort_codes()])
    return bool((relative < window[0]).any()), bool((relative > window[1]).any())


def _wald_cluster(b: np.ndarray, v: np.ndarray, df: int) -> dict[str, object]:
    if len(b) == 0:
        return {"statistic": np.nan, "df": 0, "pvalue": np.nan, "method": "none (no pre-periods)"}
    q = len(b)
    statistic = float(b @ np.linalg.solve(v, b)) / q
    return {"statistic": statistic, "df": (q, df), "pvalue": float(stats.f.sf(statistic, q, df)),
            "method": f"Wald F({q}, {df}), CR1"}


def _wald_placebo(coef: np.ndarray, sample: PlaceboSample, pre: np.ndarray) -> dict[str, object]:
    q = int(pre.sum())
    if q == 0:
        return {"statistic": np.nan, "df": 0, "pvalue": np.nan, "method": "none (no pre-periods)"}
    # Under the null of no pre-trend only the estimated post effects are removed; each period's
    # estimates are rescaled as that period's size-corrected test rescales them.
    post_only = np.where(pre, 0.0, coef)
    net = (sample.estimates - np.einsum("smj,j->sm", sample.slopes, post_only)) * sample.ratios[:, : len(coef)]
    pre_net = net[:, pre]
    if len(pre_net) - 1 <= q:
        return {"statistic": np.nan, "df": q, "pvalue": np.nan,
                "method": f"placebo Wald (needs more than {q} re-assignments)"}
    cov = np.cov(pre_net[1:], rowvar=False).reshape(q, q)
    inv = np.linalg.pinv(cov)
    stat = np.einsum("si,ij,sj->s", pre_net, inv, pre_net)
    pvalue = float(np.mean(stat >= stat[0] * (1 - 1e-12)))
    return {"statistic": float(stat[0]), "df": q, "pvalue": pvalue, "method": f"placebo Wald over {len(stat) - 1}"}
