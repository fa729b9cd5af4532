"""hj.phased_did and hj.dose_response on a Parquet dataset (DuckDB, Dask) equal the in-memory fits.

With cell-constant regressors (the cycle joined from a cycle panel, the dose) the engines fit from cell
statistics; a covariate that varies within cells sends them to the row design. Either way the estimates,
standard errors and placebo p-values are those of the pandas engine on the same rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import hjeval as hj
from tests.panels import person_panel

START = "2014-07"
PHASES = {"caseload": START, "team": "2015-03"}
ROLES = dict(unit="pid", group="muni", time="month", treated=0, start=START, cycle="unemployment",
             inference="placebo")


def _panel() -> pd.DataFrame:
    """Person-months in 25 municipalities with a dose per municipality and month and a covariate per row."""
    frame = person_panel(seed=11, persons=700, groups=25, months=30)
    rng = np.random.default_rng(4)
    months = pd.PeriodIndex(frame["month"])
    code = (months.year - 2013) * 12 + months.month - 1
    cells = 75 + rng.normal(size=(25, 30))
    cut = ((frame["muni"] == 0) & (frame["month"] >= pd.Period(START, "M"))).to_numpy()
    dose = cells[frame["muni"].to_numpy(), code] - 20.0 * cut
    age = rng.normal(40, 10, len(frame))
    return frame.assign(cases=dose, age=age, y=frame["y"] - 0.05 * dose + 0.02 * age)


def _write(rows: pd.DataFrame, folder: Path) -> Path:
    """The rows as a year-partitioned dataset with the month as text, the cycle left out."""
    files = rows.drop(columns=["unemployment"])
    files = files.assign(month=files["month"].astype(str), year=files["month"].dt.year)
    ds.write_dataset(pa.Table.from_pandas(files, preserve_index=False), folder, format="parquet",
                     partitioning=["year"], partitioning_flavor="hive")
    return folder


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    memory = _panel()
    root = tmp_path_factory.mktemp("phased_dose")
    cycle = memory.drop_duplicates(["muni", "month"])[["muni", "month", "unemployment"]]
    cycle.assign(month=cycle["month"].astype(str)).to_parquet(root / "cycle.parquet", index=False)
    return {"memory": memory, "root": root, "hours": _write(memory, root / "hours"),
            "cycle": root / "cycle.parquet"}


def _quiet(function: Callable[..., object], *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return function(*args, **kwargs)


def _engine(engine: str, request: pytest.FixtureRequest) -> dict[str, object]:
    if engine == "dask":
        return {"engine": "dask", "client": request.getfixturevalue("dask_client")}
    return {"engine": engine}


def _same_effect(got: hj.EffectResult, want: hj.EffectResult) -> None:
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    assert got.se == pytest.approx(want.se, rel=1e-10)
    assert got.ci == pytest.approx(want.ci, rel=1e-10)
    assert got.pvalue == want.pvalue
    assert got.n_obs == want.n_obs
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
@pytest.mark.parametrize(("covariates", "engine_path"), [(None, "cells"), (["age"], "rows")])
def test_phased_did_on_a_dataset_equals_in_memory(panel: dict[str, object], engine: str, covariates: list[str] | None,
                                                  engine_path: str, request: pytest.FixtureRequest) -> None:
    kwargs = dict(ROLES, phases=PHASES, covariates=covariates)
    want = _quiet(hj.phased_did, panel["memory"], "y", **kwargs)
    got = _quiet(hj.phased_did, panel["hours"], "y", cycle_panel=panel["cycle"], **_engine(engine, request),
                 **kwargs)
    assert want.provenance["engine_path"] == "rows"
    assert got.provenance["engine_path"] == engine_path
    assert want.inference.method == "placebo" and want.provenance["draws"] == 24
    _same_effect(got, want)
    for key in ("estimate", "se", "ci"):
        assert got.difference[key] == pytest.approx(want.difference[key], rel=1e-10)
    assert got.difference["pvalue"] == want.difference["pvalue"]
    pd.testing.assert_frame_equal(got.placebo_errors, want.placebo_errors, rtol=1e-10)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
@pytest.mark.parametrize(("covariates", "engine_path"), [(None, "cells"), (["age"], "rows")])
def test_dose_response_on_a_dataset_equals_in_memory(panel: dict[str, object], engine: str,
                                                     covariates: list[str] | None, engine_path: str,
                                                     request: pytest.FixtureRequest) -> None:
    kwargs = dict(ROLES, dose="cases", covariates=covariates)
    want = _quiet(hj.dose_response, panel["memory"], "y", **kwargs)
    got = _quiet(hj.dose_response, panel["hours"], "y", cycle_panel=panel["cycle"], **_engine(engine, request),
                 **kwargs)
    assert want.provenance["engine_path"] == "rows"
    assert got.provenance["engine_path"] == engine_path
    _same_effect(got, want)
    pd.testing.assert_series_equal(got.placebo, want.placebo, rtol=1e-10)
    assert got.identification["treated_share"] == pytest.approx(want.identification["treated_share"], rel=1e-10)
    pd.testing.assert_frame_equal(got.path, want.path, rtol=1e-10)
    pd.testing.assert_frame_equal(got.other_terms, want.other_terms, rtol=1e-10)


def test_dose_on_the_treated_path_from_cells_equals_in_memory(panel: dict[str, object]) -> None:
    kwargs = dict(ROLES, dose="cases", variation="treated")
    want = _quiet(hj.dose_response, panel["memory"], "y", **kwargs)
    got = _quiet(hj.dose_response, panel["hours"], "y", cycle_panel=panel["cycle"], **kwargs)  # DuckDB by default
    assert got.provenance["engine_path"] == "cells"
    _same_effect(got, want)


# ---- bad input on a path -------------------------------------------------------------------------

def test_missing_dose_column_on_a_path_names_it(panel: dict[str, object]) -> None:
    with pytest.raises(hj.DataError, match=r"hours: column\(s\) not in the dataset: dose='caseload'"):
        hj.dose_response(panel["hours"], "y", **ROLES, dose="caseload",  # type: ignore[arg-type]
                         cycle_panel=panel["cycle"])


def test_incomplete_or_varying_dose_on_a_path_names_rows_and_cells(panel: dict[str, object],
                                                                   tmp_path: Path) -> None:
    memory = panel["memory"]
    assert isinstance(memory, pd.DataFrame)
    gap = memory.copy()
    gap.loc[gap.index[[3, 7]], "cases"] = np.nan
    folder = _write(gap, tmp_path / "gap")
    with pytest.raises(hj.DataError, match=r"gap: column 'cases' \(dose\) is missing in 2 rows, e\.g\. "
                                           r"year=\d{4}/part-0\.parquet row \d+.*hj\.attach"):
        hj.dose_response(folder, "y", **ROLES, dose="cases", cycle_panel=panel["cycle"])  # type: ignore[arg-type]
    varying = memory.copy()
    varying.loc[varying.index[5], "cases"] += 1.0
    cell = (varying.loc[varying.index[5], "muni"], varying.loc[varying.index[5], "month"])
    folder = _write(varying, tmp_path / "varying")
    with pytest.raises(hj.DataError, match=rf"varying: column 'cases' \(dose\) varies within a \(muni, month\) "
                                           rf"cell in the cell \({cell[0]}, {cell[1]}\); the dose"):
        _quiet(hj.dose_response, folder, "y", **ROLES, dose="cases", cycle_panel=panel["cycle"])
    text = memory.assign(cases=memory["cases"].astype(str))
    with pytest.raises(hj.DataError, match=r"column 'cases' \(dose\) has type (large_)?string"):
        hj.dose_response(_write(text, tmp_path / "text"), "y", **ROLES, dose="cases",  # type: ignore[arg-type]
                         cycle_panel=panel["cycle"])
