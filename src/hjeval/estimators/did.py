"""Difference-in-differences with two-way fixed effects and honest inference."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from typing import get_args

import numpy as np
import pandas as pd
from scipy import stats

from hjeval._version import __version__
from hjeval.cycle import CycleMethod, estimate_sensitivity
from hjeval.design.cells import CellDesign
from hjeval.design.panel import Comparison, Movers, PanelDesign
from hjeval.design.rows import row_slices
from hjeval.engines import Data, Engine, build_design_on, resolve_engine
from hjeval.engines.cell_statistics import NotCellConstant, duckdb_cells
from hjeval.engines.dask_cells import dask_cells
from hjeval.errors import DataError
from hjeval.estimators.twfe import TwfeFit, fit_twfe
from hjeval.estimators.twfe_cells import CellTwfeFit, cell_offer, fit_cells
from hjeval.inference.cluster import ClusterVcov, cluster_covariance, cluster_covariance_from_scores
from hjeval.inference.reassignment import PlaceboSample, Reassignable, Target
from hjeval.inference.record import InferenceMethod, InferenceOptions
from hjeval.inference.strategies import InferenceOffer, default_method, infer
from hjeval.inference.wild import MAX_CLUSTERS, BootstrapWeights, WildClusterBootstrap, draw_weights
from hjeval.regression import Covariance
from hjeval.results.effect import EffectResult

__all__ = ["Inference", "did"]

Inference = InferenceMethod


def _check_option(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise DataError(f"{name}={value!r} is not one of {list(allowed)}")


def adjust_cycle(design: PanelDesign, cycle: str | None, method: CycleMethod) -> PanelDesign:
    """Apply the business-cycle choice to a design whose first regressor is the cycle series."""
    _check_option("cycle_method", method, get_args(CycleMethod))
    if cycle is None:
        if method != "common":
            raise DataError(f"cycle_method={method!r} needs a cycle column; pass cycle='...'")
        return design
    if method == "common":
        raise DataError("cycle_method='common' uses no cycle column; drop cycle= or choose another method")
    if method == "covariate":
        return design
    sensitivity = estimate_sensitivity(design, column=0)
    return dataclasses.replace(
        design, y=design.y - sensitivity.offset, regressors=design.regressors[:, 1:],
        regressor_names=design.regressor_names[1:], y_offset=sensitivity.offset,
    )


def prepare_design(
    data: Data,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    group: str | None,
    cycle: str | None,
    cycle_method: CycleMethod | None,
    covariates: Sequence[str] | None,
    cluster: str | None,
    weights: str | None,
    comparison: Comparison,
    alpha: float,
    movers: Movers = "error",
    engine: Engine | None = None,
    cycle_panel: Data | None = None,
    client: object | None = None,
) -> tuple[PanelDesign, CycleMethod]:
    """Check the shared options, build the design on the engine and apply the business-cycle choice."""
    regressors = ([cycle] if cycle else []) + list(covariates or [])
    if len(set(regressors)) != len(regressors):
        raise DataError(f"the cycle column and covariates repeat a name: {regressors}")
    if not 0 < alpha < 1:
        raise DataError(f"alpha must be between 0 and 1, not {alpha}")
    design = build_design_on(
        data, engine=engine, cycle_panel=cycle_panel, cycle=cycle, outcome=outcome, unit=unit, time=time,
        treated=treated, start=start, group=group, cluster=cluster, regressors=regressors, weights=weights,
        comparison=comparison, movers=movers, client=client,
    )
    method = cycle_method or ("covariate" if cycle else "common")
    return adjust_cycle(design, cycle, method), method


def _other_terms(fit: TwfeFit | CellTwfeFit, covariance: Covariance | None, alpha: float) -> pd.DataFrame:
    rows = []
    for j, name in enumerate(fit.names[fit.n_treat:], start=fit.n_treat):
        est = float(fit.coef[j])
        if covariance is None:
            se = t = p = low = high = np.nan
        else:
            se = float(np.sqrt(covariance.vcov[j, j]))
            df = float(covariance.df_t[j])
            t = est / se if se > 0 else np.nan
            p = float(2 * stats.t.sf(abs(t), df))
            crit = float(stats.t.ppf(1 - alpha / 2, df))
            low, high = est - crit * se, est + crit * se
        rows.append({"term": name, "estimate": est, "se": se, "statistic": t, "p_value": p,
                     "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def _decomposition(fit: TwfeFit) -> dict[str, float]:
    """Split the treated groups' raw before/after change into the model's parts.

    Only the treated groups' rows enter, so they are gathered once instead of
    masking full-length columns.
    """
    design = fit.design
    rows = fit.treated_rows()
    period = design.period[rows]
    before = period < design.group_starts()[design.group[rows]]
    after = ~before
    weight = None if design.weight is None else design.weight[rows]
    w_after = None if weight is None else weight[after]
    w_before = None if weight is None else weight[before]

    def change(values: np.ndarray) -> float:
        return float(np.average(values[after], weights=w_after) - np.average(values[before], weights=w_before))

    alpha, lam = fit.fixed_effects()
    y = design.y[rows]
    offset = design.y_offset[rows] if design.y_offset is not None else np.zeros_like(y)
    parts = {
        "raw_change": change(y + offset),
        "effect": float(fit.coef[0]) * change(~before),
        "common_trend": change(lam[period]),
        "composition": change(alpha[design.unit[rows]]),
        "residual": change(fit.residuals_at(rows)),
    }
    if design.y_offset is not None:
        parts["cycle_sensitivity"] = change(offset)
    for j, name in enumerate(design.regressor_names):
        parts[f"regressor:{name}"] = float(fit.coef[fit.n_treat + j]) * change(design.regressors[rows, j])
    return parts


def _covariance(fit: TwfeFit, kind: str) -> Covariance:
    """CR1 from score sums gathered in one pass; CR2 needs the projected rows."""
    if kind == "CR2":
        return cluster_covariance(fit.design, fit.x_tilde, fit.resid, fit.gram, kind="CR2")
    return cluster_covariance_from_scores(fit.design, fit.cluster_scores(), fit.gram)


def reassignable(fit: TwfeFit) -> Reassignable:
    """What a two-way fit offers placebo and Conley-Taber inference: every re-assignment from per-group sums."""
    design = fit.design
    sizes, measure = design.group_sizes()
    m = fit.n_treat

    def evaluate(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return fit.assignment_estimates(sets)

    def residual_errors(sets: list[np.ndarray]) -> np.ndarray:
        return fit.assignment_estimates(sets, residuals=True)[0]

    return Reassignable(
        coef=fit.coef[:m].copy(), treated=design.treated_groups, comparison=design.comparison_groups,
        group_labels=design.group_labels, sizes=sizes, shares=fit.projector.cell_weight.sum(axis=1),
        size_measure=measure, evaluate=evaluate, residual_errors=residual_errors, ordered=design.has_cohorts,
    )


def twfe_offer(fit: TwfeFit, cluster_by: str, estimator: str) -> InferenceOffer:
    """Everything a two-way fit offers the shared inference strategies."""
    design = fit.design

    def bootstrap(options: InferenceOptions, small_sample: float) -> WildClusterBootstrap:
        if design.n_clusters > MAX_CLUSTERS:
            raise DataError(
                f"the wild bootstrap is limited to {MAX_CLUSTERS} clusters ({design.n_clusters} here); "
                "with so many clusters use inference='cluster'"
            )
        if not design.units_nested_in_clusters:
            raise DataError("the wild bootstrap needs the fixed-effect units nested in the clusters")
        rng = np.random.default_rng(options.seed)
        x_tilde, y_tilde = fit.projected()
        return WildClusterBootstrap(
            x_tilde, y_tilde, design.weights(), design.cluster, design.period,
            fit.projector.solve_periods, small_sample,
            draw_weights(options.bootstrap_weights, options.draws, design.n_clusters, rng),
        )

    return InferenceOffer(
        coef=fit.coef[: fit.n_treat].copy(), estimator=estimator, clusters=design.n_clusters,
        treated_clusters=treated_cluster_count(design), cluster_by=cluster_by,
        reassignment=reassignable(fit), covariance=lambda kind: _covariance(fit, kind), bootstrap=bootstrap,
    )


def inference_options(
    inference: str | None, offer: InferenceOffer, *, alpha: float, seed: int, draws: int,
    size_correction: bool, bootstrap_weights: str = "webb", vcov: str = "CR1",
) -> InferenceOptions:
    """The checked options, with the default method for the design when none is given."""
    method = inference if inference is not None else default_method(offer)
    return InferenceOptions(
        method, alpha=alpha, seed=seed, draws=draws, size_correction=size_correction,  # type: ignore[arg-type]
        bootstrap_weights=bootstrap_weights, vcov=vcov,  # type: ignore[arg-type]
    )


def placebo_series(sample: PlaceboSample | None, target: Target) -> pd.Series:
    """The placebo estimates of the comparison assignments as the test compares them (size-corrected)."""
    if sample is None:
        return pd.Series(dtype=float, name="placebo_estimate")
    dist = sample.distribution(target)
    index = pd.Index(list(sample.labels[1:]), name="assigned_to", tupleize_cols=False)
    return pd.Series(dist.estimates[1:], index=index, name="placebo_estimate")


def placebo_errors(sample: PlaceboSample | None, targets: Sequence[Target], estimates: Sequence[float],
                   names: Sequence[object]) -> pd.DataFrame:
    """Draws of the estimator's error: each re-assignment's estimate with the effect removed, size-corrected.

    One row per re-assignment, one column per target. ``estimate - error`` over
    the rows is the permutation distribution of the effect, which carries the
    uncertainty into quantities computed from it (e.g. money saved).
    """
    if sample is None:
        return pd.DataFrame(columns=pd.Index(list(names)), dtype=float)
    index = pd.Index(list(sample.labels[1:]), name="assigned_to", tupleize_cols=False)
    columns = {name: sample.distribution(target, j).null_spread(value)
               for j, (name, target, value) in enumerate(zip(names, targets, estimates, strict=True))}
    return pd.DataFrame(columns, index=index)


def provenance_record(design: PanelDesign | CellDesign, seed: int, **extra: object) -> dict[str, object]:
    """What a result records about its sample and settings."""
    return {
        "rows_input": design.n_rows_input,
        "rows_used": design.n_obs,
        "exclusions": list(design.exclusions),
        "adjustments": list(design.adjustments),
        "groups": design.n_groups,
        "periods": design.n_periods,
        "clusters": design.n_clusters,
        "seed": seed,
        **extra,
        "hjeval_version": __version__,
    }


def treated_cluster_count(design: PanelDesign) -> int:
    """Clusters that contain treated groups."""
    if design.cluster is design.group:
        return len(design.treated_groups)
    is_treated = np.zeros(design.n_groups, dtype=bool)
    is_treated[design.treated_groups] = True
    seen = np.zeros(design.n_clusters, dtype=bool)
    for rows in row_slices(design.n_obs):
        seen[design.cluster[rows][is_treated[design.group[rows]]]] = True
    return int(seen.sum())


def cell_design(
    data: Data, *, engine: Engine | None, client: object | None, inference: str | None, vcov: str,
    cycle: str | None, cycle_method: CycleMethod | None, covariates: Sequence[str] | None, alpha: float,
    movers: Movers, cycle_panel: Data | None, roles: dict[str, object], stacklevel: int = 3,
) -> tuple[CellDesign | None, str]:
    """The design as cell statistics when DuckDB or Dask reads the rows and the fit needs no more, else why not.

    Cell statistics suffice with cell-constant regressors, units nested in
    groups, clusters that are unions of groups, row weights constant within
    units, one start and an inference that needs no rows (placebo,
    Conley-Taber, CR1, wild bootstrap); anything else, including options the
    row path refuses, goes to the row design.
    """
    try:
        chosen: str = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    except DataError:
        chosen = "rows"
    if client is not None and chosen != "dask":
        chosen = "rows"  # a client for another engine: the row design refuses it
    if chosen not in ("duckdb", "dask"):
        return None, f"engine={chosen!r}"
    method = cycle_method or ("covariate" if cycle else "common")
    regressors = ([cycle] if cycle else []) + list(covariates or [])
    needs_rows = [
        (not 0 < alpha < 1 or len(set(regressors)) != len(regressors) or movers not in ("error", "entry", "split")
         or (cycle_panel is not None and cycle is None), "options the row design checks"),
        (method != ("covariate" if cycle else "common"), f"cycle_method={method!r}"),
        (isinstance(roles["start"], Mapping | pd.Series), "a start per treated group"),
        (inference not in (None, "placebo", "conley-taber", "cluster", "wild-bootstrap"), f"inference={inference!r}"),
        (vcov != "CR1" and inference not in ("placebo", "conley-taber"), f"vcov={vcov!r}"),
    ]
    for applies, reason in needs_rows:
        if applies:
            return None, reason
    if chosen == "dask":
        found = dask_cells(data, client=client, regressors=regressors, cycle=cycle, cycle_panel=cycle_panel,
                           movers=movers, stacklevel=stacklevel, **roles)  # type: ignore[arg-type]
    else:
        found = duckdb_cells(data, regressors=regressors, cycle=cycle, cycle_panel=cycle_panel, movers=movers,
                             stacklevel=stacklevel, **roles)  # type: ignore[arg-type]
    if isinstance(found, NotCellConstant):
        return None, found.reason
    return found, ""


def engine_design(
    data: Data, *, roles: dict[str, object], engine: Engine | None, client: object | None, inference: str | None,
    cycle: str | None, cycle_method: CycleMethod | None, covariates: Sequence[str] | None, alpha: float,
    movers: Movers, cycle_panel: Data | None,
) -> tuple[PanelDesign | CellDesign, CycleMethod, dict[str, object]]:
    """The design for a two-way fit with CR1 errors: cell statistics when they suffice, else the rows' design.

    Returns the design, the cycle method and the provenance of the path
    taken (``engine_path``, and ``engine_path_reason`` when DuckDB's or
    Dask's rows were needed); ``roles`` are :func:`cell_design`'s.
    """
    cells, why_rows = cell_design(
        data, engine=engine, client=client, inference=inference, vcov="CR1", cycle=cycle, cycle_method=cycle_method,
        covariates=covariates, alpha=alpha, movers=movers, cycle_panel=cycle_panel, roles=roles, stacklevel=4,
    )
    if cells is not None:
        return cells, cycle_method or ("covariate" if cycle else "common"), {"engine_path": "cells"}
    design, method = prepare_design(
        data, **roles, cycle=cycle, cycle_method=cycle_method, covariates=covariates,  # type: ignore[arg-type]
        alpha=alpha, movers=movers, engine=engine, cycle_panel=cycle_panel, client=client,
    )
    path: dict[str, object] = {"engine_path": "rows"}
    if not why_rows.startswith("engine="):
        path["engine_path_reason"] = why_rows
    return design, method, path


def did(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
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
    bootstrap_weights: BootstrapWeights = "webb",
    vcov: ClusterVcov = "CR1",
    size_correction: bool = True,
    movers: Movers = "error",
    engine: Engine | None = None,
    cycle_panel: Data | None = None,
    client: object | None = None,
) -> EffectResult:
    """Two-way fixed-effects difference-in-differences.

    Estimates ``tau`` in ``y_it = a_i + l_t + tau D_it + g cycle_it + X_it b + e_it``
    where ``i`` is the unit (a person or a municipality), ``t`` the period
    and ``D_it = 1`` for units in a treated group from ``start`` on. With two
    periods and group-level units this is the classic 2 x 2 comparison.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Long panel, one row per unit and period (unbalanced allowed); or the
        path of a Parquet file or folder of Parquet files (e.g. partitioned by
        year), read out of core (see ``engine``).
    outcome, unit, time : str
        Column names; ``unit`` carries the fixed effect.
    treated : label or list of labels
        Treated value(s) of ``group``; municipality names (``"Hjørring"``)
        are read as codes where the column holds codes.
    start : int, str, pandas.Period, Timestamp or mapping
        First treated period, of the same kind as ``time``. A mapping (or a
        Series) of each treated group to its own first treated period gives
        cohorts: ``D_it = 1`` from the unit's group's start on, and placebo
        re-assignment hands the starts to the re-assigned groups along with
        the treatment. With effects that differ between cohorts or grow over
        time this pooled two-way estimate weighs them unevenly (and compares
        later with earlier adopters); :func:`hjeval.staggered_did` gives the
        cohort-by-period effects and their averages.
    group : str, optional
        Where treatment is assigned (default ``unit``); units must be nested in groups.
    cycle : str, optional
        A business-cycle series per group and period (e.g. the local
        unemployment rate).
    cycle_method : {"common", "covariate", "sensitivity"}, optional
        How the cycle is netted out (see :mod:`hjeval.cycle`): ``"common"``
        (no series; the comparison groups' common trend only, the default
        without ``cycle``), ``"covariate"`` (the series as a regressor, the
        default with ``cycle``) or ``"sensitivity"`` (group-specific
        sensitivity to the national cycle, estimated before the start).
    covariates : sequence of str, optional
        Further time-varying regressors.
    cluster : str, optional
        Cluster for cluster-robust errors (default ``group``).
    weights : str, optional
        Row weights (e.g. persons in an aggregated cell).
    comparison : None, {"north_jutland", "rural", "all"} or list
        Comparison groups (default: all other groups).
    inference : {"cluster", "placebo", "conley-taber", "wild-bootstrap"}, optional
        Default: ``"placebo"`` with fewer than 10 treated clusters, else ``"cluster"``.
        ``"placebo"`` re-assigns the treatment to every comparison group
        (several treated groups: random sets of as many groups); the p-value
        is the exact permutation p-value and the interval inverts that test.
        ``"conley-taber"`` compares the estimate with the estimator applied to
        the comparison groups' residuals. Both are size-corrected (see
        ``size_correction``). ``"cluster"`` is CR1 (or CR2) with a t(G-1)
        reference, and warns when too few clusters are treated for it to be
        valid. ``"wild-bootstrap"`` is the restricted wild cluster bootstrap
        (null imposed) of the CR1 t statistic, interval by test inversion; it
        suits several treated clusters and under-rejects with one.
    alpha : float, default 0.05
    seed : int, default 0
        Seed for random placebo assignments and bootstrap weights.
    draws : int, default 999
        Random placebo assignments (several treated groups) or bootstrap draws.
    bootstrap_weights : {"webb", "rademacher"}, default "webb"
        Cluster weights of the wild bootstrap.
    vcov : {"CR1", "CR2"}, default "CR1"
        Covariance for ``inference="cluster"``: CR1 with fixest's small-sample
        factor and t(G-1), or CR2 (Bell-McCaffrey) with its per-coefficient
        degrees of freedom, which behaves better with few clusters; CR2 is
        refused where the period effects would make it costly (large
        person-level panels: collapse to cells first).
    size_correction : bool, default True
        Correct placebo and Conley-Taber inference for unequal group sizes
        (Ferman and Pinto 2019): the variance of each group's residual DiD is
        modelled as ``A + B / M_j`` (``M_j`` distinct persons, or the weight
        sum with ``weights=``), fitted on the comparison groups, and every
        comparison estimate is rescaled to the treated group's variance
        before it is compared. Nothing changes when all groups have the same
        size (one row per group and period). ``False`` gives the uncorrected
        test. The fitted model is in ``result.inference.size_correction``.
    movers : {"error", "entry", "split"}, default "error"
        Units (persons) seen in more than one group: an error naming them, or
        each kept in the group of its first period (``"entry"``), or unit x
        group as the fixed-effect unit (``"split"``); what was done is counted
        in ``provenance["adjustments"]``.
    engine : {"pandas", "duckdb", "dask"}, optional
        Where the rows are read (:mod:`hjeval.engines`): ``"pandas"`` in memory
        (the default for a DataFrame), ``"duckdb"`` out of core (the default
        for a path: the rows never become a DataFrame; with cell-constant
        regressors, units nested in groups, clusters that are unions of groups
        and weights constant within units, the fit comes from DuckDB's
        group-bys by cell and by unit and no row is held, else the design's
        codes and float columns are; ``provenance["engine_path"]`` says
        ``"cells"`` or ``"rows"``, and ``provenance["engine_path_reason"]``
        why DuckDB's rows were needed), ``"dask"`` on a Dask cluster (see
        ``client``). Every engine gives the same estimate and inference.
    cycle_panel : pandas.DataFrame or path, optional
        A group-period panel (Parquet or CSV) holding the ``cycle`` column,
        joined to the rows on ``group`` and the period by DuckDB or Dask (not
        needed when the data hold the column). Every row must find its cell.
    client : dask.distributed.Client, optional
        The cluster ``engine="dask"`` runs on; its workers must be able to
        import hjeval and read the files. Without one a local cluster is
        started for the call and closed afterwards; giving one without
        ``engine`` chooses ``"dask"``.

    Returns
    -------
    EffectResult
        ``se`` is, for placebo inference, the standard deviation of the
        (size-corrected) placebo estimates with the estimated effect removed;
        for Conley-Taber that of the (size-corrected) residual estimates; so
        ``estimate +- 1.96 se`` approximates the exact interval ``ci``.

    Raises
    ------
    DataError
        Bad columns or design (see :func:`hjeval.design.panel.build_design`),
        regressors absorbed by the fixed effects or collinear.

    Notes
    -----
    The fixed effects are removed exactly (no iteration tolerance) by solving
    the period system left after eliminating unit effects. Placebo
    estimates for every re-assignment come from per-group sums, so inference
    costs almost nothing beyond the fit. Conley and Taber (2011, REStat 93(1))
    describe the residual-based interval; Abadie, Diamond and Hainmueller (2010)
    the placebo-in-space idea; Ferman and Pinto (2019, REStat 101(3)) the
    correction for groups of unequal size.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(1)
    >>> panel = pd.DataFrame([(m, y) for m in range(30) for y in range(2010, 2020)],
    ...                      columns=["municipality", "year"])
    >>> panel["hours"] = rng.normal(size=len(panel)) + 5 * ((panel.municipality == 0) & (panel.year >= 2015))
    >>> res = hj.did(panel, "hours", unit="municipality", time="year", treated=0, start=2015)
    >>> abs(res.estimate - 5) < 3 * res.se, res.inference.label
    (True, 'placebo permutation over 29 re-assignments')
    """
    cells, why_rows = cell_design(
        data, engine=engine, client=client, inference=inference, vcov=vcov, cycle=cycle, cycle_method=cycle_method,
        covariates=covariates, alpha=alpha, movers=movers, cycle_panel=cycle_panel,
        roles=dict(outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group,
                   cluster=cluster, weights=weights, comparison=comparison),
    )
    design: PanelDesign | CellDesign
    fit: TwfeFit | CellTwfeFit
    if cells is not None:
        design, cycle_method = cells, cycle_method or ("covariate" if cycle else "common")
        fit = fit_cells(cells)
        offer = cell_offer(fit, cluster or group or unit, "did")
        decomposition = fit.decomposition
        path = {"engine_path": "cells"}
    else:
        design, cycle_method = prepare_design(
            data, outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group, cycle=cycle,
            cycle_method=cycle_method, covariates=covariates, cluster=cluster, weights=weights,
            comparison=comparison, alpha=alpha, movers=movers, engine=engine, cycle_panel=cycle_panel,
            client=client,
        )
        fit = fit_twfe(design)
        offer = twfe_offer(fit, cluster or group or unit, "did")
        decomposition = functools.partial(_decomposition, fit)
        path = {"engine_path": "rows"} if why_rows.startswith("engine=") else {
            "engine_path": "rows", "engine_path_reason": why_rows}
    options = inference_options(inference, offer, alpha=alpha, seed=seed, draws=draws,
                                size_correction=size_correction, bootstrap_weights=bootstrap_weights, vcov=vcov)
    target = Target(np.ones(1), np.zeros(1), np.ones(1))
    outcome_ = infer(offer, [target], options)
    record = outcome_.records[0]
    provenance = provenance_record(design, seed, cycle_method=cycle_method, **path)
    if options.method in ("placebo", "conley-taber", "wild-bootstrap"):
        provenance["draws"] = record.draws
    if options.method in ("placebo", "conley-taber"):
        provenance["degenerate_draws"] = record.degenerate
        provenance["exact_enumeration"] = record.exact
    if options.method == "wild-bootstrap":
        provenance["bootstrap_weights"] = bootstrap_weights
    return EffectResult(
        estimate=record.estimate, se=record.se, ci=(float(record.ci[0]), float(record.ci[1])),
        pvalue=float(record.pvalue), n_obs=design.n_obs, alpha=alpha, inference=record, method="did",
        outcome=outcome, treated=design.treated_label(), start=design.start_label(),
        comparison=design.comparison,
        other_terms=_other_terms(fit, outcome_.covariance, alpha),
        placebo=placebo_series(outcome_.placebo, target),
        placebo_errors=placebo_errors(outcome_.placebo, [target], [record.estimate], ["treatment"])["treatment"],
        decomposition=decomposition(), provenance=provenance,
    )
