"""The Dask engine behind the spells, time on support and the descriptives: the in-memory results, exactly.

Each function runs on the rows in memory and with ``engine="dask"`` on the same rows as a Parquet file, as a folder
partitioned by year and as a DataFrame, on one module-scoped in-process cluster (the panel builders are those of
``tests/test_engine_duckdb_support.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client

import hjeval as hj
from hjeval.descriptives import outcome_by_period
from hjeval.duration import benefit_spells, duration_did, time_on_support
from hjeval.engines import dask_engine
from tests.panels import person_panel
from tests.test_engine_duckdb_support import DURATION, LAYOUTS, SPELLS, quiet, spell_rows, write


@pytest.fixture(scope="module")
def client(dask_client: Client) -> Client:
    """The session's local Dask cluster (tests/conftest.py)."""
    return dask_client


@pytest.fixture(scope="module")
def spells_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return write(spell_rows(), tmp_path_factory.mktemp("dask_support"))


@pytest.fixture(scope="module")
def hours_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return write(person_panel(seed=3, persons=600, groups=12), tmp_path_factory.mktemp("dask_hours"))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("benefit", "gap"), [(None, 0), (None, 2), ("benefit_group", 0), ("benefit_group", 2)])
def test_spells_on_dask_equal_in_memory(spells_data: dict[str, object], client: Client, layout: str,
                                        benefit: str | None, gap: int) -> None:
    path, memory = spells_data[layout]
    want = benefit_spells(memory, benefit=benefit, gap_months=gap, **SPELLS)
    assert want["moved"].any() and want["left_truncated"].any() and want["right_censored"].any()
    assert (want.attrs["merged_rows"] > 0) == (benefit is None)
    for data in (path, memory):
        got = benefit_spells(data, benefit=benefit, gap_months=gap, engine="dask", client=client, **SPELLS)
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs == want.attrs


def test_spells_of_other_month_spellings_on_dask(spells_data: dict[str, object], client: Client,
                                                 tmp_path: Path) -> None:
    _, memory = spells_data["file"]
    text = memory.assign(month=memory["month"].dt.strftime("%YM%m"))
    text.to_parquet(tmp_path / "rows.parquet")
    for observed in (None, ("2011-07", "2018-06")):
        want = benefit_spells(text, gap_months=1, observed=observed, **SPELLS)
        got = benefit_spells(tmp_path / "rows.parquet", gap_months=1, observed=observed, engine="dask",
                             client=client, **SPELLS)
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs == want.attrs


def test_time_on_support_and_duration_did_on_dask(spells_data: dict[str, object], client: Client) -> None:
    path, memory = spells_data["hive"]
    want = time_on_support(memory, by_municipality=True, gap_months=1, **DURATION)
    got = time_on_support(path, by_municipality=True, gap_months=1, engine="dask", client=client, **DURATION)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10, atol=0)
    pd.testing.assert_frame_equal(got.curves, want.curves, rtol=1e-10, atol=0)
    assert got.provenance == want.provenance

    want_did = quiet(duration_did, memory, horizon=104.0, **DURATION)
    got_did = quiet(duration_did, path, horizon=104.0, engine="dask", client=client, **DURATION)
    assert got_did.estimate == pytest.approx(want_did.estimate, rel=1e-10)
    assert got_did.hazard_ratio == pytest.approx(want_did.hazard_ratio, rel=1e-10)
    assert got_did.ci == pytest.approx(want_did.ci, rel=1e-10)
    assert got_did.pvalue == want_did.pvalue  # a rank among the re-assignments: exactly the same
    assert got_did.hazard_ratio_pvalue == want_did.hazard_ratio_pvalue
    pd.testing.assert_series_equal(got_did.placebo, want_did.placebo, rtol=1e-10)
    assert got_did.n_obs == want_did.n_obs and got_did.provenance == want_did.provenance


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("frequency", ["period", "year"])
def test_outcome_by_period_on_dask_equals_in_memory(hours_data: dict[str, object], client: Client, layout: str,
                                                    frequency: str) -> None:
    path, memory = hours_data[layout]
    adjust = quiet(hj.did, memory, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07",
                   cycle="unemployment")
    for options in ({}, {"adjust": adjust, "comparison": [1, 2, 3, 5, 8]}):
        kwargs = dict(unit="pid", group="muni", time="month", treated=0, frequency=frequency, **options)
        want = outcome_by_period(memory, "y", **kwargs)
        for data in (path, memory):
            got = outcome_by_period(data, "y", engine="dask", client=client, **kwargs)
            pd.testing.assert_frame_equal(got, want, rtol=1e-10, atol=0)
            assert {k: v for k, v in got.attrs.items() if k != "cycle_reference"} == {
                k: v for k, v in want.attrs.items() if k != "cycle_reference"}
            if "adjust" in options:
                assert got.attrs["cycle_reference"] == pytest.approx(want.attrs["cycle_reference"], rel=1e-12)


def test_bad_rows_on_dask_are_named_as_in_memory(client: Client, tmp_path: Path) -> None:
    rows = spell_rows(persons=8).assign(month=lambda d: d["month"].astype(str))
    path = tmp_path / "rows.parquet"
    with pytest.raises(hj.DataError, match=rf"{re.escape(str(path.parent))}.*column\(s\) not in the dataset: "
                                           r"unit='pid'"):
        rows.to_parquet(path)
        benefit_spells(path, engine="dask", client=client, **{**SPELLS, "unit": "pid"})
    broken = rows.copy()
    broken.loc[[7, 9], "month"] = None
    broken.to_parquet(path)
    prefix = rf"{re.escape(str(path))} \(rows counted from 0 in file order\): "
    with pytest.raises(hj.DataError, match=prefix + r"column 'month' \(time\) has missing values in rows 7, 9 "
                                                    r"\(index labels\); fill them in"):
        benefit_spells(path, engine="dask", client=client, **SPELLS)
    with pytest.raises(hj.DataError, match=prefix + r"column 'month' has missing values in rows 7, 9 "
                                                    r"\(0-based positions\)"):
        outcome_by_period(path, "unemployment_rate", unit="person_id", group="municipality", time="month",
                          treated=0, engine="dask", client=client)
    pd.concat([rows, rows.iloc[[5]]], ignore_index=True).to_parquet(path)
    want = r"1 rows repeat a \(person_id, benefit_group, month\) triple, e.g. rows 5, \d+ \(index labels\)"
    with pytest.raises(hj.DataError, match=prefix + want):
        benefit_spells(path, benefit="benefit_group", engine="dask", client=client, **SPELLS)
    with pytest.raises(hj.DataError, match=r"a person has more than one row in a period in rows \d+, \d+"):
        outcome_by_period(path, "unemployment_rate", unit="person_id", group="municipality", time="month",
                          treated=0, engine="dask", client=client)
    rows.to_parquet(path)
    with pytest.raises(hj.DataError, match=r"months outside observed=\('2013-01', '2016-12'\) in rows "):
        benefit_spells(path, observed=("2013-01", "2016-12"), engine="dask", client=client, **SPELLS)
    with pytest.raises(hj.DataError, match=r"client= must be a dask.distributed.Client, not str"):
        benefit_spells(path, engine="dask", client="tcp://nowhere", **SPELLS)


def test_rows_of_many_row_groups_are_named_by_their_place_in_the_file(client: Client, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_engine, "PARTITION_ROWS", 8)  # partitions of two row groups of four rows
    rows = spell_rows(persons=8).assign(month=lambda d: d["month"].astype(str))
    rows.loc[[7, 21], "month"] = None
    path = tmp_path / "rows.parquet"
    rows.to_parquet(path, row_group_size=4)
    with pytest.raises(hj.DataError, match=r"column 'month' \(time\) has missing values in rows 7, 21 "):
        benefit_spells(path, engine="dask", client=client, **SPELLS)


def test_a_rewritten_file_is_read_again(client: Client, tmp_path: Path) -> None:
    rows = person_panel(seed=3, persons=60, groups=4, months=6)
    path = tmp_path / "rows.parquet"
    kwargs = dict(unit="pid", group="muni", time="month", treated=0, engine="dask", client=client)
    rows.to_parquet(path)
    before = outcome_by_period(path, "y", **kwargs)
    rows.assign(y=rows["y"] + 1.0).to_parquet(path)
    after = outcome_by_period(path, "y", **kwargs)
    assert np.allclose(after["mean"].to_numpy(), before["mean"].to_numpy() + 1.0, rtol=0, atol=1e-12)
