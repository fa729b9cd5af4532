"""Write the synthetic panels and their truth to a folder.

Generation runs municipality by municipality, each with its own random
generators (``default_rng([seed, code, stream])``), so memory stays small and
North Jutland is identical at region and national scale. Files are written
in a fixed order with fixed formats: Parquet with one row group per
municipality (rows sorted by person id and month), CSV with ``\\n`` line ends
and fixed decimals, JSON with sorted keys. The only environment-dependent
bytes are the Parquet writer's library version string.

``rollout="staggered"`` lets the municipalities of
:data:`hjeval.synthetic.params.ROLLOUT` adopt the model in their own month,
adds ``adoption.csv`` (each municipality's cohort) and the ``staggered_rollout``
entry of ``truth.json`` (:mod:`hjeval.synthetic.rollout`); municipalities that
do not adopt get the same bytes as in the default world.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hjeval._files import sha256_of
from hjeval.data.municipalities import MUNICIPALITIES, NORTH_JUTLAND
from hjeval.data.schemas import BENEFIT_GROUPS, ORIGINS
from hjeval.errors import DataError
from hjeval.synthetic.cycle import LocalEconomy, local_economy, national_unemployment
from hjeval.synthetic.geography import (
    INCIDENCE,
    NATIONAL_PERSON_MONTHS,
    POPULATION,
    REGION_OTHER_FACTOR,
    Scale,
    national_stock,
    sample_factors,
)
from hjeval.synthetic.ids import pseudonymise
from hjeval.synthetic.mechanism import mechanism_truth
from hjeval.synthetic.panel import GroupRows, simulate_group
from hjeval.synthetic.params import (
    CASELOAD,
    COSTS,
    CYCLE,
    DURATION,
    FIRST_YEAR,
    GROUPS,
    HJORRING,
    MAX_WORK_PROB,
    MONTHS,
    PERSON_EFFECT_SD,
    REFORM,
    ROLLOUT,
    ROLLOUTS,
    Rollout,
    month_index,
)
from hjeval.synthetic.reform import effect_path, hjorring_caseload
from hjeval.synthetic.rollout import RolloutSums, adoption_frame, rollout_truth
from hjeval.synthetic.support import support_truth
from hjeval.synthetic.tables import (
    benefit_costs,
    caseload_rows,
    cell_rows,
    concat_columns,
    costs_frame,
    cycle_rows,
    month_labels,
)

__all__ = ["DEFAULT_SEED", "FILE_NAMES", "ROLLOUT_FILE_NAMES", "generate"]

DEFAULT_SEED = 2015

FILE_NAMES: dict[str, str] = {
    "hours_person_month": "hours_person_month.parquet",
    "hours_municipality_month": "hours_municipality_month.csv",
    "caseload": "caseload.csv",
    "cycle": "cycle.csv",
    "costs": "costs.csv",
    "truth": "truth.json",
}

ROLLOUT_FILE_NAMES: dict[str, str] = {"adoption": "adoption.csv"}
"""Files written in addition to :data:`FILE_NAMES` with ``rollout="staggered"``."""

WINDOWS: dict[str, tuple[int, int]] = {
    "2014": (month_index(2014, 1), month_index(2014, 12)),
    "2015-01..2017-08": (month_index(2015, 1), month_index(2017, 8)),
    "2015-01..2019-12": (month_index(2015, 1), month_index(2019, 12)),
}

PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.int64()),
        ("municipality", pa.int16()),
        ("month", pa.date32()),
        ("hours", pa.float64()),
        ("benefit_group", pa.string()),
        ("sex", pa.string()),
        ("age", pa.int16()),
        ("origin", pa.string()),
        ("interventions", pa.int16()),
    ]
)

_STREAM_CYCLE = 0
_STREAM_CASELOAD = 99


def _labels(values: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    return pa.array(list(values), pa.string()).take(pa.array(codes, pa.int8()))


def _person_table(seed: int, code: int, groups: list[GroupRows]) -> pa.Table:
    ids = np.concatenate(
        [pseudonymise(seed, code, g, rows.person) for g, rows in enumerate(groups)]
    )
    month = np.concatenate([rows.month for rows in groups])
    order = np.lexsort((month, ids))
    group = np.concatenate([np.full(rows.month.size, g, np.int8) for g, rows in enumerate(groups)])
    female = np.concatenate([rows.female for rows in groups])
    dates = (np.datetime64(f"{FIRST_YEAR}-01", "M") + month[order]).astype("datetime64[D]")
    columns = [
        pa.array(ids[order], pa.int64()),
        pa.array(np.full(order.size, code, np.int16), pa.int16()),
        pa.array(dates, pa.date32()),
        pa.array(np.concatenate([rows.hours for rows in groups])[order], pa.float64()),
        _labels(BENEFIT_GROUPS, group[order]),
        _labels(("M", "F"), female[order].astype(np.int8)),
        pa.array(np.concatenate([rows.age for rows in groups])[order], pa.int16()),
        _labels(ORIGINS, np.concatenate([rows.origin for rows in groups])[order]),
        pa.array(np.concatenate([rows.interventions for rows in groups])[order], pa.int16()),
    ]
    return pa.Table.from_arrays(columns, schema=PERSON_SCHEMA)


def _mean_in(values: np.ndarray, month: np.ndarray, window: tuple[int, int]) -> tuple[float, int]:
    inside = (month >= window[0]) & (month <= window[1])
    return float(values[inside].sum()), int(inside.sum())


def _yearly(total: float, count: int) -> float | None:
    return 12.0 * total / count if count else None


def _effect_summary(rows: GroupRows, mask: np.ndarray | None = None) -> dict[str, Any]:
    """True effect in hours a year: means of the per-person-month effect x 12."""
    keep = np.ones(rows.month.size, bool) if mask is None else mask
    effect, month = rows.true_effect[keep], rows.month[keep]
    out: dict[str, Any] = {}
    for name, window in WINDOWS.items():
        if name == "2014":
            continue
        total, count = _mean_in(effect, month, window)
        out[name] = _yearly(total, count)
        out[f"{name} person_months"] = count
    for year in range(2015, FIRST_YEAR + MONTHS // 12):
        total, count = _mean_in(effect, month, (month_index(year, 1), month_index(year, 12)))
        out[str(year)] = _yearly(total, count)
    return out


def _hjorring_effects(groups: list[GroupRows]) -> dict[str, Any]:
    by_name = {g.name: rows for g, rows in zip(GROUPS, groups, strict=True)}
    out: dict[str, Any] = {name: _effect_summary(rows) for name, rows in by_name.items()}
    active = by_name["activity_ready_cash"]
    integration = by_name["integration"]
    out["subgroups"] = {
        "activity_ready_cash, interventions <= 1": _effect_summary(
            active, active.interventions <= 1
        ),
        "activity_ready_cash, interventions >= 2": _effect_summary(
            active, active.interventions >= 2
        ),
        "integration, women": _effect_summary(integration, integration.female),
        "integration, men": _effect_summary(integration, ~integration.female),
    }
    return out


@dataclass
class _Sums:
    """Person-month sums by month for one group of municipalities."""

    hours: np.ndarray = field(default_factory=lambda: np.zeros(MONTHS))
    expected: np.ndarray = field(default_factory=lambda: np.zeros(MONTHS))
    counterfactual: np.ndarray = field(default_factory=lambda: np.zeros(MONTHS))
    count: np.ndarray = field(default_factory=lambda: np.zeros(MONTHS))

    def add(self, rows: GroupRows) -> None:
        self.hours += np.bincount(rows.month, rows.hours, MONTHS)
        self.expected += np.bincount(rows.month, rows.expected_hours, MONTHS)
        self.counterfactual += np.bincount(
            rows.month, rows.expected_hours - rows.true_effect, MONTHS
        )
        self.count += np.bincount(rows.month, minlength=MONTHS)

    def window_means(self) -> dict[str, dict[str, float | None]]:
        out: dict[str, dict[str, float | None]] = {}
        for name, (lo, hi) in WINDOWS.items():
            n = float(self.count[lo : hi + 1].sum())
            out[name] = {
                "observed": _yearly(float(self.hours[lo : hi + 1].sum()), int(n)),
                "expected": _yearly(float(self.expected[lo : hi + 1].sum()), int(n)),
                "expected_without_reform": _yearly(
                    float(self.counterfactual[lo : hi + 1].sum()), int(n)
                ),
                "person_months": n,
            }
        return out


@dataclass
class _Durations:
    """Sums for the mean-duration measure, by group."""

    months: dict[str, np.ndarray] = field(
        default_factory=lambda: {g.name: np.zeros(2) for g in GROUPS}
    )
    spells: dict[str, np.ndarray] = field(
        default_factory=lambda: {g.name: np.zeros(2) for g in GROUPS}
    )

    def add(self, group: str, rows: GroupRows) -> None:
        spells = rows.spells
        for k, (lo, hi) in enumerate((DURATION.before, DURATION.after)):
            inside = (spells.start >= lo) & (spells.start <= hi)
            self.months[group][k] += spells.observed_months[inside].sum()
            self.spells[group][k] += inside.sum()

    def weeks(self) -> dict[str, dict[str, float | None]]:
        out: dict[str, dict[str, float | None]] = {}
        for group in self.months:
            m, n = self.months[group], self.spells[group]
            out[group] = {
                "before_weeks": DURATION.weeks_per_month * m[0] / n[0] if n[0] else None,
                "after_weeks": DURATION.weeks_per_month * m[1] / n[1] if n[1] else None,
                "before_spells": int(n[0]),
                "after_spells": int(n[1]),
            }
        return out


@dataclass
class _Collector:
    """Everything the truth file reports, filled municipality by municipality."""

    municipalities: dict[str, Any] = field(default_factory=dict)
    rows_by_group: dict[str, int] = field(default_factory=lambda: {g.name: 0 for g in GROUPS})
    hjorring_effects: dict[str, Any] = field(default_factory=dict)
    hjorring_hours: _Sums = field(default_factory=_Sums)
    comparison_hours: _Sums = field(default_factory=_Sums)
    north_jutland_hours: _Sums = field(default_factory=_Sums)
    hjorring_durations: _Durations = field(default_factory=_Durations)
    comparison_durations: _Durations = field(default_factory=_Durations)
    caseload_levels: dict[str, dict[str, float]] = field(default_factory=dict)
    hjorring_support: dict[str, Any] = field(default_factory=dict)
    hjorring_mechanism: dict[str, Any] = field(default_factory=dict)
    rollout: RolloutSums = field(default_factory=RolloutSums)


def _adoption(rollout: Rollout) -> dict[int, int]:
    """Municipality code -> month index of its first treated month."""
    return ROLLOUT.months() if rollout == "staggered" else {HJORRING: REFORM.start}


def _simulate_municipality(
    seed: int, code: int, national: np.ndarray, stock: float, start: int | None
) -> tuple[LocalEconomy, list[GroupRows]]:
    econ = local_economy(
        code, POPULATION[code], national, np.random.default_rng([seed, code, _STREAM_CYCLE])
    )
    groups = [
        simulate_group(
            np.random.default_rng([seed, code, 1 + g]),
            group,
            econ,
            stock * group.stock_share,
            treated=start is not None,
            start=REFORM.start if start is None else start,
        )
        for g, group in enumerate(GROUPS)
    ]
    return econ, groups


def _collect(
    collector: _Collector,
    code: int,
    econ: LocalEconomy,
    groups: list[GroupRows],
    factor: float,
    stock: float,
    adopter: bool,
) -> None:
    treated = code == HJORRING
    for group, rows in zip(GROUPS, groups, strict=True):
        collector.rows_by_group[group.name] += rows.month.size
        if treated:
            collector.hjorring_durations.add(group.name, rows)
        elif not adopter:
            collector.comparison_durations.add(group.name, rows)
    active = groups[0]
    collector.rollout.add(code, active.month, active.true_effect, active.expected_hours)
    if treated:
        collector.hjorring_effects = _hjorring_effects(groups)
        collector.hjorring_hours.add(active)
        collector.hjorring_support = support_truth(econ, groups)
        collector.hjorring_mechanism = mechanism_truth(groups)
    elif not adopter:
        collector.comparison_hours.add(active)
        if code in NORTH_JUTLAND:
            collector.north_jutland_hours.add(active)
    collector.municipalities[str(code)] = {
        "name": MUNICIPALITIES[code][0],
        "population": POPULATION[code],
        "incidence": INCIDENCE.get(code, 1.0),
        "national_stock_per_month": stock,
        "sample_factor": factor,
        "rows": int(sum(rows.month.size for rows in groups)),
        "unemployment_level": econ.level,
        "unemployment_sensitivity": econ.sensitivity,
        "hours_level": econ.hours_level,
        "exit_level": econ.exit_level,
    }


def _naive_did(collector: _Collector) -> dict[str, float | None]:
    """Raw difference in differences, activity-ready, 2014 vs 2015-01..2017-08."""

    def change(sums: _Sums) -> float | None:
        means = sums.window_means()
        after, before = means["2015-01..2017-08"]["observed"], means["2014"]["observed"]
        return None if after is None or before is None else after - before

    treated = change(collector.hjorring_hours)
    effect = collector.hjorring_effects["activity_ready_cash"]["2015-01..2017-08"]
    out: dict[str, float | None] = {"hjorring_change": treated}
    for name, sums in (
        ("all_others", collector.comparison_hours),
        ("north_jutland", collector.north_jutland_hours),
    ):
        other = change(sums)
        did = None if treated is None or other is None else treated - other
        out[f"comparison_change_{name}"] = other
        out[f"naive_did_{name}"] = did
        out[f"naive_did_minus_true_effect_{name}"] = (
            None if did is None or effect is None else did - effect
        )
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_jsonable(v) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return round(number, 6) if np.isfinite(number) else None
    return value


def _truth(
    collector: _Collector,
    *,
    seed: int,
    scale: str,
    factors: Mapping[int, float],
    national: np.ndarray,
    files: Mapping[str, Path],
    adoption: Mapping[int, int],
    rollout: Rollout,
) -> dict[str, Any]:
    truth = _base_truth(collector, seed=seed, scale=scale, factors=factors, national=national, files=files)
    if rollout == "staggered":
        truth["staggered_rollout"] = {"rollout": rollout, **rollout_truth(collector.rollout, adoption)}
    return truth


def _base_truth(
    collector: _Collector,
    *,
    seed: int,
    scale: str,
    factors: Mapping[int, float],
    national: np.ndarray,
    files: Mapping[str, Path],
) -> dict[str, Any]:
    labels = month_labels()
    return {
        "seed": seed,
        "scale": scale,
        "sample_factors": {
            "north_jutland": factors[HJORRING],
            "other_municipalities": min(factors.values()),
            "region_scale_other_factor": REGION_OTHER_FACTOR,
            "national_person_months_nominal": NATIONAL_PERSON_MONTHS,
        },
        "municipalities": collector.municipalities,
        "rows": {
            "total": int(sum(collector.rows_by_group.values())),
            "by_group": collector.rows_by_group,
        },
        "national_unemployment": dict(zip(labels, national.tolist(), strict=True)),
        "cycle_parameters": asdict(CYCLE),
        "group_parameters": {g.name: asdict(g) for g in GROUPS},
        "person_effect_sd": PERSON_EFFECT_SD,
        "max_work_prob": MAX_WORK_PROB,
        "reform_parameters": asdict(REFORM),
        "effect_path_hours_per_month": {
            g.name: dict(zip(labels, effect_path(g.name).tolist(), strict=True)) for g in GROUPS
        },
        "true_effect_hours_per_year": {
            "definition": "mean over Hjørring's person-months in the window of the expected "
            "extra hours caused by the reform (hours_if_working x change in the capped work "
            "probability), times 12",
            **collector.hjorring_effects,
        },
        "activity_ready_hours_per_year": {
            "hjorring": collector.hjorring_hours.window_means(),
            "all_other_municipalities": collector.comparison_hours.window_means(),
            "other_north_jutland": collector.north_jutland_hours.window_means(),
        },
        "naive_did_activity_ready": _naive_did(collector),
        "durations": {
            "definition": DURATION.definition(),
            "group": DURATION.group,
            "before_start_months": [labels[DURATION.before[0]], labels[DURATION.before[1]]],
            "after_start_months": [labels[DURATION.after[0]], labels[DURATION.after[1]]],
            "hjorring": collector.hjorring_durations.weeks(),
            "other_municipalities": collector.comparison_durations.weeks(),
            "true_effect_hjorring": collector.hjorring_support.get("durations", {}),
        },
        "persons_off_support_hjorring": collector.hjorring_support.get("persons_off_support", {}),
        "caseload": {
            "hjorring_cash_benefit_true_path": dict(
                zip(labels, hjorring_caseload().tolist(), strict=True)
            ),
            "levels_by_municipality": collector.caseload_levels,
            "parameters": asdict(CASELOAD),
        },
        "costs": {
            "investment_dkk": {
                str(y): m * 1e6
                for y, m in zip(REFORM.investment_years, REFORM.investment_mio, strict=True)
            },
            "investment_total_dkk": sum(REFORM.investment_mio) * 1e6,
            "benefit_cost_per_full_time_person": {
                f"{year} {group}": amount for (year, group), amount in benefit_costs().items()
            },
            "parameters": asdict(COSTS),
            "notes": "cash benefit: 12 x mean of the monthly rates with and without children "
            "(age 30+), 2015-2017, other years moved by annual_rate a year; sickness: 52 x "
            "weekly maximum of 2015 moved by annual_rate; integration: an assumed share of "
            "the cash-benefit amount",
        },
        **collector.hjorring_mechanism,
        "sha256": {name: sha256_of(path) for name, path in sorted(files.items())},
    }


def _write_csv(frame: pd.DataFrame, path: Path, decimals: int) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format=f"%.{decimals}f")


def _check_arguments(seed: object, scale: object, rollout: object = "hjorring") -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or int(seed) < 0:
        raise DataError(f"seed must be a non-negative integer, not {seed!r}")
    if scale not in ("region", "national"):
        raise DataError(f"scale must be 'region' or 'national', not {scale!r}")
    if not isinstance(rollout, str) or rollout not in ROLLOUTS:
        raise DataError(
            f"rollout must be one of {list(ROLLOUTS)}, not {rollout!r}; use 'hjorring' (the default: "
            "Hjørring alone adopts in 2015-01) or 'staggered' (cohorts adopting in 2015, 2017 and 2018)"
        )
    return int(seed)


def generate(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: Scale = "region",
    rollout: Rollout = "hjorring",
) -> dict[str, Path]:
    """Write the calibrated synthetic panels and their truth to ``out_dir``.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write into (created when missing; files are overwritten).
    seed : int, default DEFAULT_SEED
        Non-negative random seed. The same seed and scale give byte-identical files.
    scale : {"region", "national"}, default "region"
        ``"national"``: about 10 million person-months in all 98 municipalities.
        ``"region"``: North Jutland at national size, the other 87
        municipalities at one tenth (about 2 million person-months).
    rollout : {"hjorring", "staggered"}, default "hjorring"
        ``"hjorring"``: Hjørring alone adopts the caseload model (2015-01).
        ``"staggered"``: the municipalities of
        :data:`hjeval.synthetic.params.ROLLOUT` adopt it in their own month
        (cohorts 2015, 2017 and 2018, Hjørring among the first), each with
        Hjørring's effect paths by months since adoption; adds
        ``adoption.csv`` and the ``staggered_rollout`` entry of ``truth.json``
        (true ATT(g,t) and its aggregations, see
        :mod:`hjeval.synthetic.rollout`). Municipalities that do not adopt
        get the same rows as with ``"hjorring"``.

    Returns
    -------
    dict of str to pathlib.Path
        ``hours_person_month`` (Parquet), ``hours_municipality_month``,
        ``caseload``, ``cycle``, ``costs`` (CSV) and ``truth`` (JSON); with
        ``rollout="staggered"`` also ``adoption`` (CSV).

    Raises
    ------
    DataError
        For a negative or non-integer seed, an unknown scale or rollout.

    Examples
    --------
    >>> import tempfile
    >>> from hjeval.synthetic import generate
    >>> try:
    ...     generate(tempfile.mkdtemp(), scale="city")
    ... except ValueError as err:
    ...     print(err)
    scale must be 'region' or 'national', not 'city'
    >>> from hjeval.synthetic import ROLLOUT_FILE_NAMES
    >>> ROLLOUT_FILE_NAMES  # written in addition with rollout="staggered"
    {'adoption': 'adoption.csv'}
    """
    seed = _check_arguments(seed, scale, rollout)
    return _generate(
        Path(out_dir), seed=seed, scale=scale, factors=sample_factors(scale), rollout=rollout
    )


def _generate(
    out_dir: Path,
    *,
    seed: int,
    scale: str,
    factors: Mapping[int, float],
    rollout: Rollout = "hjorring",
) -> dict[str, Path]:
    """Generate with explicit sample factors (every municipality must have one)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {**FILE_NAMES, **(ROLLOUT_FILE_NAMES if rollout == "staggered" else {})}
    paths = {name: out_dir / file for name, file in names.items()}
    adoption = _adoption(rollout)
    national = national_unemployment(np.random.default_rng([seed, _STREAM_CYCLE]))
    stocks = national_stock()
    collector = _Collector()
    cells, caseloads, cycles = [], [], []
    with pq.ParquetWriter(
        paths["hours_person_month"], PERSON_SCHEMA, compression="zstd"
    ) as writer:
        for code in sorted(MUNICIPALITIES):
            factor = float(factors[code])
            econ, groups = _simulate_municipality(
                seed, code, national, stocks[code] * factor, adoption.get(code)
            )
            table = _person_table(seed, code, groups)
            writer.write_table(table, row_group_size=max(1, table.num_rows))
            persons = {
                g.name: np.bincount(rows.month, minlength=MONTHS)
                for g, rows in zip(GROUPS, groups, strict=True)
            }
            hours = {
                g.name: np.bincount(rows.month, rows.hours, MONTHS)
                for g, rows in zip(GROUPS, groups, strict=True)
            }
            cells.append(cell_rows(code, persons, hours))
            columns, levels = caseload_rows(
                code,
                persons,
                factor,
                np.random.default_rng([seed, code, _STREAM_CASELOAD]),
                start=adoption.get(code),
            )
            caseloads.append(columns)
            collector.caseload_levels[str(code)] = levels
            cycles.append(cycle_rows(econ))
            _collect(collector, code, econ, groups, factor, stocks[code], code in adoption)
    _write_csv(concat_columns(cells), paths["hours_municipality_month"], 2)
    _write_csv(concat_columns(caseloads), paths["caseload"], 3)
    _write_csv(concat_columns(cycles), paths["cycle"], 3)
    _write_csv(costs_frame(), paths["costs"], 2)
    if "adoption" in paths:
        _write_csv(adoption_frame(adoption), paths["adoption"], 0)
    data_files = {name: path for name, path in paths.items() if name != "truth"}
    truth = _truth(
        collector,
        seed=seed,
        scale=scale,
        factors=factors,
        national=national,
        files=data_files,
        adoption=adoption,
        rollout=rollout,
    )
    paths["truth"].write_text(
        json.dumps(_jsonable(truth), sort_keys=True, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return paths
