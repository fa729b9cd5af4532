"""The result of effects by subgroup: one row per level, adjusted p-values, a joint test and a forest plot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hjeval.results.base import Result
from hjeval.results.effect import EffectResult

__all__ = ["SubgroupsResult", "forest_plot"]


@dataclass(frozen=True)
class SubgroupsResult(Result):
    """Effects by level of one or more columns.

    The attributes of :class:`hjeval.results.base.Result` describe the
    overall effect on all rows (``overall``), and:

    Attributes
    ----------
    by : tuple of str
        The column(s) that define the levels.
    adjust : {"holm", "bh"} or None
        The multiple-testing adjustment behind ``p_adjusted``.
    min_persons : int
        Levels with fewer persons in the treated group are suppressed.
    table : pandas.DataFrame
        One row per level (see :meth:`to_frame`).
    levels : dict
        Level (a value, or a tuple of values for several ``by`` columns) to
        its :class:`EffectResult`; suppressed levels are absent.
    overall : EffectResult
        The effect on all rows, with the same specification.
    joint_test : dict
        ``statistic`` and ``pvalue`` of equal effects across the estimated
        levels, ``method`` (``"placebo"`` permutation or ``"wald"``), and
        ``draws`` / ``draws_left_out`` or ``df``.
    """

    by: tuple[str, ...] = ()
    adjust: str | None = None
    min_persons: int = 5
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    levels: dict[object, EffectResult] = field(default_factory=dict, repr=False)
    overall: EffectResult | None = field(default=None, repr=False)
    joint_test: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per level.

        Returns
        -------
        pandas.DataFrame
            The ``by`` column(s), then ``estimate, se, ci_low, ci_high, p_value,
            p_adjusted, persons, suppressed, n_obs``; a suppressed level has
            NaN numbers and no person count (``persons`` is ``<NA>``).
        """
        return self.table.copy()

    def title(self) -> str:
        """A one-line title for text and HTML."""
        return f"Effect on {self.outcome} by {', '.join(self.by)}"

    def _rows(self) -> list[tuple[str, str]]:
        rows = super()._rows()
        suppressed = int(self.table["suppressed"].sum()) if len(self.table) else 0
        rows.insert(4, ("Levels", f"{len(self.table)} ({suppressed} suppressed: fewer than "
                                  f"{self.min_persons} persons in the treated group)"))
        rows.append(("Adjustment", {"holm": "Holm", "bh": "Benjamini-Hochberg"}.get(str(self.adjust), "none")))
        test = self.joint_test
        rows.append(("Equal effects", f"statistic {test.get('statistic', np.nan):.4g}, "
                                      f"p = {test.get('pvalue', np.nan):.4g} ({test.get('method', '')})"))
        return rows

    def _details(self) -> str:
        return self.table.to_string(index=False, float_format=lambda v: f"{v:.4g}")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Forest plot: each level's effect and interval, suppressed levels named, the overall effect last.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        **kwargs
            ``language`` ("en" or "da"), ``scale``, ``xlabel``, ``highlight``
            (levels to draw in the accent colour).

        Returns
        -------
        matplotlib.figure.Figure
        """
        return forest_plot(self, ax=ax, **kwargs)


_TEXT = {
    "en": {"title": "Effect by {by}", "x": "Estimated effect", "overall": "All", "ci": "{level} confidence interval",
           "suppressed": "not shown (fewer than {n} persons)"},
    "da": {"title": "Effekt fordelt på {by}", "x": "Estimeret effekt", "overall": "Alle",
           "ci": "{level} konfidensinterval", "suppressed": "ikke vist (færre end {n} personer)"},
}


def _level_text(table: pd.DataFrame, by: tuple[str, ...]) -> list[str]:
    return [", ".join(str(v) for v in values) for values in table[list(by)].itertuples(index=False)]


def forest_plot(result: SubgroupsResult, *, ax: Any = None, language: str = "en", scale: float = 1.0,
                xlabel: str | None = None, highlight: tuple[object, ...] = (), **_: Any) -> Any:
    """Draw the levels' effects with their intervals, and the overall effect as a diamond.

    Parameters
    ----------
    result : SubgroupsResult
    ax : matplotlib Axes, optional
    language : {"en", "da"}
    scale : float, default 1.0
        Multiply effects (e.g. 12 for monthly hours shown per year).
    xlabel : str, optional
    highlight : tuple
        Level labels (as shown on the axis) to draw in the highlight colour,
        e.g. the few-interventions group.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from hjeval.plots.style import PALETTE, figure_and_axes, number_formatter, styled

    if language not in _TEXT:
        raise ValueError(f"language={language!r} is not one of {list(_TEXT)}")
    text = _TEXT[language]
    table = result.table
    labels = _level_text(table, result.by)
    n = len(table)
    y = np.arange(n, 0, -1, dtype=float)
    with styled():
        figure, axes = figure_and_axes(ax, height=max(2.4, 0.35 * (n + 2) + 1.0))
        axes.axvline(0, color=PALETTE["neutral"], linewidth=0.8)
        overall = result.overall
        if overall is not None and np.isfinite(overall.estimate):
            axes.axvline(overall.estimate * scale, color=PALETTE["light"], linewidth=0.8, linestyle="--")
        estimated = ~table["suppressed"].to_numpy(dtype=bool)
        for i in range(n):
            if not estimated[i]:
                continue
            colour = PALETTE["highlight"] if labels[i] in {str(h) for h in highlight} else PALETTE["comparison"]
            low, high = table["ci_low"].iat[i] * scale, table["ci_high"].iat[i] * scale
            axes.plot([low, high], [y[i], y[i]], color=colour, linewidth=1.5)
            axes.plot([table["estimate"].iat[i] * scale], [y[i]], marker="s", color=colour, linestyle="none")
        finite = [v for v in np.r_[table.loc[estimated, ["ci_low", "ci_high", "estimate"]].to_numpy().ravel() * scale]
                  if np.isfinite(v)]
        left = min(finite, default=-1.0)
        for j in np.flatnonzero(~estimated):
            axes.text(left, y[j], text["suppressed"].format(n=result.min_persons), va="center", fontsize=8,
                      color=PALETTE["neutral"], style="italic")
        ticks, names = list(y), list(labels)
        if overall is not None:
            est, (low, high) = overall.estimate * scale, (c * scale for c in overall.ci)
            axes.fill([low, est, high, est], [0, 0.2, 0, -0.2], color=PALETTE["treated"], linewidth=0)
            ticks.append(0.0)
            names.append(text["overall"])
        axes.set_yticks(ticks, names)
        axes.set_ylim(-0.7, n + 0.7)
        axes.set_xlabel(xlabel or text["x"])
        axes.set_title(text["title"].format(by=", ".join(result.by)))
        left_lim, right_lim = axes.get_xlim()
        axes.xaxis.set_major_formatter(number_formatter(1 if right_lim - left_lim < 20 else 0, language))  # type: ignore[arg-type]
        axes.grid(axis="y", visible=False)
    return figure
