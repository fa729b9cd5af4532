"""The headline evaluation on the synthetic panels: truth recovery and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.cli import main
from hjeval.evaluation import evaluate_folder


@pytest.fixture(scope="module")
def evaluation(synthetic_region: Path):  # type: ignore[no-untyped-def]
    return evaluate_folder(synthetic_region)


def true_effect(folder: Path) -> float:
    truth = json.loads((folder / "truth.json").read_text())
    return float(truth["true_effect_hours_per_year"]["activity_ready_cash"]["2015-01..2019-12"])


def test_cycle_adjusted_estimate_recovers_the_true_effect(evaluation, synthetic_region: Path) -> None:  # type: ignore[no-untyped-def]
    truth = true_effect(synthetic_region)
    adjusted = evaluation.adjusted
    # The estimate is within three of its own (size-corrected placebo) standard errors of the
    # simulated truth. Whether one draw's 95 % interval covers the truth is not tested: it misses
    # one draw in twenty, and the truth (a person-month average of the effect) is not exactly the
    # estimand of the person fixed-effects regression.
    assert abs(12 * adjusted.estimate - truth) < 3 * 12 * adjusted.se
    assert adjusted.provenance["draws"] == 97
    assert adjusted.inference.size_corrected


def test_ignoring_the_cycle_overstates_the_effect(evaluation, synthetic_region: Path) -> None:  # type: ignore[no-untyped-def]
    truth = true_effect(synthetic_region)
    naive, adjusted = evaluation.unadjusted, evaluation.adjusted
    # Hjørring is the most cycle-sensitive municipality and the reform met a boom: without the
    # adjustment the boom is credited to the reform. The naive interval lies above the truth and
    # the naive estimate is many standard errors from it; the adjusted one is within three.
    assert 12 * naive.ci[0] > truth
    assert abs(12 * naive.estimate - truth) > 5 * 12 * naive.se
    assert abs(12 * adjusted.estimate - truth) < 3 * 12 * adjusted.se
    assert naive.estimate > adjusted.estimate
    assert adjusted.decomposition["regressor:unemployment_rate"] > 0


def test_raw_comparison_matches_the_calibration(evaluation, synthetic_region: Path) -> None:  # type: ignore[no-untyped-def]
    truth = json.loads((synthetic_region / "truth.json").read_text())
    observed = truth["activity_ready_hours_per_year"]["hjorring"]
    raw = evaluation.raw
    # the same means computed by the generator from its own rows
    assert raw.treated_before == pytest.approx(observed["2014"]["observed"], abs=1e-4)
    assert raw.treated_after == pytest.approx(observed["2015-01..2017-08"]["observed"], abs=1e-4)


def test_summary_states_hours_a_year_and_full_time_persons(evaluation) -> None:  # type: ignore[no-untyped-def]
    text = evaluation.summary()
    assert "hours a year per person, net of the business cycle" in text
    assert "full-time persons" in text
    expected = evaluation.hours_per_year * evaluation.persons_per_month / 1924
    assert evaluation.full_time_persons == pytest.approx(expected)


def test_evaluation_and_raw_comparison_render_in_jupyter_and_terminal(evaluation) -> None:  # type: ignore[no-untyped-def]
    html = evaluation._repr_html_()
    assert html.startswith("<table") and f"{evaluation.hours_per_year:.1f}" in html
    assert f"{12 * evaluation.adjusted.ci[0]:.1f} to {12 * evaluation.adjusted.ci[1]:.1f}" in html
    assert str(evaluation) == evaluation.summary()
    raw = evaluation.raw
    table = raw._repr_html_()
    assert f"{raw.treated_before:.1f}" in table and f"{raw.difference_in_differences:.1f}" in table
    assert str(raw) == raw.summary()


def test_cli_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"hjeval {hj.__version__}"
    assert main([]) == 0
    assert "synth" in capsys.readouterr().out


def test_cli_synth_then_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--seed", "7", "--out", str(tmp_path)]) == 0
    listed = capsys.readouterr().out
    for name in ("hours_person_month.parquet", "caseload.csv", "cycle.csv", "costs.csv", "truth.json"):
        assert (tmp_path / name).exists() and name in listed
    assert main(["evaluate", "--data", str(tmp_path)]) == 0
    assert "hours a year per person" in capsys.readouterr().out


def test_cli_reports_bad_data_as_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--data", str(tmp_path)]) == 2
    assert "hjeval: error:" in capsys.readouterr().err


def test_every_generated_panel_loads_cleanly(synthetic_region: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panels = {
            "hours_person_month.parquet": hj.load_hours(synthetic_region / "hours_person_month.parquet"),
            "hours_municipality_month.csv": hj.load_hours(synthetic_region / "hours_municipality_month.csv"),
            "caseload.csv": hj.load_caseload(synthetic_region / "caseload.csv"),
            "cycle.csv": hj.load_cycle(synthetic_region / "cycle.csv"),
            "costs.csv": hj.load_costs(synthetic_region / "costs.csv"),
        }
    for name, panel in panels.items():
        assert panel.attrs["exclusions"] == [], name
    assert panels["costs.csv"].attrs["defaults_added"] == 0


@pytest.fixture(scope="module")
def target_rows(synthetic_region: Path):  # type: ignore[no-untyped-def]
    hours = hj.load_hours(synthetic_region / "hours_person_month.parquet")
    cycle = hj.load_cycle(synthetic_region / "cycle.csv")
    target = hours[hours["benefit_group"] == "activity_ready_cash"]
    return hj.attach(target, cycle, ["unemployment_rate"])


def did_on_target(target_rows, unit: str):  # type: ignore[no-untyped-def]
    # cluster inference on purpose, to compare covariances; with one treated municipality it must warn
    with pytest.warns(hj.HjevalWarning, match="only 1 treated cluster"):
        return hj.did(target_rows, "hours", unit=unit, group="municipality", time="month", treated=860,
                      start="2015-01", cycle="unemployment_rate", inference="cluster")


def treatment_column(target_rows) -> np.ndarray:  # type: ignore[no-untyped-def]
    after = target_rows["month"] >= pd.Period("2015-01", "M")
    return ((target_rows["municipality"] == 860) & after).to_numpy(dtype=float)


def test_synthetic_panel_person_effects_equal_pyfixest(target_rows) -> None:  # type: ignore[no-untyped-def]
    pf = pytest.importorskip("pyfixest")
    res = did_on_target(target_rows, "person_id")
    frame = target_rows.assign(D=treatment_column(target_rows), month=target_rows["month"].astype(str))
    ref = pf.feols("hours ~ D + unemployment_rate | person_id + month", data=frame,
                   vcov={"CRV1": "municipality"}, fixef_rm="none", fixef_tol=1e-14)
    # pyfixest iterates its fixed effects to 1e-14; both solve the same normal equations
    assert res.estimate == pytest.approx(ref.coef()["D"], rel=1e-8)
    assert res.se == pytest.approx(ref.se()["D"], rel=1e-8)


def test_synthetic_panel_municipality_effects_equal_the_general_kernel(target_rows) -> None:  # type: ignore[no-untyped-def]
    """pyfixest's iterations do not reach 1e-14 on this design, so the reference is hjeval.regression.fit:
    a different algorithm (closed-form elimination of the larger factor, direct solve of the rest),
    itself checked against pyfixest in tests/test_regression.py."""
    from hjeval.regression import fit

    res = did_on_target(target_rows, "municipality")
    municipality = pd.factorize(target_rows["municipality"])[0]
    month = pd.factorize(target_rows["month"])[0]
    x = np.column_stack([treatment_column(target_rows), target_rows["unemployment_rate"].to_numpy()])
    ref = fit(target_rows["hours"].to_numpy(dtype=float), x, fixed_effects=[municipality, month],
              cluster=municipality, vcov="CR1")
    assert res.estimate == pytest.approx(ref.coef[0], rel=1e-8)
    assert res.se == pytest.approx(ref.se[0], rel=1e-8)


def test_collapse_to_cells_is_exact_with_municipality_effects(target_rows) -> None:  # type: ignore[no-untyped-def]
    """Regressors constant within (municipality, month): person rows and weighted cell means agree."""
    rows = hj.did(target_rows, "hours", unit="municipality", time="month", treated=860, start="2015-01",
                  cycle="unemployment_rate", inference="placebo")
    cells = (target_rows.groupby(["municipality", "month"], observed=True)
             .agg(hours=("hours", "mean"), persons=("hours", "size"), unemployment_rate=("unemployment_rate", "first"))
             .reset_index())
    collapsed = hj.did(cells, "hours", unit="municipality", time="month", treated=860, start="2015-01",
                       cycle="unemployment_rate", weights="persons", inference="placebo")
    assert collapsed.estimate == pytest.approx(rows.estimate, rel=1e-10)
    np.testing.assert_allclose(collapsed.placebo.to_numpy(), rows.placebo.to_numpy(), rtol=1e-9, atol=1e-12)
    assert collapsed.n_obs < rows.n_obs / 10
