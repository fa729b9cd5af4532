"""Results of the duration analyses: time on support by window, and the reform's effect on it.

Both are frozen. Their tables and curves have already been through small-cell
control (nothing shown rests on fewer than ``min_persons`` persons) and hold no
person identifiers; figures are imported only when drawn.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from hjeval.inference.record import InferenceRecord
from hjeval.results.base import Result

__all__ = ["DurationDidResult", "TimeOnSupport"]

PlotKind = Literal["survival", "placebo"]


def _number(value: float, decimals: int = 1) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:,.{decimals}f}"


def _table_text(table: pd.DataFrame) -> str:
    shown = table.drop(columns=[c for c in ("horizon_weeks", "suppressed") if c in table.columns])
    return shown.to_string(index=False, na_rep="–", float_format=lambda v: f"{v:.3g}" if abs(v) < 1 else f"{v:.1f}")


@dataclass(frozen=True)
class TimeOnSupport:
    """Weeks on support of spells starting before and after the start, treated against comparison.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per role (``"treated"``, ``"comparison"``), municipality (None
        for a role's municipalities together; each municipality with
        ``by_municipality=True``) and window (``"before"``, ``"after"``):
        ``spells, persons, censored_share, median_weeks, median_ci_low,
        median_ci_high, mean_weeks, mean_se, mean_ci_low, mean_ci_high,
        horizon_weeks, suppressed``. ``median_weeks`` is the Kaplan-Meier
        median (NaN when the curve does not fall to one half), ``mean_weeks``
        the restricted mean to ``horizon_weeks`` (the area under the curve),
        intervals at level ``1 - alpha``. Rows resting on fewer than
        ``min_persons`` persons are NaN with ``suppressed`` True (see
        ``suppressed_cells``).
    curves : pandas.DataFrame
        The Kaplan-Meier curves: ``role, municipality, window, months, weeks,
        survival, at_risk`` (distinct persons at risk), only where at least
        ``min_persons`` persons are at risk.
    horizon_weeks : float
    horizon_rule : str
        How the horizon was chosen.
    treated, start : object
    comparison : str
    windows : dict
        ``{"before": (first, last), "after": (first, last)}`` start months.
    alpha : float
    min_persons : int
    suppressed_cells : dict
        ``{"primary": n, "secondary": n}``: rows withheld because they rest on
        too few persons, and counts withheld so that a total does not give
        them back.
    provenance : dict
        Rows, spells built and used, spells left out and why, windows.
    """

    table: pd.DataFrame
    curves: pd.DataFrame
    horizon_weeks: float
    horizon_rule: str
    treated: object
    start: object
    comparison: str
    windows: dict[str, tuple[pd.Period, pd.Period]]
    alpha: float
    min_persons: int
    suppressed_cells: dict[str, int] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The table (a copy).

        Returns
        -------
        pandas.DataFrame
        """
        return self.table.copy()

    def title(self) -> str:
        """A one-line title."""
        return f"Time on support: {self.treated} against {self.comparison}, start {self.start}"

    def _rows(self) -> list[tuple[str, str]]:
        rows = [(f"{name.capitalize()} window", f"spells starting {lo}..{hi}")
                for name, (lo, hi) in self.windows.items()]
        rows.append(("Restricted mean to", f"{_number(self.horizon_weeks)} weeks ({self.horizon_rule})"))
        excluded = sum(int(e["spells"]) for e in self.provenance.get("spell_exclusions", ()))
        if excluded:
            rows.append(("Spells left out", f"{excluded:,}"))
        withheld = sum(self.suppressed_cells.values())
        if withheld:
            rows.append(("Cells withheld", f"{withheld} (fewer than {self.min_persons} persons)"))
        return rows

    def summary(self) -> str:
        """A plain-text summary with the table.

        Returns
        -------
        str
        """
        rows = self._rows()
        width = max(len(k) for k, _ in rows)
        title = self.title()
        lines = [title, "-" * len(title), *(f"{k:<{width}}  {v}" for k, v in rows)]
        return "\n".join(lines) + "\n\n" + _table_text(self.table)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                       for k, v in self._rows())
        table = self.table.drop(columns=["horizon_weeks"]).to_html(index=False, na_rep="–",
                                                                   float_format="{:.1f}".format)
        return (f"<div class='hjeval-result'><table><caption>{html.escape(self.title())}</caption>{head}</table>"
                f"{table}</div>")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Draw the Kaplan-Meier curves (see :func:`hjeval.duration.figures.survival_plot`).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from hjeval.duration.figures import survival_plot

        return survival_plot(self, ax=ax, **kwargs)


@dataclass(frozen=True)
class DurationDidResult(Result):
    """The reform's effect on weeks on support: a difference in differences of restricted means.

    The attributes of :class:`hjeval.results.base.Result` (``estimate`` in
    weeks, negative = shorter time on support; ``n_obs`` counts the spells
    used), and:

    Attributes
    ----------
    hazard_ratio : float
        ``exp(b)`` of the treated municipality's after-window term in the
        stratified Cox model: above 1, citizens leave support faster.
    hazard_ratio_ci : tuple of float
        Its interval from the placebo distribution of ``b`` (the same
        re-assignments, size-corrected), exponentiated.
    hazard_ratio_pvalue : float
    hazard_ratio_inference : InferenceRecord
        The record of ``b`` (the log hazard ratio).
    horizon_weeks : float
        Horizon of the restricted means.
    horizon_rule : str
    windows : pandas.DataFrame
        The four restricted means and medians behind the estimate (the
        table of :class:`TimeOnSupport`).
    curves : pandas.DataFrame
        Their Kaplan-Meier curves (as :attr:`TimeOnSupport.curves`).
    placebo : pandas.Series
        Placebo estimates by municipality, as the test compares them
        (size-corrected).
    placebo_errors : pandas.Series
        The same with the estimated effect removed: ``estimate -
        placebo_errors`` is the permutation distribution of the effect.
    placebo_log_hazard_ratio : pandas.Series
        Placebo estimates of ``b``, size-corrected.
    min_persons : int
    """

    hazard_ratio: float = math.nan
    hazard_ratio_ci: tuple[float, float] = (math.nan, math.nan)
    hazard_ratio_pvalue: float = math.nan
    hazard_ratio_inference: InferenceRecord | None = None
    horizon_weeks: float = math.nan
    horizon_rule: str = ""
    windows: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    curves: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    placebo: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    placebo_errors: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    placebo_log_hazard_ratio: pd.Series = field(default_factory=lambda: pd.Series(dtype=float), repr=False)
    min_persons: int = 5

    def to_frame(self) -> pd.DataFrame:
        """The change in restricted mean weeks and the hazard ratio, one tidy row each.

        Returns
        -------
        pandas.DataFrame
            ``term`` (``"restricted_mean_weeks"``, ``"hazard_ratio"``),
            ``estimate, se, statistic, p_value, ci_low, ci_high, conf_level,
            inference, n_obs, horizon_weeks``. The hazard ratio's ``se`` and
            ``statistic`` are NaN (its interval is that of the log hazard
            ratio, exponentiated).
        """
        head = self.headline_frame("restricted_mean_weeks")
        ratio = pd.DataFrame({
            "term": ["hazard_ratio"], "estimate": [self.hazard_ratio], "se": [np.nan], "statistic": [np.nan],
            "p_value": [self.hazard_ratio_pvalue], "ci_low": [self.hazard_ratio_ci[0]],
            "ci_high": [self.hazard_ratio_ci[1]],
        })
        return pd.concat([head, ratio], ignore_index=True).assign(
            conf_level=self.conf_level, inference=str(self.inference), n_obs=self.n_obs,
            horizon_weeks=self.horizon_weeks)

    def title(self) -> str:
        """A one-line title."""
        return f"Effect on weeks on support (restricted mean to {_number(self.horizon_weeks)} weeks)"

    def _rows(self) -> list[tuple[str, str]]:
        rows = super()._rows()
        level = f"{self.conf_level:.0%}"
        position = next(i for i, (k, _) in enumerate(rows) if k == "Inference") + 1
        rows[position:position] = [
            ("Hazard ratio", f"{self.hazard_ratio:.3f} ({level} CI [{self.hazard_ratio_ci[0]:.3f}, "
                             f"{self.hazard_ratio_ci[1]:.3f}], p = {self.hazard_ratio_pvalue:.3g})"),
            ("Horizon", f"{_number(self.horizon_weeks)} weeks ({self.horizon_rule})"),
        ]
        rows = [(("Spells" if k == "Observations" else k), v) for k, v in rows]
        excluded = sum(int(e["spells"]) for e in self.provenance.get("spell_exclusions", ()))
        if excluded:
            rows.append(("Spells left out", f"{excluded:,}"))
        return rows

    def _details(self) -> str:
        return _table_text(self.windows) if len(self.windows) else ""

    def plot(self, ax: Any = None, kind: PlotKind = "survival", **kwargs: Any) -> Any:
        """Draw the Kaplan-Meier curves (``kind="survival"``) or the placebo distribution (``"placebo"``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        if kind == "placebo":
            from hjeval.plots import placebo_distribution

            return placebo_distribution(self, ax=ax, **kwargs)  # type: ignore[arg-type]
        if kind != "survival":
            from hjeval.errors import DataError

            raise DataError(f"kind={kind!r} is not one of ['survival', 'placebo']")
        from hjeval.duration.figures import survival_plot

        return survival_plot(self, ax=ax, **kwargs)
