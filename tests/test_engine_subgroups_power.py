"""hj.subgroups and hj.power on a Parquet dataset (DuckDB, Dask) equal the in-memory results on the same rows.

The levels, their persons and the periods before the start are found on the engine; each level's rows (and
the pre-period's) are copied out of core and fitted on the same engine. Estimates agree to rounding, placebo
p-values exactly, and the adjusted p-values and the joint test with them.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import hjeval as hj
from hjeval.engines.levels import treated_persons, value_rows
from hjeval.engines.subset import subset_rows
from tests.panels import person_panel

START = "2014-07"
ROLES = dict(unit="pid", group="muni", time="month", treated=0, start=START, cycle="unemployment")


def _panel() -> pd.DataFrame:
    """Person-months in 24 municipalities, a sex per person with a larger effect for women, a band with a tiny level."""
    frame = person_panel(seed=7, persons=720, groups=24, months=30)
    pid = frame["pid"].to_numpy()
    sex = np.where(pid % 2 == 0, "f", "m")
    band = np.where(pid % 45 == 0, "80+", np.where(pid % 3 == 0, "young", "old"))
    treated = ((frame["muni"] == 0) & (frame["month"] >= pd.Period(START, "M"))).to_numpy()
    return frame.assign(sex=sex, band=band, y=frame["y"] + 1.5 * treated * (sex == "f"))


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The rows in memory (cycle merged in) and as a year-partitioned dataset with the month as text, no cycle."""
    memory = _panel()
    root = tmp_path_factory.mktemp("subgroups_power")
    files = memory.drop(columns=["unemployment"])
    files = files.assign(month=files["month"].astype(str), year=files["month"].dt.year)
    ds.write_dataset(pa.Table.from_pandas(files, preserve_index=False), root / "hours", format="parquet",
                     partitioning=["year"], partitioning_flavor="hive")
    cycle = memory.drop_duplicates(["muni", "month"])[["muni", "month", "unemployment"]]
    cycle.assign(month=cycle["month"].astype(str)).to_parquet(root / "cycle.parquet", index=False)
    return {"memory": memory, "hours": root / "hours", "cycle": root / "cycle.parquet", "root": root}


def _engine(engine: str, request: pytest.FixtureRequest) -> dict[str, object]:
    if engine == "dask":
        return {"engine": "dask", "client": request.getfixturevalue("dask_client")}
    return {"engine": engine}


def _quiet(function: Callable[..., object], *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return function(*args, **kwargs)


def _same_subgroups(got: hj.SubgroupsResult, want: hj.SubgroupsResult) -> None:
    got_table, want_table = got.to_frame(), want.to_frame()
    pd.testing.assert_frame_equal(got_table, want_table, rtol=1e-10)
    assert got_table["p_value"].tolist() == want_table["p_value"].tolist()
    assert got_table["p_adjusted"].tolist() == want_table["p_adjusted"].tolist()
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    assert got.pvalue == want.pvalue
    assert set(got.joint_test) == set(want.joint_test)
    for key, value in want.joint_test.items():
        if isinstance(value, float) and key == "statistic":
            assert got.joint_test[key] == pytest.approx(value, rel=1e-8)
        else:
            assert got.joint_test[key] == value, key
    for key in ("rows_input", "exclusions", "levels", "levels_estimated", "subgroup_exclusions"):
        assert got.provenance[key] == want.provenance[key], key


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_subgroups_with_placebo_and_cycle_panel_equal_in_memory(panel: dict[str, object], engine: str,
                                                                 request: pytest.FixtureRequest, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    want = hj.subgroups(panel["memory"], "y", **ROLES, by="sex", inference="placebo")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the levels' copies go
    got = hj.subgroups(panel["hours"], "y", **ROLES, by="sex", inference="placebo", cycle_panel=panel["cycle"],
                       **_engine(engine, request))
    _same_subgroups(got, want)
    assert got.joint_test["method"] == "placebo" and got.joint_test["draws"] == 23
    assert got.to_frame()["sex"].tolist() == ["f", "m"]
    assert [level.provenance["engine_path"] for level in got.levels.values()] == ["cells", "cells"]
    assert not list(tmp_path.glob("hjeval-subgroups-*"))  # the copies are removed


@pytest.mark.parametrize("given, engine", [("path", "pandas"), ("frame", "duckdb")])
def test_subgroups_of_a_path_read_whole_or_a_frame_on_duckdb_equal_in_memory(panel: dict[str, object], given: str,
                                                                             engine: str) -> None:
    roles = {k: v for k, v in ROLES.items() if k != "cycle"}
    want = hj.subgroups(panel["memory"], "y", **roles, by="sex")
    got = hj.subgroups(panel["hours"] if given == "path" else panel["memory"], "y", **roles, by="sex", engine=engine)
    _same_subgroups(got, want)


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_subgroups_wald_joint_test_and_suppressed_levels_equal_in_memory(panel: dict[str, object], engine: str,
                                                                         request: pytest.FixtureRequest) -> None:
    spec = dict(**ROLES, by=["sex", "band"], inference="cluster")
    want = _quiet(hj.subgroups, panel["memory"], "y", **spec)
    got = _quiet(hj.subgroups, panel["hours"], "y", **spec, cycle_panel=panel["cycle"], **_engine(engine, request))
    got_table, want_table = got.to_frame(), want.to_frame()
    pd.testing.assert_frame_equal(got_table, want_table, rtol=1e-10)
    assert got_table["p_adjusted"].to_numpy() == pytest.approx(want_table["p_adjusted"].to_numpy(), rel=1e-8,
                                                               nan_ok=True)
    assert got_table["suppressed"].tolist() == want_table["suppressed"].tolist() and got_table["suppressed"].any()
    assert got.joint_test["method"] == "wald" and got.joint_test["df"] == want.joint_test["df"]
    assert got.joint_test["statistic"] == pytest.approx(want.joint_test["statistic"], rel=1e-8)
    assert got.joint_test["pvalue"] == pytest.approx(want.joint_test["pvalue"], rel=1e-8)
    assert got.provenance["subgroup_exclusions"] == want.provenance["subgroup_exclusions"]


def test_persons_per_level_on_the_engines_equal_in_memory(panel: dict[str, object],
                                                          request: pytest.FixtureRequest) -> None:
    memory = panel["memory"]
    treated = memory[memory["muni"].isin([0, 3])]
    want = treated.groupby("sex")["pid"].nunique().to_dict()
    weighted = treated.groupby(["sex", "month"])["w"].sum().groupby("sex").max().to_dict()
    for engine in ("duckdb", "dask"):
        client = request.getfixturevalue("dask_client") if engine == "dask" else None
        found = treated_persons(panel["hours"], by=["sex"], unit="pid", group="muni", time="month", weights=None,
                                treated=[0, 3], engine=engine, client=client)
        assert found.set_index("sex")["persons"].to_dict() == want
        summed = treated_persons(panel["hours"], by=["sex"], unit="muni", group="muni", time="month", weights="w",
                                 treated=[0, 3], engine=engine, client=client)
        assert summed.set_index("sex")["persons"].to_dict() == pytest.approx(weighted, rel=1e-12)
        counts, missing = value_rows(panel["hours"], ["sex", "year"], engine=engine, client=client)
        assert missing == 0
        assert counts.set_index(["sex", "year"])["rows"].sort_index().tolist() == (
            memory.groupby(["sex", memory["month"].dt.year]).size().sort_index().tolist())


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_subset_rows_copies_the_matching_rows_with_their_types(panel: dict[str, object], engine: str,
                                                              tmp_path: Path, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue("dask_client") if engine == "dask" else None
    folder, rows = subset_rows(panel["hours"], tmp_path / "copy", values={"sex": ["f"], "year": [2014]},
                               columns=["pid", "month", "y"], engine=engine, client=client)
    memory = panel["memory"]
    want = memory[(memory["sex"] == "f") & (memory["month"].dt.year == 2014)]
    copied = pd.read_parquet(folder).sort_values(["pid", "month"]).reset_index(drop=True)
    assert rows == len(want) == len(copied)
    assert copied["month"].tolist() == want.sort_values(["pid", "month"])["month"].astype(str).tolist()
    np.testing.assert_array_equal(copied["y"].to_numpy(), want.sort_values(["pid", "month"])["y"].to_numpy())


def _same_power(got: hj.PowerResult, want: hj.PowerResult) -> None:
    assert got.mde == pytest.approx(want.mde, rel=1e-10)
    assert got.sigma == pytest.approx(want.sigma, rel=1e-10)
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    assert got.pvalue == want.pvalue
    assert got.horizon == want.horizon and got.pre_periods == want.pre_periods and got.start == want.start
    np.testing.assert_allclose(got.slopes, want.slopes, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(got.null_estimates.to_numpy(), want.null_estimates.to_numpy(), rtol=1e-10)
    pd.testing.assert_frame_equal(got.curve, want.curve, rtol=1e-8)
    for key in ("rows_input", "rows_used", "exclusions"):
        assert got.provenance[key] == want.provenance[key], key


@pytest.mark.parametrize("engine", ["duckdb", "dask"])
def test_power_on_the_dataset_equals_in_memory(panel: dict[str, object], engine: str,
                                               request: pytest.FixtureRequest) -> None:
    spec = dict(unit="pid", group="muni", time="month", treated=0, cycle="unemployment")
    want = hj.power(panel["memory"], "y", start="2015-01", **spec)
    got = hj.power(panel["hours"], "y", start="2015-01", **spec, cycle_panel=panel["cycle"],
                   **_engine(engine, request))
    _same_power(got, want)
    left_out = int((panel["memory"]["month"] >= pd.Period("2015-01", "M")).sum())
    assert got.provenance["exclusions"][0]["rows"] == left_out > 0


def test_power_on_a_path_read_whole_by_pandas_equals_in_memory(panel: dict[str, object]) -> None:
    spec = dict(unit="pid", group="muni", time="month", treated=0, start="2014-10", horizon=4)
    want = hj.power(panel["memory"], "y", **spec)
    got = hj.power(panel["hours"], "y", **spec, engine="pandas")
    _same_power(got, want)


def test_bad_input_on_a_path_names_the_column_the_rows_and_the_fix(panel: dict[str, object],
                                                                   tmp_path: Path) -> None:
    with pytest.raises(hj.DataError, match=r"by: column\(s\) \['gender'\] not in the dataset .*hours; it has \["):
        hj.subgroups(panel["hours"], "y", **ROLES, by="gender", cycle_panel=panel["cycle"])
    broken = panel["memory"].drop(columns=["unemployment"]).assign(month=lambda f: f["month"].astype(str))
    broken.loc[[4, 9], "sex"] = None
    broken.to_parquet(tmp_path / "rows.parquet")
    with pytest.raises(hj.DataError, match=r"column 'sex' has missing values in 2 rows of .*rows\.parquet, e\.g\. "
                                           r"rows\.parquet row 5 .*give those rows a level"):
        hj.subgroups(tmp_path / "rows.parquet", "y", **ROLES, by="sex", cycle_panel=panel["cycle"])
    broken.loc[[4, 9], "month"] = None
    broken.to_parquet(tmp_path / "rows.parquet")
    with pytest.raises(hj.DataError, match=r"column 'month' has no period in 2 rows, e\.g\. rows\.parquet row 5"):
        hj.power(tmp_path / "rows.parquet", "y", unit="pid", group="muni", time="month", treated=0, start="2015-01")
    with pytest.raises(hj.DataError, match=r"outcome='hours'"):
        hj.power(panel["hours"], "hours", unit="pid", group="muni", time="month", treated=0, start="2015-01")
