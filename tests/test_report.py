"""The evaluation report: configuration, disclosure-safe outputs, determinism, HTML and PDF.

The data are a small panel built to contain small cells: the treated municipality has only
three persons in its first year (so that year is suppressed, and with it a second pre-reform
year, because the pre-reform total is published), and Læsø has three persons in all. Three persons
of each municipality are of western origin, so that level is withheld in the subgroups.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pytest

from hjeval import DataError
from hjeval.cli import main as cli
from hjeval.disclosure import check_no_identifiers
from hjeval.report import EXAMPLE_CONFIG, build_report, load_config
from hjeval.report.analysis import Analysis, analyse
from hjeval.results.effect import EffectResult
from tests.reports import EPOCH, visible_text

ROOT = Path(__file__).resolve().parents[1]
TREATED = 860
SMALL = 825  # Læsø
COMPARISON = [813, 810, 849, 851, 846, 840, 820, 787, 773, SMALL, 101, 147, 151, 461]
MONTHS = pd.period_range("2012-01", "2017-12", freq="M")


def _panels(folder: Path, seed: int = 3, treated_persons: int = 60,
            comparison_persons: dict[int, int] | None = None, treated: int = TREATED,
            caseload_after: float = 350.0, effect: float = 4.0) -> None:
    """A small panel; ``treated`` gets the reform, its caseload goes from 750 to ``caseload_after`` cases."""
    rng = np.random.default_rng(seed)
    rows = []
    person = 4_000_000_000
    others = [c for c in [TREATED, *COMPARISON] if c != treated]
    cycle = {m: 6 + np.cumsum(rng.normal(0, 0.05, len(MONTHS))) - np.linspace(0, 2, len(MONTHS))
             for m in [treated, *others]}
    for municipality in [treated, *others]:
        persons = 3 if municipality == SMALL else (treated_persons if municipality == treated else 40)
        persons = (comparison_persons or {}).get(municipality, persons)
        for i in range(persons):
            person += 1
            # in the treated municipality only three persons are there in 2012
            first = 0 if municipality != treated or i < 3 else 12
            months = np.arange(first, len(MONTHS))
            post = (municipality == treated) & (MONTHS[months] >= pd.Period("2015-01", "M"))
            hours = (5 + 0.5 * (i % 4) - 0.8 * cycle[municipality][months] + effect * post
                     + rng.normal(0, 1.5, len(months))).clip(0, 160)
            rows.append(pd.DataFrame({
                "person_id": person, "municipality": municipality,
                "month": MONTHS[months].astype(str), "hours": hours, "benefit_group": "activity_ready_cash",
                # no random draws: the hours stay those of the panel without these columns
                "sex": "F" if i % 2 else "M",
                "origin": "western" if i < 3 else ("non_western" if i % 4 == 1 else "danish"),
                "interventions": (months % 4).astype("int16"),
            }))
    pd.concat(rows, ignore_index=True).to_parquet(folder / "hours.parquet", index=False)
    pd.DataFrame([
        {"municipality": m, "period": str(p), "unemployment_rate": round(float(cycle[m][j]), 4)}
        for m in cycle for j, p in enumerate(MONTHS)
    ]).to_csv(folder / "cycle.csv", index=False)
    caseload = []
    for m in cycle:
        for p in MONTHS:
            fte = 10.0
            cases = caseload_after if m == treated and p >= pd.Period("2015-01", "M") else 750.0
            caseload.append({"municipality": m, "period": str(p), "benefit_area": "cash_benefit",
                             "caseworker_fte": fte, "open_cases": cases})
    pd.DataFrame(caseload).to_csv(folder / "caseload.csv", index=False)
    pd.DataFrame([(2015, "investment", "", 1e6), (2016, "investment", "", 1e6)]
                 + [(y, "benefit_cost_per_full_time_person", "activity_ready_cash", 150e3) for y in (2015, 2016, 2017)],
                 columns=["year", "item", "benefit_group", "amount_dkk"]).to_csv(folder / "costs.csv", index=False)


CONFIG = """\
[report]
title = "Testrapport"
disclosure_threshold = 5
seed = 0

[data]
hours = "hours.parquet"
cycle = "cycle.csv"
caseload = "caseload.csv"
costs = "costs.csv"

[evaluation]
treated = 860
start = "2015-01"
comparison = "all"
cycle_method = "covariate"

[robustness]
comparison_pools = ["north_jutland"]
event_window = [-6, 5]
event_bin = 6

[phases]
caseload = "2015-01"
team = "2015-10"
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report_data")
    _panels(folder)
    (folder / "evaluation.toml").write_text(CONFIG, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports") / "test"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_report(data_dir / "evaluation.toml", out)
    return out


# --- configuration -----------------------------------------------------------------------------------------------

def test_example_config_is_shipped_and_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert (ROOT / "evaluation.toml").read_text(encoding="utf-8") == EXAMPLE_CONFIG
    assert cli(["report", "--example-config"]) == 0
    assert capsys.readouterr().out == EXAMPLE_CONFIG


def test_example_config_reads_with_every_key(tmp_path: Path) -> None:
    for name in ("hours_person_month.parquet", "cycle.csv", "caseload.csv", "costs.csv"):
        (tmp_path / "data" / "synthetic").mkdir(parents=True, exist_ok=True)
        (tmp_path / "data" / "synthetic" / name).write_bytes(b"")
    (tmp_path / "evaluation.toml").write_text(EXAMPLE_CONFIG, encoding="utf-8")
    config = load_config(tmp_path / "evaluation.toml")
    assert config.evaluation.comparison_pools == ("north_jutland", "rural")
    assert config.evaluation.event_window == (-6, 9)
    assert config.evaluation.phases == (("caseload", "2015-01"), ("team", "2015-10"))
    assert config.data.caseload == (tmp_path / "data" / "synthetic" / "caseload.csv").resolve()


@pytest.mark.parametrize(("change", "message"), [
    (('language = "da"', 'language = "fr"'), r"\[report\]: language = 'fr'; choose one of \['da', 'en'\]"),
    (("disclosure_threshold = 5", "disclosure_threshold = 0"), "disclosure_threshold = 0 must be at least 1"),
    (("disclosure_threshold = 5", 'disclosure_threshold = "5"'), "disclosure_threshold = '5' must be of type int"),
    (('cycle = "data', 'cycle = "nowhere'), r"\[data\]: cycle = 'nowhere.*no such file"),
    (("treated = 860", "treated = 860\ncolour = 1"), r"\[evaluation\]: unknown key\(s\) \['colour'\]"),
    (('comparison = "all"', 'comparison = "europe"'), "comparison = 'europe'; choose one of"),
    (("event_window = [-6, 9]", "event_window = [2, 9]"), "event_window = \\[2, 9\\]: two integers"),
    (("alpha = 0.05", "alpha = 0.7"), "alpha = 0.7 must lie between 0 and 0.5"),
    (("size_correction = true", 'size_correction = "no"'), "size_correction = 'no' must be of type bool"),
    (("[robustness]", "[robustnes]"), r"unknown table\(s\) \['robustnes'\]"),
    (("[report]", "[report"), "not valid TOML"),
    (('caseload = "2015-01"', 'caseload = "2015-02"'), r"\[phases\]: caseload = '2015-02': the first phase must start"),
    (('team = "2015-10"', 'team = "2014-10"'), r"\[phases\]: team = '2014-10' is not after caseload"),
    (('team = "2015-10"', 'team = "autumn"'), r"\[phases\]: team = 'autumn' is not a month"),
    (('team = "2015-10"', "team = 2015"), r"\[phases\]: team = 2015 must be a month as text"),
])
def test_config_errors_name_file_table_and_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    (tmp_path / "data" / "synthetic").mkdir(parents=True)
    for name in ("hours_person_month.parquet", "cycle.csv", "caseload.csv", "costs.csv"):
        (tmp_path / "data" / "synthetic" / name).write_bytes(b"")
    path = tmp_path / "bad.toml"
    assert change[0] in EXAMPLE_CONFIG
    path.write_text(EXAMPLE_CONFIG.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(DataError, match=message) as caught:
        load_config(path)
    assert "bad.toml" in str(caught.value)


def test_missing_config_file_says_how_to_get_one(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="--example-config"):
        load_config(tmp_path / "absent.toml")


# --- the built report --------------------------------------------------------------------------------------------

def test_layout_is_stable(built: Path) -> None:
    files = sorted(str(p.relative_to(built)) for p in built.rglob("*") if p.is_file())
    assert files == sorted([
        "report.html", "report.pdf", "manifest.json",
        *(f"figures/{n}.{e}" for n in ("caseload", "outcome", "decomposition", "event_study", "placebo",
                                        "cost_benefit", "synthetic", "dose", "subgroups")
          for e in ("png", "svg")),
        *(f"tables/{n}.csv" for n in ("alternatives", "caseload", "decomposition", "event_study",
                                      "outcome_by_period", "placebo", "raw_comparison", "persons_off_support",
                                      "cost_benefit", "phases", "subgroups", "copying")),
    ])
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_html_is_self_contained(built: Path) -> None:
    html = (built / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "@import" not in html and "url(http" not in html
    images = re.findall(r'<img src="([^"]+)"', html)
    drawn = len(list((built / "figures").glob("*.png")))
    assert drawn == 9 and len(images) == drawn
    assert all(src.startswith("data:image/png;base64,") for src in images)


def test_no_number_rests_on_fewer_than_the_threshold(built: Path) -> None:
    for path in (built / "tables").glob("*.csv"):
        table = pd.read_csv(path)
        if path.name == "subgroups.csv":  # a count withheld as a complement keeps its estimate: see below
            assert (table["persons"].dropna() >= 5).all()
            continue
        if "persons" in table:
            shown = table["persons"].dropna()
            assert (shown >= 5).all(), f"{path.name}: a shown cell rests on fewer than 5 persons"
            # a hidden count hides every number of its row
            hidden = table[table["persons"].isna()].drop(columns=["persons"]).select_dtypes("number")
            labels = ("period", "rel_time", "months_from", "municipality")
            hidden = hidden.drop(columns=[c for c in labels if c in hidden])
            assert hidden.isna().all().all(), f"{path.name}: numbers shown beside a hidden count"


def test_small_cells_are_suppressed_with_a_complement(built: Path) -> None:
    outcome = pd.read_csv(built / "tables" / "outcome_by_period.csv", dtype={"period": str})
    treated = outcome[outcome["series"] == "treated"].set_index("period")
    assert pd.isna(treated.loc["2012", "hours_per_year"])  # 3 persons: primary
    before = treated.loc[["2012", "2013", "2014"], "hours_per_year"]
    assert before.isna().sum() == 2, "the pre-reform total is published, so a second pre-reform year is hidden"
    raw = pd.read_csv(built / "tables" / "raw_comparison.csv").set_index("series")
    assert np.isfinite(raw.loc["treated_before", "hours_per_year"])
    placebo = pd.read_csv(built / "tables" / "placebo.csv").set_index("municipality")
    assert pd.isna(placebo.loc[SMALL, "hours_per_year"]) and pd.isna(placebo.loc[SMALL, "persons"])
    assert placebo.drop(index=SMALL)["hours_per_year"].notna().all()
    event = pd.read_csv(built / "tables" / "event_study.csv").set_index("rel_time")
    # both halves of 2012 in the treated municipality
    assert event.loc[[-6, -5], "hours_per_year"].isna().all() and event.loc[-4:, "hours_per_year"].notna().all()
    manifest = (built / "manifest.json").read_text(encoding="utf-8")
    # primary: 2012 in the outcome table, two event-study bins, Læsø's placebo, the western-origin subgroup and
    # Læsø's row of the copying table; secondary: one more pre-reform year and a second origin's count
    assert '"primary": 6' in manifest and '"secondary": 2' in manifest


def test_small_subgroups_and_copying_municipalities_are_withheld(built: Path) -> None:
    subgroups = pd.read_csv(built / "tables" / "subgroups.csv").set_index(["characteristic", "level"])
    western = subgroups.loc[("origin", "western")]
    assert western.drop(["persons"]).isna().all() and pd.isna(western["persons"])  # 3 persons in Hjørring
    origin = subgroups.loc["origin"]
    # the levels add up to Hjørring's persons: a second count is withheld, its estimate (on 15 persons) kept
    assert origin["persons"].isna().sum() == 2 and origin["hours_per_year"].notna().sum() == 2
    assert subgroups.loc[("sex", "F"), "persons"] == 30 and subgroups.loc[("interventions", "few"), "persons"] >= 5
    copying = pd.read_csv(built / "tables" / "copying.csv").set_index("municipality")
    assert set(copying.index) == {773, 787, 810, 813, 820, 825, 840, 846, 849, 851}
    assert copying.loc[SMALL, "status"] == "withheld" and copying.loc[SMALL].drop(["name", "status"]).isna().all()
    # 14 comparison municipalities: a 5 % placebo test can never reject, and the table says so
    assert np.isinf(copying.drop(index=SMALL)["mde_hours_per_year"]).all()
    phases = pd.read_csv(built / "tables" / "phases.csv")
    assert phases["term"].tolist() == ["caseload", "team", "difference"] and (phases["persons"] >= 5).all()
    text = visible_text((built / "report.html").read_text(encoding="utf-8"))
    assert "Vestlig oprindelse · · · · ·" in text and "kan ikke påvises" in text
    assert "Kvinder på integrationsydelse kan ikke estimeres: data har ingen rækker med integrationsydelse" in text


def test_suppressed_values_cannot_be_recovered_from_the_published_totals(built: Path) -> None:
    from hjeval.disclosure import Margin, check_protected

    outcome = pd.read_csv(built / "tables" / "outcome_by_period.csv", dtype={"period": str})
    raw = pd.read_csv(built / "tables" / "raw_comparison.csv")
    treated = outcome[outcome["series"] == "treated"]
    hours = treated["hours_per_year"] * treated["person_months"]
    before = raw.set_index("series").loc["treated_before"]
    published = pd.DataFrame({
        "period": [*treated["period"], "before"],
        "hours": [*hours, before["hours_per_year"] * before["person_months"]],
    })
    pre = tuple(p for p in treated["period"] if p < "2015")
    check_protected(published, dims=["period"], margins=[Margin("period", "before", pre)], columns=["hours"])
    # and the check is not empty: putting the hidden primary cell back makes the complement recoverable
    leaked = published.copy()
    leaked.loc[leaked["period"] == "2012", "hours"] = 1.0
    with pytest.raises(DataError, match="can be computed"):
        check_protected(leaked, dims=["period"], margins=[Margin("period", "before", pre)], columns=["hours"])


def test_no_person_identifier_in_any_output(built: Path, data_dir: Path) -> None:
    ids = pd.read_parquet(data_dir / "hours.parquet", columns=["person_id"])["person_id"].unique()
    for path in built.rglob("*"):
        if path.suffix in {".html", ".csv", ".svg", ".json"}:
            check_no_identifiers(path, ids)


def test_danish_by_default_with_danish_numbers(built: Path) -> None:
    html = (built / "report.html").read_text(encoding="utf-8")
    assert '<html lang="da">' in html and "timer om året" in html and "Udarbejdet 2026-09-21" in html
    estimate = pd.read_csv(built / "tables" / "alternatives.csv")["hours_per_year"].iloc[0]
    assert f"{estimate:+.1f}".replace(".", ",") in html


def test_manifest_records_inputs_config_and_outputs(built: Path, data_dir: Path) -> None:
    import hashlib
    import json

    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_date"] == "2026-09-21" and manifest["seed"] == 0
    hours = next(i for i in manifest["inputs"] if i["role"] == "hours")
    assert hours["sha256"] == hashlib.sha256((data_dir / "hours.parquet").read_bytes()).hexdigest()
    assert manifest["config"]["text"] == CONFIG
    for name, digest in manifest["outputs"].items():
        assert hashlib.sha256((built / name).read_bytes()).hexdigest() == digest


def test_same_inputs_give_the_same_bytes(built: Path, data_dir: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again = build_report(data_dir / "evaluation.toml", tmp_path / "again", pdf=False).folder
    for path in again.rglob("*"):
        if path.is_file() and path.name != "manifest.json":
            assert path.read_bytes() == (built / path.relative_to(again)).read_bytes(), path.name


def test_english_on_request(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert cli(["report", "--config", str(data_dir / "evaluation.toml"), "--out", str(tmp_path / "en"),
                "--lang", "en", "--no-pdf"]) == 0
    html = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "hours a year" in html and "timer om året" not in html
    assert not (tmp_path / "en" / "report.pdf").exists()


def test_failed_build_leaves_the_previous_report(built: Path, data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "kept"
    shutil.copytree(built, target)
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    broken = tmp_path / "broken"
    shutil.copytree(data_dir, broken)
    (broken / "cycle.csv").write_text("municipality,period,unemployment_rate\n860,2012-01,abc\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"cycle\.csv"):
        build_report(broken / "evaluation.toml", target)
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_too_few_treated_persons_publish_nothing(tmp_path: Path) -> None:
    _panels(tmp_path, treated_persons=3)
    (tmp_path / "evaluation.toml").write_text(CONFIG, encoding="utf-8")
    with pytest.raises(DataError, match="fewer than the disclosure threshold of 5"):
        build_report(tmp_path / "evaluation.toml", tmp_path / "out", pdf=False)
    assert not (tmp_path / "out").exists()


def test_cli_reports_bad_config_as_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["report", "--config", str(tmp_path / "none.toml"), "--out", str(tmp_path / "r")]) == 2
    assert "no such configuration file" in capsys.readouterr().err


# --- the inference in words, and the size correction ------------------------------------------------------------

ENGLISH_LABELS = ("placebo permutation", "conley-taber over", "cluster-robust", "re-assignment")
# comparison municipalities of very different sizes, so that the size correction has something to do
SIZES = dict(zip([c for c in COMPARISON if c != SMALL], [6, 8, 10, 15, 20, 30, 45, 60, 80, 110, 150, 200, 260],
                 strict=True))


@pytest.fixture(scope="module")
def sized_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sized_data")
    _panels(folder, comparison_persons=SIZES)
    (folder / "evaluation.toml").write_text(CONFIG, encoding="utf-8")
    switched_off = CONFIG.replace('cycle_method = "covariate"\n',
                                  'cycle_method = "covariate"\nsize_correction = false\n')
    (folder / "uncorrected.toml").write_text(switched_off, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def sized(sized_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sized_reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return {
            "da": build_report(sized_dir / "evaluation.toml", out / "da", pdf=False).folder,
            "en": build_report(sized_dir / "evaluation.toml", out / "en", language="en", pdf=False).folder,
            "off": build_report(sized_dir / "uncorrected.toml", out / "off", pdf=False).folder,
        }


@pytest.fixture(scope="module")
def sized_analysis(sized_dir: Path) -> Analysis:
    return analyse(load_config(sized_dir / "evaluation.toml"))


def test_danish_report_has_no_english_inference_label(built: Path, sized: dict[str, Path]) -> None:
    for folder in (built, sized["da"], sized["off"]):
        text = visible_text((folder / "report.html").read_text(encoding="utf-8")).lower()
        assert "placebo-tildeling" in text and "størrelseskorrektion" in text
        for label in ENGLISH_LABELS:
            assert label not in text, f"{folder.name}: {label!r} in the Danish report"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (Debian package poppler-utils; scripts/test.sh installs it)")
    pdf = subprocess.run(["pdftotext", str(built / "report.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout.lower()
    assert "størrelseskorrektion" in " ".join(pdf.split())
    for label in ENGLISH_LABELS:
        assert label not in pdf


def test_every_method_is_worded_from_its_record_in_both_languages() -> None:
    from hjeval.inference.record import InferenceRecord, SizeCorrection
    from hjeval.report.methods import method_detail, method_name, method_paragraph
    from hjeval.report.render import Numbers

    model = SizeCorrection(True, "sizes differ", "persons", 0.1, 20.0, 500.0, (4.0, 900.0), 97)
    records = {
        "placebo": InferenceRecord("placebo", 4.0, 0.1, (3.8, 4.2), 0.01, 0.05, draws=97, exact=True,
                                   size_correction=model),
        "random": InferenceRecord("placebo", 4.0, 0.1, (3.8, 4.2), 0.01, 0.05, draws=999, seed=7),
        "conley-taber": InferenceRecord("conley-taber", 4.0, 0.1, (3.8, 4.2), 0.01, 0.05, draws=97, exact=True,
                                        size_correction=SizeCorrection(False, "switched off", "persons")),
        "cluster": InferenceRecord("cluster", 4.0, 0.1, (3.8, 4.2), 0.01, 0.05, clusters=98, treated_clusters=1,
                                   df=97.0, vcov="CR2", cluster_by="municipality"),
        "wild": InferenceRecord("wild-bootstrap", 4.0, 0.1, (3.8, 4.2), 0.01, 0.05, draws=999, clusters=98,
                                treated_clusters=1, vcov="CR1", bootstrap_weights="webb",
                                cluster_by="municipality"),
    }
    da, en = Numbers("da"), Numbers("en")
    detail = {k: method_detail(r, "da", da) for k, r in records.items()}
    assert detail["placebo"] == "placebo-tildeling til alle 97 sammenligningskommuner, størrelseskorrigeret"
    assert detail["random"] == "placebo-tildeling, 999 tilfældige tildelinger, ikke størrelseskorrigeret"
    assert detail["conley-taber"] == "Conley–Taber, 97 sammenligningskommuner, ikke størrelseskorrigeret"
    assert detail["cluster"] == ("klyngerobuste standardfejl (CR2), 98 kommuner som klynger, t-fordeling med 97 "
                                 "frihedsgrader; ikke gyldige med kun 1 behandlet kommune")
    assert detail["wild"] == ("wild bootstrap på klyngeniveau (restringeret, Webb-vægte, 999 trækninger, 98 kommuner "
                              "som klynger); upålidelig med kun én behandlet kommune")
    assert method_detail(records["cluster"], "en", en) == (
        "cluster-robust standard errors (CR2), 98 municipalities as clusters, t distribution with 97 degrees of "
        "freedom; not valid with only 1 treated municipality")
    assert method_detail(records["wild"], "en", en).startswith("wild cluster bootstrap (restricted, Webb weights, 999")
    assert method_name(records["placebo"], "da") == "placebo-test, størrelseskorrigeret"
    assert method_name(records["placebo"], "en") == "placebo test, size-corrected"
    assert "frø 7" in method_paragraph(records["random"], "Hjørring", "da", da)
    for record in records.values():
        danish = " ".join([method_detail(record, "da", da), method_name(record, "da"),
                           method_paragraph(record, "Hjørring", "da", da)]).lower()
        assert not [label for label in ENGLISH_LABELS if label in danish]
        assert method_paragraph(record, "Hjørring", "en", en) != method_paragraph(record, "Hjørring", "da", da)


def test_size_correction_paragraph_is_computed_from_the_fitted_model(sized: dict[str, Path],
                                                                     sized_analysis: Analysis) -> None:
    from hjeval.report.render import Numbers

    main = sized_analysis.main
    model = main.inference.size_correction
    assert model is not None and model.applied and model.slope > 0
    # the typical comparison municipality: the lower median of the comparison sizes
    sizes = sorted([*SIZES.values(), 3])  # with Læsø's 3 persons
    typical = sizes[(len(sizes) - 1) // 2]
    sd = {size: 12 * np.sqrt(model.intercept + model.slope / size) for size in (model.treated_size, typical, 5)}
    languages: tuple[tuple[Literal["da", "en"], str], ...] = (
        ("da", "Korrektion for kommunernes størrelse"), ("en", "Correction for the municipalities' size"))
    for language, heading in languages:
        fmt = Numbers(language)
        text = visible_text((sized[language] / "report.html").read_text(encoding="utf-8"))
        assert heading in text
        per_person = "timer om året pr. person" if language == "da" else "hours a year per person"
        expected = [
            f"{fmt(12 * np.sqrt(model.slope))} {per_person}",
            fmt(sd[model.treated_size]), fmt(sd[typical]), fmt(sd[5]),
            f"({typical} {'personer' if language == 'da' else 'persons'})",
            fmt(float(model.treated_size), 0), fmt(float(model.size_range[1]), 0),
            f"{model.fitted_groups} {'sammenligningskommuner' if language == 'da' else 'comparison municipalities'}",
            fmt(sd[model.treated_size] / sd[typical], 2),
            "Ferman",
        ]
        missing = [number for number in expected if number not in text]
        assert not missing, f"{language}: {missing} not in the size-correction paragraph"
        # Læsø has 3 persons: its size is below the threshold and is not shown
        assert ("færre end 5" if language == "da" else "fewer than 5") in text
        off = sized_analysis.uncorrected
        assert off is not None and fmt.pvalue(off.pvalue) in text
    danish = visible_text((sized["da"] / "report.html").read_text(encoding="utf-8"))
    assert "først omregnet til Hjørrings størrelse" in danish  # the summary's placebo sentence
    assert "Placebo-estimaterne er omregnet til Hjørrings størrelse" in danish  # the figure caption


def test_size_correction_switched_off_in_the_config(sized: dict[str, Path], sized_analysis: Analysis) -> None:
    import json

    manifest = json.loads((sized["off"] / "manifest.json").read_text(encoding="utf-8"))
    record = manifest["inference"]
    assert record["size_correction"]["applied"] is False and record["size_correction"]["reason"] == "switched off"
    assert sized_analysis.uncorrected is not None
    uncorrected = sized_analysis.uncorrected.inference
    assert record["se"] == pytest.approx(uncorrected.se) and record["se"] != pytest.approx(sized_analysis.main.se)
    alternatives = pd.read_csv(sized["off"] / "tables" / "alternatives.csv").set_index("variant")
    assert "uncorrected" not in alternatives.index and not alternatives.loc["main", "size_corrected"]
    corrected = pd.read_csv(sized["da"] / "tables" / "alternatives.csv").set_index("variant")
    assert corrected.loc["main", "size_corrected"]
    assert alternatives.loc["main", "p_value"] == pytest.approx(corrected.loc["uncorrected", "p_value"])
    text = visible_text((sized["off"] / "report.html").read_text(encoding="utf-8"))
    assert "størrelseskorrektionen er slået fra i konfigurationen" in text  # the summary says so
    assert "(size_correction = false)" in text  # and the appendix
    assert "p-værdi (placebo-test, ikke størrelseskorrigeret)" in text
    assert "først omregnet" not in text and "Placebo-estimaterne er omregnet" not in text


def test_placebo_figure_says_the_placebos_are_rescaled(sized_analysis: Analysis) -> None:
    from hjeval.plots import placebo_distribution

    def legend(result: EffectResult | None, language: Literal["da", "en"]) -> str:
        assert result is not None
        box = placebo_distribution(result, language=language, treated_label="Hjørring").axes[0].get_legend()
        assert box is not None
        return " ".join(t.get_text() for t in box.get_texts())

    assert "omregnet til samme størrelse som Hjørring" in legend(sized_analysis.main, "da")
    assert "rescaled to the size of Hjørring" in legend(sized_analysis.main, "en")
    assert "omregnet" not in legend(sized_analysis.uncorrected, "da")


def test_inference_warnings_are_worded_in_the_report_language(sized_analysis: Analysis) -> None:
    from dataclasses import replace

    from hjeval.report.methods import inference_notes
    from hjeval.report.render import Numbers

    # 14 re-assignments cannot bound a 95% interval: the inference warns (in English), the record says so
    assert not np.isfinite(sized_analysis.main.ci).any()
    assert not [n for n in sized_analysis.notes if "re-assignment" in n], "inference warnings stay out of the notes"
    record = sized_analysis.event.inference
    event = replace(sized_analysis.event, inference=replace(record, degenerate=2, exact=True))
    analysis = replace(sized_analysis, event=event)
    assert inference_notes(analysis, "da", Numbers("da")) == [
        "Hændelsesstudiet: 2 sammenligningskommuner er udeladt, fordi de ikke har observationer i alle perioder "
        "efter reformen, så effekten ikke kan estimeres der."]
    assert inference_notes(analysis, "en", Numbers("en")) == [
        "Event study: 2 comparison municipalities are left out: they have no rows in some period after the "
        "reform, so the effect cannot be estimated there."]


# --- the PDF and the HTML in a browser ---------------------------------------------------------------------------

def _not_blank(png: bytes) -> float:
    from matplotlib import image

    pixels = image.imread(io.BytesIO(png), format="png")
    return float(np.asarray(pixels)[..., :3].std())


def test_pdf_pages_render(built: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed (Debian package poppler-utils; scripts/test.sh installs it)")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(built / "report.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    assert all(_not_blank(p.read_bytes()) > 0.02 for p in pages)
    text = subprocess.run(["pdftotext", str(built / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Resumé" in text and "Bilag B. Reproducerbarhed" in text


def test_html_renders_in_chromium_with_every_image(built: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium not installed (Debian package chromium; scripts/test.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto((built / "report.html").as_uri(), wait_until="load")
            images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
            text = page.inner_text("body")
            shot = page.screenshot(full_page=True)
        finally:
            browser.close()
    assert images == [True] * 9
    assert "Resumé" in text and len(text) > 2000
    assert _not_blank(shot) > 0.05
    assert all(url.startswith(("file:", "data:")) for url in requests), "the page fetched from the network"


# --- the words follow the data and the configuration, not one case -----------------------------------------------

# (treated, its name, its region in Danish and English, its caseload after the start, main pool, other pool)
ELSEWHERE = {
    "frederiksberg": (147, "Frederiksberg", "Region Hovedstaden", "Capital Region of Denmark", 350.0, "all",
                      "north_jutland"),
    "aabenraa": (580, "Aabenraa", "Region Syddanmark", "Region of Southern Denmark", 900.0, "north_jutland",
                 "rural"),
    "unchanged": (860, "Hjørring", "Region Nordjylland", "North Denmark Region", 760.0, "all", "north_jutland"),
}


def _config_for(treated: int, comparison: str, other_pool: str, caseload: bool = True) -> str:
    text = (CONFIG.replace('title = "Testrapport"\n', "")
            .replace("treated = 860", f"treated = {treated}")
            .replace('comparison = "all"', f'comparison = "{comparison}"')
            .replace('comparison_pools = ["north_jutland"]', f'comparison_pools = ["{other_pool}"]'))
    return text if caseload else text.replace('caseload = "caseload.csv"\n', "")


@pytest.fixture(scope="module", params=sorted(ELSEWHERE))
def elsewhere(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Path]]:
    case = request.param
    treated, _, _, _, after, comparison, other_pool = ELSEWHERE[case]
    folder = tmp_path_factory.mktemp(f"elsewhere_{case}")
    _panels(folder, treated=treated, caseload_after=after)
    (folder / "evaluation.toml").write_text(_config_for(treated, comparison, other_pool), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return case, {language: build_report(folder / "evaluation.toml", folder / language, language=language,
                                             pdf=False).folder for language in ("da", "en")}


def _expected_caseload(table: pd.DataFrame, language: str) -> str:
    """The caseload sentence's numbers, from the published caseload table: 2014 against 2017."""
    treated = table[table["series"] == "treated"].assign(year=lambda d: d["period"].str[:4])
    before = treated.loc[treated["year"] == "2014", "cases_per_caseworker"].mean()
    after = treated.loc[treated["year"] == "2017", "cases_per_caseworker"].mean()
    percent = round(100 * (after / before - 1))
    sign = "−" if percent < 0 else ("+" if percent > 0 else "")
    unit = " %" if language == "da" else "%"
    word = {"da": ("fra", "til") if abs(after / before - 1) > 0.05 else ("", "og"),
            "en": ("from", "to") if abs(after / before - 1) > 0.05 else ("", "and")}[language]
    in_ = "i" if language == "da" else "in"
    start = f"{word[0]} " if word[0] else ""
    return f"{start}{before:.0f} {in_} 2014 {word[1]} {after:.0f} {in_} 2017 ({sign}{abs(percent)}{unit})"


def test_report_for_another_municipality_names_it_and_its_region(elsewhere: tuple[str, dict[str, Path]]) -> None:
    case, folders = elsewhere
    treated, name, region_da, region_en, after, comparison, other_pool = ELSEWHERE[case]
    in_north_jutland = treated in (773, 787, 810, 813, 820, 825, 840, 846, 849, 851, 860)
    pools = {"da": {"all": "alle øvrige kommuner",
                    "north_jutland": "de øvrige nordjyske kommuner" if in_north_jutland else "de nordjyske kommuner",
                    "rural": "de nordjyske landkommuner"},
             "en": {"all": "all other municipalities",
                    "north_jutland": ("the other North Jutland municipalities" if in_north_jutland
                                      else "the North Jutland municipalities"),
                    "rural": "the rural municipalities of North Jutland"}}
    for language, folder in folders.items():
        text = visible_text((folder / "report.html").read_text(encoding="utf-8"))
        region = region_da if language == "da" else region_en
        kommune = "Kommune" if language == "da" else "Municipality"
        assert f"{name} {kommune} ({region})" in text, (case, language)
        assert "Flere i job og uddannelse" not in text  # no title in the config: one is built from the data
        assert f"{name} {kommune}" in text.split("Resumé" if language == "da" else "Summary")[0]
        if name != "Hjørring":
            assert "Hjørring" not in text, (case, language)
        for word in ("halverede", "halveret", "halved", "Reformen halverede"):
            assert word not in text, (case, language, word)
        assert pools[language][comparison] in text, (case, language)
        assert pools[language][other_pool] in text, (case, language)
        if not in_north_jutland:
            assert "øvrige nordjyske" not in text and "other North Jutland" not in text
        assert "group not in the comparison pool" not in text  # the exclusion reason is worded too
        # the caseload sentence is computed from the published caseload table
        table = pd.read_csv(folder / "tables" / "caseload.csv", dtype={"period": str})
        expected = _expected_caseload(table, language)
        assert expected in text, (case, language, expected)
        verb = {"da": {"fell": "faldt", "rose": "steg", "same": "omtrent uændret"},
                "en": {"fell": "fell", "rose": "rose", "same": "stayed about the same"}}[language]
        change = after / 750.0 - 1
        kind = "same" if abs(change) <= 0.05 else ("fell" if change < 0 else "rose")
        assert verb[kind] in text, (case, language)
        for other in set(verb.values()) - {verb[kind]}:
            assert f"sagsbehandler {other}" not in text and f"caseworker {other}" not in text


def test_report_without_a_caseload_panel_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    _panels(tmp_path, treated=147)
    (tmp_path / "evaluation.toml").write_text(_config_for(147, "all", "north_jutland", caseload=False),
                                              encoding="utf-8")
    for language, sentence in (("da", "Der er ikke angivet data om sagsstammen"),
                               ("en", "No caseload data were given")):
        folder = build_report(tmp_path / "evaluation.toml", tmp_path / language, language=language, pdf=False).folder
        html = (folder / "report.html").read_text(encoding="utf-8")
        assert sentence in visible_text(html)
        assert 'id="figure-caseload"' not in html and not (folder / "tables" / "caseload.csv").exists()
        assert not list((folder / "figures").glob("caseload.*"))


def test_pool_names_follow_the_treated_municipality() -> None:
    from hjeval.report.render import pool_name, region_name

    assert pool_name("north_jutland", "da", 860) == "de øvrige nordjyske kommuner"
    assert pool_name("north_jutland", "da", 580) == "de nordjyske kommuner"
    assert pool_name("north_jutland", "en", 147) == "the North Jutland municipalities"
    assert pool_name("rural", "en", 860).startswith("the other rural municipalities of North Jutland")
    assert pool_name("rural", "da", 851).startswith("de nordjyske landkommuner")  # Aalborg is not rural
    assert pool_name((147, 580, 860), "da", 860) == "2 udvalgte kommuner"
    assert pool_name((147, 580), "en", 860) == "2 selected municipalities"
    assert pool_name((147, 860), "en", 860) == "1 selected municipality"
    assert region_name(580, "da") == "Region Syddanmark" and region_name(147, "en") == "Capital Region of Denmark"


def test_a_lower_effect_is_worded_as_lower(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    _panels(tmp_path, treated=580, effect=-4.0)
    (tmp_path / "evaluation.toml").write_text(_config_for(580, "all", "north_jutland"), encoding="utf-8")
    for language, lower, higher in (("da", ("har mindsket arbejdstiden", "timer mindre arbejde"),
                                     ("har øget arbejdstiden", "timer mere arbejde")),
                                    ("en", ("lowered hours worked", "fewer hours of work"),
                                     ("raised hours worked", "more hours of work"))):
        folder = build_report(tmp_path / "evaluation.toml", tmp_path / language, language=language, pdf=False).folder
        text = visible_text((folder / "report.html").read_text(encoding="utf-8"))
        assert all(phrase in text for phrase in lower), language
        assert not any(phrase in text for phrase in higher), language
        assert "group not in the comparison pool" not in text
