"""The report's tables after small-cell suppression.

Every table that leaves for the report -- as text, as a figure or as a CSV
file -- is made here from the analysis and passed through
:func:`hjeval.disclosure.protect`:

- the outcome by year and by pre-/post-period window, for the treated and the
  comparison municipalities: the windows are sums of the years, so they are
  declared as margins and protected together with them;
- the event-study bins and the placebo estimates by municipality: each rests
  on the persons of one municipality (and bin), so those with too few are withheld;
- cases per caseworker by month;
- the effect by phase of the model and by subgroup, and the copying municipalities' power
  (:func:`publish_drivers`): each rests on the persons of the treated municipality in the
  phase or level (of the copying municipality before the start), so those with too few are
  withheld; the subgroups' person counts are also protected along each characteristic,
  whose levels add up to the treated municipality's persons;
- the estimates (main, decomposition, alternatives), which rest on the whole
  treated municipality: too few persons there and no report is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hjeval.disclosure import Margin, check_protected, protect
from hjeval.errors import DataError
from hjeval.report.analysis import Analysis, municipalities_in
from hjeval.report.compose import alternative_label
from hjeval.report.config import ReportLanguage
from hjeval.report.drivers import Drivers
from hjeval.report.methods import method_name
from hjeval.results.effect import EffectResult
from hjeval.results.synthetic import SyntheticResult

__all__ = ["Published", "publish_drivers", "publish_tables"]

_WINDOWS = ("before", "after")


@dataclass(frozen=True)
class Published:
    """Tables cleared for publication, and how many cells were withheld.

    ``tables`` are the CSV files (hours a year, English column names);
    ``figure_data`` the protected tables the figures are drawn from.
    """

    tables: dict[str, pd.DataFrame]
    figure_data: dict[str, pd.DataFrame]
    primary: int
    secondary: int


def _outcome(analysis: Analysis) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Outcome by period and window, protected as one table whose windows are margins of the periods."""
    start = pd.Period(analysis.config.evaluation.start, "M")
    series = analysis.outcome_series.copy()
    series["label"] = series["period"].astype(str)
    series["window"] = ["before" if _period_end(p) < start else "after" for p in series["period"]]
    windows = analysis.windows.copy()
    windows["label"] = windows["window"].astype(str)
    value_columns = [c for c in ("mean", "cycle_mean", "adjusted_mean") if c in series]
    cells = pd.concat([series, windows], ignore_index=True)
    cells["hours_total"] = cells["mean"] * cells["person_months"]
    cells = cells[["series", "label", "persons", "person_months", "hours_total", *value_columns]]
    margins = [
        Margin("label", window, tuple(series.loc[series["window"] == window, "label"].unique().tolist()))
        for window in _WINDOWS if (series["window"] == window).any()
    ]
    protected = protect(cells, dims=["series", "label"], count="persons", additive=["person_months", "hours_total"],
                        margins=margins, threshold=analysis.config.disclosure_threshold)
    check_protected(protected)
    table = protected.table
    is_window = table["label"].isin(_WINDOWS).to_numpy()
    by_period = table[~is_window].drop(columns=["hours_total"]).reset_index(drop=True)
    by_period.insert(1, "period", series["period"].to_numpy())
    by_period = by_period.drop(columns=["label"])
    by_window = table[is_window].drop(columns=["hours_total"]).rename(columns={"label": "window"})
    return by_period, by_window.reset_index(drop=True), protected.n_primary, protected.n_secondary


def _period_end(period: pd.Period) -> pd.Period:
    return period.asfreq("M", how="end")


def _outcome_csv(by_period: pd.DataFrame) -> pd.DataFrame:
    out = by_period[["period", "series", "persons", "person_months"]].assign(period=by_period["period"].astype(str))
    out["hours_per_year"] = 12 * by_period["mean"]
    if "adjusted_mean" in by_period:
        out["hours_per_year_cycle_adjusted"] = 12 * by_period["adjusted_mean"]
        out["unemployment_rate"] = by_period["cycle_mean"]
    return out


def _raw_comparison(by_window: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    cells = analysis.cells["period"]
    start = pd.Period(analysis.config.evaluation.start, "M")
    spans = {"before": f"{cells.min()}–{start - 1}", "after": f"{start}–{cells.max()}"}
    rows = []
    for side in ("treated", "comparison"):
        for window in _WINDOWS:
            match = by_window[(by_window["series"] == side) & (by_window["window"] == window)]
            row = match.iloc[0] if len(match) else None
            rows.append({
                "series": f"{side}_{window}", "window": spans[window],
                "persons": row["persons"] if row is not None else pd.NA,
                "person_months": row["person_months"] if row is not None else pd.NA,
                "hours_per_year": 12 * float(row["mean"]) if row is not None and pd.notna(row["mean"]) else math.nan,
            })
    return pd.DataFrame(rows)


def _event_study(analysis: Analysis) -> tuple[pd.DataFrame, int]:
    table = analysis.event.to_frame()
    persons = analysis.treated_persons_by_bin.reindex(table["rel_time"]).fillna(0).astype("int64").to_numpy()
    cells = table.assign(persons=persons)
    for column in ("estimate", "se", "ci_low", "ci_high"):
        cells[column] = 12 * cells[column]
    protected = protect(cells, dims=["rel_time"], count="persons",
                        values=["estimate", "se", "ci_low", "ci_high", "p_value"],
                        threshold=analysis.config.disclosure_threshold, secondary=False)
    out = protected.table.rename(columns={"estimate": "hours_per_year"})
    out.insert(1, "months_from", out["rel_time"] * analysis.config.evaluation.event_bin)
    return out, protected.n_primary


def _placebo(analysis: Analysis) -> tuple[pd.DataFrame, int]:
    placebo = analysis.main.placebo
    if placebo.empty:
        return pd.DataFrame(columns=["municipality", "persons", "hours_per_year"]), 0
    codes = [int(c) for c in placebo.index]
    persons = analysis.persons_by_municipality.reindex(codes).fillna(0).astype("int64").to_numpy()
    cells = pd.DataFrame({"municipality": codes, "persons": persons, "hours_per_year": 12 * placebo.to_numpy()})
    protected = protect(cells, dims=["municipality"], count="persons", values=["hours_per_year"],
                        threshold=analysis.config.disclosure_threshold, secondary=False)
    out = protected.table.drop(columns=["suppressed"], errors="ignore")
    out.insert(1, "name", [analysis.names.get(c, "") for c in codes])
    return out.sort_values("municipality", kind="stable").reset_index(drop=True), protected.n_primary


def _caseload(analysis: Analysis) -> tuple[pd.DataFrame | None, int]:
    if analysis.caseload is None:
        return None, 0
    cells = analysis.caseload.assign(cases=np.rint(analysis.caseload["open_cases"].to_numpy()).astype("int64"))
    protected = protect(cells, dims=["period", "series"], count="cases",
                        values=["municipalities", "open_cases", "caseworker_fte", "cases_per_caseworker"],
                        threshold=analysis.config.disclosure_threshold, secondary=False)
    return protected.table.drop(columns=["cases"]), protected.n_primary


def _decomposition(analysis: Analysis) -> pd.DataFrame:
    parts = analysis.main.decomposition
    cycle = sum(v for k, v in parts.items() if k.startswith("regressor:") or k == "cycle_sensitivity")
    rows = [("raw_change", parts["raw_change"]), ("cycle", cycle), ("common_trend", parts["common_trend"]),
            ("composition", parts["composition"])]
    if abs(12 * parts.get("residual", 0.0)) >= 0.05:
        rows.append(("residual", parts["residual"]))
    rows.append(("effect", parts["effect"]))
    return pd.DataFrame({"part": [r[0] for r in rows], "hours_per_year": [12 * r[1] for r in rows]})


def _alternatives(analysis: Analysis, language: ReportLanguage) -> pd.DataFrame:
    spec = analysis.config.evaluation

    def row(kind: str, pool: str | tuple[int, ...] | None, result: EffectResult | SyntheticResult,
            n: int) -> dict[str, object]:
        record = result.inference
        return {"variant": kind, "pool": _pool_text(pool),
                "label": alternative_label(kind, pool, language, spec.treated),
                "hours_per_year": 12 * result.estimate, "ci_low": 12 * result.ci[0], "ci_high": 12 * result.ci[1],
                "p_value": result.pvalue, "inference": record.method, "size_corrected": record.size_corrected,
                "method": method_name(record, language), "municipalities": n}

    main = analysis.main
    n_main = municipalities_in(main)
    rows = [row("main", spec.comparison, main, n_main),
            row("unadjusted", spec.comparison, analysis.evaluation.unadjusted, n_main)]
    if analysis.uncorrected is not None:
        rows.append(row("uncorrected", spec.comparison, analysis.uncorrected, n_main))
    if analysis.conley_taber is not None:
        rows.append(row("conley_taber", spec.comparison, analysis.conley_taber, n_main))
    for pool in analysis.pools:
        rows.append(row("pool", pool.pool, pool.result, pool.municipalities))
    for kind, synthetic in (("synthetic_did", analysis.synthetic_did), ("synthetic_control",
                                                                      analysis.synthetic_control)):
        if synthetic is not None:
            rows.append(row(kind, spec.comparison, synthetic, len(synthetic.weights) + 1))
    return pd.DataFrame(rows)


def _time_on_support(analysis: Analysis) -> tuple[pd.DataFrame | None, pd.DataFrame | None, int]:
    """Weeks on support by role and window, and the Kaplan-Meier curves, as the duration estimate withheld them.

    The duration estimate is run with the disclosure threshold as its ``min_persons``: a window
    resting on fewer persons is withheld (NaN, ``suppressed``) and a curve is shown only while at
    least that many persons are at risk. Risk sets are not published.
    """
    duration = analysis.duration
    if duration is None:
        return None, None, 0
    windows = duration.windows
    pooled = windows[windows["municipality"].isna()].drop(columns=["municipality"]).reset_index(drop=True)
    curves = duration.curves
    if len(curves):
        curves = curves[curves["municipality"].isna()]
        threshold = analysis.config.disclosure_threshold
        curves = curves[curves["at_risk"] >= threshold]  # held by the estimate already; checked again here
    shown = curves[["role", "window", "months", "weeks", "survival"]].reset_index(drop=True) if len(curves) else None
    return pooled, shown, int(pooled["suppressed"].sum())


def _persons_and_costs(analysis: Analysis) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    persons = analysis.persons
    table = None
    if persons is not None:
        table = persons.to_frame()
        small = table["persons_on_support"] < analysis.config.disclosure_threshold
        table.loc[small, ["persons_on_support", "persons_without_reform"]] = math.nan
    cost = analysis.cost.to_frame() if analysis.cost is not None else None
    return table, cost


def _pool_text(pool: str | tuple[int, ...] | None) -> str:
    if pool is None:
        return ""
    return " ".join(str(c) for c in pool) if isinstance(pool, tuple) else pool


def _phases(drivers: Drivers, threshold: int) -> tuple[pd.DataFrame | None, int]:
    """Effect by phase, and the last phase minus the first, in hours a year; a phase on too few persons withheld."""
    phased = drivers.phased
    if phased is None:
        return None, 0
    table = phased.to_frame()
    names = table["term"].astype(str).tolist()
    persons = [drivers.phase_persons.get(name, 0) for name in names]
    difference = phased.difference
    cells = pd.DataFrame({
        "term": [*names, "difference"],
        "persons": [*persons, min(persons)],
        "hours_per_year": [*(12 * table["estimate"]), 12 * difference["estimate"]],
        "ci_low": [*(12 * table["ci_low"]), 12 * difference["ci"][0]],
        "ci_high": [*(12 * table["ci_high"]), 12 * difference["ci"][1]],
        "p_value": [*table["p_value"], difference["pvalue"]],
    })
    protected = protect(cells, dims=["term"], count="persons",
                        values=["hours_per_year", "ci_low", "ci_high", "p_value"], threshold=threshold, secondary=False)
    out = protected.table.drop(columns=["suppressed"], errors="ignore")
    spans = [drivers.phase_spans.get(name, ("", "")) for name in names]
    out.insert(1, "first_month", [s[0] for s in spans] + [""])
    out.insert(2, "last_month", [s[1] for s in spans] + [""])
    if out["persons"].iloc[:-1].isna().any():  # the difference rests on every phase
        out.loc[out.index[-1], ["persons", "hours_per_year", "ci_low", "ci_high", "p_value"]] = math.nan
    return out, protected.n_primary


def _subgroup_rows(drivers: Drivers) -> pd.DataFrame:
    """Every level's estimate (NaN where the estimator withheld it), in hours a year, with the persons at the level."""
    rows = []
    counts = drivers.subgroup_persons.set_index(["characteristic", "level"])["persons"] if len(
        drivers.subgroup_persons) else pd.Series(dtype="int64")
    results = list(drivers.subgroups.items())
    if drivers.women_integration is not None:
        results.append(("women_integration", drivers.women_integration))
    for characteristic, result in results:
        table = result.to_frame()
        column = table.columns[0]
        for record in table.to_dict("records"):
            level = str(record[column])
            if characteristic == "women_integration":
                if level != "F":
                    continue
                persons = drivers.women_persons
            else:
                persons = int(counts.get((characteristic, level), 0))
            shown = not bool(record["suppressed"])
            rows.append({"characteristic": characteristic, "level": level, "persons": persons,
                         **{name: (12 if name in ("estimate", "ci_low", "ci_high") else 1) * float(record[name])
                            if shown else math.nan
                            for name in ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted")}})
    return pd.DataFrame(rows, columns=["characteristic", "level", "persons", "estimate", "ci_low", "ci_high",
                                       "p_value", "p_adjusted"])


def _subgroups(drivers: Drivers, threshold: int) -> tuple[pd.DataFrame | None, int, int]:
    """The subgroups' estimates, with their person counts protected along each characteristic.

    The levels of a characteristic add up to the treated municipality's persons (sex, origin;
    the interventions band is treated the same way, which is conservative), so a withheld
    level's count is protected by withholding a second level's count too. The second level's
    estimate stays: it rests on at least the threshold of persons. Women on integration
    benefit are one level of their own, with primary suppression only.
    """
    rows = _subgroup_rows(drivers)
    if rows.empty:
        return None, 0, 0
    is_women = (rows["characteristic"] == "women_integration").to_numpy()
    primary = secondary = 0
    counts = pd.Series(np.nan, index=rows.index)
    for mask, margins in ((~is_women, [Margin("level")]), (is_women, [])):
        if not mask.any():
            continue
        cells = rows.loc[mask, ["characteristic", "level", "persons"]]
        protected = protect(cells, dims=["characteristic", "level"], count="persons", values=[], margins=margins,
                            threshold=threshold, secondary=bool(margins))
        if margins:
            check_protected(protected)
        counts[mask] = protected.table["persons"].to_numpy(dtype=float)
        primary, secondary = primary + protected.n_primary, secondary + protected.n_secondary
    rows["persons"] = counts.astype("Float64").round().astype("Int64")
    small = (rows["persons"].isna() & rows["estimate"].isna()).to_numpy() | (
        rows["persons"].fillna(threshold).to_numpy() < threshold)
    rows.loc[small, ["estimate", "ci_low", "ci_high", "p_value", "p_adjusted"]] = math.nan
    return rows.rename(columns={"estimate": "hours_per_year"}), primary, secondary


def _copying(analysis: Analysis) -> tuple[pd.DataFrame | None, int]:
    """Each copying municipality's MDE (hours a year) and power at the treated municipality's effect."""
    table = analysis.drivers.copying
    if table.empty:
        return None, 0
    cells = pd.DataFrame({
        "municipality": table["municipality"].astype("int64"),
        "persons": table["persons"].astype("int64"),
        "mde_hours_per_year": 12 * table["mde"].astype(float),
        "power_at_effect": table["power"].astype(float),
        "pre_months": pd.to_numeric(table["pre_periods"], errors="coerce").astype(float),
        "post_months": pd.to_numeric(table["horizon"], errors="coerce").astype(float),
    })
    protected = protect(cells, dims=["municipality"], count="persons",
                        values=["mde_hours_per_year", "power_at_effect", "pre_months", "post_months"],
                        threshold=analysis.config.disclosure_threshold, secondary=False)
    out = protected.table.drop(columns=["suppressed"], errors="ignore")
    out.insert(1, "name", [analysis.names.get(int(c), str(c)) for c in out["municipality"]])
    out["status"] = table["status"].to_numpy()
    out.loc[out["persons"].isna(), "status"] = "withheld"
    return out, protected.n_primary


def publish_drivers(analysis: Analysis) -> tuple[dict[str, pd.DataFrame], int, int]:
    """The tables of the chapter on what drove the effect, protected.

    Returns
    -------
    tables : dict of str to DataFrame
        ``phases``, ``subgroups`` and ``copying`` where computed.
    primary, secondary : int
        Cells withheld.
    """
    threshold = analysis.config.disclosure_threshold
    phases, phases_primary = _phases(analysis.drivers, threshold)
    subgroups, sub_primary, sub_secondary = _subgroups(analysis.drivers, threshold)
    copying, copying_primary = _copying(analysis)
    tables = {name: table for name, table in (("phases", phases), ("subgroups", subgroups), ("copying", copying))
              if table is not None}
    return tables, phases_primary + sub_primary + copying_primary, sub_secondary


def publish_tables(analysis: Analysis, language: ReportLanguage = "da") -> Published:
    """Protect every table of the report.

    Parameters
    ----------
    analysis : Analysis
    language : {"da", "en"}
        Language of the variant labels in the alternatives table.

    Returns
    -------
    Published

    Raises
    ------
    DataError
        If the treated municipality's target group has fewer persons than the
        disclosure threshold: then no estimate may be published.
    """
    threshold = analysis.config.disclosure_threshold
    treated_persons = int(analysis.persons_by_municipality.get(analysis.config.evaluation.treated, 0))
    if treated_persons < threshold:
        raise DataError(
            f"the target group in municipality {analysis.config.evaluation.treated} has {treated_persons} person(s), "
            f"fewer than the disclosure threshold of {threshold}: no estimate can be published"
        )
    by_period, by_window, primary, secondary = _outcome(analysis)
    event, event_primary = _event_study(analysis)
    placebo, placebo_primary = _placebo(analysis)
    caseload, caseload_primary = _caseload(analysis)
    tables = {
        "outcome_by_period": _outcome_csv(by_period),
        "raw_comparison": _raw_comparison(by_window, analysis),
        "decomposition": _decomposition(analysis),
        "alternatives": _alternatives(analysis, language),
        "event_study": event.drop(columns=["suppressed"], errors="ignore"),
        "placebo": placebo,
    }
    figure_data = {"outcome": by_period, "event_study": event, "placebo": placebo}
    support, curves, support_primary = _time_on_support(analysis)
    if support is not None:
        tables["time_on_support"] = support.drop(columns=["suppressed"])
        figure_data["time_on_support"] = support
    if curves is not None:
        tables["survival_curves"] = curves
        figure_data["survival_curves"] = curves
    drivers, drivers_primary, drivers_secondary = publish_drivers(analysis)
    tables.update(drivers)
    if "subgroups" in drivers:
        figure_data["subgroups"] = drivers["subgroups"]
    persons, cost = _persons_and_costs(analysis)
    if persons is not None:
        tables["persons_off_support"] = persons
    if cost is not None:
        tables["cost_benefit"] = cost
    if caseload is not None:
        tables["caseload"] = caseload.drop(columns=["suppressed"], errors="ignore").assign(
            period=caseload["period"].astype(str))
        figure_data["caseload"] = caseload
    return Published(
        tables=tables, figure_data=figure_data,
        primary=primary + event_primary + placebo_primary + caseload_primary + support_primary + drivers_primary,
        secondary=secondary + drivers_secondary,
    )
