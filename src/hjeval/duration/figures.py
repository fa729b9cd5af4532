"""The figure of time on support: Kaplan-Meier curves before and after the start.

The curves come from a result's disclosure-controlled ``curves`` table, so a
curve stops where fewer than the threshold of persons are at risk. The
style (palette, A4 width, Danish or English number format) is hjeval's,
imported when the figure is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.errors import DataError

if TYPE_CHECKING:
    from hjeval.duration.results import DurationDidResult, TimeOnSupport

__all__ = ["survival_plot"]

Language = Literal["da", "en"]

_TEXT = {
    "en": {
        "title": "Time on public support: share still on support",
        "x": "Weeks since the spell began",
        "y": "Share still on support",
        "comparison": "Comparison municipalities",
        "before": "spells starting before the start",
        "after": "spells starting from the start",
        "horizon": "Horizon of the restricted mean ({weeks} weeks)",
    },
    "da": {
        "title": "Tid på offentlig forsørgelse: andel stadig på ydelse",
        "x": "Uger siden forløbets start",
        "y": "Andel stadig på ydelse",
        "comparison": "Sammenligningskommuner",
        "before": "forløb startet før indsatsen",
        "after": "forløb startet fra indsatsens start",
        "horizon": "Horisont for den begrænsede middelværdi ({weeks} uger)",
    },
}


def _treated_name(treated: object) -> str:
    if isinstance(treated, int | np.integer) and int(treated) in MUNICIPALITIES:
        return MUNICIPALITIES[int(treated)][0]
    if isinstance(treated, list):
        return ", ".join(_treated_name(t) for t in treated)
    return str(treated)


def survival_plot(
    result: TimeOnSupport | DurationDidResult,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    horizon: bool = True,
    **_: Any,
) -> Figure:
    """Kaplan-Meier curves of the time on support, treated and comparison, before and after the start.

    Parameters
    ----------
    result : TimeOnSupport or DurationDidResult
    ax : matplotlib Axes, optional
        Draw here instead of a new figure.
    language : {"en", "da"}
    horizon : bool, default True
        Mark the horizon of the restricted means.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hjeval.duration import time_on_support, survival_plot
    >>> rng = np.random.default_rng(0)
    >>> rows = [(f"{m}-{i}", m, pd.Period("2012-01", "M") + s + k)
    ...         for m in range(3) for i, s in enumerate(rng.integers(1, 60, 200))
    ...         for k in range(rng.geometric(0.05))]
    >>> panel = pd.DataFrame(rows, columns=["person_id", "municipality", "month"])
    >>> tos = time_on_support(panel, "person_id", "municipality", "month", treated=0, start="2015-01")
    >>> figure = survival_plot(tos, language="da")
    >>> type(figure).__name__, len(figure.axes[0].lines)
    ('Figure', 5)
    """
    if language not in _TEXT:
        raise DataError(f"language={language!r} is not one of {list(_TEXT)}")
    from hjeval.plots.style import PALETTE, figure_and_axes, format_number, number_formatter, styled

    text = _TEXT[language]
    curves = result.curves
    pooled = curves[curves["municipality"].isna()] if len(curves) else curves
    names = {"treated": _treated_name(result.treated), "comparison": text["comparison"]}
    with styled():
        figure, axes = figure_and_axes(ax, height=3.4)
        for role in ("treated", "comparison"):
            for window, style in (("before", "--"), ("after", "-")):
                curve = pooled[(pooled["role"] == role) & (pooled["window"] == window)]
                if not len(curve):
                    continue
                weeks = curve["weeks"].to_numpy(dtype=float)
                survival = curve["survival"].to_numpy(dtype=float)
                # the curve is a step function, constant on each month of duration
                x = np.r_[weeks, weeks[-1] + 52.0 / 12.0]
                y = np.r_[survival, survival[-1]]
                axes.step(x, y, where="post", linestyle=style, linewidth=1.8 if window == "after" else 1.3,
                          color=PALETTE["treated" if role == "treated" else "comparison"],
                          label=f"{names[role]}, {text[window]}")
        if horizon and np.isfinite(result.horizon_weeks):
            axes.axvline(result.horizon_weeks, color=PALETTE["neutral"], linestyle=":", linewidth=1,
                         label=text["horizon"].format(weeks=format_number(result.horizon_weeks, 0, language)))
        axes.set_ylim(0, 1.02)
        axes.set_xlim(left=0)
        axes.set_xlabel(text["x"])
        axes.set_ylabel(text["y"])
        axes.set_title(text["title"])
        axes.xaxis.set_major_formatter(number_formatter(0, language))
        axes.yaxis.set_major_formatter(number_formatter(1, language))
        # the curves fall from the upper left: the upper right is free for the legend
        axes.legend(loc="upper right", fontsize=7)
    return figure
