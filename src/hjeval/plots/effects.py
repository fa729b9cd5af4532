"""Figures of estimated effects: the event study."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hjeval.plots.style import PALETTE, Language, figure_and_axes, number_formatter, styled

if TYPE_CHECKING:
    from hjeval.results.event_study import EventStudyResult

__all__ = ["event_study_plot"]

_TEXT = {
    "en": {"title": "Effect by time relative to the start", "x": "Periods relative to the start",
           "x_binned": "Relative time (bins of {w} periods)", "y": "Effect", "ci": "{level} confidence band",
           "reference": "reference"},
    "da": {"title": "Effekt over tid i forhold til start", "x": "Perioder i forhold til start",
           "x_binned": "Relativ tid (grupper à {w} perioder)", "y": "Effekt", "ci": "{level} konfidensbånd",
           "reference": "reference"},
}


def event_study_plot(
    result: EventStudyResult, *, ax: Axes | None = None, language: Language = "en", scale: float = 1.0,
    ylabel: str | None = None, xlabel: str | None = None, **_: Any,
) -> Figure:
    """Effects by relative period with the confidence band and the reference period.

    Parameters
    ----------
    result : EventStudyResult
    ax : matplotlib Axes, optional
    language : {"en", "da"}
    scale : float, default 1.0
        Multiply effects (e.g. 12 for monthly hours shown per year).
    ylabel, xlabel : str, optional
        Override the axis labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    text = _TEXT[language]
    table = result.to_frame()
    x = table["rel_time"].to_numpy()
    with styled():
        figure, axes = figure_and_axes(ax)
        axes.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
        axes.axvline(-0.5, color=PALETTE["light"], linewidth=1, linestyle="--")
        reference = (table["rel_time"] == result.reference).to_numpy()
        low = np.where(reference, 0.0, table["ci_low"]) * scale
        high = np.where(reference, 0.0, table["ci_high"]) * scale
        axes.fill_between(x, low, high, color=PALETTE["comparison"],
                          alpha=0.2, linewidth=0, label=text["ci"].format(level=f"{result.conf_level:.0%}"))
        axes.plot(x, table["estimate"] * scale, marker="o", color=PALETTE["comparison"], linewidth=1.5)
        axes.plot(x[reference], np.zeros(int(reference.sum())), marker="o", markerfacecolor="white",
                  color=PALETTE["comparison"], linestyle="none", label=text["reference"])
        axes.set_xlabel(xlabel or (text["x"] if result.bin_width == 1 else text["x_binned"].format(w=result.bin_width)))
        axes.set_ylabel(ylabel or text["y"])
        axes.set_title(text["title"])
        labels = [f"{v:d}".replace("-", "\u2212") for v in x]
        if result.pooled_ends[0]:
            labels[0] = "\u2264" + labels[0]
        if result.pooled_ends[1]:
            labels[-1] = "\u2265" + labels[-1]
        axes.set_xticks(x, labels)
        bottom, top = axes.get_ylim()
        axes.yaxis.set_major_formatter(number_formatter(1 if top - bottom < 20 else 0, language))
        axes.legend(loc="upper left", fontsize=8)
    return figure
