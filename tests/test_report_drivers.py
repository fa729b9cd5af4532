"""The report's chapter on phases, subgroups and copying municipalities, on the region-scale synthetic data."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hjeval.data.combine import attach
from hjeval.data.loaders import load_cycle, load_hours
from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.report.analysis import Analysis, _in_memory
from hjeval.report.drivers import analyse_drivers, region_members
from hjeval.report.drivers_section import drivers_context
from hjeval.report.render import Numbers
from hjeval.report.rows import FrameRows
from hjeval.report.tables import publish_tables
from tests.reports import visible_text

LANGUAGES = ("da", "en")


@pytest.fixture(scope="module")
def analysis(region_analysis: Analysis) -> Analysis:
    return region_analysis


@pytest.fixture(scope="module")
def reports(region_reports: dict[str, Path]) -> dict[str, Path]:
    return region_reports


def _text(reports: dict[str, Path], language: str) -> str:
    return visible_text((reports[language] / "report.html").read_text(encoding="utf-8"))


def test_the_dose_sentence_is_the_estimate_in_both_languages(analysis: Analysis, reports: dict[str, Path]) -> None:
    dose = analysis.drivers.dose
    assert dose is not None and dose.estimate < 0  # fewer cases, more hours
    for language, sentence in (("da", "For hver sag færre pr. sagsbehandler arbejdede målgruppen {slope} timer mere"),
                               ("en", "For each case fewer per caseworker the target group worked {slope} hours more")):
        fmt = Numbers(language)  # type: ignore[arg-type]
        text = _text(reports, language)
        assert sentence.format(slope=fmt(abs(12 * dose.estimate), 1)) in text
        assert fmt(100 * float(dose.identification["treated_share"]), 0) in text


def test_the_phase_sentences_and_table_are_the_estimates(analysis: Analysis, reports: dict[str, Path]) -> None:
    phased = analysis.drivers.phased
    assert phased is not None
    frame = phased.to_frame().set_index("term")
    published = pd.read_csv(reports["en"] / "tables" / "phases.csv").set_index("term")
    np.testing.assert_allclose(published.loc[["caseload", "team"], "hours_per_year"], 12 * frame["estimate"],
                               rtol=1e-12)
    assert published.loc["difference", "hours_per_year"] == pytest.approx(12 * phased.difference["estimate"])
    assert published.loc["caseload", "first_month"] == "2015-01" and published.loc["team", "first_month"] == "2015-10"
    first, difference = frame.loc["caseload"], phased.difference
    for language, opening, larger in (
            ("da", "Allerede i den første fase (lavere sagsstamme, januar–september 2015) var effekten {e} timer",
             "var effekten {d} timer om året større end i den første"),
            ("en", "Already in the first phase (lower caseload, January–September 2015) the effect was {e} hours",
             "the effect was {d} hours a year larger than in the first")):
        fmt = Numbers(language)  # type: ignore[arg-type]
        text = _text(reports, language)
        assert opening.format(e=fmt(12 * first["estimate"], 1, sign=True)) in text
        assert fmt.interval(12 * first["ci_low"], 12 * first["ci_high"]).replace(" – ", " til " if language == "da"
                                                                                 else " to ") in text
        assert larger.format(d=fmt(12 * difference["estimate"])) in text


def test_the_true_phase_effects_lie_in_the_published_intervals(synthetic_region: Path, analysis: Analysis,
                                                                reports: dict[str, Path]) -> None:
    truth = json.loads((synthetic_region / "truth.json").read_text(encoding="utf-8"))["phase_effects"]
    group = truth[analysis.config.evaluation.benefit_group]
    published = pd.read_csv(reports["da"] / "tables" / "phases.csv").set_index("term")
    for term, true in (("caseload", group["caseload"]["hours_per_month"]), ("team", group["team"]["hours_per_month"]),
                       ("difference", group["team_minus_caseload"])):
        row = published.loc[term]
        assert row["ci_low"] <= 12 * true <= row["ci_high"], (term, 12 * true, row["ci_low"], row["ci_high"])


def test_the_subgroups_are_the_estimates_in_both_languages(analysis: Analysis, reports: dict[str, Path]) -> None:
    drivers = analysis.drivers
    assert drivers.present == ("sex", "origin", "interventions") and not drivers.missing
    published = pd.read_csv(reports["en"] / "tables" / "subgroups.csv").set_index(["characteristic", "level"])
    for characteristic, result in drivers.subgroups.items():
        frame = result.to_frame()
        for record in frame.to_dict("records"):
            row = published.loc[(characteristic, str(record[frame.columns[0]]))]
            assert row["hours_per_year"] == pytest.approx(12 * record["estimate"], rel=1e-12)
            assert row["p_adjusted"] == pytest.approx(record["p_adjusted"], rel=1e-12)
    assert result.adjust == "holm"
    women = drivers.women_integration
    assert women is not None and drivers.women_reason == ""
    female = women.to_frame().set_index("sex").loc["F"]
    assert published.loc[("women_integration", "F"), "hours_per_year"] == pytest.approx(12 * female["estimate"])
    few = drivers.subgroups["interventions"].to_frame().set_index("interventions_band")
    for language, few_sentence, women_sentence, heading in (
            ("da", "Borgere med få indsatser (højst 1 indtil da) fik en effekt på {few} timer om året",
             "Kvinder på integrationsydelse er estimeret for sig på data for modtagere af integrationsydelse: {w} "
             "timer om året", "Hvem fik gavn af reformen?"),
            ("en", "Citizens with few interventions (at most 1 so far) gained {few} hours a year",
             "Women on integration benefit are estimated separately on the integration-benefit recipients' data: "
             "{w} hours a year", "Who gained?")):
        fmt = Numbers(language)  # type: ignore[arg-type]
        text = _text(reports, language)
        assert few_sentence.format(few=fmt(12 * few.loc["few", "estimate"])) in text
        assert women_sentence.format(w=fmt(12 * female["estimate"], 1, sign=True)) in text
        assert heading in text
        assert ("køn (sex), oprindelse (origin) og antal indsatser (interventions)" if language == "da"
                else "sex (sex), origin (origin) and number of interventions (interventions)") in text
    html = (reports["da"] / "report.html").read_text(encoding="utf-8")
    assert 'id="figure-subgroups"' in html and (reports["da"] / "figures" / "subgroups.png").is_file()


def test_no_published_cell_rests_on_fewer_than_the_threshold(analysis: Analysis, reports: dict[str, Path]) -> None:
    threshold = analysis.config.disclosure_threshold
    counts = analysis.drivers.subgroup_persons.set_index(["characteristic", "level"])["persons"]
    for language in LANGUAGES:
        subgroups = pd.read_csv(reports[language] / "tables" / "subgroups.csv")
        assert (subgroups["persons"].dropna() >= threshold).all()
        for row in subgroups.itertuples(index=False):
            if pd.notna(row.hours_per_year):
                n = (analysis.drivers.women_persons if row.characteristic == "women_integration"
                     else counts[(row.characteristic, row.level)])
                assert n >= threshold, row
        phases = pd.read_csv(reports[language] / "tables" / "phases.csv")
        assert (phases.dropna(subset=["hours_per_year"])["persons"] >= threshold).all()
        copying = pd.read_csv(reports[language] / "tables" / "copying.csv")
        assert (copying.dropna(subset=["mde_hours_per_year"])["persons"] >= threshold).all()


@pytest.mark.filterwarnings("ignore::hjeval.errors.HjevalWarning")  # the inference record has them
def test_a_threshold_above_a_level_withholds_it_and_a_complement(analysis: Analysis) -> None:
    counts = analysis.drivers.subgroup_persons.set_index(["characteristic", "level"])["persons"]
    western = int(counts[("origin", "western")])  # the smallest origin in Hjørring (about 90 persons)
    strict = dataclasses.replace(analysis.config, disclosure_threshold=western + 1)
    config = strict.evaluation
    inputs = _in_memory(strict, load_cycle(strict.data.cycle))
    notes: list[str] = []
    members = set(MUNICIPALITIES)
    drivers = analyse_drivers(strict, inputs.group, inputs.integration, analysis.main, members,
                              {"cycle": config.cycle, "cycle_method": config.cycle_method}, notes)
    published = publish_tables(dataclasses.replace(analysis, config=strict, drivers=drivers))
    table = published.tables["subgroups"].set_index(["characteristic", "level"])
    assert table.loc[("origin", "western")].drop("persons").isna().all()
    origin = table.loc["origin"]
    assert origin["persons"].isna().sum() == 2, "a second origin's count is withheld so the first cannot be derived"
    assert str(western) not in " ".join(drivers_context(
        dataclasses.replace(analysis, config=strict, drivers=drivers), published.tables, "en",
        Numbers("en"))["subgroup_texts"])


def test_the_copying_table_is_the_power_results(analysis: Analysis, reports: dict[str, Path]) -> None:
    drivers = analysis.drivers
    assert sorted(drivers.copying_results) == region_members(860)
    published = pd.read_csv(reports["en"] / "tables" / "copying.csv").set_index("municipality")
    for code, result in drivers.copying_results.items():
        assert published.loc[code, "mde_hours_per_year"] == pytest.approx(12 * result.mde, rel=1e-12)
        assert published.loc[code, "power_at_effect"] == pytest.approx(result.power_at(analysis.main), rel=1e-9)
        assert result.planned_start == pd.Period("2015-01", "M")
    low, high = published["mde_hours_per_year"].idxmin(), published["mde_hours_per_year"].idxmax()
    for language, sentence in (
            ("da", "Den mindste påviselige effekt ligger mellem {low} timer om året ({low_name}) og {high} timer"),
            ("en", "The minimum detectable effect lies between {low} hours a year ({low_name}) and {high} hours")):
        fmt = Numbers(language)  # type: ignore[arg-type]
        assert sentence.format(low=fmt(published.loc[low, "mde_hours_per_year"]), low_name=published.loc[low, "name"],
                               high=fmt(published.loc[high, "mde_hours_per_year"])) in _text(reports, language)


@pytest.mark.filterwarnings("ignore::hjeval.errors.HjevalWarning")  # the inference record has them
def test_missing_pieces_become_notes_and_words(analysis: Analysis) -> None:
    spec = analysis.config.evaluation
    config = dataclasses.replace(analysis.config, evaluation=dataclasses.replace(
        spec, phases=(("caseload", "2015-01"), ("team", "2031-01"))))  # after the data: cannot be estimated
    hours = load_hours(config.data.hours, level="person").drop(columns=["sex"])
    cycle = load_cycle(config.data.cycle)
    group = FrameRows(attach(hours[hours["benefit_group"] == spec.benefit_group], cycle, [spec.cycle]), spec.outcome)
    notes: list[str] = []
    drivers = analyse_drivers(config, group, lambda: None, analysis.main, {860, *region_members(860)},
                              {"cycle": spec.cycle, "cycle_method": spec.cycle_method}, notes)
    assert drivers.phased is None and any(note.startswith("Phases:") for note in notes)
    assert drivers.missing == ("sex",) and drivers.women_reason == "no_sex"
    changed = dataclasses.replace(analysis, config=config, drivers=drivers)
    published = publish_tables(changed)
    assert "phases" not in published.tables
    for language, phases, missing, women in (
            ("da", "Effekten kan ikke opdeles på de angivne faser", "Data har ikke kolonnen sex",
             "Kvinder på integrationsydelse kan ikke estimeres: data har ikke kolonnen sex."),
            ("en", "The effect cannot be split by the configured phases", "The data have no column sex",
             "Women on integration benefit cannot be estimated: the data have no column sex.")):
        context = drivers_context(changed, published.tables, language, Numbers(language))  # type: ignore[arg-type]
        assert context["phases_table"] is None and context["phase_texts"][0].startswith(phases)
        assert any(text.startswith(missing) for text in context["subgroup_texts"])
        assert women in context["subgroup_texts"]
