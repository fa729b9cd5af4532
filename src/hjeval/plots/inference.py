"""Figures of inference: the placebo distribution."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hjeval.plots.style import PALETTE, Language, figure_and_axes, number_formatter, styled

if TYPE_CHECKING:
    from hjeval.results.effect import EffectResult

__all__ = ["placebo_distribution"]

_TEXT = {
    "en": {
        "title": "Estimate against placebo re-assignments",
        "x": "Estimated effect",
        "y": "Re-assignments",
        "placebo": "Placebo (treatment given to a comparison unit)",
        "rescaled": "rescaled to the size of {treated}",
        "treated": "the treated unit",
        "beyond": "{n} placebo estimate(s) beyond the axis",
        "actual": "Estimate",
        "ci": "{level} confidence interval",
    },
    "da": {
        "title": "Estimat sammenholdt med placebo-tildelinger",
        "x": "Estimeret effekt",
        "y": "Tildelinger",
        "placebo": "Placebo (indsatsen tildelt en sammenligningsenhed)",
        "rescaled": "omregnet til samme størrelse som {treated}",
        "treated": "den behandlede enhed",
        "beyond": "{n} placebo-estimat(er) uden for aksen",
        "actual": "Estimat",
        "ci": "{level} konfidensinterval",
    },
}


def placebo_distribution(
    result: EffectResult, *, ax: Axes | None = None, language: Language = "en", scale: float = 1.0,
    xlabel: str | None = None, ylabel: str | None = None, treated_label: str | None = None, **_: Any,
) -> Figure:
    """Histogram of placebo estimates with the actual estimate and its interval.

    When the size correction was applied (``result.inference.size_corrected``),
    the placebo estimates are those the test compares: each rescaled to the
    variance of the treated group, and the legend says so.

    Parameters
    ----------
    result : EffectResult
        A result with placebo estimates (``inference="placebo"`` or
        ``"conley-taber"``).
    ax : matplotlib Axes, optional
        Draw here instead of a new figure.
    language : {"en", "da"}
    scale : float, default 1.0
        Multiply estimates (e.g. 12 for monthly hours shown per year).
    xlabel, ylabel : str, optional
        Override the axis labels.
    treated_label : str, optional
        Name of the treated unit in the legend (e.g. "Hjørring"), where it
        says the placebo estimates are rescaled to its size.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the result has no placebo estimates.
    """
    if result.placebo.empty:
        raise ValueError("this result has no placebo estimates; estimate with inference='placebo'")
    text = _TEXT[language]
    with styled():
        figure, axes = figure_and_axes(ax)
        values = result.placebo.to_numpy() * scale
        estimate = result.estimate * scale
        low, high = (c * scale for c in result.ci)
        # the axis covers the bulk of the placebos, the estimate and its interval; a few extreme
        # placebos (tiny comparison units) would otherwise squeeze everything else
        bulk = np.quantile(values, [0.02, 0.98]) if len(values) >= 20 else np.r_[values.min(), values.max()]
        shown = np.r_[bulk, estimate, [c for c in (low, high) if np.isfinite(c)]]
        left, right = shown.min(), shown.max()
        pad = 0.05 * (right - left or 1.0)
        left, right = left - pad, right + pad
        inside = (values >= left) & (values <= right)
        bins = np.linspace(left, right, min(40, max(10, len(values) // 2)) + 1)
        placebo_label = text["placebo"]
        if result.inference.size_corrected:
            placebo_label += ",\n" + text["rescaled"].format(treated=treated_label or text["treated"])
        axes.hist(values[inside], bins=bins.tolist(), color=PALETTE["comparison"], alpha=0.75, label=placebo_label)
        axes.set_xlim(left, right)
        if (~inside).any():
            axes.plot([], [], " ", label=text["beyond"].format(n=int((~inside).sum())))
        if np.isfinite(low) and np.isfinite(high):
            axes.axvspan(low, high, color=PALETTE["highlight"], alpha=0.15,
                         label=text["ci"].format(level=f"{result.conf_level:.0%}"))
        axes.axvline(estimate, color=PALETTE["treated"], linewidth=2, label=text["actual"])
        axes.set_xlabel(xlabel or text["x"])
        axes.set_ylabel(ylabel or text["y"])
        axes.set_title(text["title"])
        axes.xaxis.set_major_formatter(number_formatter(1 if right - left < 20 else 0, language))
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2, fontsize=8)
    return figure
