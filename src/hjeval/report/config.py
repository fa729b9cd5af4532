"""The report's configuration: a TOML file, read once into frozen dataclasses.

Paths in the file are relative to the file's own folder, so a config lives
beside its data and works from any working directory. Every option is checked
when the file is read; an error names the file, the table and the key.
"""

from __future__ import annotations

import dataclasses
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from hjeval.errors import DataError

__all__ = ["EXAMPLE_CONFIG", "DataFiles", "EvaluationSpec", "ReportConfig", "ReportLanguage", "load_config"]

ReportLanguage = Literal["da", "en"]
_CYCLE_METHODS = ("common", "covariate", "sensitivity")
_REPORT_ENGINES = ("pandas", "duckdb", "dask")
_INFERENCES = ("placebo", "conley-taber", "cluster", "wild-bootstrap")
_POOLS = ("all", "north_jutland", "rural")

EXAMPLE_CONFIG = """\
# hjeval evaluation report: an example configuration.
# Build it with:  hjeval report --config evaluation.toml --out reports/hjoerring
# Paths are relative to the folder of this file.

[report]
title = "Flere i job og uddannelse"     # the project's title (leave out: built from municipality and group)
language = "da"                          # "da" (default) or "en"; --lang on the command line wins
disclosure_threshold = 5                 # no number shown rests on fewer persons than this
seed = 0                                 # seed for randomised inference (recorded in the report)

[data]
hours = "data/synthetic/hours_person_month.parquet"   # person-month hours panel (required)
cycle = "data/synthetic/cycle.csv"                    # municipality-month business-cycle panel (required)
caseload = "data/synthetic/caseload.csv"              # municipality-period caseload panel (optional)
costs = "data/synthetic/costs.csv"                    # investment and benefit costs by year (optional: cost-benefit)
# engine = "duckdb"                                   # read hours out of core (the default when hours is a folder)
# engine = "dask"; dask_scheduler = "tcp://host:8786" # ... with the estimators on a Dask cluster (default: local)

[evaluation]
treated = 860                            # municipality code of the reform (860 = Hjørring)
start = "2015-01"                        # first month of the reform
benefit_group = "activity_ready_cash"    # target group in the hours panel
outcome = "hours"                        # monthly hours worked; shown per year (x 12)
comparison = "all"                       # "all", "north_jutland", "rural" or a list of codes
cycle = "unemployment_rate"              # business-cycle series in the cycle panel
cycle_method = "covariate"               # "covariate", "sensitivity" or "common" (no cycle series)
inference = "placebo"                    # "placebo" (one treated municipality), "conley-taber", ...
size_correction = true                   # placebo, Conley-Taber: correct for municipality size (Ferman-Pinto 2019)
alpha = 0.05                             # 1 - confidence level
discount_rate = 0.0                      # yearly rate for the cost-benefit's present value (0: undiscounted)

[robustness]
comparison_pools = ["north_jutland", "rural"]   # alternative pools estimated beside the main one
event_bin = 6                            # months per event-study bin
event_window = [-6, 9]                   # first and last bin relative to the start (ends pool the rest)

[phases]                                 # the model's components by first month, in order (leave out: no phases)
caseload = "2015-01"                     # lower caseloads alone (the first phase starts with the reform)
team = "2015-10"                         # lower caseloads and the interdisciplinary team
"""


@dataclass(frozen=True)
class DataFiles:
    """The input files of a report (absolute paths)."""

    hours: Path
    cycle: Path
    caseload: Path | None = None
    costs: Path | None = None
    engine: str = "pandas"
    """Where the hours rows are read: ``"pandas"`` in memory, ``"duckdb"`` out of core (the default for a
    folder), ``"dask"`` out of core with the estimators' passes on a Dask cluster."""
    dask_scheduler: str | None = None
    """With ``engine = "dask"``: the scheduler's address (default: a local cluster for the build)."""

    def items(self) -> list[tuple[str, Path]]:
        """Named files that are set, in a fixed order."""
        return [(name, path) for name, path in (("hours", self.hours), ("cycle", self.cycle),
                                                 ("caseload", self.caseload), ("costs", self.costs))
                if path is not None]


@dataclass(frozen=True)
class EvaluationSpec:
    """What is estimated: the treated municipality, the group, the pool, the adjustment."""

    treated: int = 860
    start: str = "2015-01"
    benefit_group: str = "activity_ready_cash"
    outcome: str = "hours"
    comparison: str | tuple[int, ...] = "all"
    cycle: str = "unemployment_rate"
    cycle_method: str = "covariate"
    inference: str = "placebo"
    size_correction: bool = True
    alpha: float = 0.05
    discount_rate: float = 0.0
    comparison_pools: tuple[str | tuple[int, ...], ...] = ("north_jutland", "rural")
    event_window: tuple[int, int] = (-6, 9)
    event_bin: int = 6
    phases: tuple[tuple[str, str], ...] | None = None
    """Phase name and first month, in the order the phases began (None: no phase section)."""


@dataclass(frozen=True)
class ReportConfig:
    """A validated report configuration.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "data" / "synthetic").mkdir(parents=True)
    >>> for name in ("hours_person_month.parquet", "cycle.csv", "caseload.csv", "costs.csv"):
    ...     _ = (folder / "data" / "synthetic" / name).write_bytes(b"")
    >>> _ = (folder / "evaluation.toml").write_text(EXAMPLE_CONFIG, encoding="utf-8")
    >>> config = load_config(folder / "evaluation.toml")
    >>> config.evaluation.treated, config.language, config.disclosure_threshold
    (860, 'da', 5)
    >>> config.data.hours.name
    'hours_person_month.parquet'
    """

    source: Path
    text: str
    data: DataFiles
    evaluation: EvaluationSpec
    title: str | None = None
    """The report's title; None: built from the municipality and the target group."""
    language: ReportLanguage = "da"
    disclosure_threshold: int = 5
    seed: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)


def _fail(source: Path, where: str, message: str) -> DataError:
    return DataError(f"{source}: [{where}]: {message}")


def _table(raw: Mapping[str, Any], name: str, source: Path, allowed: set[str]) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise _fail(source, name, "must be a table")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _fail(source, name, f"unknown key(s) {unknown}; allowed: {sorted(allowed)}")
    return value


def _typed(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], source: Path, where: str) -> Any:
    value = table[key]
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise _fail(source, where, f"{key} = {value!r} must be of type {getattr(kind, '__name__', kind)}")
    return value


def _choice(value: Any, allowed: tuple[str, ...], key: str, source: Path, where: str) -> str:
    if value not in allowed:
        raise _fail(source, where, f"{key} = {value!r}; choose one of {list(allowed)}")
    return str(value)


def _pool(value: Any, key: str, source: Path, where: str) -> str | tuple[int, ...]:
    if isinstance(value, str):
        return _choice(value, _POOLS, key, source, where)
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return tuple(value)
    raise _fail(source, where, f"{key} = {value!r}: a pool name {list(_POOLS)} or a list of municipality codes")


def _path(folder: Path, value: Any, key: str, source: Path, *, folders: bool = False) -> Path:
    if not isinstance(value, str) or not value:
        raise _fail(source, "data", f"{key} must be a file path")
    path = (folder / value).resolve()
    if not (path.is_file() or (folders and path.is_dir())):
        kind = "file or folder" if folders else "file"
        raise _fail(source, "data", f"{key} = {value!r}: no such {kind} ({path})")
    return path


def _phases(table: Any, start: str, source: Path) -> tuple[tuple[str, str], ...]:
    """The [phases] table: at least two phases, first months increasing, the first at the reform's start."""
    if not isinstance(table, dict):
        raise _fail(source, "phases", "must be a table of phase name = first month, e.g. caseload = \"2015-01\"")
    if len(table) < 2:
        raise _fail(source, "phases", f"{len(table)} phase(s) given; give at least two (name = first month)")
    phases = []
    for name, value in table.items():
        if not isinstance(value, str):
            raise _fail(source, "phases", f"{name} = {value!r} must be a month as text, e.g. \"2015-10\"")
        try:
            month = pd.Period(value, "M")
        except (ValueError, TypeError) as err:
            raise _fail(source, "phases", f"{name} = {value!r} is not a month (YYYY-MM)") from err
        phases.append((str(name), month))
    try:
        first = pd.Period(start, "M")
    except (ValueError, TypeError):
        first = None
    if first is not None and phases[0][1] != first:
        raise _fail(source, "phases", f"{phases[0][0]} = {table[phases[0][0]]!r}: the first phase must start with "
                                      f"the reform (start = {start!r})")
    for (name_a, a), (name_b, b) in itertools.pairwise(phases):
        if not b > a:
            raise _fail(source, "phases", f"{name_b} = {table[name_b]!r} is not after {name_a} = {table[name_a]!r}; "
                                          "list the phases in the order they began")
    return tuple((name, str(month)) for name, month in phases)


def load_config(path: str | Path) -> ReportConfig:
    """Read and check a report configuration file.

    Parameters
    ----------
    path : str or pathlib.Path
        A TOML file laid out as :data:`EXAMPLE_CONFIG`.

    Returns
    -------
    ReportConfig

    Raises
    ------
    DataError
        If the file is missing, is not TOML, or a key is unknown, of the wrong
        type or names a missing data file; the message names file, table and key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.toml"
    >>> _ = bad.write_text('[report]\\nlanguage = "fr"\\n', encoding="utf-8")
    >>> load_config(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    hjeval.errors.DataError: ...bad.toml: [report]: language = 'fr'; choose one of ['da', 'en']
    """
    source = Path(path).resolve()
    if not source.is_file():
        raise DataError(f"{source}: no such configuration file (hjeval report --example-config prints one)")
    text = source.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise DataError(f"{source}: not valid TOML: {err}") from err
    unknown = sorted(set(raw) - {"report", "data", "evaluation", "robustness", "phases"})
    if unknown:
        raise DataError(f"{source}: unknown table(s) {unknown}; allowed: data, evaluation, phases, report, robustness")

    report = _table(raw, "report", source, {"title", "language", "disclosure_threshold", "seed"})
    options: dict[str, Any] = {}
    if "title" in report:
        options["title"] = _typed(report, "title", str, source, "report")
    if "language" in report:
        options["language"] = _choice(report["language"], get_args(ReportLanguage), "language", source, "report")
    if "disclosure_threshold" in report:
        threshold = _typed(report, "disclosure_threshold", int, source, "report")
        if threshold < 1:
            raise _fail(source, "report", f"disclosure_threshold = {threshold} must be at least 1")
        options["disclosure_threshold"] = threshold
    if "seed" in report:
        options["seed"] = _typed(report, "seed", int, source, "report")

    data = _table(raw, "data", source, {"hours", "cycle", "caseload", "costs", "engine", "dask_scheduler"})
    for required in ("hours", "cycle"):
        if required not in data:
            raise _fail(source, "data", f"{required} is required")
    files = DataFiles(
        hours=_path(source.parent, data["hours"], "hours", source, folders=True),
        cycle=_path(source.parent, data["cycle"], "cycle", source),
        caseload=_path(source.parent, data["caseload"], "caseload", source) if "caseload" in data else None,
        costs=_path(source.parent, data["costs"], "costs", source) if "costs" in data else None,
    )
    engine = "duckdb" if files.hours.is_dir() else "pandas"
    if "engine" in data:
        engine = _choice(data["engine"], _REPORT_ENGINES, "engine", source, "data")
    if engine == "pandas" and files.hours.is_dir():
        raise _fail(source, "data", f"engine = \"pandas\" reads one file, but hours = {files.hours} is a folder: "
                    "use engine = \"duckdb\" to read the folder's Parquet files out of core")
    scheduler = None
    if "dask_scheduler" in data:
        scheduler = data["dask_scheduler"]
        if engine != "dask" or not isinstance(scheduler, str) or not scheduler:
            raise _fail(source, "data", f"dask_scheduler = {scheduler!r}: give the scheduler's address as text "
                        "(e.g. \"tcp://scheduler:8786\") together with engine = \"dask\"")
    files = dataclasses.replace(files, engine=engine, dask_scheduler=scheduler)

    evaluation = _table(raw, "evaluation", source, {
        "treated", "start", "benefit_group", "outcome", "comparison", "cycle", "cycle_method", "inference",
        "size_correction", "alpha", "discount_rate"})
    robustness = _table(raw, "robustness", source, {"comparison_pools", "event_window", "event_bin"})
    spec: dict[str, Any] = {}
    for key, kind in (("treated", int), ("start", str), ("benefit_group", str), ("outcome", str), ("cycle", str)):
        if key in evaluation:
            spec[key] = _typed(evaluation, key, kind, source, "evaluation")
    if "comparison" in evaluation:
        spec["comparison"] = _pool(evaluation["comparison"], "comparison", source, "evaluation")
    if "cycle_method" in evaluation:
        spec["cycle_method"] = _choice(evaluation["cycle_method"], _CYCLE_METHODS, "cycle_method", source,
                                       "evaluation")
    if "inference" in evaluation:
        spec["inference"] = _choice(evaluation["inference"], _INFERENCES, "inference", source, "evaluation")
    if "size_correction" in evaluation:
        spec["size_correction"] = _typed(evaluation, "size_correction", bool, source, "evaluation")
    if "alpha" in evaluation:
        alpha = _typed(evaluation, "alpha", (int, float), source, "evaluation")
        if not 0 < alpha < 0.5:
            raise _fail(source, "evaluation", f"alpha = {alpha} must lie between 0 and 0.5")
        spec["alpha"] = float(alpha)
    if "discount_rate" in evaluation:
        rate = _typed(evaluation, "discount_rate", (int, float), source, "evaluation")
        if not -0.5 < rate < 1:
            raise _fail(source, "evaluation", f"discount_rate = {rate} must lie between -0.5 and 1 (0.03 for 3 %)")
        spec["discount_rate"] = float(rate)
    if "comparison_pools" in robustness:
        pools = _typed(robustness, "comparison_pools", list, source, "robustness")
        spec["comparison_pools"] = tuple(_pool(p, "comparison_pools", source, "robustness") for p in pools)
    if "event_window" in robustness:
        window = _typed(robustness, "event_window", list, source, "robustness")
        if len(window) != 2 or not all(isinstance(v, int) for v in window) or not window[0] < 0 <= window[1]:
            raise _fail(source, "robustness", f"event_window = {window!r}: two integers [first < 0, last >= 0]")
        spec["event_window"] = (window[0], window[1])
    if "event_bin" in robustness:
        width = _typed(robustness, "event_bin", int, source, "robustness")
        if width < 1:
            raise _fail(source, "robustness", f"event_bin = {width} must be at least 1")
        spec["event_bin"] = width
    if "phases" in raw:
        spec["phases"] = _phases(raw["phases"], spec.get("start", EvaluationSpec.start), source)
    return ReportConfig(source=source, text=text, data=files, evaluation=EvaluationSpec(**spec), **options)
