"""Figures of the cost-benefit: invested against saved, and persons off support.

matplotlib and :mod:`hjeval.plots` (a later layer) are imported only when a
figure is drawn, so the economics functions run without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hjeval.economics._checks import Language, check_option

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hjeval.economics.cost_benefit import CostBenefitResult
    from hjeval.economics.persons import PersonsOffSupport

__all__ = ["cost_benefit_plot", "persons_plot"]

_LANGUAGES = ("da", "en")

_TEXT = {
    "en": {
        "title": "Invested and saved on public support, cumulative",
        "y": "Million DKK",
        "invested": "Invested",
        "saved": "Saved on public support",
        "band": "{level} band of the savings (placebo draws)",
        "payback": "paid back {year}",
        "persons_title": "Full-time persons off public support",
        "persons_y": "Full-time persons",
        "ci": "{level} interval",
    },
    "da": {
        "title": "Investeret og sparet på offentlig forsørgelse, akkumuleret",
        "y": "Mio. kr.",
        "invested": "Investeret",
        "saved": "Sparet på offentlig forsørgelse",
        "band": "{level}-bånd for besparelsen (placebo-træk)",
        "payback": "tjent hjem {year}",
        "persons_title": "Fuldtidspersoner ude af offentlig forsørgelse",
        "persons_y": "Fuldtidspersoner",
        "ci": "{level}-interval",
    },
}


def _level(conf_level: float, language: Language) -> str:
    from hjeval.plots.style import format_number

    return format_number(100 * conf_level, 0, language) + (" %" if language == "da" else "%")


def cost_benefit_plot(result: CostBenefitResult, *, ax: Axes | None = None, language: Language = "en",
                      **_: Any) -> Figure:
    """Cumulative investment against cumulative savings, with the savings' band from the draws.

    Parameters
    ----------
    result : CostBenefitResult
    ax : matplotlib Axes, optional
        Draw here instead of a new figure.
    language : {"en", "da"}
        Labels and number format (Danish: decimal comma, thousands dot).

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_option("language", language, _LANGUAGES)
    from hjeval.plots.style import PALETTE, figure_and_axes, number_formatter, styled

    text = _TEXT[language]
    table = result.table
    years = table["year"].to_numpy(dtype=np.float64)
    invested = np.cumsum(table["investment_dkk"].to_numpy(dtype=np.float64)) / 1e6
    saved = np.cumsum(table["savings_dkk"].to_numpy(dtype=np.float64)) / 1e6
    with styled():
        figure, axes = figure_and_axes(ax)
        axes.plot(years, invested, color=PALETTE["neutral"], marker="s", label=text["invested"])
        axes.plot(years, saved, color=PALETTE["accent"], marker="o", label=text["saved"])
        if result.n_draws:
            # cumulative net = cumulative savings - cumulative investment, and the investment is fixed
            low = table["cumulative_net_low"].to_numpy(dtype=np.float64) / 1e6 + invested
            high = table["cumulative_net_high"].to_numpy(dtype=np.float64) / 1e6 + invested
            axes.fill_between(years, low, high, color=PALETTE["accent"], alpha=0.2, linewidth=0,
                              label=text["band"].format(level=_level(result.conf_level, language)))
        if result.payback_year is not None:
            axes.axvline(result.payback_year, color=PALETTE["light"], linestyle="--", linewidth=1)
            last = result.payback_year >= years[-1]  # at the right edge the label goes to the left of the line
            axes.annotate(text["payback"].format(year=result.payback_year), (result.payback_year, 0),
                          xytext=(-3 if last else 3, 3), textcoords="offset points", fontsize=8,
                          ha="right" if last else "left", color=PALETTE["neutral"])
        axes.set_xticks(years, [f"{y:.0f}" for y in years])
        axes.yaxis.set_major_formatter(number_formatter(0, language))
        axes.set_ylabel(text["y"])
        axes.set_title(text["title"])
        axes.legend(loc="upper left")
    return figure


def persons_plot(result: PersonsOffSupport, *, ax: Axes | None = None, language: Language = "en",
                 **_: Any) -> Figure:
    """Full-time persons off support by year with their intervals.

    Parameters
    ----------
    result : PersonsOffSupport
    ax : matplotlib Axes, optional
    language : {"en", "da"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_option("language", language, _LANGUAGES)
    from hjeval.plots.style import PALETTE, figure_and_axes, number_formatter, styled

    text = _TEXT[language]
    table = result.table
    years = table["year"].to_numpy(dtype=np.float64)
    value = table["persons_off_support"].to_numpy(dtype=np.float64)
    low = table["ci_low"].to_numpy(dtype=np.float64)
    high = table["ci_high"].to_numpy(dtype=np.float64)
    finite = np.isfinite(low) & np.isfinite(high)
    with styled():
        figure, axes = figure_and_axes(ax)
        axes.set_axisbelow(True)
        axes.bar(years, value, color=PALETTE["treated"], width=0.6)
        axes.errorbar(years[finite], value[finite], yerr=[value[finite] - low[finite], high[finite] - value[finite]],
                      fmt="none", ecolor=PALETTE["neutral"], capsize=3,
                      label=text["ci"].format(level=_level(result.conf_level, language)))
        axes.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
        axes.set_xticks(years, [f"{y:.0f}" for y in years])
        axes.yaxis.set_major_formatter(number_formatter(0, language))
        axes.set_ylabel(text["persons_y"])
        axes.set_title(text["persons_title"])
        if finite.any():
            axes.legend(loc="upper left")
    return figure
