"""The Dask engine's cell path: hj.did / hj.event_study from cell statistics summed on the workers.

They equal the fits on the rows in memory, and the statistics equal DuckDB's cell path's.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client

import hjeval as hj
from hjeval.engines import dask_engine
from hjeval.engines.cell_statistics import NotCellConstant, duckdb_cells
from hjeval.engines.dask_cells import dask_cells
from hjeval.errors import DataError, HjevalWarning
from tests.test_engine_duckdb_cells import START, _panel, _same, _write


@pytest.fixture(scope="module")
def client(dask_client: Client) -> Client:
    """The session's local Dask cluster (tests/conftest.py)."""
    return dask_client


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Person-months with gaps in a year-partitioned (hive) folder and one file, and a cycle panel."""
    frame, cycle = _panel(persons=600)
    root = tmp_path_factory.mktemp("dask_cells")
    cycle.to_csv(root / "cycle.csv", index=False)
    memory = frame.merge(cycle.assign(month=pd.PeriodIndex(cycle["period"], freq="M"))
                         [["municipality", "month", "unemployment_rate"]], on=["municipality", "month"])
    return {"frame": frame, "memory": memory, "cycle": cycle, "root": root,
            "hive": _write(frame, root / "hours"), "file": _write(frame, root / "single", hive=False)}


def _quiet(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        return function(*args, **kwargs)


@pytest.mark.parametrize("unit", ["person_id", "municipality"])
@pytest.mark.parametrize("inference", ["placebo", "conley-taber", "cluster", "wild-bootstrap"])
def test_did_from_dask_cells_equals_rows_in_memory(panel: dict[str, object], client: Client, unit: str,
                                                   inference: str) -> None:
    kwargs = dict(unit=unit, group="municipality", time="month", treated=[101, 102, 103], start=START,
                  cycle="unemployment_rate", inference=inference, draws=99, seed=3)
    want = _quiet(hj.did, panel["memory"], "hours", **kwargs)
    got = _quiet(hj.did, panel["hive"], "hours", engine="dask", client=client,
                 cycle_panel=panel["root"] / "cycle.csv", **kwargs)
    assert want.provenance["engine_path"] == "rows"
    _same(got, want, exact_p=inference in ("placebo", "conley-taber", "wild-bootstrap"))
    assert "engine_path_reason" not in got.provenance


@pytest.mark.parametrize("inference", ["placebo", "cluster"])
@pytest.mark.parametrize("unit", ["person_id", "municipality"])
def test_event_study_from_dask_cells_equals_rows_in_memory(panel: dict[str, object], client: Client,
                                                           inference: str, unit: str) -> None:
    kwargs = dict(unit=unit, group="municipality", time="month", treated=[101, 102, 103], start=START,
                  cycle="unemployment_rate", window=(-2, 1), bin_width=12, inference=inference, draws=60, seed=2)
    want = _quiet(hj.event_study, panel["memory"], "hours", **kwargs)
    got = _quiet(hj.event_study, panel["hive"], "hours", engine="dask", client=client, cycle_panel=panel["cycle"],
                 **kwargs)
    assert got.provenance["engine_path"] == "cells"
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10)
    assert got.pretrend["pvalue"] == pytest.approx(want.pretrend["pvalue"], rel=1e-10, abs=0)
    if inference == "placebo":
        assert got.pvalue == want.pvalue


def test_statistics_equal_duckdb_cells_beyond_one_word(tmp_path: Path, client: Client,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """130 months (three words of the period mask), constant weights per person, clusters as unions of groups.

    The rows are shuffled into 20 partitions, so that each person's rows meet only when partitions combine.
    """
    frame, _ = _panel(seed=5, persons=400, groups=12, months=pd.period_range("2008-01", periods=130, freq="M"))
    frame["w"] = 1.0 + frame["person_id"] % 3
    frame.loc[frame.index[frame["municipality"] == 104][:3], "hours"] = np.nan
    frame = frame.sample(frac=1.0, random_state=0).reset_index(drop=True)
    (tmp_path / "hours").mkdir()
    path = tmp_path / "hours" / "panel.parquet"
    frame.assign(month=frame["month"].dt.to_timestamp().dt.date).to_parquet(path, row_group_size=len(frame) // 20 + 1)
    monkeypatch.setattr(dask_engine, "PARTITION_ROWS", len(frame) // 20 + 1)
    roles = dict(outcome="hours", unit="person_id", group="municipality", time="month", treated=[101, 102],
                 start=START, cluster="region", weights="w")
    with pytest.warns(HjevalWarning, match="3 rows: missing 'hours'"):
        got = dask_cells(path, client=client, **roles)
    with pytest.warns(HjevalWarning, match="3 rows: missing 'hours'"):
        want = duckdb_cells(path, **roles)
    assert not isinstance(got, NotCellConstant) and not isinstance(want, NotCellConstant)
    for name in ("cell_rows", "cell_weight", "cluster_of_group", "group_units", "treated_groups"):
        np.testing.assert_array_equal(getattr(got, name), getattr(want, name), err_msg=name)
    for name in ("cell_y", "regressors", "blocks", "unit_cover", "group_y2", "group_unit_y2"):
        np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-12, atol=1e-9, err_msg=name)
    for name in ("group_labels", "period_labels", "cluster_labels", "start", "n_rows_input", "exclusions",
                 "comparison", "weighted"):
        assert getattr(got, name) == getattr(want, name), name
    options = dict({k: v for k, v in roles.items() if k != "outcome"}, draws=99, inference="wild-bootstrap")
    result = _quiet(hj.did, path, "hours", engine="dask", client=client, **options)
    memory = _quiet(hj.did, frame, "hours", **options)
    _same(result, memory, exact_p=True)


@pytest.mark.parametrize("change", ["cr2", "covariate", "movers"])
def test_designs_that_need_rows_fall_back(panel: dict[str, object], tmp_path: Path, client: Client,
                                          change: str) -> None:
    frame = panel["frame"].copy()
    kwargs: dict[str, object] = dict(unit="person_id", group="municipality", time="month", treated=101,
                                     start=START)
    reason = {"covariate": "regressor 'age' varies within (municipality, month) cells", "cr2": "vcov='CR2'",
              "movers": "person_id values move between municipality values (movers='entry')"}[change]
    if change == "cr2":
        kwargs.update(inference="cluster", vcov="CR2", unit="municipality")
    elif change == "covariate":
        frame["age"] = (frame["person_id"] % 40) * (frame["month"] - frame["month"].min()).apply(lambda d: d.n)
        kwargs["covariates"] = ["age"]
    else:
        moving = (frame["person_id"] == frame["person_id"].iloc[0]) & (frame["month"] >= pd.Period("2016-01", "M"))
        frame.loc[moving, "municipality"] = np.int16(110)
        kwargs["movers"] = "entry"
    folder = _write(frame, tmp_path / "hours")
    want = _quiet(hj.did, frame, "hours", **kwargs)
    got = _quiet(hj.did, folder, "hours", engine="dask", client=client, **kwargs)
    assert got.provenance["engine_path"] == "rows"
    assert got.provenance["engine_path_reason"] == reason
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-10)


def test_refusals_say_what_duckdb_cells_says(panel: dict[str, object], tmp_path: Path, client: Client) -> None:
    frame = panel["frame"]
    kwargs = dict(outcome="hours", unit="person_id", group="municipality", time="month", treated=101, start=START)
    repeated = _write(pd.concat([frame, frame.iloc[[10, 40, 41]]], ignore_index=True), tmp_path / "repeated")
    moved = frame.copy()
    for person in (5, 36):
        at = moved["person_id"] == person
        moved.loc[at, "municipality"] = np.int16(np.where(moved.loc[at, "month"] >= pd.Period("2016-01", "M"), 113,
                                                          moved.loc[at, "municipality"]))
    movers = _write(moved, tmp_path / "moved")
    for path, pattern in ((repeated, r"rows repeat a \(person_id, month\) pair \(3 extra rows\), e.g. "),
                          (movers, r"person_id value\(s\) appear in more than one municipality, e.g. 5 in \[")):
        with pytest.raises(DataError, match=pattern) as want:
            duckdb_cells(path, **kwargs)
        with pytest.raises(DataError, match=pattern) as got:
            dask_cells(path, client=client, **kwargs)
        assert str(got.value) == str(want.value)
