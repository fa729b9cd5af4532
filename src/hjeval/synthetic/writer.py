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

``scale="national", rows=N`` scales the persons of every municipality so that
the panel has ``N`` person-months in expectation and simulates each
municipality in person blocks of bounded size (:mod:`hjeval.synthetic.blocks`,
generators ``default_rng([seed, code, stream, block])``). The hours panel is
then the Parquet dataset ``hours_person_month/`` partitioned by year
(:mod:`hjeval.synthetic.dataset`); the cells, caseload and truth are summed
block by block (:mod:`hjeval.synthetic.merge`), so memory does not grow with
``N``. Without ``rows`` every municipality is one block, as it always was.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from hjeval._files import sha256_of
from hjeval.data.municipalities import MUNICIPALITIES, NORTH_JUTLAND
from hjeval.errors import DataError
from hjeval.synthetic.blocks import BLOCK_ROWS, RowPlan, check_rows, expected_rows, plan_rows
from hjeval.synthetic.cycle import LocalEconomy, local_economy, national_unemployment
from hjeval.synthetic.dataset import PART_ROWS, PersonDataset, dataset_files, dataset_sha256
from hjeval.synthetic.geography import (
    INCIDENCE,
    NATIONAL_PERSON_MONTHS,
    POPULATION,
    REGION_OTHER_FACTOR,
    Scale,
    national_stock,
    sample_factors,
)
from hjeval.synthetic.mechanism import mechanism_truth
from hjeval.synthetic.merge import dose_gram, merge_mechanism, merge_support
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
from hjeval.synthetic.person_rows import PERSON_SCHEMA, PersonRows
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

__all__ = ["DEFAULT_SEED", "FILE_NAMES", "PERSON_SCHEMA", "ROLLOUT_FILE_NAMES", "ROWS_FILE_NAMES", "generate"]

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

ROWS_FILE_NAMES: dict[str, str] = {"hours_person_month": "hours_person_month"}
"""With ``rows=N``: the folder (a Parquet dataset partitioned by year) written in place of the file."""

WINDOWS: dict[str, tuple[int, int]] = {
    "2014": (month_index(2014, 1), month_index(2014, 12)),
    "2015-01..2017-08": (month_index(2015, 1), month_index(2017, 8)),
    "2015-01..2019-12": (month_index(2015, 1), month_index(2019, 12)),
}

_STREAM_CYCLE = 0
_STREAM_CASELOAD = 99


def _mean_in(values: np.ndarray, month: np.ndarray, window: tuple[int, int]) -> tuple[float, int]:
    inside = (month >= window[0]) & (month <= window[1])
    return float(values[inside].sum()), int(inside.sum())


def _yearly(total: float, count: int) -> float | None:
    return 12.0 * total / count if count else None


EffectSums = dict[str, dict[str, tuple[float, int]]]
"""Summary -> window or year -> (sum of the per-person-month true effect, person-months)."""

_SUBGROUPS = (
    "activity_ready_cash, interventions <= 1",
    "activity_ready_cash, interventions >= 2",
    "integration, women",
    "integration, men",
)


def _effect_sums(rows: GroupRows, mask: np.ndarray | None = None) -> dict[str, tuple[float, int]]:
    """Sums of the per-person-month true effect and person-months, by window and year."""
    keep = np.ones(rows.month.size, bool) if mask is None else mask
    effect, month = rows.true_effect[keep], rows.month[keep]
    out: dict[str, tuple[float, int]] = {}
    for name, window in WINDOWS.items():
        if name != "2014":
            out[name] = _mean_in(effect, month, window)
    for year in range(2015, FIRST_YEAR + MONTHS // 12):
        out[str(year)] = _mean_in(effect, month, (month_index(year, 1), month_index(year, 12)))
    return out


def _hjorring_effect_sums(groups: list[GroupRows]) -> EffectSums:
    by_name = {g.name: rows for g, rows in zip(GROUPS, groups, strict=True)}
    out: EffectSums = {name: _effect_sums(rows) for name, rows in by_name.items()}
    active = by_name["activity_ready_cash"]
    integration = by_name["integration"]
    masks = (active.interventions <= 1, active.interventions >= 2, integration.female, ~integration.female)
    for label, rows, mask in zip(_SUBGROUPS, (active, active, integration, integration), masks, strict=True):
        out[label] = _effect_sums(rows, mask)
    return out


def _add_effect_sums(total: EffectSums | None, block: EffectSums) -> EffectSums:
    if total is None:
        return block
    return {
        name: {key: (total[name][key][0] + t, total[name][key][1] + n) for key, (t, n) in sums.items()}
        for name, sums in block.items()
    }


def _effect_summary(sums: Mapping[str, tuple[float, int]]) -> dict[str, Any]:
    """True effect in hours a year: means of the per-person-month effect x 12."""
    out: dict[str, Any] = {}
    for name, (total, count) in sums.items():
        out[name] = _yearly(total, count)
        if name in WINDOWS:
            out[f"{name} person_months"] = count
    return out


def _hjorring_effects(sums: EffectSums) -> dict[str, Any]:
    out: dict[str, Any] = {name: _effect_summary(s) for name, s in sums.items() if name not in _SUBGROUPS}
    out["subgroups"] = {label: _effect_summary(sums[label]) for label in _SUBGROUPS}
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


def _economies(seed: int, national: np.ndarray) -> dict[int, LocalEconomy]:
    """Every municipality's local economy (its own generator, independent of the persons)."""
    return {
        code: local_economy(code, POPULATION[code], national, np.random.default_rng([seed, code, _STREAM_CYCLE]))
        for code in sorted(MUNICIPALITIES)
    }


def _simulate_block(
    seed: int, code: int, econ: LocalEconomy, stock: float, start: int | None, block: int | None
) -> list[GroupRows]:
    """The groups of one person block of a municipality (``block=None``: the municipality in one piece)."""

    def rng(stream: int) -> np.random.Generator:
        return np.random.default_rng([seed, code, stream] if block is None else [seed, code, stream, block])

    return [
        simulate_group(
            rng(1 + g),
            group,
            econ,
            stock * group.stock_share,
            treated=start is not None,
            start=REFORM.start if start is None else start,
        )
        for g, group in enumerate(GROUPS)
    ]


def _plus(total: np.ndarray | None, block: np.ndarray) -> np.ndarray:
    return block if total is None else total + block


@dataclass
class _Municipality:
    """One municipality's sums over its person blocks (the blocks' rows are not kept)."""

    rows: int = 0
    persons: dict[str, np.ndarray] = field(default_factory=dict)
    hours: dict[str, np.ndarray] = field(default_factory=dict)
    rollout: list[np.ndarray] = field(default_factory=list)
    effects: EffectSums | None = None
    support: list[dict[str, Any]] = field(default_factory=list)
    mechanism: list[dict[str, Any]] = field(default_factory=list)
    grams: list[dict[str, np.ndarray]] = field(default_factory=list)


def _collect_block(
    collector: _Collector,
    sums: _Municipality,
    code: int,
    econ: LocalEconomy,
    groups: list[GroupRows],
    adopter: bool,
    blocked: bool,
) -> None:
    """Add one person block to the municipality's sums and the truth's (``blocked``: one of several)."""
    treated = code == HJORRING
    for group, rows in zip(GROUPS, groups, strict=True):
        collector.rows_by_group[group.name] += rows.month.size
        sums.rows += rows.month.size
        sums.persons[group.name] = _plus(sums.persons.get(group.name), np.bincount(rows.month, minlength=MONTHS))
        sums.hours[group.name] = _plus(sums.hours.get(group.name), np.bincount(rows.month, rows.hours, MONTHS))
        if treated:
            collector.hjorring_durations.add(group.name, rows)
        elif not adopter:
            collector.comparison_durations.add(group.name, rows)
    active = groups[0]
    block = RolloutSums()
    block.add(code, active.month, active.true_effect, active.expected_hours)
    arrays = [block.count[code], block.effect[code], block.expected[code]]
    sums.rollout = arrays if not sums.rollout else [a + b for a, b in zip(sums.rollout, arrays, strict=True)]
    if treated:
        sums.effects = _add_effect_sums(sums.effects, _hjorring_effect_sums(groups))
        collector.hjorring_hours.add(active)
        with warnings.catch_warnings():
            if blocked:  # a small block may lack spells in a window: its NaN means get no weight when merged
                warnings.simplefilter("ignore", RuntimeWarning)
            sums.support.append(support_truth(econ, groups))
        sums.mechanism.append(mechanism_truth(groups))
        sums.grams.append({g.name: dose_gram(rows) for g, rows in zip(GROUPS, groups, strict=True)})
    elif not adopter:
        collector.comparison_hours.add(active)
        if code in NORTH_JUTLAND:
            collector.north_jutland_hours.add(active)


def _collect_municipality(
    collector: _Collector,
    sums: _Municipality,
    code: int,
    econ: LocalEconomy,
    factor: float,
    stock: float,
    plan: RowPlan | None,
) -> None:
    """Close a municipality: its truth entries from the sums over its blocks."""
    collector.rollout.count[code], collector.rollout.effect[code], collector.rollout.expected[code] = sums.rollout
    if code == HJORRING and sums.effects is not None:
        collector.hjorring_effects = _hjorring_effects(sums.effects)
        collector.hjorring_support = merge_support(sums.support)
        collector.hjorring_mechanism = merge_mechanism(sums.mechanism, sums.grams)
    collector.municipalities[str(code)] = {
        "name": MUNICIPALITIES[code][0],
        "population": POPULATION[code],
        "incidence": INCIDENCE.get(code, 1.0),
        "national_stock_per_month": stock,
        "sample_factor": factor,
        "rows": sums.rows,
        "unemployment_level": econ.level,
        "unemployment_sensitivity": econ.sensitivity,
        "hours_level": econ.hours_level,
        "exit_level": econ.exit_level,
    }
    if plan is not None:
        collector.municipalities[str(code)].update(
            {"expected_rows": plan.expected[code], "person_blocks": plan.blocks[code]}
        )


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
    plan: RowPlan | None = None,
    dataset: PersonDataset | None = None,
) -> dict[str, Any]:
    truth = _base_truth(collector, seed=seed, scale=scale, factors=factors, national=national, files=files)
    if rollout == "staggered":
        truth["staggered_rollout"] = {"rollout": rollout, **rollout_truth(collector.rollout, adoption)}
    if plan is not None:
        truth["rows"].update(_rows_truth(plan))
    if dataset is not None:
        truth["hours_person_month_dataset"] = _dataset_truth(dataset)
    return truth


def _rows_truth(plan: RowPlan) -> dict[str, Any]:
    return {
        "target": plan.rows,
        "expected": float(sum(plan.expected.values())),
        "person_multiplier": plan.multiplier,
        "person_blocks": int(sum(plan.blocks.values())),
        "block_rows": plan.block_rows,
        "definition": "rows=N: every municipality's persons are the national calibration's times "
        "person_multiplier = N / (expected person-months at the national calibration), so the panel has N "
        "person-months in expectation (expected: the generator's exact expectation given the local "
        "economies); the effects per person and every parameter are those of the national scale, counts "
        "scale with the multiplier. A municipality is simulated in person_blocks independent blocks of at "
        "most block_rows expected person-months each (its municipalities entry: person_blocks, "
        "expected_rows)",
    }


def _dataset_truth(dataset: PersonDataset) -> dict[str, Any]:
    return {
        "layout": "hive partitioning by year: year=YYYY/part-KKKKK.parquet, one row group per file, rows "
        "of each file sorted by person_id and month; part K holds whole person blocks (all their years)",
        "files": len(dataset_files(dataset.root)),
        "parts": dataset.parts,
        "part_rows": dataset.part_rows,
        "largest_part_rows": dataset.largest_part,
    }


def _sha256(path: Path) -> str:
    return dataset_sha256(path) if path.is_dir() else sha256_of(path)


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
        "sha256": {name: _sha256(path) for name, path in sorted(files.items())},
    }


def _write_csv(frame: pd.DataFrame, path: Path, decimals: int) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format=f"%.{decimals}f")


def _check_arguments(
    seed: object, scale: object, rollout: object = "hjorring", rows: object = None
) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or int(seed) < 0:
        raise DataError(f"seed must be a non-negative integer, not {seed!r}")
    if scale not in ("region", "national"):
        raise DataError(f"scale must be 'region' or 'national', not {scale!r}")
    if not isinstance(rollout, str) or rollout not in ROLLOUTS:
        raise DataError(
            f"rollout must be one of {list(ROLLOUTS)}, not {rollout!r}; use 'hjorring' (the default: "
            "Hjørring alone adopts in 2015-01) or 'staggered' (cohorts adopting in 2015, 2017 and 2018)"
        )
    if rows is not None:
        check_rows(rows)
        if scale != "national":
            raise DataError(
                f"rows={rows!r} needs scale='national' (the size of the whole country), not scale={scale!r}"
            )
    return int(seed)


def generate(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    scale: Scale = "region",
    rollout: Rollout = "hjorring",
    rows: int | None = None,
) -> dict[str, Path]:
    """Write the calibrated synthetic panels and their truth to ``out_dir``.

    Parameters
    ----------
    out_dir : str or path-like
        Folder to write into (created when missing; files are overwritten).
    seed : int, default DEFAULT_SEED
        Non-negative random seed. The same seed, scale and rows give
        byte-identical files (apart from the Parquet writer's version string).
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
    rows : int, optional
        With ``scale="national"``: the number of person-months to simulate
        (in expectation; the realised number differs by about
        ``sqrt(41 * rows)``, see :mod:`hjeval.synthetic.blocks`). Every
        municipality's persons are scaled by ``rows`` / the national
        calibration's expected rows; effects per person are unchanged. The
        hours panel is written as the Parquet dataset
        ``hours_person_month/`` partitioned by year
        (:mod:`hjeval.synthetic.dataset`), and memory stays bounded whatever
        ``rows`` is. None (the default): the files as always.

    Returns
    -------
    dict of str to pathlib.Path
        ``hours_person_month`` (Parquet; with ``rows`` the dataset's folder),
        ``hours_municipality_month``, ``caseload``, ``cycle``, ``costs`` (CSV)
        and ``truth`` (JSON); with ``rollout="staggered"`` also ``adoption``
        (CSV).

    Raises
    ------
    DataError
        For a negative or non-integer seed, an unknown scale or rollout, a
        ``rows`` that is not a positive integer, or ``rows`` with the region
        scale.

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
    >>> try:
    ...     generate(tempfile.mkdtemp(), scale="national", rows=0)
    ... except ValueError as err:
    ...     print(err)
    rows must be a positive whole number of person-months (e.g. 200000000), not 0
    >>> ROWS_FILE_NAMES  # with rows=N: a folder partitioned by year in place of the file
    {'hours_person_month': 'hours_person_month'}
    """
    seed = _check_arguments(seed, scale, rollout, rows)
    return _generate(
        Path(out_dir), seed=seed, scale=scale, factors=sample_factors(scale), rollout=rollout,
        rows=None if rows is None else int(rows),
    )


class _Sink(Protocol):
    def add(self, rows: PersonRows) -> None: ...


class _ParquetFile:
    """The hours panel as one Parquet file: a row group per call, sorted by person id and month."""

    def __init__(self, writer: pq.ParquetWriter) -> None:
        self.writer = writer

    def add(self, rows: PersonRows) -> None:
        table = rows.take(rows.by_person_and_month()).to_table()
        self.writer.write_table(table, row_group_size=max(1, table.num_rows))


@contextmanager
def _person_sink(path: Path, *, dataset: bool, part_rows: int) -> Iterator[_Sink]:
    if dataset:
        with PersonDataset(path, part_rows=part_rows) as parts:
            yield parts
    else:
        with pq.ParquetWriter(path, PERSON_SCHEMA, compression="zstd") as writer:
            yield _ParquetFile(writer)


def _plan(
    rows: int | None,
    economies: Mapping[int, LocalEconomy],
    stocks: Mapping[int, float],
    factors: Mapping[int, float],
    adoption: Mapping[int, int],
    block_rows: int,
) -> RowPlan | None:
    if rows is None:
        return None
    national = {
        code: expected_rows(economies[code], stocks[code] * float(factors[code]), adoption.get(code))
        for code in sorted(MUNICIPALITIES)
    }
    return plan_rows(rows, national, block_rows=block_rows)


def _generate(
    out_dir: Path,
    *,
    seed: int,
    scale: str,
    factors: Mapping[int, float],
    rollout: Rollout = "hjorring",
    rows: int | None = None,
    block_rows: int = BLOCK_ROWS,
    part_rows: int = PART_ROWS,
) -> dict[str, Path]:
    """Generate with explicit sample factors (every municipality must have one).

    With ``rows``, ``block_rows`` bounds the expected rows of a person block
    and ``part_rows`` the rows gathered before a part of the dataset is
    written (tests make them small to exercise several blocks and parts).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {
        **FILE_NAMES,
        **(ROLLOUT_FILE_NAMES if rollout == "staggered" else {}),
        **(ROWS_FILE_NAMES if rows is not None else {}),
    }
    paths = {name: out_dir / file for name, file in names.items()}
    adoption = _adoption(rollout)
    national = national_unemployment(np.random.default_rng([seed, _STREAM_CYCLE]))
    stocks = national_stock()
    economies = _economies(seed, national)
    plan = _plan(rows, economies, stocks, factors, adoption, block_rows)
    collector = _Collector()
    cells, caseloads, cycles = [], [], []
    with _person_sink(paths["hours_person_month"], dataset=plan is not None, part_rows=part_rows) as sink:
        for code in sorted(MUNICIPALITIES):
            factor = float(factors[code])
            econ = economies[code]
            sums = _Municipality()
            blocks = 1 if plan is None else plan.blocks[code]
            stock = stocks[code] * factor * (1.0 if plan is None else plan.multiplier / blocks)
            for block in range(blocks):
                index = None if plan is None else block
                groups = _simulate_block(seed, code, econ, stock, adoption.get(code), index)
                rows_of_block = PersonRows.of_groups(seed, code, groups, index)
                _collect_block(collector, sums, code, econ, groups, code in adoption, blocks > 1)
                del groups  # before the sink may sort and write a part
                sink.add(rows_of_block)
                del rows_of_block
            cells.append(cell_rows(code, sums.persons, sums.hours))
            columns, levels = caseload_rows(
                code,
                sums.persons,
                factor,
                np.random.default_rng([seed, code, _STREAM_CASELOAD]),
                start=adoption.get(code),
            )
            caseloads.append(columns)
            collector.caseload_levels[str(code)] = levels
            cycles.append(cycle_rows(econ))
            _collect_municipality(collector, sums, code, econ, factor, stocks[code], plan)
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
        plan=plan,
        dataset=sink if isinstance(sink, PersonDataset) else None,
    )
    paths["truth"].write_text(
        json.dumps(_jsonable(truth), sort_keys=True, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return paths
