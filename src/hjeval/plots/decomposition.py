"""The business-cycle decomposition: what the treated municipality's raw change is made of."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from hjeval.errors import DataError
from hjeval.periods import parse_period
from hjeval.plots.style import PALETTE, Language, format_number, styled
from hjeval.plots.timeseries import _month_text, _new_figure, _treated_name, _value_ticks
from hjeval.results.effect import EffectResult

__all__ = ["decomposition_plot"]

_TEXT = {
    "en": {
        "title": "What the raw change in {treated} is made of",
        "cycle": "Business cycle",
        "common_trend": "Trend shared with the comparison municipalities",
        "composition": "Change in who is in the group",
        "other": "Other",
        "effect": "Effect of the reform",
        "raw_change": "Raw change in {treated}",
        "x_start": "Change from before to after {month}",
        "x": "Change from before to after the start",
        "hours_year": "hours a year per person",
        "hours_month": "hours a month per person",
        "scaled": "× {scale}",
        "unknown": "the treated municipality",
    },
    "da": {
        "title": "Hvad den rå ændring i {treated} består af",
        "cycle": "Konjunkturer",
        "common_trend": "Fælles udvikling med sammenligningskommunerne",
        "composition": "Ændret sammensætning af gruppen",
        "other": "Øvrigt",
        "effect": "Reformens effekt",
        "raw_change": "Rå ændring i {treated}",
        "x_start": "Ændring fra før til efter {month}",
        "x": "Ændring fra før til efter starten",
        "hours_year": "timer om året pr. person",
        "hours_month": "timer om måneden pr. person",
        "scaled": "× {scale}",
        "unknown": "kommunen med reformen",
    },
}

_COLOURS = {
    "cycle": PALETTE["sky"],
    "common_trend": PALETTE["comparison"],
    "composition": PALETTE["purple"],
    "other": PALETTE["light"],
    "effect": PALETTE["treated"],
    "raw_change": PALETTE["neutral"],
}
_REQUIRED = ("raw_change", "effect", "common_trend", "composition")


def _cycle_key(parts: Mapping[str, float], result: EffectResult | None, cycle: str | None) -> str | None:
    """Which entry of the decomposition is the business cycle's part."""
    if cycle is not None:
        key = f"regressor:{cycle}"
        if key not in parts:
            regressors = [k.removeprefix("regressor:") for k in parts if k.startswith("regressor:")]
            raise DataError(f"cycle={cycle!r} is not a regressor of the decomposition (regressors: {regressors})")
        return key
    if "cycle_sensitivity" in parts:
        return "cycle_sensitivity"
    if result is not None:
        if result.provenance.get("cycle_method") != "covariate" or result.other_terms.empty:
            return None
        return f"regressor:{result.other_terms['term'].iloc[0]}"
    # a bare decomposition from did lists the cycle series first among its regressors
    return next((k for k in parts if k.startswith("regressor:")), None)


def _parts(parts: Mapping[str, float], cycle_key: str | None, scale: float) -> tuple[list[tuple[str, float]], float]:
    missing = [k for k in _REQUIRED if k not in parts]
    if missing:
        raise DataError(f"the decomposition lacks {missing}; it has {list(parts)} (expected did's decomposition)")
    values = {k: float(v) for k, v in parts.items()}
    bad = [k for k, v in values.items() if not np.isfinite(v)]
    if bad:
        raise DataError(f"the decomposition has non-finite values in {bad}")
    known = {"raw_change", "effect", "common_trend", "composition"} | ({cycle_key} if cycle_key else set())
    other = sum(v for k, v in values.items() if k not in known)
    total = sum(v for k, v in values.items() if k != "raw_change")
    raw = values["raw_change"]
    if abs(total - raw) > 1e-6 * max(1.0, abs(raw)):
        raise DataError(f"the decomposition's parts add up to {total:.6g}, not its raw_change {raw:.6g}")
    ordered = ([("cycle", values[cycle_key])] if cycle_key else []) + [
        ("common_trend", values["common_trend"]), ("composition", values["composition"]), ("other", other),
        ("effect", values["effect"]),
    ]
    return [(k, v * scale) for k, v in ordered], raw * scale


def decomposition_plot(
    result: EffectResult | Mapping[str, float],
    *,
    ax: Axes | None = None,
    language: Language = "en",
    scale: float = 12.0,
    cycle: str | None = None,
    treated_label: str | None = None,
    decimals: int = 1,
    xlabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """Waterfall of the treated municipality's raw before/after change, split into its parts.

    The bars add up, from zero: the business cycle's part, the trend shared
    with the comparison municipalities, the change in who is in the group,
    anything else (residual and further covariates, drawn only when it is not
    zero at the shown decimals) and the effect of the reform; the last bar is
    their sum, the raw change.

    Parameters
    ----------
    result : EffectResult or mapping
        A :func:`hjeval.did` result, or its ``decomposition`` dict
        (``raw_change, effect, common_trend, composition, residual`` and
        ``cycle_sensitivity`` or ``regressor:<name>`` entries).
    ax : matplotlib Axes, optional
    language : {"en", "da"}
    scale : float, default 12.0
        Multiply the parts (12 turns monthly hours into hours a year).
    cycle : str, optional
        The regressor that is the business-cycle series. By default, for a
        result, its cycle series (the first other term when estimated with
        ``cycle_method="covariate"``, the ``cycle_sensitivity`` part with
        ``"sensitivity"``); for a dict, ``cycle_sensitivity`` or else the first
        ``regressor:`` entry, which is where :func:`hjeval.did` puts the cycle.
    treated_label : str, optional
        Name of the treated municipality (default: the result's treated code as a name).
    decimals : int, default 1
        Decimals of the numbers written on the bars.
    xlabel, title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataError
        A result without a decomposition, missing or non-finite parts, parts
        that do not add up to the raw change, an unknown ``cycle`` or language.

    Examples
    --------
    >>> parts = {"raw_change": 8.2, "effect": 3.9, "common_trend": -1.0, "composition": 0.3,
    ...          "residual": 0.0, "regressor:unemployment_rate": 5.0}
    >>> figure = decomposition_plot(parts, language="da", treated_label="Hjørring")
    >>> [label.get_text() for label in figure.axes[0].get_yticklabels()][-1]
    'Rå ændring i Hjørring'
    """
    if language not in _TEXT:
        raise DataError(f"language={language!r} is not one of {sorted(_TEXT)}")
    text = _TEXT[language]
    as_result = result if isinstance(result, EffectResult) else None
    parts = as_result.decomposition if as_result is not None else result
    if not isinstance(parts, Mapping) or not parts:
        raise DataError("no decomposition to draw: pass a did result or its .decomposition dict")
    ordered, raw = _parts(parts, _cycle_key(parts, as_result, cycle), scale)
    shown_zero = 0.5 * 10.0 ** -decimals
    ordered = [(k, v) for k, v in ordered if k != "other" or abs(v) >= shown_zero]
    treated = as_result.treated if as_result is not None else None
    name = treated_label or (_treated_name(treated, language) if treated is not None else text["unknown"])
    labels = [text[k] for k, _ in ordered] + [text["raw_change"].format(treated=name)]
    if xlabel is None:
        start = as_result.start if as_result is not None else None
        xlabel = text["x_start"].format(month=_month_text(parse_period(start), language)) if start is not None \
            else text["x"]
        outcome = as_result.outcome if as_result is not None else None
        if outcome == "hours" and scale in (1, 12):
            xlabel += ", " + text["hours_year" if scale == 12 else "hours_month"]
        elif scale != 1:
            xlabel += f" ({text['scaled'].format(scale=f'{scale:g}')})"
    with styled():
        figure, axes = _new_figure(ax, 0.5 + 0.42 * (len(ordered) + 1) + 0.9)
        level = 0.0
        ends = []
        for row, (key, value) in enumerate(ordered):
            axes.barh(row, value, left=level, height=0.62, color=_COLOURS[key], zorder=3)
            level += value
            ends.append(level)
        total_row = len(ordered)
        axes.barh(total_row, raw, left=0.0, height=0.62, color=_COLOURS["raw_change"], zorder=3)
        axes.vlines(ends, np.arange(len(ends)) + 0.31, np.arange(len(ends)) + 0.69, colors=PALETTE["neutral"],
                    linewidth=0.8, linestyles=(0, (2, 2)), zorder=2)
        axes.axvline(0, color=PALETTE["neutral"], linewidth=0.8, zorder=2)
        starts = [0.0, *ends[:-1]]
        for row, ((key, value), begin) in enumerate(zip(ordered, starts, strict=True)):
            number = format_number(value, decimals, language)
            sign = "+" if value > 0 and number.strip("0,.") else ""
            _value_label(axes, row, begin, begin + value, sign + number, emphasis=key == "effect")
        _value_label(axes, total_row, 0.0, raw, format_number(raw, decimals, language), emphasis=False)
        axes.set_yticks(range(total_row + 1), ["\n".join(textwrap.wrap(lab, 30)) for lab in labels])
        axes.tick_params(axis="y", length=0)
        for tick in axes.get_yticklabels()[-1:]:
            tick.set_fontweight("bold")
        axes.set_ylim(total_row + 0.6, -0.6)
        low = min(0.0, *starts, *ends, raw)
        high = max(0.0, *starts, *ends, raw)
        pad = 0.16 * (high - low or 1.0)
        axes.set_xlim(low - (pad if low < 0 else 0.02 * (high - low or 1.0)), high + pad)
        axes.grid(False, axis="y")
        axes.set_xlabel(xlabel)
        axes.set_title(title if title is not None else text["title"].format(treated=name))
        _value_ticks(axes.xaxis, *axes.get_xlim(), language)
    return figure


def _value_label(axes: Axes, row: int, begin: float, end: float, label: str, *, emphasis: bool) -> None:
    """The number beside a bar, on the side it grows towards; the reform's effect in bold."""
    outward = end >= begin
    axes.annotate(label, xy=(max(begin, end) if outward else min(begin, end), row), xytext=(3 if outward else -3, 0),
                  textcoords="offset points", ha="left" if outward else "right", va="center", fontsize=8,
                  color=_COLOURS["effect"] if emphasis else PALETTE["neutral"],
                  fontweight="bold" if emphasis else "normal", zorder=4)
