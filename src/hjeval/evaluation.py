"""The headline evaluation of a folder of panels: the reform's effect on hours worked.

Loads the person-month hours panel and the business-cycle panel, keeps one
target group, and estimates the effect on hours worked with person and month
fixed effects, the local unemployment rate as the cycle series and placebo
inference over the comparison municipalities -- and, for contrast, without
the cycle adjustment and as raw before/after means. Hours are monthly in the
data; the headline is stated per year (x 12).
"""

from __future__ import annotations

import html
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hjeval.data.combine import attach
from hjeval.data.loaders import load_cycle, load_hours
from hjeval.design.panel import Comparison
from hjeval.engines.subset import cell_totals, subset_dataset
from hjeval.errors import DataError, HjevalWarning
from hjeval.estimators.did import did
from hjeval.headline import RawComparison, raw_comparison
from hjeval.results.effect import EffectResult

__all__ = ["HOURS_PER_FULL_TIME_YEAR", "Evaluation", "evaluate_folder"]

HOURS_PER_FULL_TIME_YEAR = 1924.0
"""A full-time person in Danish statistics: 37 hours a week, 52 weeks."""


@dataclass(frozen=True)
class Evaluation:
    """The headline numbers of an evaluation.

    Attributes
    ----------
    adjusted : EffectResult
        Effect on monthly hours, net of the business cycle.
    unadjusted : EffectResult
        The same without the cycle series (comparison group's common trend only).
    raw : RawComparison
        Before/after means in the treated and comparison municipalities.
    persons_per_month : float
        Average persons in the target group in the treated municipality after the start.
    """

    adjusted: EffectResult
    unadjusted: EffectResult
    raw: RawComparison
    benefit_group: str
    persons_per_month: float

    @property
    def hours_per_year(self) -> float:
        """The adjusted effect in hours a year per person."""
        return 12 * self.adjusted.estimate

    @property
    def full_time_persons(self) -> float:
        """Extra hours a year of the whole target group, in full-time persons (1,924 h a year)."""
        return self.hours_per_year * self.persons_per_month / HOURS_PER_FULL_TIME_YEAR

    def summary(self) -> str:
        """Plain-text headline, decomposition and comparison."""
        a, u = self.adjusted, self.unadjusted
        low, high = (12 * c for c in a.ci)
        parts = a.decomposition
        lines = [
            f"Effect of the reform in municipality {a.treated} from {a.start} on {self.benefit_group}",
            "",
            f"  {self.hours_per_year:.1f} hours a year per person, net of the business cycle "
            f"({a.conf_level:.0%} interval {low:.1f} to {high:.1f}; p = {a.pvalue:.3f}, {a.inference})",
            f"  = {self.full_time_persons:.1f} full-time persons for about {self.persons_per_month:.0f} "
            "persons in the target group",
            f"  without the cycle adjustment: {12 * u.estimate:.1f} hours a year",
            "",
            "Where the raw change in the treated municipality comes from (hours a year):",
        ]
        for key, value in parts.items():
            lines.append(f"  {key:<28}{12 * value:>8.1f}")
        lines += ["", self.raw.summary()]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        a = self.adjusted
        low, high = (12 * c for c in a.ci)
        rows = [
            ("Effect, hours a year per person", f"{self.hours_per_year:.1f}"),
            (f"{a.conf_level:.0%} interval", f"{low:.1f} to {high:.1f}"),
            ("p-value", f"{a.pvalue:.3f}"),
            ("Inference", str(a.inference)),
            ("Full-time persons", f"{self.full_time_persons:.1f}"),
            ("Persons in the target group (a month)", f"{self.persons_per_month:.0f}"),
            ("Without the cycle adjustment", f"{12 * self.unadjusted.estimate:.1f}"),
        ] + [(f"Decomposition: {k}", f"{12 * v:.1f}") for k, v in a.decomposition.items()]
        cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                        f"<td style='text-align:right'>{html.escape(v)}</td></tr>" for k, v in rows)
        caption = html.escape(f"Effect of the reform in {a.treated} from {a.start} on {self.benefit_group}")
        return f"<table class='hjeval-result'><caption>{caption}</caption>{cells}</table>"


def evaluate_folder(
    folder: Path,
    *,
    treated: int = 860,
    start: str = "2015-01",
    benefit_group: str = "activity_ready_cash",
    comparison: Comparison = None,
    seed: int = 0,
) -> Evaluation:
    """Estimate the headline effect from ``hours_person_month.parquet`` and ``cycle.csv`` in a folder.

    Parameters
    ----------
    folder : pathlib.Path
        Written by ``hjeval synth`` or laid out the same way. When it holds a
        Parquet dataset ``hours_person_month/`` (``hjeval synth --scale
        national --rows N``, or a register laid out the same way), the target
        group's rows are copied out of core with DuckDB and the effect is
        fitted from DuckDB's cell statistics, so the rows never need to fit
        in memory.
    treated : int, default 860
    start : str, default "2015-01"
    benefit_group : str, default "activity_ready_cash"
    comparison : None, str or list
        Comparison pool (see :func:`hjeval.did`).
    seed : int, default 0

    Returns
    -------
    Evaluation

    Raises
    ------
    DataError
        If the files are missing or invalid, or the group has no rows.
    """
    folder = Path(folder)
    cycle = load_cycle(folder / "cycle.csv")
    if (folder / "hours_person_month").is_dir():
        return _evaluate_dataset(folder / "hours_person_month", cycle, treated=treated, start=start,
                                 benefit_group=benefit_group, comparison=comparison, seed=seed)
    hours = load_hours(folder / "hours_person_month.parquet")
    group = hours[hours["benefit_group"] == benefit_group]
    if group.empty:
        raise DataError(f"no rows of benefit group {benefit_group!r} in {folder / 'hours_person_month.parquet'}")
    group = attach(group, cycle, ["unemployment_rate"])
    common = dict(unit="person_id", group="municipality", time="month", treated=treated, start=start,
                  comparison=comparison, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        adjusted = did(group, "hours", cycle="unemployment_rate", **common)  # type: ignore[arg-type]
        unadjusted = did(group, "hours", **common)  # type: ignore[arg-type]
    cells = (
        group.groupby(["municipality", "month"], observed=True)
        .agg(persons=("person_id", "size"), hours_total=("hours", "sum"))
        .reset_index()
        .rename(columns={"month": "period"})
        .assign(benefit_group=benefit_group)
    )
    return _evaluation(adjusted, unadjusted, cells, treated=treated, start=start, benefit_group=benefit_group)


def _evaluate_dataset(
    dataset: Path, cycle: pd.DataFrame, *, treated: int, start: str, benefit_group: str, comparison: Comparison,
    seed: int,
) -> Evaluation:
    """:func:`evaluate_folder` on a Parquet dataset of person-months, out of core."""
    with tempfile.TemporaryDirectory(prefix="hjeval-group-") as scratch:
        subset, rows = subset_dataset(dataset, scratch, column="benefit_group", value=benefit_group,
                                      columns=["person_id", "municipality", "month", "hours"])
        if rows == 0:
            raise DataError(f"no rows of benefit group {benefit_group!r} in {dataset}")
        common = dict(unit="person_id", group="municipality", time="month", treated=treated, start=start,
                      comparison=comparison, seed=seed, engine="duckdb")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HjevalWarning)
            adjusted = did(subset, "hours", cycle="unemployment_rate", cycle_panel=cycle, **common)  # type: ignore[arg-type]
            unadjusted = did(subset, "hours", **common)  # type: ignore[arg-type]
        totals = cell_totals(subset, group="municipality", time="month", outcome="hours")
    cells = pd.DataFrame({
        "municipality": totals["municipality"].to_numpy(),
        "period": pd.PeriodIndex(pd.to_datetime(totals["month"]), freq="M"),
        "persons": totals["persons"].to_numpy(),
        "hours_total": totals["total"].to_numpy(),
        "benefit_group": benefit_group,
    })
    return _evaluation(adjusted, unadjusted, cells, treated=treated, start=start, benefit_group=benefit_group)


def _evaluation(adjusted: EffectResult, unadjusted: EffectResult, cells: pd.DataFrame, *, treated: int, start: str,
                benefit_group: str) -> Evaluation:
    """The evaluation from the two fits and the group's (municipality, period) cells of persons and hours."""
    after = cells[(cells["municipality"] == treated) & (cells["period"] >= pd.Period(start, "M"))]
    return Evaluation(
        adjusted=adjusted,
        unadjusted=unadjusted,
        raw=raw_comparison(cells, treated=treated, benefit_group=benefit_group),
        benefit_group=benefit_group,
        persons_per_month=float(after["persons"].mean()),
    )
