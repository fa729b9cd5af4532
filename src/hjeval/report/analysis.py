"""Everything the report estimates, computed once from the configuration.

The analysis keeps person-level rows inside this module: what it returns are
estimates and aggregated tables with a person count on every cell, ready for
small-cell suppression before anything is shown.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

import numpy as np
import pandas as pd

from hjeval.data.combine import attach
from hjeval.data.loaders import load_caseload, load_costs, load_cycle, load_hours
from hjeval.data.municipalities import comparison_pool, municipality_table
from hjeval.descriptives import Frequency, caseload_by_period, outcome_by_period
from hjeval.duration.estimate import duration_did
from hjeval.duration.results import DurationDidResult
from hjeval.economics.cost_benefit import CostBenefitResult, cost_benefit
from hjeval.economics.persons import PersonsOffSupport, persons_off_support
from hjeval.engines import Data
from hjeval.engines.dataset import count_rows
from hjeval.engines.levels import engine_client
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators.did import did
from hjeval.estimators.event_study import event_study
from hjeval.estimators.synthetic_control import synthetic_control
from hjeval.estimators.synthetic_did import synthetic_did
from hjeval.evaluation import Evaluation
from hjeval.headline import raw_comparison
from hjeval.periods import parse_period
from hjeval.report.config import ReportConfig
from hjeval.report.drivers import (
    BAND,
    BAND_SQL,
    CHARACTERISTICS,
    INTEGRATION,
    DosePanel,
    Drivers,
    analyse_drivers,
    dose_panel,
)
from hjeval.report.rows import (
    DatasetIdentifiers,
    DatasetRows,
    FrameRows,
    GroupRows,
    IdentifierLookup,
    KnownIdentifiers,
    Panel,
    copy_target_group,
    scratch_folder,
)
from hjeval.results.effect import EffectResult
from hjeval.results.event_study import EventStudyResult
from hjeval.results.synthetic import SyntheticResult

__all__ = ["Analysis", "PoolEstimate", "analyse", "municipalities_in"]


@dataclass(frozen=True)
class PoolEstimate:
    """The main specification estimated against another comparison pool."""

    pool: str | tuple[int, ...]
    result: EffectResult
    municipalities: int


@dataclass(frozen=True)
class Analysis:
    """Estimates and aggregated tables behind one report.

    Attributes
    ----------
    evaluation : Evaluation
        Headline: the cycle-adjusted and unadjusted effects and the raw comparison.
    event : EventStudyResult
    conley_taber : EffectResult or None
        The main specification with Conley–Taber inference (None when it cannot be computed).
    uncorrected : EffectResult or None
        The main specification without the size correction, estimated only when the main
        estimate is size-corrected (to show what the correction changed).
    pools : list of PoolEstimate
    cells : pandas.DataFrame
        Target group per municipality and month, treated and comparison pool only:
        ``municipality, period, persons, hours_total``.
    persons_by_municipality : pandas.Series
        Distinct persons of the target group per municipality (whole panel).
    treated_persons_by_bin : pandas.Series
        Distinct persons in the treated municipality per event-study bin.
    outcome_series : pandas.DataFrame
        Mean outcome per person-month by year (by month when the reform starts mid-year), treated and
        comparison, with persons behind each cell and, for a covariate cycle adjustment, the
        cycle-adjusted mean (see :func:`hjeval.descriptives.outcome_by_period`).
    windows : pandas.DataFrame
        The same for the whole pre- and post-period (``series`` ``treated``/``comparison``,
        ``window`` ``before``/``after``).
    caseload : pandas.DataFrame or None
        Cases per caseworker by month, treated and comparison (see
        :func:`hjeval.descriptives.caseload_by_period`).
    names : dict
        Municipality code -> name.
    rows : dict
        Rows read and kept per input.
    identifiers : KnownIdentifiers or DatasetIdentifiers
        Where the person identifiers of the input are found, only to check that none reaches an
        output: a set in memory, or a lookup in the hours dataset.
    duration : DurationDidResult
        The effect on weeks on support of the target group's spells, with the windows' restricted
        means, medians and Kaplan-Meier curves (cells and curve steps on fewer persons than the
        disclosure threshold withheld).
    persons : PersonsOffSupport
        Full-time persons off support by year, from the stock of persons on support.
    cost : CostBenefitResult or None
        The cost-benefit of the investment (None without a costs panel).
    synthetic_did, synthetic_control : SyntheticResult or None
        Synthetic difference-in-differences (with the cycle series) and the classical synthetic
        control (outcome only), on the municipality-month means of the target group, with donors
        that have at least the disclosure threshold of persons in every month (None where they
        cannot be computed; the reason is in ``notes``).
    donors_left_out : int
        Comparison municipalities left out of the synthetic estimates for having fewer persons
        than the threshold in some month.
    drivers : Drivers
        The model's phases, the subgroups and what a copying municipality of the region could
        detect (see :mod:`hjeval.report.drivers`).
    notes : list of str
        Technical messages (in English) from loading and estimation. Messages raised while the
        inference was computed are left out: the inference records carry what they say, and the
        report words it in its own language.
    """

    config: ReportConfig
    evaluation: Evaluation
    event: EventStudyResult
    conley_taber: EffectResult | None
    pools: list[PoolEstimate]
    cells: pd.DataFrame
    persons_by_municipality: pd.Series
    treated_persons_by_bin: pd.Series
    outcome_series: pd.DataFrame
    windows: pd.DataFrame
    caseload: pd.DataFrame | None
    names: dict[int, str]
    rows: dict[str, int]
    identifiers: IdentifierLookup = field(repr=False)
    duration: DurationDidResult | None = None
    persons: PersonsOffSupport | None = None
    cost: CostBenefitResult | None = None
    synthetic_did: SyntheticResult | None = None
    synthetic_control: SyntheticResult | None = None
    donors_left_out: int = 0
    notes: list[str] = field(default_factory=list)
    uncorrected: EffectResult | None = None
    drivers: Drivers = field(default_factory=Drivers)

    @property
    def main(self) -> EffectResult:
        """The main, cycle-adjusted estimate."""
        return self.evaluation.adjusted

    @property
    def treated_name(self) -> str:
        """Name of the treated municipality."""
        return self.names.get(self.config.evaluation.treated, str(self.config.evaluation.treated))


def municipalities_in(result: EffectResult) -> int:
    """Municipalities in an estimate: the treated one and the comparison municipalities used."""
    groups = result.provenance.get("groups")
    return int(groups) if groups else len(result.placebo) + 1


def _cycle_arguments(config: ReportConfig) -> dict[str, Any]:
    spec = config.evaluation
    if spec.cycle_method == "common":
        return {}
    return {"cycle": spec.cycle, "cycle_method": spec.cycle_method}


def _comparison(pool: str | tuple[int, ...]) -> str | list[int]:
    return list(pool) if isinstance(pool, tuple) else pool


def _pool_codes(pool: str | tuple[int, ...], treated: int) -> list[int]:
    if isinstance(pool, tuple):
        return [code for code in pool if code != treated]
    return comparison_pool(pool, treated)  # type: ignore[arg-type]  # checked when the config was read


def _raised_in_inference(frame: FrameType | None) -> bool:
    """Whether a frame of :mod:`hjeval.inference` is on the stack from ``frame`` up."""
    while frame is not None:
        if str(frame.f_globals.get("__name__", "")).startswith("hjeval.inference"):
            return True
        frame = frame.f_back
    return False


@contextmanager
def _technical_messages() -> Iterator[list[str]]:
    """Catch hjeval's warnings, keeping those not raised while the inference was computed.

    What the inference warns about (left-out re-assignments, unbounded intervals, too few
    treated clusters) is in its :class:`~hjeval.inference.record.InferenceRecord`, which the
    report puts in words in its own language.
    """
    kept: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("always", HjevalWarning)
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:
            if not issubclass(category, HjevalWarning):
                shown(message, category, filename, lineno, file, line)
            elif not _raised_in_inference(sys._getframe(1)):
                kept.append(str(message))

        warnings.showwarning = show
        yield kept


def _support_and_savings(config: ReportConfig, hours: Data, group: Data, cycle: pd.DataFrame,
                         costs: pd.DataFrame | None, notes: list[str],
                         engine_options: dict[str, Any]) -> dict[str, Any]:
    """Time on support, persons off support and the cost-benefit, each with the main inference."""
    spec = config.evaluation
    common: dict[str, Any] = dict(treated=spec.treated, start=spec.start, comparison=_comparison(spec.comparison),
                                  alpha=spec.alpha, seed=config.seed, size_correction=spec.size_correction,
                                  **engine_options)
    duration: DurationDidResult | None = None
    try:
        duration = duration_did(group, "person_id", "municipality", "month",
                                min_persons=config.disclosure_threshold, **common)
    except DataError as err:
        notes.append(f"Time on support: {err}")
    cycle_arguments = _cycle_arguments(config)
    persons: PersonsOffSupport | None = None
    try:
        persons = persons_off_support(hours, unit="person_id", group="municipality", time="month",
                                      benefit_group=spec.benefit_group,  # type: ignore[arg-type]  # checked on loading
                                      cycle_panel=cycle if cycle_arguments else None, **cycle_arguments, **common)
    except DataError as err:
        notes.append(f"Persons off support: {err}")
    cost = None
    if costs is not None and persons is not None:
        try:
            cost = cost_benefit(persons, costs, discount_rate=spec.discount_rate)
        except DataError as err:
            notes.append(f"Cost-benefit: {err}")
    return {"duration": duration, "persons": persons, "cost": cost}


def _synthetic(config: ReportConfig, rows: GroupRows, notes: list[str]) -> dict[str, Any]:
    """Synthetic DiD and synthetic control against donors that each rest on enough persons in every month.

    A synthetic path is a weighted mean of donors; a donor with few persons in a month could carry
    most of the weight, so donors below the disclosure threshold in any month are left out.
    """
    spec = config.evaluation
    pool = _pool_codes(spec.comparison, spec.treated)
    per_month = rows.cells(pool).set_index(["municipality", "period"])["persons"]
    months = rows.n_months()
    fewest = per_month.groupby(level=0).min().where(per_month.groupby(level=0).size() == months, 0)
    donors = sorted(int(m) for m in fewest.index[fewest >= config.disclosure_threshold])
    common: dict[str, Any] = dict(unit="person_id", group="municipality", time="month", treated=spec.treated,
                                  start=spec.start, comparison=donors, alpha=spec.alpha, seed=config.seed,
                                  size_correction=spec.size_correction, **rows.engine_options)
    present = set(per_month.index.get_level_values(0).tolist())
    results: dict[str, Any] = {"donors_left_out": len(present) - len(donors)}
    cycle: dict[str, Any] = {"cycle": spec.cycle} if spec.cycle_method != "common" else {}
    no_options: dict[str, Any] = {}
    estimators: tuple[tuple[str, Any, dict[str, Any]], ...] = (
        ("synthetic_did", synthetic_did, cycle), ("synthetic_control", synthetic_control, no_options))
    for name, estimate, options in estimators:
        try:
            results[name] = estimate(rows.data, spec.outcome, **options, **common)
        except DataError as err:
            notes.append(f"{name.replace('_', ' ').capitalize()}: {err}")
            results[name] = None
    return results


@dataclass(frozen=True)
class _Inputs:
    """The rows an analysis reads: in memory, or datasets read out of core."""

    hours: Data
    """The whole hours panel (a frame, or the dataset's path)."""
    group: GroupRows
    integration: Callable[[], GroupRows | None]
    """The rows of integration benefit (None where there are none), for the subgroup of women."""
    identifiers: IdentifierLookup
    n_hours: int
    engine_options: dict[str, Any] = field(default_factory=dict)
    """The estimators' engine arguments (none in memory; Dask's engine and client)."""


def _check_group(config: ReportConfig, rows: GroupRows) -> None:
    spec = config.evaluation
    if rows.n_rows == 0:
        raise DataError(f"{config.data.hours}: no rows of benefit_group {spec.benefit_group!r}")
    if spec.treated not in set(rows.persons_by_municipality().index.tolist()):
        raise DataError(f"{config.data.hours}: no rows of municipality {spec.treated} in {spec.benefit_group!r}")


def _in_memory(config: ReportConfig, cycle: pd.DataFrame) -> _Inputs:
    spec = config.evaluation
    hours = load_hours(config.data.hours, level="person")
    group = hours[hours["benefit_group"] == spec.benefit_group]
    _check_group(config, FrameRows(group, spec.outcome))
    rows = FrameRows(attach(group, cycle, [spec.cycle]), spec.outcome)

    def integration() -> GroupRows | None:
        if spec.benefit_group == INTEGRATION:
            return rows
        found = hours[hours["benefit_group"] == INTEGRATION]
        if not (found["municipality"] == spec.treated).any():
            return None
        return FrameRows(attach(found, cycle, [spec.cycle]) if spec.cycle_method != "common" else found,
                         spec.outcome)

    identifiers = KnownIdentifiers(frozenset(hours["person_id"].astype(str).unique().tolist()))
    return _Inputs(hours, rows, integration, identifiers, len(hours))


_GROUP_COLUMNS = ("person_id", "municipality", "month")


def _out_of_core(config: ReportConfig, cycle: pd.DataFrame, dose: DosePanel | None, scratch: Path,
                 engine_options: dict[str, Any]) -> _Inputs:
    """The target group (and, when asked, integration benefit) copied by DuckDB to scratch datasets."""
    spec = config.evaluation
    source = config.data.hours
    panels = [Panel(cycle, spec.cycle, spec.cycle)]
    if dose is not None:
        panels.append(Panel(dose.panel, "cases_per_caseworker", "cases_per_caseworker"))
    band = {BAND: ("interventions", BAND_SQL)}

    def copy(benefit_group: str, folder: str, with_panels: list[Panel]) -> DatasetRows:
        path, n, _ = copy_target_group(source, scratch / folder, benefit_group=benefit_group,
                                           columns=[*_GROUP_COLUMNS, spec.outcome], optional=CHARACTERISTICS,
                                           panels=with_panels, derived=band)
        return DatasetRows(path, spec.outcome, n, engine_options)

    rows = copy(spec.benefit_group, "target", panels)
    _check_group(config, rows)
    rows.require_cells(spec.cycle, what=f"the cycle panel {config.data.cycle}")

    def integration() -> GroupRows | None:
        if spec.benefit_group == INTEGRATION:
            return rows
        found = copy(INTEGRATION, "integration", panels[:1])
        if spec.treated not in set(found.persons_by_municipality().index.tolist()):
            return None
        found.require_cells(spec.cycle, what=f"the cycle panel {config.data.cycle}")
        return found

    return _Inputs(Path(source), rows, integration, DatasetIdentifiers(Path(source)), count_rows(source),
                   engine_options)


def analyse(config: ReportConfig) -> Analysis:
    """Load the configured panels and estimate everything the report shows.

    With ``engine = "duckdb"`` in the configuration's ``[data]`` (the default
    when ``hours`` is a folder of Parquet files), the hours panel is read out
    of core: DuckDB copies the target group's columns, with the cycle series
    and the dose joined, to a scratch dataset that every estimate reads from
    its path, and the descriptive tables are DuckDB's group-bys; no estimate
    holds all the rows. With ``engine = "dask"`` the estimates read that
    dataset on a Dask cluster: the ``dask_scheduler`` configured, or a local
    cluster started for the analysis.

    Parameters
    ----------
    config : ReportConfig

    Returns
    -------
    Analysis

    Raises
    ------
    DataError
        If an input is invalid or the target group has no rows.
    """
    cycle = load_cycle(config.data.cycle)
    caseload = load_caseload(config.data.caseload) if config.data.caseload is not None else None
    costs = load_costs(config.data.costs) if config.data.costs is not None else None
    notes: list[str] = []
    dose = dose_panel(config, caseload, notes)
    if config.data.engine == "pandas":
        return _analyse(config, _in_memory(config, cycle), cycle, caseload, costs, dose, notes)
    with scratch_folder() as scratch, _report_client(config) as client:
        options: dict[str, Any] = {} if client is None else {"engine": "dask", "client": client}
        inputs = _out_of_core(config, cycle, dose, scratch, options)
        return _analyse(config, inputs, cycle, caseload, costs, dose, notes)


@contextmanager
def _report_client(config: ReportConfig) -> Iterator[Any]:
    """The Dask client of ``engine = "dask"``: the configured scheduler's, or a local cluster for the build."""
    if config.data.engine != "dask":
        yield None
        return
    if config.data.dask_scheduler is None:
        with engine_client("dask", None) as running:
            yield running
        return
    from distributed import Client

    try:
        client = Client(config.data.dask_scheduler, timeout=30)
    except OSError as err:
        raise DataError(f"{config.source}: [data] dask_scheduler = {config.data.dask_scheduler!r}: cannot reach "
                        f"the scheduler ({err}); start it, or leave the key out to use a local cluster") from err
    with client:
        yield client


def _analyse(config: ReportConfig, inputs: _Inputs, cycle: pd.DataFrame, caseload: pd.DataFrame | None,
             costs: pd.DataFrame | None, dose: DosePanel | None, notes: list[str]) -> Analysis:
    spec = config.evaluation
    rows = inputs.group
    group = rows.data
    common: dict[str, Any] = dict(unit="person_id", group="municipality", time="month", treated=spec.treated,
                                  start=spec.start, alpha=spec.alpha, seed=config.seed,
                                  size_correction=spec.size_correction, **inputs.engine_options)
    with _technical_messages() as caught:
        adjusted = did(group, spec.outcome, comparison=_comparison(spec.comparison),
                       inference=spec.inference,  # type: ignore[arg-type]  # checked when the config was read
                       **_cycle_arguments(config), **common)
        uncorrected = None
        if adjusted.inference.size_corrected:
            uncorrected = did(group, spec.outcome, comparison=_comparison(spec.comparison),
                              inference=spec.inference,  # type: ignore[arg-type]  # as above
                              **_cycle_arguments(config), **{**common, "size_correction": False})
        unadjusted = did(group, spec.outcome, comparison=_comparison(spec.comparison), **common)
        event = event_study(group, spec.outcome, comparison=_comparison(spec.comparison),
                            window=spec.event_window, bin_width=spec.event_bin, **_cycle_arguments(config), **common)
        try:
            conley_taber: EffectResult | None = did(
                group, spec.outcome, comparison=_comparison(spec.comparison), inference="conley-taber",
                **_cycle_arguments(config), **common)
        except DataError as err:
            conley_taber = None
            notes.append(f"Conley–Taber: {err}")
        pools = []
        for pool in spec.comparison_pools:
            result = did(group, spec.outcome, comparison=_comparison(pool), inference="placebo",
                         **_cycle_arguments(config), **common)
            pools.append(PoolEstimate(pool, result, municipalities=municipalities_in(result)))
        support = _support_and_savings(config, inputs.hours, group, cycle, costs, notes, inputs.engine_options)
        synthetic = _synthetic(config, rows, notes)
        members = set(_pool_codes(spec.comparison, spec.treated)) | {spec.treated}
        drivers = analyse_drivers(config, rows, inputs.integration, adjusted, members, _cycle_arguments(config),
                                  notes, dose=dose)
    notes += sorted(set(caught))

    cells = rows.cells(sorted(members))
    start = parse_period(spec.start)
    # the whole pre- and post-period, as in the decomposition of the estimate
    raw = raw_comparison(cells.assign(benefit_group=spec.benefit_group), treated=spec.treated,
                         benefit_group=spec.benefit_group, before=(str(cells["period"].min()), str(start - 1)),
                         after=(str(start), str(cells["period"].max())))
    after = cells[(cells["municipality"] == spec.treated) & (cells["period"] >= start)]
    evaluation = Evaluation(adjusted=adjusted, unadjusted=unadjusted, raw=raw, benefit_group=spec.benefit_group,
                            persons_per_month=float(after["persons"].mean()))

    persons = rows.persons_by_municipality()
    treated_rows = rows.of_municipality(spec.treated, ["person_id", "month"])
    relative = pd.PeriodIndex(treated_rows["month"], freq="M").asi8 - start.ordinal  # months since the start
    bins = np.clip(np.floor_divide(relative, spec.event_bin), *spec.event_window)
    by_bin = treated_rows.groupby(bins)["person_id"].nunique()
    by_bin.index.name = "rel_time"

    comparison = _comparison(spec.comparison)
    frequency: Frequency = "year" if start.month == 1 else "period"
    adjust = adjusted if spec.cycle_method == "covariate" else None
    series = outcome_by_period(group, spec.outcome, unit="person_id", group="municipality", time="month",
                               treated=spec.treated, comparison=comparison, adjust=adjust,
                               cycle=spec.cycle if adjust is not None else None, frequency=frequency,
                               **inputs.engine_options)
    windows = rows.windows(spec.treated, sorted(members), start)
    windows["mean"] = windows["total"] / windows["person_months"]
    windows = windows.drop(columns=["total"])
    caseload_series = None
    if caseload is not None:
        caseload_series = caseload_by_period(caseload, treated=spec.treated, comparison=comparison)

    table = municipality_table()
    names = dict(zip(table["municipality"].astype(int), table["name"], strict=True))
    return Analysis(
        config=config, evaluation=evaluation, event=event, conley_taber=conley_taber, pools=pools, cells=cells,
        persons_by_municipality=persons, treated_persons_by_bin=by_bin, outcome_series=series,
        windows=windows, caseload=caseload_series, names=names,
        rows={"hours": inputs.n_hours, "target_group": rows.n_rows, "cycle": len(cycle),
              **({"caseload": len(caseload)} if caseload is not None else {}),
              **({"costs": len(costs)} if costs is not None else {})},
        identifiers=inputs.identifiers, notes=notes, uncorrected=uncorrected, drivers=drivers, **support, **synthetic,
    )
