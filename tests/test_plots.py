"""Figures of hjeval.plots drawn from small hand-made tables: artists, labels, gaps, errors, determinism."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from hjeval.errors import DataError
from hjeval.plots import caseload_plot, decomposition_plot, outcome_over_time
from hjeval.plots.style import styled
from hjeval.results.effect import EffectResult


def outcome_table(adjusted: bool = True) -> pd.DataFrame:
    """24 months of treated and comparison means (monthly hours around 0.5-1.5)."""
    periods = pd.period_range("2014-01", periods=24, freq="M")
    k = np.arange(24)
    treated = 0.5 + 0.04 * k + 0.3 * (k >= 12)
    comparison = 0.6 + 0.01 * k
    table = pd.DataFrame({
        "period": np.r_[periods, periods],
        "series": ["treated"] * 24 + ["comparison"] * 24,
        "persons": 50, "person_months": 50, "periods": 1,
        "mean": np.r_[treated, comparison],
    })
    if adjusted:
        table["adjusted_mean"] = table["mean"] - 0.1
    table.attrs = {"outcome": "hours", "treated": 860}
    return table


def caseload_table() -> pd.DataFrame:
    periods = pd.period_range("2014-01", periods=36, freq="M")
    k = np.arange(36)
    treated = np.where(k < 12, 75.0, np.where(k < 15, 75.0 - 13.0 * (k - 11), 35.0))
    table = pd.DataFrame({
        "period": np.r_[periods, periods], "series": ["treated"] * 36 + ["comparison"] * 36,
        "municipalities": [1] * 36 + [10] * 36, "open_cases": 1500.0, "caseworker_fte": 20.0,
        "cases_per_caseworker": np.r_[treated, np.full(36, 74.5)],
    })
    table.attrs = {"treated": 860, "benefit_area": "cash_benefit"}
    return table


DECOMPOSITION = {"raw_change": 8.225, "effect": 3.925, "common_trend": -0.9, "composition": 0.2,
                 "residual": 0.0, "regressor:unemployment_rate": 5.0}


def result(decomposition: dict[str, float] | None = None, method: str = "covariate") -> EffectResult:
    return EffectResult(
        estimate=3.925, se=1.0, ci=(2.0, 6.0), pvalue=0.02, n_obs=100, alpha=0.05, inference="placebo",
        method="did", outcome="hours", treated=860, start=pd.Period("2015-01", "M"), comparison="all",
        other_terms=pd.DataFrame({"term": ["unemployment_rate"], "estimate": [-1.4]}),
        decomposition=DECOMPOSITION if decomposition is None else decomposition,
        provenance={"cycle_method": method},
    )


def series_lines(axes) -> list[Line2D]:
    """The data lines (labelled), not the markers of dates."""
    return [line for line in axes.get_lines() if not line.get_label().startswith("_")]


def tick_texts(figure: Figure, axis: str = "y") -> list[str]:
    figure.draw_without_rendering()
    axes = figure.axes[0]
    labels = axes.get_yticklabels() if axis == "y" else axes.get_xticklabels(minor=True) + axes.get_xticklabels()
    return [label.get_text() for label in labels if label.get_text()]


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=60, metadata={"Software": None})
    return buffer.getvalue()


def svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with styled():  # the style's svg.hashsalt makes the element ids reproducible
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


# --- outcome over time ----------------------------------------------------------------------------------------


def test_outcome_two_panels_with_lines_marker_and_labels() -> None:
    figure = outcome_over_time(outcome_table(), language="en", scale=12)
    assert isinstance(figure, Figure)
    assert len(figure.axes) == 2
    for axes in figure.axes:
        assert [line.get_label() for line in series_lines(axes)] == ["Comparison municipalities (pooled)",
                                                                     "Hjørring"]
        vertical = [line for line in axes.get_lines() if line.get_label().startswith("_")]
        assert len(vertical) == 1 and list(vertical[0].get_xdata()) == [2014 + 12 / 12] * 2
        assert axes.get_ylabel() == "Hours a year per person"
    assert [a.get_title(loc="left") for a in figure.axes] == ["Unadjusted", "Adjusted for the business cycle"]
    np.testing.assert_allclose(series_lines(figure.axes[1])[1].get_ydata(),
                               (outcome_table()["adjusted_mean"].iloc[:24] * 12).to_numpy())
    assert "Reform starts, January 2015" in [t.get_text().strip() for t in figure.axes[0].texts]


def test_outcome_in_danish_uses_danish_words_and_decimal_comma() -> None:
    figure = outcome_over_time(outcome_table(adjusted=False), language="da")
    assert len(figure.axes) == 1
    axes = figure.axes[0]
    assert axes.get_ylabel() == "Timer om måneden pr. person"
    assert axes.get_title() == "Hjørring og sammenligningskommunerne"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["Hjørring", "Sammenligningskommuner (samlet)"]
    ticks = tick_texts(figure)
    assert any("," in t for t in ticks) and not any("." in t for t in ticks)
    assert "Reformen starter, januar 2015" in [t.get_text().strip() for t in axes.texts]
    months = tick_texts(figure, "x")
    assert "okt." in months and "jan.\n2015" in months


def test_outcome_english_ticks_use_decimal_point() -> None:
    ticks = tick_texts(outcome_over_time(outcome_table(adjusted=False), language="en"))
    assert any("." in t for t in ticks) and not any("," in t for t in ticks)


def test_missing_values_are_gaps_not_interpolated() -> None:
    table = outcome_table(adjusted=False)
    treated = table.index[table["series"] == "treated"]
    table.loc[treated[[5, 6, 8, 9]], "mean"] = np.nan  # leaves month 7 alone between gaps
    table = table.drop(index=treated[20])  # a period without a row
    figure = outcome_over_time(table)
    line = series_lines(figure.axes[0])[1]
    y = np.asarray(line.get_ydata(), float)
    assert len(y) == 24
    assert np.isnan(y[[5, 6, 8, 9, 20]]).all()
    assert np.isfinite(np.delete(y, [5, 6, 8, 9, 20])).all()
    assert line.get_markevery() == [7]  # the lone month keeps a marker, or it would vanish
    assert "Gaps: no data or too few persons" in [t.get_text() for t in figure.axes[0].get_legend().get_texts()]


def test_outcome_draws_on_given_axes() -> None:
    figure = Figure()
    axes = figure.add_subplot()
    assert outcome_over_time(outcome_table(adjusted=False), ax=axes) is figure
    assert len(series_lines(axes)) == 2
    two = Figure().subplots(2)
    assert outcome_over_time(outcome_table(), ax=list(two)) is two[0].get_figure()


@pytest.mark.parametrize(
    ("table", "options", "match"),
    [
        (outcome_table().drop(columns="mean"), {}, r"\['mean'\] not in the table"),
        (outcome_table().assign(series=["treated"] * 47 + ["Aalborg"]), {}, r"'series' holds values.*row 47"),
        (pd.concat([outcome_table(), outcome_table().iloc[[3]]], ignore_index=True), {}, r"more than one row.*row 48"),
        (outcome_table().assign(mean="x"), {}, r"'mean' must be numeric"),
        (outcome_table(adjusted=False), {"panels": "adjusted"}, r"needs column 'adjusted_mean'"),
        (outcome_table(), {"language": "sv"}, r"language='sv'"),
        (outcome_table(), {"ax": Figure().add_subplot()}, r"2 panel\(s\)"),
        (outcome_table().iloc[:0], {}, r"no rows"),
    ],
)
def test_outcome_bad_input(table: pd.DataFrame, options: dict[str, object], match: str) -> None:
    with pytest.raises(DataError, match=match):
        outcome_over_time(table, **options)  # type: ignore[arg-type]


# --- caseload --------------------------------------------------------------------------------------------------


def test_caseload_marks_components_and_levels() -> None:
    figure = caseload_plot(caseload_table(), language="da")
    axes = figure.axes[0]
    assert len(series_lines(axes)) == 2
    dates = [line.get_xdata()[0] for line in axes.get_lines() if line.get_label().startswith("_")]
    assert dates == pytest.approx([2015.0, 2015 + 9 / 12])
    texts = [t.get_text() for t in axes.texts]
    assert texts[0] == "januar 2015: lavere sagstal"
    assert texts[1].startswith("oktober 2015: hele modellen")
    assert "75 sager" in texts and "35 sager" in texts
    assert axes.get_ylim()[0] == 0
    assert axes.get_ylabel() == "Sager pr. fuldtidssagsbehandler"
    assert axes.get_title() == "Sagstal på kontanthjælpsområdet"


def test_caseload_components_configurable() -> None:
    figure = caseload_plot(caseload_table(), language="en", components={"2016-03": "training"}, levels=False)
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.texts] == ["March 2016: training"]
    assert len(axes.get_lines()) == 3
    bare = caseload_plot(caseload_table(), components={}).axes[0]
    assert len(bare.get_lines()) == 2 and not bare.texts


def test_caseload_gap() -> None:
    table = caseload_table()
    table.loc[3, "cases_per_caseworker"] = np.nan
    line = series_lines(caseload_plot(table).axes[0])[1]
    assert np.isnan(line.get_ydata()[3]) and np.isfinite(line.get_ydata()[[2, 4]]).all()


@pytest.mark.parametrize(
    ("table", "options", "match"),
    [
        (caseload_table().drop(columns="cases_per_caseworker"), {}, r"cases_per_caseworker"),
        (caseload_table(), {"components": {"early": "x"}}, r"cannot read 'early' as a period"),
        (caseload_table(), {"labels": {"pool": "x"}}, r"labels= has keys \['pool'\]"),
    ],
)
def test_caseload_bad_input(table: pd.DataFrame, options: dict[str, object], match: str) -> None:
    with pytest.raises(DataError, match=match):
        caseload_plot(table, **options)  # type: ignore[arg-type]


# --- decomposition ---------------------------------------------------------------------------------------------


def bars(figure: Figure) -> list[Rectangle]:
    return [p for p in figure.axes[0].patches if isinstance(p, Rectangle)]


def test_decomposition_waterfall_adds_up_to_the_raw_change() -> None:
    figure = decomposition_plot(result(), language="en")
    drawn = bars(figure)
    assert len(drawn) == 5  # cycle, common trend, composition, effect, raw change ("other" is zero)
    widths = [b.get_width() for b in drawn]
    assert widths == pytest.approx([60.0, -10.8, 2.4, 47.1, 98.7])
    lefts = [b.get_x() for b in drawn]
    assert lefts == pytest.approx([0.0, 60.0, 49.2, 51.6, 0.0])
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[0] == "Business cycle" and labels[3] == "Effect of the reform"
    assert labels[4] == "Raw change in Hjørring"
    assert [t.get_text() for t in figure.axes[0].texts] == ["+60.0", "−10.8", "+2.4", "+47.1", "98.7"]
    assert "January 2015" in figure.axes[0].get_xlabel()
    assert len([c for c in figure.axes[0].collections if isinstance(c, LineCollection)]) == 1  # connectors


def test_decomposition_in_danish_and_with_other_parts() -> None:
    parts = {**DECOMPOSITION, "raw_change": 8.425, "regressor:age": 0.2}
    figure = decomposition_plot(parts, language="da", scale=1)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels == ["Konjunkturer", "Fælles udvikling med\nsammenligningskommunerne",
                      "Ændret sammensætning af\ngruppen", "Øvrigt", "Reformens effekt",
                      "Rå ændring i kommunen med\nreformen"]
    assert [t.get_text() for t in figure.axes[0].texts] == ["+5,0", "−0,9", "+0,2", "+0,2", "+3,9", "8,4"]


def test_decomposition_sensitivity_and_common() -> None:
    sensitivity = {k: v for k, v in DECOMPOSITION.items() if not k.startswith("regressor:")}
    sensitivity["cycle_sensitivity"] = 5.0
    assert len(bars(decomposition_plot(result(sensitivity, "sensitivity")))) == 5
    common = {**sensitivity, "common_trend": 4.1}
    del common["cycle_sensitivity"]
    figure = decomposition_plot(result(common, "common"))
    assert len(bars(figure)) == 4
    assert "Business cycle" not in [t.get_text() for t in figure.axes[0].get_yticklabels()]


@pytest.mark.parametrize(
    ("value", "options", "match"),
    [
        ({**DECOMPOSITION, "raw_change": 9.0}, {}, r"add up to 8.225, not its raw_change 9"),
        ({k: v for k, v in DECOMPOSITION.items() if k != "effect"}, {}, r"lacks \['effect'\]"),
        ({**DECOMPOSITION, "effect": float("nan")}, {}, r"non-finite"),
        (result({}), {}, r"no decomposition"),
        (DECOMPOSITION, {"cycle": "rate"}, r"cycle='rate' is not a regressor"),
        (DECOMPOSITION, {"language": "de"}, r"language='de'"),
    ],
)
def test_decomposition_bad_input(value: object, options: dict[str, object], match: str) -> None:
    with pytest.raises(DataError, match=match):
        decomposition_plot(value, **options)  # type: ignore[arg-type]


# --- shared ----------------------------------------------------------------------------------------------------


def test_inputs_are_not_mutated() -> None:
    table, copy = outcome_table(), outcome_table()
    table.loc[3, "mean"] = np.nan
    copy.loc[3, "mean"] = np.nan
    outcome_over_time(table, scale=12)
    pd.testing.assert_frame_equal(table, copy)
    assert table.attrs == copy.attrs
    cases, cases_copy = caseload_table(), caseload_table()
    caseload_plot(cases)
    pd.testing.assert_frame_equal(cases, cases_copy)
    parts = dict(DECOMPOSITION)
    decomposition_plot(parts)
    assert parts == DECOMPOSITION


@pytest.mark.parametrize(
    "draw",
    [
        lambda: outcome_over_time(outcome_table(), language="da", scale=12),
        lambda: caseload_plot(caseload_table(), language="en"),
        lambda: decomposition_plot(result(), language="da"),
    ],
    ids=["outcome", "caseload", "decomposition"],
)
def test_figures_are_byte_identical_across_renders(draw) -> None:
    first, second = draw(), draw()
    once = png(first)
    assert png(first) == once  # the same figure saved twice
    assert png(second) == once  # a second render of the same input
    assert svg(first) == svg(first)


# --- figures of results: the event study and the placebo distribution ----------------------------------------

@pytest.fixture(scope="module")
def results():  # type: ignore[no-untyped-def]
    import hjeval as hj
    from tests.panels import person_panel

    data = person_panel(seed=11, persons=2000, groups=25, months=24)
    common = dict(unit="pid", group="muni", time="month", treated=0, start="2014-01")
    return (hj.did(data, "y", **common),  # type: ignore[arg-type]
            hj.event_study(data, "y", window=(-3, 2), bin_width=3, **common))  # type: ignore[arg-type]


def test_event_study_plot_marks_reference_band_and_pooled_ends(results) -> None:  # type: ignore[no-untyped-def]
    from hjeval.plots import event_study_plot

    _, event = results
    figure = event_study_plot(event, language="da", scale=12, xlabel="Halvår", ylabel="Timer om året")
    axes = figure.axes[0]
    assert axes.get_xlabel() == "Halvår" and axes.get_ylabel() == "Timer om året"
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert labels[0].startswith("≤") and labels[-1].startswith("≥") and "−1" in labels
    estimates = [line for line in axes.get_lines() if len(line.get_xdata()) == len(event.table)]
    assert np.allclose(estimates[0].get_ydata(), 12 * event.table["estimate"].to_numpy())
    assert any("konfidensbånd" in t.get_text() for t in axes.get_legend().get_texts())
    english = event_study_plot(event, language="en").axes[0]
    assert english.get_xlabel() == "Relative time (bins of 3 periods)"


def test_placebo_distribution_shows_every_placebo_and_the_estimate(results) -> None:  # type: ignore[no-untyped-def]
    from hjeval.plots import placebo_distribution

    did_result, _ = results
    figure = placebo_distribution(did_result, language="en", scale=12, xlabel="Hours a year")
    axes = figure.axes[0]
    heights = sum(bar.get_height() for container in axes.containers for bar in container)
    assert heights == len(did_result.placebo)  # no placebo is beyond the axis on this panel
    assert axes.get_xlabel() == "Hours a year" and axes.get_ylabel() == "Re-assignments"
    vertical = [line for line in axes.get_lines() if len(set(line.get_xdata())) == 1]
    assert vertical and vertical[0].get_xdata()[0] == pytest.approx(12 * did_result.estimate)
    danish = placebo_distribution(did_result, language="da").axes[0]
    assert danish.get_xlabel() == "Estimeret effekt"


def test_result_figures_render_to_the_same_bytes(results) -> None:  # type: ignore[no-untyped-def]
    from hjeval.plots import event_study_plot, placebo_distribution

    did_result, event = results
    for draw in (lambda: event_study_plot(event), lambda: placebo_distribution(did_result)):
        renders = []
        for _ in range(2):
            buffer = io.BytesIO()
            with styled():
                draw().savefig(buffer, format="png", metadata={"Software": None})
            renders.append(buffer.getvalue())
        assert renders[0] == renders[1]
