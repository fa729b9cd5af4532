"""Effects by subgroup: one difference-in-differences per level, multiplicity and a joint test."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from hjeval.cycle import CycleMethod
from hjeval.design.panel import Comparison, Movers, as_list, require_columns, resolve_labels
from hjeval.engines import Data, Engine, resolve_engine
from hjeval.engines.in_memory import missing_columns, naming, read_columns
from hjeval.engines.levels import dataset_columns, engine_client, value_rows
from hjeval.errors import DataError
from hjeval.estimators._subgroup_levels import (
    DatasetLevels,
    FrameLevels,
    by_columns,
    check_by_values,
    level_label,
)
from hjeval.estimators.did import Inference, did, prepare_design
from hjeval.estimators.twfe import fit_twfe
from hjeval.inference.cluster import ClusterVcov
from hjeval.inference.wild import BootstrapWeights
from hjeval.results.effect import EffectResult
from hjeval.results.subgroups import SubgroupsResult

__all__ = ["Adjust", "placebo_joint_test", "subgroups", "wald_joint_test"]

Adjust = Literal["holm", "bh"]

_MULTIPLETESTS = {"holm": "holm", "bh": "fdr_bh"}
"""Our names of the adjustments and statsmodels' names of the same."""


def _adjusted(pvalues: np.ndarray, adjust: Adjust | None, alpha: float) -> np.ndarray:
    """The p-values adjusted for multiple levels (unchanged without ``adjust``)."""
    if adjust is None or len(pvalues) == 0:
        return pvalues.copy()
    return np.asarray(multipletests(pvalues, alpha=alpha, method=_MULTIPLETESTS[adjust])[1], dtype=np.float64)


def placebo_joint_test(estimates: np.ndarray, ses: np.ndarray, errors: np.ndarray) -> dict[str, float]:
    """Permutation test of equal effects across levels.

    The statistic is ``W = sum_l w_l (tau_l - tau_w)^2`` with ``w_l = 1 / se_l^2``
    and ``tau_w`` the ``w``-weighted mean: a Wald statistic of the deviations
    from a common effect with the levels' placebo variances. Under equal
    effects the deviations are those of the estimators' errors, so ``W`` is
    compared with the same statistic of each re-assignment's error draws.

    Parameters
    ----------
    estimates, ses : numpy.ndarray, shape (L,)
    errors : numpy.ndarray, shape (S, L)
        Each re-assignment's (size-corrected) placebo estimate with the
        level's estimated effect removed; the same re-assignment in a row.

    Returns
    -------
    dict
        ``statistic`` and ``pvalue``: the share of assignments, the actual one
        included, whose statistic is at least ``W``.

    Examples
    --------
    >>> errors = np.array([[0.5, -0.5], [0.1, 0.0], [-0.2, 0.3]])
    >>> placebo_joint_test(np.array([1.0, 3.0]), np.array([1.0, 1.0]), errors)
    {'statistic': 2.0, 'pvalue': 0.25}
    """
    w = 1.0 / np.asarray(ses, dtype=np.float64) ** 2

    def statistic(values: np.ndarray) -> np.ndarray:
        centre = values @ w / w.sum()
        return np.asarray((((values.T - centre).T) ** 2) @ w)

    observed = float(statistic(np.asarray(estimates, dtype=np.float64)[None, :])[0])
    draws = statistic(np.asarray(errors, dtype=np.float64))
    # a relative tolerance keeps the actual assignment's own tie counted
    pvalue = (1 + int(np.sum(draws >= observed * (1 - 1e-12)))) / (len(draws) + 1)
    return {"statistic": observed, "pvalue": float(pvalue)}


def wald_joint_test(estimates: np.ndarray, ses: np.ndarray, influence: np.ndarray, df: float) -> dict[str, float]:
    """Wald test of equal effects across levels with the stacked cluster covariance.

    The levels' estimates correlate through shared clusters. Their
    correlation comes from each level's per-cluster influence on its
    estimate (the CR1 score sums through the inverse Gram matrix), the
    variances from the levels' own standard errors, so ``V = D R D``.
    ``W = (A tau)' (A V A')^-1 (A tau)`` for the ``L - 1`` contrasts
    ``tau_l - tau_L``; ``W / (L - 1)`` is referred to ``F(L - 1, df)``.

    Parameters
    ----------
    estimates, ses : numpy.ndarray, shape (L,)
    influence : numpy.ndarray, shape (G, L)
        Per-cluster influence on each level's estimate (0 where a cluster
        has no rows of the level).
    df : float
        Denominator degrees of freedom (clusters less one).

    Returns
    -------
    dict
        ``statistic`` (``W``) and ``pvalue``.

    Examples
    --------
    >>> influence = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    >>> out = wald_joint_test(np.array([1.0, 3.0]), np.array([1.0, 1.0]), influence, df=3)
    >>> round(out["statistic"], 12)
    2.0
    """
    tau = np.asarray(estimates, dtype=np.float64)
    cross = influence.T @ influence
    scale = np.sqrt(np.diag(cross))
    correlation = cross / np.outer(scale, scale)
    vcov = correlation * np.outer(ses, ses)
    contrast = np.eye(len(tau))[:-1] - np.eye(len(tau))[-1]
    diff = contrast @ tau
    middle = contrast @ vcov @ contrast.T
    statistic = float(diff @ np.linalg.pinv(middle, hermitian=True) @ diff)
    q = int(np.linalg.matrix_rank(middle))
    pvalue = float(stats.f.sf(statistic / q, q, df)) if q > 0 else math.nan
    return {"statistic": statistic, "pvalue": pvalue}


def _cluster_influence(level_data: Data, design_args: dict[str, object]) -> pd.Series:
    """Per-cluster influence on the level's effect: row 0 of the inverse Gram times the score sums."""
    design, _ = prepare_design(level_data, **design_args)  # type: ignore[arg-type]
    fit = fit_twfe(design)
    influence = fit.cluster_scores() @ np.linalg.inv(fit.gram)[0]
    return pd.Series(influence, index=pd.Index(list(design.cluster_labels), tupleize_cols=False))


def _joint(levels: dict[object, EffectResult], errors: dict[object, pd.Series],
           influence: dict[object, pd.Series]) -> dict[str, object]:
    keys = list(levels)
    out: dict[str, object] = {"statistic": math.nan, "pvalue": math.nan, "levels": len(keys)}
    if len(keys) < 2:
        out["method"] = "none"
        out["note"] = "fewer than two levels estimated: nothing to compare"
        return out
    estimates = np.array([levels[k].estimate for k in keys])
    ses = np.array([levels[k].se for k in keys])
    if errors:
        table = pd.concat([errors[k].rename(i) for i, k in enumerate(keys)], axis=1, join="inner")
        union = set().union(*(set(errors[k].index) for k in keys))
        out.update(placebo_joint_test(estimates, ses, table.to_numpy()))
        out.update(method="placebo", draws=len(table), draws_left_out=len(union) - len(table))
        return out
    table = pd.concat([influence[k].rename(i) for i, k in enumerate(keys)], axis=1).fillna(0.0)
    df = min(levels[k].inference.df for k in keys)
    out.update(wald_joint_test(estimates, ses, table.to_numpy(), df))
    out.update(method="wald", df=(len(keys) - 1, df))
    return out


def subgroups(
    data: Data,
    outcome: str,
    unit: str,
    time: str,
    treated: object,
    start: object,
    *,
    by: str | Sequence[str],
    adjust: Adjust | None = "holm",
    min_persons: int = 5,
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
) -> SubgroupsResult:
    """One difference-in-differences effect per level of ``by``, with adjusted p-values and a joint test.

    Each level's rows (in every municipality) are estimated with exactly the
    specification of :func:`hjeval.did`: the same cycle adjustment,
    comparison groups and inference, size-corrected placebo by default.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Long panel, one row per unit and period (unbalanced allowed); or the
        path of a Parquet file or folder of Parquet files (e.g. partitioned by
        year), read out of core (see ``engine``).
    outcome, unit, time, treated, start
        As for :func:`hjeval.did`.
    by : str or list of str
        The column(s) whose levels (combinations of levels) split the rows:
        benefit group, sex, origin, age band, number of interventions.
    adjust : {"holm", "bh"} or None, default "holm"
        Multiple-testing adjustment of the levels' p-values: Holm's
        family-wise step-down or Benjamini-Hochberg's false discovery rate
        (statsmodels' ``multipletests``); None leaves ``p_adjusted`` equal to
        ``p_value``.
    min_persons : int, default 5
        A level with fewer distinct persons in the treated municipality is
        not estimated (disclosure rule) and shows as suppressed.
    group, cycle, cycle_method, covariates, cluster, weights, comparison, inference, alpha, seed, draws, \
bootstrap_weights, vcov, size_correction, movers
        As for :func:`hjeval.did`, applied to every level and to the overall effect.
    engine, cycle_panel, client
        As in :func:`hjeval.did` (every engine gives the same result).
        For a path the levels and their persons are group-bys on the engine,
        and each level's rows are copied out of core, one level at a time, to
        a Parquet file in a temporary folder that the level's fit reads on
        the same engine (on Dask the workers write and read it, so they must
        share that folder with the client, as a local cluster does).

    Returns
    -------
    SubgroupsResult
        ``to_frame()`` has the ``by`` column(s), ``estimate, se, ci_low,
        ci_high, p_value, p_adjusted, persons, suppressed, n_obs``;
        ``joint_test`` is a dict with ``statistic`` and ``pvalue`` (and
        ``method``); ``estimate``, ``ci`` and ``pvalue`` are those of the
        overall effect on all rows (``overall``).

    Raises
    ------
    DataError
        ``by`` not in the data, a design column, or with missing values; an
        unknown ``adjust``; no person counts; anything :func:`hjeval.did`
        refuses for a level (the message names the level). For a path the
        overall fit has checked every row before a level is copied, so an
        error in a level is about its own design (e.g. no treated rows).

    Notes
    -----
    The joint test of equal effects depends on the inference. With placebo
    (or Conley-Taber) inference it is a permutation test: the statistic
    ``sum_l w_l (tau_l - tau_w)^2`` (``w_l = 1 / se_l^2``, ``tau_w`` the weighted
    mean) is compared with the same statistic of the levels' placebo errors
    under each re-assignment, the same re-assignment for every level so that
    their correlation is kept; a re-assignment missing in some level is left
    out and counted (``draws_left_out``). With Conley-Taber the placebo
    re-assignments are drawn for the test. With cluster (or wild-bootstrap)
    inference it is a Wald test with the stacked covariance of the levels,
    ``F(L - 1, G - 1)``. Holm (1979); Benjamini and Hochberg (1995).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hjeval as hj
    >>> rng = np.random.default_rng(2)
    >>> panel = pd.DataFrame([(p, p // 30, y) for p in range(600) for y in range(2012, 2018)],
    ...                      columns=["person", "municipality", "year"])
    >>> panel["sex"] = np.where(panel.person % 2 == 0, "f", "m")
    >>> effect = np.where(panel.sex == "f", 4.0, 1.0)
    >>> panel["hours"] = rng.normal(size=len(panel)) + effect * ((panel.municipality == 0) & (panel.year >= 2015))
    >>> sg = hj.subgroups(panel, "hours", unit="person", group="municipality", time="year", treated=0,
    ...                   start=2015, by="sex")
    >>> sg.to_frame()[["sex", "persons", "suppressed"]].values.tolist()
    [['f', 15, False], ['m', 15, False]]
    >>> sorted(sg.joint_test)[:3]
    ['draws', 'draws_left_out', 'levels']
    """
    if adjust is not None and adjust not in get_args(Adjust):
        raise DataError(f"adjust={adjust!r} is not one of {[*get_args(Adjust), None]}; use 'holm' (family-wise), "
                        "'bh' (false discovery rate) or None")
    if isinstance(min_persons, bool) or not isinstance(min_persons, int) or min_persons < 1:
        raise DataError(f"min_persons must be a whole number of at least 1, not {min_persons!r}")
    group_col = group or unit
    roles: dict[str, str | None] = {"outcome": outcome, "unit": unit, "time": time, "group": group_col,
                                    "cluster": cluster, "weights": weights, "cycle": cycle}
    spec: dict[str, object] = dict(outcome=outcome, unit=unit, time=time, treated=treated, start=start)
    design_args: dict[str, object] = dict(
        **spec, group=group, cycle=cycle, cycle_method=cycle_method, covariates=covariates, cluster=cluster,
        weights=weights, comparison=comparison, alpha=alpha, movers=movers, cycle_panel=cycle_panel,
    )
    options: dict[str, object] = dict(
        group=group, cycle=cycle, cycle_method=cycle_method, covariates=covariates, cluster=cluster,
        weights=weights, comparison=comparison, inference=inference, alpha=alpha, seed=seed, draws=draws,
        bootstrap_weights=bootstrap_weights, vcov=vcov, size_correction=size_correction, movers=movers,
        engine=engine, cycle_panel=cycle_panel, client=client,
    )
    chosen = resolve_engine(data, "dask" if engine is None and client is not None else engine)
    with engine_client(chosen, client) as running:
        if running is not None:
            options["client"] = running
        if isinstance(data, pd.DataFrame) or chosen == "pandas":
            return _in_memory(data, by, roles, options, design_args, spec, adjust=adjust, min_persons=min_persons)
        with tempfile.TemporaryDirectory(prefix="hjeval-subgroups-") as tmp:
            return _on_dataset(data, by, roles, {**options, "engine": chosen}, design_args, spec, adjust=adjust,
                               min_persons=min_persons, folder=Path(tmp))


def _in_memory(data: Data, by: object, roles: dict[str, str | None], options: dict[str, object],
               design_args: dict[str, object], spec: dict[str, object], *, adjust: Adjust | None,
               min_persons: int) -> SubgroupsResult:
    """Subgroups of a DataFrame (or of a path read whole on the pandas engine): each level a slice of it."""
    outcome, unit, time, group = (str(roles[k]) for k in ("outcome", "unit", "time", "group"))
    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        columns = by_columns(dataset_columns(data), by, roles, place=f"the dataset {data}", holder="it")
        covariates = list(design_args["covariates"] or [])  # type: ignore[call-overload]
        frame = read_columns(data, {"outcome": outcome, "unit": unit, "time": time, "group": group,
                                    "cluster": roles["cluster"], "weights": roles["weights"]},
                             optional=[*columns, *covariates, *([roles["cycle"]] if roles["cycle"] else [])])
    with naming(data):
        require_columns(frame, {"outcome": outcome, "unit": unit, "time": time, "group": group})
        columns = by_columns(list(frame.columns), by, roles)
        check_by_values(frame, columns)
        treated_labels = resolve_labels(as_list(spec["treated"]), pd.unique(frame[group].dropna()),
                                        argument="treated", column=group)
        overall = did(frame, *_args(spec), **options)  # type: ignore[arg-type]
        levels = FrameLevels(frame, columns, treated_labels, unit=unit, group=group, time=time,
                             weights=roles["weights"])
        return _estimate(levels, columns, overall, options,
                         {**design_args, "engine": options["engine"], "client": options["client"]}, spec,
                         adjust=adjust, min_persons=min_persons)


def _on_dataset(data: Data, by: object, roles: dict[str, str | None], options: dict[str, object],
                design_args: dict[str, object], spec: dict[str, object], *, adjust: Adjust | None,
                min_persons: int, folder: Path) -> SubgroupsResult:
    """Subgroups of a Parquet dataset on DuckDB or Dask: levels by group-bys, each level's rows copied out of core."""
    outcome, unit, time, group = (str(roles[k]) for k in ("outcome", "unit", "time", "group"))
    engine, client = str(options["engine"]), options["client"]
    names = dataset_columns(data)
    missing_columns(data, names, {"outcome": outcome, "unit": unit, "time": time, "group": group})
    columns = by_columns(names, by, roles, place=f"the dataset {data}", holder="it")
    counts, missing = value_rows(data, columns, engine=engine, client=client)
    check_by_values(data, columns, missing=missing, engine=engine, client=client)
    groups, _ = value_rows(data, [group], engine=engine, client=client)
    treated_labels = resolve_labels(as_list(spec["treated"]), pd.unique(groups[group]), argument="treated",
                                    column=group)
    overall = did(data, *_args(spec), **options)  # type: ignore[arg-type]
    used = [outcome, unit, time, group, roles["cluster"], roles["weights"],
            *(design_args["covariates"] or []), roles["cycle"]]  # type: ignore[misc]
    copied = [c for c in dict.fromkeys(used) if c is not None and c in names]
    levels = DatasetLevels(data, columns, counts, treated_labels, unit=unit, group=group, time=time,
                           weights=roles["weights"], copied=copied, engine=engine, client=client, folder=folder)
    return _estimate(levels, columns, overall, options, {**design_args, "engine": engine, "client": client}, spec,
                     adjust=adjust, min_persons=min_persons)


def _args(spec: dict[str, object]) -> list[object]:
    return [spec[k] for k in ("outcome", "unit", "time", "treated", "start")]


def _estimate(source: FrameLevels | DatasetLevels, columns: list[str], overall: EffectResult,
              options: dict[str, object], design_args: dict[str, object], spec: dict[str, object], *,
              adjust: Adjust | None, min_persons: int) -> SubgroupsResult:
    """Each level's effect (the suppressed ones left out), the adjusted p-values and the joint test."""
    levels: dict[object, EffectResult] = {}
    errors: dict[object, pd.Series] = {}
    influence: dict[object, pd.Series] = {}
    rows: list[dict[str, object]] = []
    suppressed_rows = 0
    joint_by_placebo = overall.inference.method in ("placebo", "conley-taber")
    args = _args(spec)
    for level in source.levels:
        row: dict[str, object] = dict(zip(columns, level.values, strict=True))
        if level.persons < min_persons:
            suppressed_rows += level.rows
            rows.append({**row, "persons": pd.NA, "suppressed": True, "n_obs": 0})
            continue
        with source.rows(level) as (level_data, rename):
            try:
                result = did(level_data, *args, **options)  # type: ignore[arg-type]
                if joint_by_placebo:
                    placebo = result if result.inference.method == "placebo" else did(
                        level_data, *args, **{**options, "inference": "placebo"},  # type: ignore[arg-type]
                    )
                    errors[level.key] = placebo.placebo_errors
                else:
                    influence[level.key] = _cluster_influence(level_data, design_args)
            except DataError as err:
                raise DataError(f"subgroup {level_label(columns, level.key)}: {rename(str(err))}") from err
        levels[level.key] = result
        rows.append({**row, "estimate": result.estimate, "se": result.se, "ci_low": result.ci[0],
                     "ci_high": result.ci[1], "p_value": result.pvalue, "persons": level.persons,
                     "suppressed": False, "n_obs": result.n_obs})
    alpha = overall.alpha
    table = _table(rows, columns, adjust, alpha)
    provenance = {
        **overall.provenance,
        "by": list(columns),
        "levels": len(rows),
        "levels_estimated": len(levels),
        "levels_suppressed": len(rows) - len(levels),
        "min_persons": min_persons,
        "subgroup_exclusions": ([{"reason": f"level with fewer than {min_persons} persons in the treated group "
                                            "(suppressed)", "rows": suppressed_rows}] if suppressed_rows else []),
    }
    return SubgroupsResult(
        estimate=overall.estimate, se=overall.se, ci=overall.ci, pvalue=overall.pvalue, n_obs=overall.n_obs,
        alpha=alpha, inference=overall.inference, method="subgroups", outcome=str(spec["outcome"]),
        treated=overall.treated, start=overall.start, comparison=overall.comparison, by=tuple(columns),
        adjust=adjust, min_persons=min_persons, table=table, levels=levels, overall=overall,
        joint_test=_joint(levels, errors, influence), provenance=provenance,
    )


def _table(rows: list[dict[str, object]], columns: list[str], adjust: Adjust | None, alpha: float) -> pd.DataFrame:
    numbers = ["estimate", "se", "ci_low", "ci_high", "p_value"]
    table = pd.DataFrame(rows, columns=[*columns, *numbers, "persons", "suppressed", "n_obs"])
    table[numbers] = table[numbers].astype(np.float64)
    estimated = ~table["suppressed"].to_numpy(dtype=bool)
    adjusted = np.full(len(table), np.nan)
    adjusted[estimated] = _adjusted(table.loc[estimated, "p_value"].to_numpy(), adjust, alpha)
    table.insert(len(columns) + len(numbers), "p_adjusted", adjusted)
    table["persons"] = table["persons"].astype("Int64")
    table["suppressed"] = table["suppressed"].astype(bool)
    table["n_obs"] = table["n_obs"].astype(np.int64)
    return table
