"""The report on money and time, on the region-scale synthetic data: computed, protected, in both languages."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hjeval.report.analysis import Analysis, analyse
from hjeval.report.render import Numbers
from hjeval.report.tables import publish_tables
from tests.reports import visible_text


@pytest.fixture(scope="module")
def analysis(region_analysis: Analysis) -> Analysis:
    return region_analysis


@pytest.fixture(scope="module")
def reports(region_reports: dict[str, Path]) -> dict[str, Path]:
    return region_reports


def test_the_summary_says_whether_it_paid_off_from_the_cost_benefit(analysis: Analysis,
                                                                   reports: dict[str, Path]) -> None:
    cost = analysis.cost
    assert cost is not None and cost.n_draws > 50
    last = int(cost.table["year"].iloc[-1])
    for language, opening, payback, not_yet in (
            ("da", "Med {prob} sandsynlighed har investeringen på {invested} mio. kr. betalt sig hjem ved udgangen "
                   f"af {last}", "tjente investeringen sig ind i {year}", "havde investeringen endnu ikke tjent sig"),
            ("en", "With {prob} probability the investment of {invested} million DKK had paid for itself by the end "
                   f"of {last}", "the investment paid for itself in {year}", "had not yet paid for itself")):
        fmt = Numbers(language)  # type: ignore[arg-type]
        text = visible_text((reports[language] / "report.html").read_text(encoding="utf-8"))
        summary = text[:text.index("Nøgletal" if language == "da" else "Key figures")]
        assert opening.format(prob=fmt.percent(cost.prob_paid_off), invested=fmt(cost.total_investment / 1e6, 1)) \
            in summary
        if cost.payback_year is None:
            assert not_yet in summary
        else:
            assert payback.format(year=cost.payback_year) in summary
        assert ("Har investeringen betalt sig?" if language == "da" else "Did the investment pay off?") in text
        assert ("Tid på offentlig forsørgelse" if language == "da" else "Time on public support") in text


def test_the_probability_is_the_share_of_draws_that_cover_the_investment(analysis: Analysis) -> None:
    cost = analysis.cost
    assert cost is not None
    cumulative = cost.savings_draws.sum(axis=1).to_numpy() - cost.total_investment
    assert cost.prob_paid_off == pytest.approx(float(np.mean(cumulative >= 0)))
    cumulative_net = cost.table["cumulative_net_dkk"].to_numpy()
    paid = np.flatnonzero(cumulative_net >= 0)
    assert cost.payback_year == (int(cost.table["year"].iloc[paid[0]]) if len(paid) else None)


def test_published_money_and_persons_are_the_estimates(analysis: Analysis, reports: dict[str, Path]) -> None:
    assert analysis.cost is not None and analysis.persons is not None
    published = pd.read_csv(reports["en"] / "tables" / "cost_benefit.csv")
    expected = analysis.cost.to_frame()
    for column in ("year", "savings_dkk", "investment_dkk", "net_dkk", "cumulative_net_dkk"):
        np.testing.assert_allclose(published[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float),
                                   rtol=1e-12)
    persons = pd.read_csv(reports["en"] / "tables" / "persons_off_support.csv")
    np.testing.assert_allclose(persons["persons_off_support"], analysis.persons.series.to_numpy(), rtol=1e-12)
    last = persons.iloc[-1]
    text = visible_text((reports["en"] / "report.html").read_text(encoding="utf-8"))
    assert (f"In {int(last['year'])}, {abs(last['persons_off_support']):,.0f} "
            f"{'fewer' if last['persons_off_support'] >= 0 else 'more'} full-time persons") in text


def test_time_on_support_shows_no_cell_or_curve_step_on_fewer_persons(analysis: Analysis,
                                                                       reports: dict[str, Path]) -> None:
    curves = pd.read_csv(reports["en"] / "tables" / "survival_curves.csv")
    assert "at_risk" not in curves.columns and len(curves) > 100
    threshold = analysis.config.disclosure_threshold
    full = analysis.duration.curves if analysis.duration is not None else pd.DataFrame()
    merged = curves.merge(full[full["municipality"].isna()], on=["role", "window", "months"], how="left")
    assert (merged["at_risk"] >= threshold).all()
    windows = pd.read_csv(reports["en"] / "tables" / "time_on_support.csv")
    assert set(zip(windows["role"], windows["window"], strict=True)) == {
        (r, w) for r in ("treated", "comparison") for w in ("before", "after")}
    assert (windows["persons"] >= threshold).all()


def test_a_threshold_above_the_treated_spells_withholds_time_on_support(analysis: Analysis) -> None:
    original = analysis.duration.windows if analysis.duration is not None else pd.DataFrame()
    treated = original[original["municipality"].isna() & (original["role"] == "treated")]
    threshold = int(treated["persons"].min()) + 1  # the treated windows have about 800 persons each
    strict = analyse(dataclasses.replace(analysis.config, disclosure_threshold=threshold))
    published = publish_tables(strict)
    # no horizon has that many persons at risk in every window: no weeks, no curves, and the report says why
    assert strict.duration is None
    assert "time_on_support" not in published.tables and "survival_curves" not in published.tables
    assert any(note.startswith("Time on support:") for note in strict.notes)
    from hjeval.report.payoff import payoff_context

    context = payoff_context(strict, published.tables, "en", Numbers("en"))
    assert not context["support_texts"] and context["payoff_texts"][-1].startswith(
        "The duration of spells cannot be measured")
