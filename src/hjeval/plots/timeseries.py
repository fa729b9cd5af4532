"""Figures over calendar time: the outcome and the caseload, treated vs comparison.

Both draw the tables of :mod:`hjeval.descriptives` (one row per period and
series). Missing values -- periods without data or cells suppressed for
having too few persons -- are drawn as gaps, never bridged.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, MaxNLocator, NullFormatter
from matplotlib.transforms import blended_transform_factory

from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.errors import DataError, format_rows
from hjeval.periods import parse_period, parse_periods
from hjeval.plots.style import (
    A4_WIDTH_IN,
    PALETTE,
    Language,
    _show_figures_in_jupyter,
    figure_and_axes,
    format_number,
    number_formatter,
    styled,
)

__all__ = ["caseload_plot", "outcome_over_time"]

Panels = Literal["auto", "raw", "adjusted", "both"]

_MONTH_SHORT = {
    "da": ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_MONTH_LONG = {
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}

_AREAS = {
    "en": {"cash_benefit": "cash-benefit", "sickness": "sickness-benefit", "integration": "integration"},
    "da": {"cash_benefit": "kontanthjælps", "sickness": "sygedagpenge", "integration": "integrations"},
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "{treated} and the comparison municipalities",
        "raw": "Unadjusted",
        "adjusted": "Adjusted for the business cycle",
        "treated": "{treated}",
        "treated_unknown": "Treated",
        "comparison": "Comparison municipalities (pooled)",
        "start": "Reform starts, {month}",
        "gaps": "Gaps: no data or too few persons",
        "hours_year": "Hours a year per person",
        "hours_month": "Hours a month per person",
        "mean_of": "Mean of {outcome}",
        "scaled": "{label} (× {scale})",
        "caseload_title": "Caseload on the {area} area",
        "caseload_title_all": "Caseload",
        "caseload_y": "Cases per full-time caseworker",
        "cut": "caseloads cut",
        "full_model": "full model for all new citizens",
        "level": "{value} cases",
    },
    "da": {
        "title": "{treated} og sammenligningskommunerne",
        "raw": "Ujusteret",
        "adjusted": "Renset for konjunkturer",
        "treated": "{treated}",
        "treated_unknown": "Kommunen med reformen",
        "comparison": "Sammenligningskommuner (samlet)",
        "start": "Reformen starter, {month}",
        "gaps": "Huller: ingen data eller for få personer",
        "hours_year": "Timer om året pr. person",
        "hours_month": "Timer om måneden pr. person",
        "mean_of": "Gennemsnit af {outcome}",
        "scaled": "{label} (× {scale})",
        "caseload_title": "Sagstal på {area}området",
        "caseload_title_all": "Sagstal",
        "caseload_y": "Sager pr. fuldtidssagsbehandler",
        "cut": "lavere sagstal",
        "full_model": "hele modellen for alle nye borgere",
        "level": "{value} sager",
    },
}

_SERIES = ("treated", "comparison")
_COLOURS = {"treated": PALETTE["treated"], "comparison": PALETTE["comparison"]}
_WIDTHS = {"treated": 1.7, "comparison": 1.4}
_FEW = 20
"""Up to this many periods every point is marked; with more, only points without neighbours."""


class _ReproducibleLayout(ConstrainedLayoutEngine):
    """Constrained layout that starts every pass from the grid's own positions.

    Matplotlib's constrained layout starts from where the previous draw left
    the axes, so after saving at another resolution the positions can differ
    in the last bits, and the ids an SVG derives from them change. Starting
    from the subplot grid each time makes the layout a function of the figure
    alone: saving a figure twice gives the same bytes.
    """

    def execute(self, fig: Figure) -> None:
        for axes in fig.axes:
            spec = axes.get_subplotspec()
            if spec is not None and axes.get_in_layout():
                axes.set_position(spec.get_position(fig))
                axes.set_in_layout(True)  # set_position takes an axes out of the layout
        super().execute(fig)


def _new_figure(ax: Axes | None, height: float) -> tuple[Figure, Axes]:
    """As :func:`figure_and_axes`, with a reproducible layout on new figures."""
    figure, axes = figure_and_axes(ax, height)
    if ax is None:
        figure.set_layout_engine(_ReproducibleLayout())
    return figure, axes


def _text(language: str) -> dict[str, str]:
    if language not in _TEXT:
        raise DataError(f"language={language!r} is not one of {sorted(_TEXT)}")
    return _TEXT[language]


def _month_text(period: pd.Period, language: Language, *, long: bool = True) -> str:
    """``"januar 2015"`` / ``"January 2015"`` (or the short form) for the first month of a period."""
    month = period.asfreq("M", how="start")
    names = _MONTH_LONG if long else _MONTH_SHORT
    return f"{names[language][month.month - 1]} {month.year}"


def _treated_name(label: object, language: Language) -> str:
    """A treated label as a name: a municipality code becomes its name, several labels are joined."""
    if isinstance(label, list | tuple):
        return ", ".join(_treated_name(item, language) for item in label)
    if isinstance(label, int | np.integer) and not isinstance(label, bool) and int(label) in MUNICIPALITIES:
        return MUNICIPALITIES[int(label)][0]
    if label is None:
        return _TEXT[language]["treated_unknown"]
    return str(label)


def _decimal_years(periods: pd.PeriodIndex) -> np.ndarray:
    """Each period's midpoint in years (2015.0 is the start of 2015)."""
    first = periods.asfreq("M", how="start")
    last = periods.asfreq("M", how="end")
    begin = np.asarray(first.year, float) + (np.asarray(first.month, float) - 1) / 12
    end = np.asarray(last.year, float) + np.asarray(last.month, float) / 12
    return (begin + end) / 2


def _start_of(period: pd.Period) -> float:
    month = period.asfreq("M", how="start")
    return month.year + (month.month - 1) / 12


def _time_axis(axes: Axes, left: float, right: float, language: Language) -> None:
    """Years labelled at their middle with boundaries as ticks; quarters labelled by month on short spans.

    Labels that would stick out of the axes are left off: besides looking
    cramped, their overhang would make the layout depend on the axes' width.
    """
    axes.set_xlim(left, right)
    span = right - left
    if span > 4.5:
        years = np.arange(int(np.floor(left)), int(np.ceil(right)) + 1)
        axes.xaxis.set_major_locator(FixedLocator(years.astype(float).tolist()))
        axes.xaxis.set_major_formatter(NullFormatter())
        step = 1 if len(years) <= 13 else 2
        margin = max(0.3, 0.03 * span)
        shown = [y for y in years[:-1] if y % step == 0 and left + margin <= y + 0.5 <= right - margin]
        axes.set_xticks([y + 0.5 for y in shown], [str(y) for y in shown], minor=True)
        axes.tick_params(axis="x", which="minor", length=0)
        axes.grid(False, axis="x", which="minor")
    else:
        quarters = np.arange(np.floor(left * 4), np.ceil(right * 4) + 1) / 4
        quarters = quarters[(quarters >= left) & (quarters <= right)]
        margin = 0.06 * span
        labels: list[str] = []
        for value in quarters:
            if not left + margin <= value <= right - margin:
                labels.append("")
                continue
            year = int(np.floor(value + 1e-9))
            month = round((value - year) * 12) + 1
            name = _MONTH_SHORT[language][month - 1]
            labels.append(f"{name}\n{year}" if month == 1 or not any(labels) else name)
        axes.set_xticks(quarters.tolist(), labels)


def _periods_of(table: pd.DataFrame) -> pd.Series:
    return parse_periods(table["period"], column="period", source="table")


def _check_table(table: pd.DataFrame, values: Sequence[str]) -> pd.Series:
    """Validate a descriptives table; return its periods parsed."""
    if not isinstance(table, pd.DataFrame):
        raise DataError(f"expected a DataFrame from hjeval.descriptives, not {type(table).__name__}")
    absent = [c for c in ("period", "series", *values) if c not in table.columns]
    if absent:
        raise DataError(f"column(s) {absent} not in the table; it has {list(table.columns)}")
    if table.empty:
        raise DataError("the table has no rows")
    unknown = ~table["series"].isin(_SERIES).to_numpy()
    if unknown.any():
        raise DataError(
            f"column 'series' holds values other than {list(_SERIES)} in "
            f"{format_rows(list(np.flatnonzero(unknown)))} (0-based positions)"
        )
    for col in values:
        if not pd.api.types.is_numeric_dtype(table[col].dtype) or pd.api.types.is_bool_dtype(table[col].dtype):
            raise DataError(f"column {col!r} must be numeric, not {table[col].dtype}")
    periods = _periods_of(table)
    twice = pd.DataFrame({"p": periods.array.asi8, "s": table["series"].to_numpy()}).duplicated().to_numpy()
    if twice.any():
        raise DataError(
            f"columns 'period' and 'series': more than one row for a period and series in "
            f"{format_rows(list(np.flatnonzero(twice)))} (0-based positions)"
        )
    return periods


def _series_lines(
    axes: Axes, table: pd.DataFrame, periods: pd.Series, column: str, scale: float, labels: Mapping[str, str]
) -> bool:
    """One line per series on the full range of periods; NaN and absent periods are gaps.

    Points with no neighbour on either side would vanish from a plain line, so
    they carry a marker. Returns whether any gap was drawn.
    """
    full = pd.period_range(periods.min(), periods.max(), freq=periods.dtype.freq)
    x = _decimal_years(full)
    few = len(full) <= _FEW
    gaps = False
    for name in ("comparison", "treated"):
        rows = (table["series"] == name).to_numpy()
        if not rows.any():
            continue
        values = pd.Series(table.loc[rows, column].to_numpy(dtype=np.float64), index=pd.PeriodIndex(periods[rows]))
        y = values.reindex(full).to_numpy() * scale
        present = np.isfinite(y)
        first, last = np.flatnonzero(present)[[0, -1]] if present.any() else (0, -1)
        gaps |= bool((~present[first:last + 1]).any())
        before = np.r_[False, present[:-1]]
        after = np.r_[present[1:], False]
        lonely = present & ~before & ~after
        axes.plot(x, y, color=_COLOURS[name], linewidth=_WIDTHS[name], label=labels[name], marker="o",
                  markersize=3.5 if few else 3.0, markevery=None if few else np.flatnonzero(lonely).tolist(),
                  zorder=3 if name == "treated" else 2)
    return gaps


def _default_ylabel(text: dict[str, str], outcome: object, scale: float) -> str:
    if outcome == "hours" and scale in (1, 12):
        return text["hours_year" if scale == 12 else "hours_month"]
    label = text["mean_of"].format(outcome=outcome if outcome else "outcome")
    return label if scale == 1 else text["scaled"].format(label=label, scale=f"{scale:g}")


def _series_labels(text: dict[str, str], treated: object, language: Language,
                   labels: Mapping[str, str] | None) -> dict[str, str]:
    out = {"treated": text["treated"].format(treated=_treated_name(treated, language)),
           "comparison": text["comparison"]}
    if labels:
        unknown = sorted(set(labels) - set(_SERIES))
        if unknown:
            raise DataError(f"labels= has keys {unknown}; use {list(_SERIES)}")
        out.update(labels)
    return out


def _value_ticks(axis: Axis, low: float, high: float, language: Language) -> None:
    """Ticks that depend only on the value range (not on the axes' size) and as few decimals as they need.

    A tick count that followed the axes' length would feed back into the
    layout, and saving the same figure twice could then give different bytes.
    """
    locator = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10])
    ticks = locator.tick_values(low, high)
    decimals = next((d for d in range(4) if np.allclose(ticks, np.round(ticks, d), rtol=0, atol=1e-9)), 4)
    axis.set_major_locator(locator)
    axis.set_major_formatter(number_formatter(decimals, language))


def _y_format(axes: Axes, language: Language) -> None:
    _value_ticks(axes.yaxis, *axes.get_ylim(), language)


_LABEL_POINTS = 10.0
"""Height of one line of a marker label, in points (7.5 pt text)."""


def _markers(axes: Axes, marks: Sequence[tuple[float, str]]) -> int:
    """Dashed vertical lines with labels stacked from the top; returns the label lines used.

    Labels are wrapped at 30 characters and written on the side of the line
    with more room, each below the previous one so that close dates stay readable.
    """
    left, right = axes.get_xlim()
    transform = blended_transform_factory(axes.transData, axes.transAxes)
    used = 0
    for x, label in marks:
        axes.axvline(x, color=PALETTE["neutral"], linewidth=1.0, linestyle="--", zorder=1)
        lines = textwrap.wrap(label, 30) or [""]
        room_right = (right - x) / (right - left) >= 0.35
        axes.annotate("\n".join(lines), xy=(x, 1.0), xycoords=transform,
                      xytext=(3 if room_right else -3, -2 - _LABEL_POINTS * used), textcoords="offset points",
                      ha="left" if room_right else "right", va="top", fontsize=7.5, linespacing=1.1,
                      color=PALETTE["neutral"], zorder=4,
                      bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
        used += len(lines)
    return used


def _headroom(axes: Axes, label_lines: int) -> None:
    """Raise the top of the y axis so that the marker labels sit above the data."""
    if label_lines == 0:
        return
    figure = axes.get_figure(root=True)
    height_pt = axes.get_position().height * (figure.get_figheight() if figure is not None else 3.2) * 72
    share = min(0.45, (label_lines * _LABEL_POINTS + 6) / max(height_pt, 1.0))
    low, high = axes.get_ylim()
    axes.set_ylim(low, low + (high - low) / (1.0 - share))


def _legend_handles(names: Mapping[str, str], markers: bool) -> list[Line2D]:
    """Legend keys in series order (treated first), drawn like the lines."""
    return [Line2D([], [], color=_COLOURS[s], linewidth=_WIDTHS[s], marker="o" if markers else None,
                   markersize=3.5, label=names[s]) for s in _SERIES]


def outcome_over_time(
    table: pd.DataFrame,
    *,
    ax: Axes | Sequence[Axes] | None = None,
    language: Language = "en",
    scale: float = 1.0,
    start: object = "2015-01",
    panels: Panels = "auto",
    labels: Mapping[str, str] | None = None,
    ylabel: str | None = None,
    title: str | None = None,
) -> Figure:
    """The outcome over time in the treated municipality and the comparison pool.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`hjeval.descriptives.outcome_by_period` (columns
        ``period, series, mean`` and, when cycle-adjusted, ``adjusted_mean``),
        possibly with suppressed cells set to NaN.
    ax : matplotlib Axes or sequence of Axes, optional
        Draw here (one Axes per panel) instead of a new figure.
    language : {"en", "da"}
    scale : float, default 1.0
        Multiply the means (12 turns monthly hours into hours a year).
    start : period or None, default "2015-01"
        The reform's start, marked by a vertical line; None for no marker.
    panels : {"auto", "raw", "adjusted", "both"}, default "auto"
        ``"auto"`` draws the cycle-adjusted means as a second panel when the
        table has them.
    labels : mapping, optional
        Legend labels by series (``"treated"``, ``"comparison"``); the treated
        municipality's name by default.
    ylabel, title : str, optional
        Override the axis label and the title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataError
        Missing columns, unknown series, repeated periods, an adjusted panel
        asked for without ``adjusted_mean``, an unknown language.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = pd.DataFrame({"period": pd.period_range("2014-01", periods=4, freq="Y").repeat(2),
    ...                       "series": ["treated", "comparison"] * 4,
    ...                       "mean": [4.5, 4.4, 9.0, 4.6, np.nan, 4.5, 10.0, 4.7]})
    >>> figure = outcome_over_time(table, language="da", scale=12)
    >>> [line.get_label() for line in figure.axes[0].get_lines()[:2]]
    ['Sammenligningskommuner (samlet)', 'Kommunen med reformen']
    """
    text = _text(language)
    if panels not in ("auto", "raw", "adjusted", "both"):
        raise DataError(f"panels={panels!r} is not one of ['auto', 'raw', 'adjusted', 'both']")
    has_adjusted = "adjusted_mean" in table.columns if isinstance(table, pd.DataFrame) else False
    if panels in ("adjusted", "both") and not has_adjusted:
        raise DataError(f"panels={panels!r} needs column 'adjusted_mean' (outcome_by_period with adjust=)")
    shown = {"auto": ["mean", "adjusted_mean"] if has_adjusted else ["mean"], "raw": ["mean"],
             "adjusted": ["adjusted_mean"], "both": ["mean", "adjusted_mean"]}[panels]
    periods = _check_table(table, shown)
    start_period = parse_period(start) if start is not None else None
    names = _series_labels(text, table.attrs.get("treated"), language, labels)
    ylabel = ylabel or _default_ylabel(text, table.attrs.get("outcome"), scale)
    heading = title if title is not None else text["title"].format(
        treated=_treated_name(table.attrs.get("treated"), language))
    with styled():
        figure, axes_list = _figure_and_panels(ax, len(shown))
        full = pd.period_range(periods.min(), periods.max(), freq=periods.dtype.freq)
        x = _decimal_years(full)
        pad = max(0.35 * (x[1] - x[0]) if len(x) > 1 else 0.5, 0.08)
        left, right = float(x[0] - pad), float(x[-1] + pad)
        if start_period is not None:
            left, right = min(left, _start_of(start_period) - pad), max(right, _start_of(start_period) + pad)
        gaps = False
        label_lines = 0
        for axes, column in zip(axes_list, shown, strict=True):
            gaps |= _series_lines(axes, table, periods, column, scale, names)
            _time_axis(axes, left, right, language)
            if start_period is not None:
                label_lines = _markers(axes, [(_start_of(start_period), text["start"].format(
                    month=_month_text(start_period, language)))])
            axes.set_ylabel(ylabel)
            if len(shown) > 1:
                axes.set_title(text["raw" if column == "mean" else "adjusted"], loc="left", fontsize=9)
        _common_y(axes_list)
        _headroom(axes_list[0], label_lines)
        for axes in axes_list:
            _y_format(axes, language)
        handles = _legend_handles(names, markers=len(full) <= _FEW)
        handles = [h for h in handles if any(line.get_label() == h.get_label() for line in axes_list[0].get_lines())]
        if gaps:
            handles.append(Line2D([], [], linestyle="none", label=text["gaps"]))
        if len(shown) > 1:
            figure.suptitle(heading, fontsize=10)
            figure.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
        else:
            axes_list[0].set_title(heading)
            axes_list[0].legend(handles=handles, loc="best", fontsize=8)
    return figure


def _figure_and_panels(ax: Axes | Sequence[Axes] | None, count: int) -> tuple[Figure, list[Axes]]:
    if ax is None:
        if count == 1:
            figure, axes = _new_figure(None, 3.2)
            return figure, [axes]
        _show_figures_in_jupyter()
        new = Figure(figsize=(A4_WIDTH_IN, 2.6 * count + 0.6), layout=_ReproducibleLayout())
        return new, list(new.subplots(count, 1, sharex=True, sharey=True, squeeze=False)[:, 0])
    axes_list = [ax] if isinstance(ax, Axes) else list(ax)
    if len(axes_list) != count:
        raise DataError(f"this figure has {count} panel(s); pass as many Axes (got {len(axes_list)})")
    owner = axes_list[0].get_figure(root=True)
    if not isinstance(owner, Figure):
        raise DataError("the axes belong to no figure")
    return owner, axes_list


def _common_y(axes_list: list[Axes]) -> None:
    """One y range for all panels, from zero when every value is positive."""
    lows, highs = zip(*(a.get_ylim() for a in axes_list), strict=True)
    values = np.concatenate([np.asarray(line.get_ydata(), float) for a in axes_list for line in a.get_lines()
                             if not str(line.get_label()).startswith("_")] or [np.empty(0)])
    finite = values[np.isfinite(values)]
    low, high = min(lows), max(highs)
    if finite.size and finite.min() >= 0:
        low = 0.0
    for axes in axes_list:
        axes.set_ylim(low, high)


def caseload_plot(
    table: pd.DataFrame,
    *,
    ax: Axes | None = None,
    language: Language = "en",
    components: Mapping[object, str] | None = None,
    labels: Mapping[str, str] | None = None,
    levels: bool = True,
    title: str | None = None,
) -> Figure:
    """Cases per caseworker over time, treated vs comparison, with the reform's components marked.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`hjeval.descriptives.caseload_by_period` (columns
        ``period, series, cases_per_caseworker``), possibly with suppressed
        cells set to NaN.
    ax : matplotlib Axes, optional
    language : {"en", "da"}
    components : mapping of period to str, optional
        Dates of the reform's components and their labels; each is marked by a
        vertical line labelled with its month. Default: January 2015,
        caseloads cut; October 2015, the full model for all new citizens.
        An empty mapping marks nothing.
    labels : mapping, optional
        Legend labels by series (``"treated"``, ``"comparison"``).
    levels : bool, default True
        Write the treated municipality's mean caseload over the 12 months
        before the first component and the 12 months from the last one beside
        its line (e.g. 75 before and 35 after).
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataError
        Missing columns, unknown series, repeated periods, a component date
        that is not a period, an unknown language.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"period": pd.period_range("2014-01", periods=4, freq="Q").repeat(2),
    ...                       "series": ["treated", "comparison"] * 4,
    ...                       "cases_per_caseworker": [75.0, 74.0, 76.0, 75.0, 50.0, 75.0, 35.0, 74.0]})
    >>> figure = caseload_plot(table, language="da")
    >>> figure.axes[0].get_ylabel()
    'Sager pr. fuldtidssagsbehandler'
    """
    text = _text(language)
    periods = _check_table(table, ["cases_per_caseworker"])
    if components is None:
        components = {"2015-01": text["cut"], "2015-10": text["full_model"]}
    marks = sorted(((parse_period(date), str(label)) for date, label in components.items()),
                   key=lambda mark: _start_of(mark[0]))
    names = _series_labels(text, table.attrs.get("treated"), language, labels)
    area = table.attrs.get("benefit_area")
    areas = _AREAS[language]
    heading = title if title is not None else (
        text["caseload_title"].format(area=areas.get(area, str(area))) if area else text["caseload_title_all"])
    with styled():
        figure, axes = _new_figure(ax, 3.4)
        gaps = _series_lines(axes, table, periods, "cases_per_caseworker", 1.0, names)
        full = pd.period_range(periods.min(), periods.max(), freq=periods.dtype.freq)
        x = _decimal_years(full)
        pad = max(0.35 * (x[1] - x[0]) if len(x) > 1 else 0.5, 0.08)
        left, right = float(x[0] - pad), float(x[-1] + pad)
        for period, _ in marks:
            left, right = min(left, _start_of(period) - pad), max(right, _start_of(period) + pad)
        _time_axis(axes, left, right, language)
        label_lines = _markers(axes, [(_start_of(p), f"{_month_text(p, language)}: {label}") for p, label in marks])
        _common_y([axes])
        _headroom(axes, label_lines)
        if levels and marks:
            _level_notes(axes, table, periods, marks[0][0], marks[-1][0], text, language)
        axes.set_ylabel(text["caseload_y"])
        axes.set_title(heading)
        _y_format(axes, language)
        handles = _legend_handles(names, markers=len(full) <= _FEW)
        handles = [h for h in handles if any(line.get_label() == h.get_label() for line in axes.get_lines())]
        if gaps:
            handles.append(Line2D([], [], linestyle="none", label=text["gaps"]))
        axes.legend(handles=handles, loc="best", fontsize=8)
    return figure


def _level_notes(axes: Axes, table: pd.DataFrame, periods: pd.Series, first: pd.Period, last: pd.Period,
                 text: dict[str, str], language: Language) -> None:
    """The treated caseload before the first and after the last component, written above the line."""
    rows = (table["series"] == "treated").to_numpy()
    if not rows.any():
        return
    treated_periods = pd.PeriodIndex(periods[rows])
    starts = np.array([_start_of(p) for p in treated_periods])
    middles = _decimal_years(treated_periods)
    values = table.loc[rows, "cases_per_caseworker"].to_numpy(dtype=np.float64)
    spans = ((_start_of(first) - 1.0, _start_of(first)), (_start_of(last), _start_of(last) + 1.0))
    for low, high in spans:
        inside = (starts >= low - 1e-9) & (starts < high - 1e-9) & np.isfinite(values)
        if not inside.any():
            continue
        level = float(values[inside].mean())
        axes.annotate(text["level"].format(value=format_number(level, 0, language)),
                      xy=(float(middles[inside].mean()), level), xytext=(0, 6), textcoords="offset points", ha="center",
                      va="bottom", fontsize=8, fontweight="bold", color=PALETTE["treated"], zorder=5)
