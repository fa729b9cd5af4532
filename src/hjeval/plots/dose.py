"""Figures of what drove the effect: the effect by phase, and the effect path against the dose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hjeval.plots.style import PALETTE, Language, figure_and_axes, styled

if TYPE_CHECKING:
    from hjeval.results.phased import DoseResult, PhasedResult

__all__ = ["dose_plot", "phase_plot"]

_TEXT = {
    "en": {"phase_title": "Effect by phase of the reform", "phase_y": "Effect", "phase_x": "Phase (from)",
           "dose_title": "Effect implied by the dose, and the dose", "dose_y": "Effect implied by the slope",
           "dose_axis": "Dose (treated)", "ci": "{level} interval", "x": "Period"},
    "da": {"phase_title": "Effekt i reformens faser", "phase_y": "Effekt", "phase_x": "Fase (fra)",
           "dose_title": "Effekt ifølge dosis, og dosis", "dose_y": "Effekt ifølge hældningen",
           "dose_axis": "Dosis (behandlet)", "ci": "{level} interval", "x": "Periode"},
}


def phase_plot(result: PhasedResult, *, ax: Axes | None = None, language: Language = "en", scale: float = 1.0,
               ylabel: str | None = None, **_: Any) -> Figure:
    """Each phase's effect with its confidence interval.

    Parameters
    ----------
    result : PhasedResult
    ax : matplotlib Axes, optional
    language : {"en", "da"}
    scale : float, default 1.0
        Multiply effects (e.g. 12 for monthly hours shown per year).
    ylabel : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    text = _TEXT[language]
    table = result.to_frame()
    x = np.arange(len(table))
    est = table["estimate"].to_numpy() * scale
    low = table["ci_low"].to_numpy() * scale
    high = table["ci_high"].to_numpy() * scale
    with styled():
        figure, axes = figure_and_axes(ax)
        axes.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
        finite = np.isfinite(low) & np.isfinite(high)
        axes.errorbar(x[finite], est[finite], yerr=[est[finite] - low[finite], high[finite] - est[finite]],
                      fmt="o", color=PALETTE["treated"], capsize=4,
                      label=text["ci"].format(level=f"{result.conf_level:.0%}"))
        axes.plot(x[~finite], est[~finite], "o", color=PALETTE["treated"])
        axes.set_xticks(x, [f"{name}\n({result.phases.get(name, '')})" for name in table["term"]])
        axes.set_xlabel(text["phase_x"])
        axes.set_ylabel(ylabel or text["phase_y"])
        axes.set_title(text["phase_title"])
        axes.legend(loc="upper left", fontsize=8)
    return figure


def dose_plot(result: DoseResult, *, ax: Axes | None = None, language: Language = "en", scale: float = 1.0,
              ylabel: str | None = None, dose_label: str | None = None, **_: Any) -> Figure:
    """The effect path the slope implies (slope x the treated group's dose change) against its dose path.

    Parameters
    ----------
    result : DoseResult
    ax : matplotlib Axes, optional
    language : {"en", "da"}
    scale : float, default 1.0
        Multiply effects (e.g. 12 for monthly hours shown per year).
    ylabel : str, optional
    dose_label : str, optional
        Label of the dose axis; by default "Dose (treated): <column>".

    Returns
    -------
    matplotlib.figure.Figure
    """
    text = _TEXT[language]
    path = result.path
    dose_name = dose_label or f"{text['dose_axis']}: {result.dose}"
    x = np.arange(len(path))
    with styled():
        figure, axes = figure_and_axes(ax)
        axes.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
        low, high = path["effect_low"].to_numpy() * scale, path["effect_high"].to_numpy() * scale
        if np.isfinite(low).all() and np.isfinite(high).all():
            axes.fill_between(x, low, high, color=PALETTE["treated"], alpha=0.2, linewidth=0,
                              label=text["ci"].format(level=f"{result.conf_level:.0%}"))
        axes.plot(x, path["effect"].to_numpy() * scale, color=PALETTE["treated"], linewidth=1.5,
                  label=text["dose_y"])
        axes.set_ylabel(ylabel or text["dose_y"])
        axes.set_xlabel(text["x"])
        axes.set_title(text["dose_title"])
        twin = axes.twinx()
        twin.plot(x, path["dose"].to_numpy(), color=PALETTE["comparison"], linewidth=1.2, linestyle="--",
                  label=dose_name)
        twin.set_ylabel(dose_name)
        twin.grid(False)
        step = max(1, len(x) // 8)
        axes.set_xticks(x[::step], [str(p) for p in path["period"].iloc[::step]], rotation=45, ha="right")
        lines = axes.get_legend_handles_labels()
        other = twin.get_legend_handles_labels()
        # before the start the effect is near zero and the dose high: the middle left is free
        axes.legend(lines[0] + other[0], lines[1] + other[1], loc="center left", fontsize=8)
    return figure
