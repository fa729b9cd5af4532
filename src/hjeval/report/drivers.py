"""What drove the effect and for whom: the model's phases, subgroups, and what a copying municipality could detect.

Estimated once from the configuration and the loaded rows (:func:`analyse_drivers`,
called by :func:`hjeval.report.analysis.analyse`); every part that cannot be computed
(:class:`~hjeval.errors.DataError`) becomes a technical note and ``None`` here, and the
report says so in words. What leaves this module are estimates and person counts of
the treated municipality, ready for small-cell suppression in
:func:`hjeval.report.tables.publish_tables`.

Phases
    :func:`hjeval.phased_did` with the configuration's ``[phases]`` (name and first
    month, the first at the reform's start); the persons of the treated municipality
    in each phase are counted so that a phase resting on too few is withheld.
Subgroups
    :func:`hjeval.subgroups`, Holm-adjusted within each characteristic, by the columns
    of the hours panel that exist among ``sex``, ``origin`` and ``interventions`` (a band:
    at most one intervention so far against two or more, on the row). Women on
    integration benefit are estimated on the integration group's rows, split by sex.
    Levels with fewer persons than the disclosure threshold in the treated municipality
    are not estimated (``min_persons`` = the threshold).
Copying
    :func:`hjeval.power` for each other municipality of the treated municipality's
    region, on the rows before the reform's start, with the main specification and
    comparison municipalities. The power curve is evaluated at the treated
    municipality's own estimate only (one point instead of the default grid): the
    minimum detectable effect is solved for exactly either way, and a one-point curve
    makes each call about twice as fast.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.data.combine import attach
from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.data.schemas import ORIGINS, SEXES
from hjeval.engines import Data
from hjeval.errors import DataError
from hjeval.estimators.dose import dose_response
from hjeval.estimators.phased import phased_did
from hjeval.estimators.power import power
from hjeval.estimators.subgroups import subgroups
from hjeval.periods import parse_period
from hjeval.report.config import ReportConfig
from hjeval.report.rows import FrameRows, GroupRows
from hjeval.results.effect import EffectResult
from hjeval.results.phased import DoseResult, PhasedResult
from hjeval.results.power import PowerResult
from hjeval.results.subgroups import SubgroupsResult

__all__ = ["BAND", "BAND_SQL", "CHARACTERISTICS", "FEW_INTERVENTIONS", "INTEGRATION", "DosePanel", "Drivers",
           "analyse_drivers", "dose_panel", "region_members"]

CHARACTERISTICS: tuple[str, ...] = ("sex", "origin", "interventions")
"""Columns of the hours panel the subgroups are split by, where present."""

FEW_INTERVENTIONS = 1
"""At most this many interventions so far on the row: the few-interventions group (two or more: many)."""

INTEGRATION = "integration"
"""The benefit group of integration benefit in the hours panel."""

BAND = "interventions_band"
"""The column holding the interventions band ("few" or "many") during estimation."""

_PHASED_INFERENCE = ("cluster", "placebo", "conley-taber")


@dataclass(frozen=True)
class Drivers:
    """The estimates behind the report's chapter on what drove the effect.

    Attributes
    ----------
    dose : DoseResult or None
        The change in hours per one more case per caseworker (None without a caseload panel, or
        not estimable; the reason is in the notes).
    dose_area : str
        The caseload panel's benefit area used as the dose.
    phased : PhasedResult or None
        One effect per configured phase (None: no phases configured, or not estimable).
    phase_spans : dict of str to tuple of str
        Phase name -> first and last month of the data in the phase.
    phase_persons : dict of str to int
        Persons of the treated municipality's target group with rows in each phase.
    present, missing : tuple of str
        The subgroup columns found in the hours panel, and those not found.
    subgroups : dict of str to SubgroupsResult
        Characteristic (``sex``, ``origin``, ``interventions``) -> its estimates.
    subgroup_persons : pandas.DataFrame
        ``characteristic, level, persons``: persons of the treated municipality's target
        group at each level (also where the level was not estimated).
    women_integration : SubgroupsResult or None
        The integration group's rows split by sex (None where that cannot be estimated).
    women_reason : str
        Why not: ``""`` (estimated), ``"no_sex"``, ``"no_group"`` (no integration rows of the
        treated municipality) or ``"failed"`` (a technical note says why).
    women_persons : int
        Women on integration benefit in the treated municipality.
    copying : pandas.DataFrame
        One row per other municipality of the region with rows in the data: ``municipality,
        persons`` (before the start), ``mde`` and ``power`` (hours a month; NaN where withheld
        or failed), ``pre_periods, horizon`` and ``status`` (``"ok"``, ``"withheld"``, ``"failed"``).
    copying_results : dict of int to PowerResult
    region : int
        The region code of the treated municipality (0 when unknown).
    """

    dose: DoseResult | None = None
    dose_area: str = ""
    phased: PhasedResult | None = None
    phase_spans: dict[str, tuple[str, str]] = field(default_factory=dict)
    phase_persons: dict[str, int] = field(default_factory=dict)
    present: tuple[str, ...] = ()
    missing: tuple[str, ...] = CHARACTERISTICS
    subgroups: dict[str, SubgroupsResult] = field(default_factory=dict)
    subgroup_persons: pd.DataFrame = field(default_factory=pd.DataFrame)
    women_integration: SubgroupsResult | None = None
    women_reason: str = "no_sex"
    women_persons: int = 0
    copying: pd.DataFrame = field(default_factory=pd.DataFrame)
    copying_results: dict[int, PowerResult] = field(default_factory=dict, repr=False)
    region: int = 0


def region_members(treated: int) -> list[int]:
    """The other municipalities of the treated municipality's region, by code.

    Examples
    --------
    >>> region_members(860)
    [773, 787, 810, 813, 820, 825, 840, 846, 849, 851]
    """
    entry = MUNICIPALITIES.get(treated)
    if entry is None:
        return []
    return sorted(code for code, (_, region) in MUNICIPALITIES.items() if region == entry[1] and code != treated)


def _inference(config: ReportConfig, allowed: tuple[str, ...]) -> dict[str, Any]:
    inference = config.evaluation.inference
    return {"inference": inference} if inference in allowed else {}


def _phases(config: ReportConfig, rows: GroupRows, common: dict[str, Any],
            notes: list[str]) -> dict[str, Any]:
    spec = config.evaluation
    if spec.phases is None:
        return {}
    firsts = [parse_period(first) for _, first in spec.phases]
    last_month = rows.last_month()
    spans: dict[str, tuple[str, str]] = {}
    persons: dict[str, int] = {}
    treated = rows.of_municipality(spec.treated, ["person_id", "month"])
    for k, (name, _) in enumerate(spec.phases):
        end = firsts[k + 1] - 1 if k + 1 < len(firsts) else last_month
        spans[name] = (str(firsts[k]), str(end))
        inside = (treated["month"] >= firsts[k]) & (treated["month"] <= end)
        persons[name] = int(treated.loc[inside, "person_id"].nunique())
    try:
        result = phased_did(rows.data, spec.outcome, phases=dict(spec.phases), **common,
                            **_inference(config, _PHASED_INFERENCE))
    except DataError as err:
        notes.append(f"Phases: {err}")
        return {"phase_spans": spans, "phase_persons": persons}
    return {"phased": result, "phase_spans": spans, "phase_persons": persons}


_LEVEL_ORDER: dict[str, tuple[str, ...]] = {"sex": SEXES, "origin": ORIGINS, "interventions": ("few", "many")}
"""The order the report lists each characteristic's levels in, whether the rows were in memory or a dataset."""


def _level_rank(characteristic: str, levels: Iterable[object]) -> np.ndarray:
    """Each level's place in the report's order (unknown levels last, in the order given)."""
    order = {level: i for i, level in enumerate(_LEVEL_ORDER[characteristic])}
    return np.array([order.get(str(level), len(order)) for level in levels], dtype=np.int64)


def _level_persons(treated: pd.DataFrame, column: str, characteristic: str) -> pd.DataFrame:
    counts = treated.groupby(column, observed=True, sort=True)["person_id"].nunique()
    counts = counts.iloc[np.argsort(_level_rank(characteristic, counts.index), kind="stable")]
    return pd.DataFrame({"characteristic": characteristic, "level": counts.index.astype(str),
                         "persons": counts.to_numpy(dtype=np.int64)})


def _in_level_order(result: SubgroupsResult, characteristic: str) -> SubgroupsResult:
    """The result's levels in the report's order (a dataset's levels come sorted as text)."""
    table = result.table
    ranked = table.iloc[np.argsort(_level_rank(characteristic, table[result.by[0]]), kind="stable")]
    keys = list(result.levels)
    levels = {keys[i]: result.levels[keys[i]] for i in np.argsort(_level_rank(characteristic, keys), kind="stable")}
    return dataclasses.replace(result, table=ranked.reset_index(drop=True), levels=levels)


def _with_band(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{BAND: np.where(frame["interventions"].to_numpy() <= FEW_INTERVENTIONS, "few", "many")})


BAND_SQL = f"CASE WHEN d.interventions <= {FEW_INTERVENTIONS} THEN 'few' ELSE 'many' END"
"""The band of :func:`_with_band` as DuckDB computes it on a dataset's rows ``d``."""


def _subgroups(config: ReportConfig, rows: GroupRows, integration_rows: Callable[[], GroupRows | None],
               common: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    spec = config.evaluation
    present = tuple(c for c in CHARACTERISTICS if c in rows.columns)
    out: dict[str, Any] = {"present": present, "missing": tuple(c for c in CHARACTERISTICS if c not in present)}
    options: dict[str, Any] = dict(adjust="holm", min_persons=config.disclosure_threshold, **common,
                                   **_inference(config, ("cluster", "placebo", "conley-taber", "wild-bootstrap")))
    keep = ["person_id", "municipality", "month", spec.outcome, *([spec.cycle] if spec.cycle in rows.columns else [])]
    results: dict[str, SubgroupsResult] = {}
    counts = []
    in_memory = isinstance(rows, FrameRows)
    for characteristic in present:
        column = BAND if characteristic == "interventions" else characteristic
        treated = rows.of_municipality(spec.treated, ["person_id", characteristic])
        if characteristic == "interventions":
            treated = _with_band(treated)
        counts.append(_level_persons(treated, column, characteristic))
        data: Data = rows.data
        if in_memory:
            frame = rows.frame[[*keep, characteristic]]  # type: ignore[union-attr]  # FrameRows
            data = _with_band(frame)[[*keep, BAND]] if characteristic == "interventions" else frame
        try:
            results[characteristic] = _in_level_order(subgroups(data, spec.outcome, by=column, **options),
                                                      characteristic)
        except DataError as err:
            notes.append(f"Subgroups by {characteristic}: {err}")
    out["subgroups"] = results
    out["subgroup_persons"] = (pd.concat(counts, ignore_index=True) if counts
                               else pd.DataFrame(columns=["characteristic", "level", "persons"]))
    if "sex" not in rows.columns:
        return {**out, "women_reason": "no_sex"}
    try:
        integration = integration_rows()
    except DataError as err:
        notes.append(f"Women on integration benefit: {err}")
        return {**out, "women_reason": "failed"}
    if integration is None:
        return {**out, "women_reason": "no_group"}
    women = integration.of_municipality(spec.treated, ["person_id", "sex"])
    out["women_persons"] = int(women.loc[women["sex"] == "F", "person_id"].nunique())
    data = integration.data
    if isinstance(integration, FrameRows):
        data = integration.frame[[*(c for c in keep if c in integration.columns), "sex"]]
    try:
        out["women_integration"] = _in_level_order(subgroups(data, spec.outcome, by="sex", **options), "sex")
        out["women_reason"] = ""
    except DataError as err:
        notes.append(f"Women on integration benefit: {err}")
        out["women_reason"] = "failed"
    return out


def _copying(config: ReportConfig, rows: GroupRows, members: set[int], effect: float,
             cycle_arguments: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    spec = config.evaluation
    start = parse_period(spec.start)
    # power() plays the evaluation on the rows before the start, and counts the rows it leaves out
    pre = rows.data
    persons = rows.persons_by_municipality(before=start)
    present = set(persons.index.tolist())
    table_rows = []
    results: dict[int, PowerResult] = {}
    entry = MUNICIPALITIES.get(spec.treated)
    for code in region_members(spec.treated):
        if code not in present:
            continue
        n = int(persons.get(code, 0))
        row: dict[str, Any] = {"municipality": code, "persons": n, "mde": math.nan, "power": math.nan,
                               "pre_periods": pd.NA, "horizon": pd.NA, "status": "withheld"}
        if n >= config.disclosure_threshold:
            comparison = sorted((members | {spec.treated}) & present - {code})
            try:
                result = power(pre, spec.outcome, unit="person_id", group="municipality", time="month",
                               treated=code, start=spec.start, alpha=spec.alpha, effects=[effect],
                               comparison=comparison, size_correction=spec.size_correction, **cycle_arguments,
                               **rows.engine_options)
            except DataError as err:
                notes.append(f"Power for municipality {code}: {err}")
                row["status"] = "failed"
            else:
                results[code] = result
                row.update(mde=result.mde, power=float(result.curve["power"].iloc[0]), pre_periods=result.pre_periods,
                           horizon=result.horizon, status="ok")
        table_rows.append(row)
    table = pd.DataFrame(table_rows, columns=["municipality", "persons", "mde", "power", "pre_periods", "horizon",
                                        "status"])
    return {"copying": table, "copying_results": results, "region": entry[1] if entry is not None else 0}


_DOSE_AREAS = {"activity_ready_cash": "cash_benefit", "job_ready_cash": "cash_benefit", "sickness": "sickness",
               "integration": "integration"}
"""The caseload panel's benefit area whose cases per caseworker are the dose of each target group."""


@dataclass(frozen=True)
class DosePanel:
    """Cases per caseworker of the target group's benefit area: ``municipality, period, cases_per_caseworker``."""

    panel: pd.DataFrame
    area: str


def dose_panel(config: ReportConfig, caseload: pd.DataFrame | None, notes: list[str]) -> DosePanel | None:
    """The benefit area of the caseload panel whose cases per caseworker are the target group's dose.

    None without a caseload panel, or (with a note) when it has no area for the target group.
    """
    if caseload is None:
        return None
    spec = config.evaluation
    areas = sorted(caseload["benefit_area"].dropna().astype(str).unique().tolist())
    area = _DOSE_AREAS.get(spec.benefit_group, "") if len(areas) > 1 else (areas[0] if areas else "")
    if area not in areas:
        notes.append(f"Caseload as a dose: the caseload panel has no benefit area {area!r} for "
                     f"{spec.benefit_group!r} (it has {areas})")
        return None
    panel = caseload[caseload["benefit_area"].astype(str) == area][["municipality", "period", "cases_per_caseworker"]]
    return DosePanel(panel, area)


def _dose(config: ReportConfig, rows: GroupRows, dose: DosePanel | None, common: dict[str, Any],
          notes: list[str]) -> dict[str, Any]:
    if dose is None:
        return {}
    spec = config.evaluation
    try:
        if isinstance(rows, FrameRows):
            data: Data = attach(rows.frame, dose.panel, ["cases_per_caseworker"])
        else:
            rows.require_cells("cases_per_caseworker", what="the caseload panel")
            data = rows.data
        result = dose_response(data, spec.outcome, dose="cases_per_caseworker", **common,
                               **_inference(config, ("cluster", "placebo", "conley-taber")))
    except DataError as err:
        notes.append(f"Caseload as a dose: {err}")
        return {}
    return {"dose": result, "dose_area": dose.area}


def analyse_drivers(config: ReportConfig, rows: GroupRows, integration: Callable[[], GroupRows | None],
                    main: EffectResult, members: set[int], cycle_arguments: dict[str, Any],
                    notes: list[str], dose: DosePanel | None = None) -> Drivers:
    """Estimate the phases, the subgroups and the copying municipalities' power.

    Parameters
    ----------
    config : ReportConfig
    rows : FrameRows or DatasetRows
        The target group's rows with the cycle series attached (see :mod:`hjeval.report.rows`).
    integration : callable
        Returns the rows of integration benefit with the cycle series (None where the treated
        municipality has none), for the subgroup of women.
    main : EffectResult
        The main estimate: the copying municipalities' power is evaluated at it.
    members : set of int
        The treated municipality and its comparison municipalities.
    cycle_arguments : dict
        ``cycle`` and ``cycle_method`` of the main specification (empty: none).
    notes : list of str
        Technical notes; a part that cannot be computed appends why.
    dose : DosePanel, optional
        The caseload panel's cases per caseworker, the dose (see :func:`dose_panel`).

    Returns
    -------
    Drivers
    """
    spec = config.evaluation
    comparison: str | list[int] = list(spec.comparison) if isinstance(spec.comparison, tuple) else spec.comparison
    common: dict[str, Any] = dict(unit="person_id", group="municipality", time="month", treated=spec.treated,
                                  start=spec.start, alpha=spec.alpha, seed=config.seed,
                                  size_correction=spec.size_correction, comparison=comparison, **cycle_arguments,
                                  **rows.engine_options)
    parts: dict[str, Any] = {}
    parts.update(_dose(config, rows, dose, common, notes))
    parts.update(_phases(config, rows, common, notes))
    parts.update(_subgroups(config, rows, integration, common, notes))
    parts.update(_copying(config, rows, members, main.estimate, cycle_arguments, notes))
    return Drivers(**parts)
