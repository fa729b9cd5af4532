"""Synthetic control and synthetic DiD on a Parquet dataset equal the estimators on the rows in memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import hjeval as hj
from hjeval.engines.cell_sums import weighted_cell_sums
from hjeval.errors import DataError
from hjeval.estimators.wide_panel import predictor_values, wide_panel

START = "2015-01"
MONTHS = pd.period_range("2013-01", "2015-12", freq="M")
GROUPS = 24


def _panel(seed: int = 4, persons: int = 600) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person-months of persons who each stay in one municipality, every municipality in every month."""
    rng = np.random.default_rng(seed)
    person = np.repeat(np.arange(persons), len(MONTHS))
    month = np.tile(np.arange(len(MONTHS)), persons)
    keep = rng.random(len(person)) < 0.6  # gaps in each person's months
    person, month = person[keep], month[keep]
    muni = 201 + person % GROUPS
    cycle = pd.DataFrame([(201 + g, str(m)) for g in range(GROUPS) for m in MONTHS],
                         columns=["municipality", "period"])
    cycle["unemployment_rate"] = 5 + rng.normal(size=len(cycle))
    rate = cycle["unemployment_rate"].to_numpy().reshape(GROUPS, len(MONTHS))[muni - 201, month]
    trend = rng.normal(size=GROUPS)[muni - 201] * month / 12
    treated = (muni == 201) & (month >= list(MONTHS).index(pd.Period(START, "M")))
    frame = pd.DataFrame({
        "person_id": person * 13 + 7, "municipality": muni.astype(np.int64), "month": MONTHS[month],
        "hours": 30 + trend - 0.8 * rate + 4.0 * treated + rng.normal(size=len(person)) * 6,
        "age": rng.integers(20, 60, size=len(person)).astype(np.float64),
    })
    frame.loc[rng.random(len(frame)) < 0.02, "age"] = np.nan  # predictors skip missing values
    return frame, cycle


def _write(frame: pd.DataFrame, folder: Path) -> Path:
    rows = frame.assign(month=frame["month"].dt.to_timestamp().dt.date)
    table = pa.Table.from_pandas(rows.assign(year=frame["month"].dt.year), preserve_index=False)
    ds.write_dataset(table, folder, format="parquet", partitioning=["year"], partitioning_flavor="hive")
    return folder


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    frame, cycle = _panel()
    root = tmp_path_factory.mktemp("synthetic_engines")
    memory = frame.merge(cycle.assign(month=pd.PeriodIndex(cycle["period"], freq="M"))
                         [["municipality", "month", "unemployment_rate"]], on=["municipality", "month"])
    return {"frame": frame, "memory": memory, "cycle": cycle, "path": _write(frame, root / "hours"),
            "path_with_cycle": _write(memory, root / "hours_cycle")}


COMMON: dict[str, object] = dict(unit="person_id", group="municipality", time="month", treated=201, start=START)


def _same(got: hj.SyntheticResult, want: hj.SyntheticResult, path: str = "cells") -> None:
    assert got.provenance["engine_path"] == path
    assert want.provenance["engine_path"] == "rows"
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    np.testing.assert_allclose(got.weights.to_numpy(), want.weights.to_numpy(), rtol=1e-9, atol=1e-12)
    assert got.weights.index.tolist() == want.weights.index.tolist()
    np.testing.assert_allclose(got.placebo.to_numpy(), want.placebo.to_numpy(), rtol=1e-9, atol=1e-10)
    assert got.pvalue == want.pvalue
    assert got.n_obs == want.n_obs
    assert got.inference.size_corrected == want.inference.size_corrected


def test_synthetic_control_on_duckdb_equals_memory(panel: dict[str, object]) -> None:
    want = hj.synthetic_control(panel["frame"], "hours", **COMMON)
    got = hj.synthetic_control(panel["path"], "hours", **COMMON)
    _same(got, want)


def test_synthetic_did_with_cycle_panel_on_duckdb_equals_memory(panel: dict[str, object]) -> None:
    want = hj.synthetic_did(panel["memory"], "hours", cycle="unemployment_rate", **COMMON)
    got = hj.synthetic_did(panel["path"], "hours", cycle="unemployment_rate", cycle_panel=panel["cycle"], **COMMON)
    _same(got, want)
    np.testing.assert_allclose(got.time_weights.to_numpy(), want.time_weights.to_numpy(), rtol=1e-9, atol=1e-12)
    assert got.provenance["covariate_coefficients"] == pytest.approx(want.provenance["covariate_coefficients"],
                                                                     rel=1e-10)


def test_synthetic_did_on_dask_equals_memory(panel: dict[str, object], dask_client: object) -> None:
    want = hj.synthetic_did(panel["memory"], "hours", cycle="unemployment_rate", **COMMON)
    got = hj.synthetic_did(panel["path"], "hours", cycle="unemployment_rate", cycle_panel=panel["cycle"],
                           engine="dask", client=dask_client, **COMMON)
    _same(got, want)


def test_a_covariate_varying_within_cells_takes_the_rows(panel: dict[str, object]) -> None:
    frame = panel["memory"].assign(age=panel["memory"]["age"].fillna(40.0))
    want = hj.synthetic_did(frame, "hours", covariates=["age"], **COMMON)
    got = hj.synthetic_did(frame, "hours", covariates=["age"], engine="duckdb", **COMMON)
    _same(got, want, path="rows")


def test_predictor_values_on_duckdb_and_dask_equal_memory(panel: dict[str, object], dask_client: object) -> None:
    predictors = [("age", "2013-01", "2014-12"), ("hours", "2014-06")]
    wide = wide_panel(panel["frame"], estimator="synthetic_control", outcome="hours", unit="person_id",
                      time="month", treated=201, start=START, group="municipality", weights=None, regressors=(),
                      comparison=None, movers="error")
    want = predictor_values(panel["frame"], wide, predictors, group="municipality", time="month", weights=None)
    assert want.labels == ("age 2013-01-2014-12", "hours 2014-06")
    for engine, client in (("duckdb", None), ("dask", dask_client)):
        got = predictor_values(panel["path"], wide, predictors, group="municipality", time="month", weights=None,
                               engine=engine, client=client)
        np.testing.assert_allclose(got.values, want.values, rtol=1e-13)
        assert got.labels == want.labels and got.ends == want.ends


def test_synthetic_control_with_predictors_on_duckdb_equals_memory(validation_dir: Path, tmp_path: Path) -> None:
    smoking = pd.read_csv(validation_dir / "smoking_adh2010.csv")
    smoking.to_parquet(tmp_path / "smoking.parquet")
    spec = [("beer", 1984, 1988), ("retprice", 1980, 1988), ("cigsale", 1975), ("cigsale", 1988)]
    options: dict[str, object] = dict(predictors=spec, starts=2, fit_window=(1970, 1988))
    want = hj.synthetic_control(smoking, "cigsale", "state", "year", "California", 1989, **options)
    got = hj.synthetic_control(tmp_path / "smoking.parquet", "cigsale", "state", "year", "California", 1989, **options)
    _same(got, want)
    np.testing.assert_allclose(got.predictor_weights.to_numpy(), want.predictor_weights.to_numpy(), rtol=1e-8)


def test_cell_sums_agree_across_engines(panel: dict[str, object], dask_client: object) -> None:
    def sums(data: object, engine: str, client: object = None) -> pd.DataFrame:
        found = weighted_cell_sums(data, engine=engine, client=client, group="municipality", time="month",
                                   weights=None, columns=["age", "hours"])
        found["month"] = pd.PeriodIndex(pd.to_datetime(found["month"].astype(str)), freq="M")
        return found.sort_values(["municipality", "month"]).reset_index(drop=True)

    want = sums(panel["frame"], "pandas")
    assert want["age:weight"].sum() == panel["frame"]["age"].notna().sum()
    for engine, client in (("duckdb", None), ("dask", dask_client)):
        got = sums(panel["path"], engine, client)
        pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False, rtol=1e-12)


def test_a_missing_column_on_a_path_is_named(panel: dict[str, object]) -> None:
    with pytest.raises(DataError, match="hours_worked"):
        hj.synthetic_control(panel["path"], "hours_worked", **COMMON)
    with pytest.raises(DataError, match="predictor 'tenure'"):
        hj.synthetic_control(panel["path"], "hours", predictors=[("tenure", "2014-01", "2014-12")], **COMMON)


def test_an_unbalanced_dataset_gets_the_message_of_the_frame(panel: dict[str, object], tmp_path: Path) -> None:
    frame = panel["frame"]
    gap = frame[~((frame["municipality"] == 205) & (frame["month"] == pd.Period("2014-03", "M")))]
    with pytest.raises(DataError) as in_memory:
        hj.synthetic_control(gap, "hours", **COMMON)
    with pytest.raises(DataError) as on_path:
        hj.synthetic_control(_write(gap, tmp_path / "gap"), "hours", **COMMON)
    assert "205 in 2014-03" in str(in_memory.value)
    assert str(on_path.value) == str(in_memory.value)
