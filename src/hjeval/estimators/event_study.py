"""Event study: effects by period relative to the start, with a pre-trend test."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hjeval.cycle import CycleMethod
from hjeval.design.panel import Comparison, PanelDesign
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators.did import (
    Inference,
    _check_option,
    _default_inference,
    prepare_design,
    provenance_record,
    warn_if_few_treated_clusters,
)
from hjeval.estimators.twfe import fit_twfe
from hjeval.inference.cluster import cluster_covariance_from_scores
from hjeval.inference.permutation import PermutationDistribution, invert_permutation_test
from hjeval.results.event_study import EventStudyResult

__all__ = ["event_study"]


def _bins(design: PanelDesign, window: tuple[int, int], bin_width: int, reference: int) -> tuple[np.ndarray, list[int]]:
    """Relative-time bin of every period, endpoints accumulated, and the kept bins."""
    lo, hi = window
    if not lo <= reference <= hi or reference >= 0:
        raise DataError(f"reference={reference} must be a pre-period bin inside window={window}")
    if bin_width < 1:
        raise DataError(f"bin_width must be a positive whole number, not {bin_width}")
    relative = np.arange(design.n_periods) - design.start
    binned = np.clip(np.floor_divide(relative, bin_width), lo, hi)
    present = sorted(set(binned.tolist()))
    kept = [b for b in present if b != reference]
    if reference not in present:
        raise DataError(f"reference bin {reference} has no periods in the data")
    if not any(b < 0 for b in kept):
        warnings.warn("no pre-period bins besides the reference: no pre-trend test", HjevalWarning, stacklevel=3)
    return binned, kept


def _profiles(binned: np.ndarray, kept: list[int]) -> np.ndarray:
    return np.column_stack([(binned == b).astype(np.float64) for b in kept])


def event_study(
    data: pd.DataFrame,
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
) -> EventStudyResult:
    """Effects by period relative to the start of treatment.

    Fits ``y_it = a_i + l_t + sum_{r != ref} b_r 1{treated group, bin(t - start) = r} + X_it g + e_it``.
    Relative periods are grouped into bins of ``bin_width`` periods (e.g. 12
    for years on a monthly panel); bins outside ``window`` are accumulated
    into the end bins.

    Parameters
    ----------
    data, outcome, unit, time, treated, start, group, cycle, cycle_method, covariates, cluster, weights, comparison
        As in :func:`hjeval.did`.
    window : tuple of int, default (-4, 4)
        First and last relative bin shown; bins beyond are pooled into them.
    reference : int, default -1
        The omitted bin (normalised to 0); must be before the start.
    bin_width : int, default 1
        Periods per bin.
    inference : {"cluster", "placebo"}, optional
        Default as in :func:`hjeval.did`. With ``"placebo"`` each effect's
        interval and p-value come from the comparison groups' placebo
        estimates (the treated group's estimated effects removed); the
        average effect after the start gets an exact permutation interval.
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
        _check_option("inference", inference, ("cluster", "placebo"))
    design, _ = prepare_design(
        data, outcome=outcome, unit=unit, time=time, treated=treated, start=start, group=group, cycle=cycle,
        cycle_method=cycle_method, covariates=covariates, cluster=cluster, weights=weights,
        comparison=comparison, alpha=alpha,
    )
    binned, kept = _bins(design, window, bin_width, reference)
    fit = fit_twfe(design, profiles=_profiles(binned, kept), treat_names=tuple(f"rel_{b}" for b in kept))
    method = inference or _default_inference(design)
    coef = fit.coef[: len(kept)]
    pre = np.array([b < 0 for b in kept])
    post = ~pre
    average = post / post.sum()
    estimate = float(average @ coef)
    n_clusters = design.n_clusters
    df = n_clusters - 1
    provenance = provenance_record(design, seed)
    if method == "cluster":
        warn_if_few_treated_clusters(design)
        vcov = cluster_covariance_from_scores(design, fit.cluster_scores(), fit.gram).vcov
        v = vcov[: len(kept), : len(kept)]
        se = np.sqrt(np.diag(v))
        crit = float(stats.t.ppf(1 - alpha / 2, df))
        low, high = coef - crit * se, coef + crit * se
        pvals = 2 * stats.t.sf(np.abs(coef / se), df)
        avg_se = float(np.sqrt(average @ v @ average))
        avg_ci = (estimate - crit * avg_se, estimate + crit * avg_se)
        avg_p = float(2 * stats.t.sf(abs(estimate / avg_se), df))
        pretrend = _wald_cluster(coef[pre], v[np.ix_(pre, pre)], df)
        label = f"cluster-robust CR1 by {cluster or group or unit} ({n_clusters} clusters)"
    else:
        rng = np.random.default_rng(seed)
        placebo = fit.placebo_draws(rng, draws, stacklevel=2)  # the caller of event_study
        estimates, slopes, n_draws = placebo.estimates, placebo.slopes, placebo.n_draws
        provenance["draws"] = n_draws
        provenance["degenerate_draws"] = placebo.degenerate
        net = estimates[1:] - np.einsum("smj,j->sm", slopes[1:], coef)
        se = net.std(axis=0, ddof=1)
        low = coef - np.quantile(net, 1 - alpha / 2, axis=0, method="inverted_cdf")
        high = coef - np.quantile(net, alpha / 2, axis=0, method="inverted_cdf")
        pvals = (1 + (np.abs(net) >= np.abs(coef) * (1 - 1e-12)).sum(axis=0)) / (n_draws + 1)
        dist = PermutationDistribution(
            estimates @ average, np.einsum("m,smj,j->s", average, slopes, post.astype(float)),
            tuple(range(n_draws + 1)), placebo.exact,
        )
        avg_ci = invert_permutation_test(dist, alpha)
        avg_p = dist.pvalue(0.0)
        avg_se = float(np.std(dist.null_spread(estimate), ddof=1))
        pretrend = _wald_placebo(coef, estimates, slopes, pre)
        label = f"placebo over {n_draws} re-assignments"
    rows = [
        {"rel_time": b, "estimate": float(c), "se": float(s), "ci_low": float(lo), "ci_high": float(hi),
         "p_value": float(p)}
        for b, c, s, lo, hi, p in zip(kept, coef, se, low, high, pvals, strict=True)
    ]
    rows.append({"rel_time": reference, "estimate": 0.0, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                 "p_value": np.nan})
    table = pd.DataFrame(rows).sort_values("rel_time", kind="stable").reset_index(drop=True)
    return EventStudyResult(
        table=table, estimate=estimate, se=avg_se, ci=(float(avg_ci[0]), float(avg_ci[1])), pvalue=float(avg_p),
        n_obs=design.n_obs, alpha=alpha, inference=label, outcome=outcome, treated=design.treated_label(),
        start=design.period_labels[design.start], comparison=design.comparison, reference=reference,
        bin_width=bin_width, pretrend=pretrend, provenance=provenance,
        pooled_ends=_pooled_ends(design, window, bin_width),
    )


def _pooled_ends(design: PanelDesign, window: tuple[int, int], bin_width: int) -> tuple[bool, bool]:
    relative = np.floor_divide(np.arange(design.n_periods) - design.start, bin_width)
    return bool((relative < window[0]).any()), bool((relative > window[1]).any())


def _wald_cluster(b: np.ndarray, v: np.ndarray, df: int) -> dict[str, object]:
    if len(b) == 0:
        return {"statistic": np.nan, "df": 0, "pvalue": np.nan, "method": "none (no pre-periods)"}
    q = len(b)
    statistic = float(b @ np.linalg.solve(v, b)) / q
    return {"statistic": statistic, "df": (q, df), "pvalue": float(stats.f.sf(statistic, q, df)),
            "method": f"Wald F({q}, {df}), CR1"}


def _wald_placebo(coef: np.ndarray, estimates: np.ndarray, slopes: np.ndarray, pre: np.ndarray) -> dict[str, object]:
    q = int(pre.sum())
    if q == 0:
        return {"statistic": np.nan, "df": 0, "pvalue": np.nan, "method": "none (no pre-periods)"}
    # Under the null of no pre-trend only the estimated post effects are removed.
    post_only = np.where(pre, 0.0, coef)
    net = estimates - np.einsum("smj,j->sm", slopes, post_only)
    pre_net = net[:, pre]
    if len(pre_net) - 1 <= q:
        return {"statistic": np.nan, "df": q, "pvalue": np.nan,
                "method": f"placebo Wald (needs more than {q} re-assignments)"}
    cov = np.cov(pre_net[1:], rowvar=False).reshape(q, q)
    inv = np.linalg.pinv(cov)
    stat = np.einsum("si,ij,sj->s", pre_net, inv, pre_net)
    pvalue = float(np.mean(stat >= stat[0] * (1 - 1e-12)))
    return {"statistic": float(stat[0]), "df": q, "pvalue": pvalue, "method": f"placebo Wald over {len(stat) - 1}"}
