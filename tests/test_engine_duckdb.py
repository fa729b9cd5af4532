"""The DuckDB engine: a Parquet dataset read out of core gives the in-memory estimates and inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import hjeval as hj
from hjeval.errors import DataError, HjevalWarning

START = "2015-01"
TREATED = 860


@pytest.fixture(scope="module")
def region(synthetic_region: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Half of the region's persons as a year-partitioned Parquet dataset, and the same rows in memory."""
    rows = pd.read_parquet(synthetic_region / "hours_person_month.parquet",
                           columns=["person_id", "municipality", "month", "hours"])
    rows = rows[(rows["person_id"] % 2 == 0).to_numpy()].reset_index(drop=True)
    folder = tmp_path_factory.mktemp("engine") / "hours"
    table = pa.Table.from_pandas(rows.assign(year=pd.to_datetime(rows["month"]).dt.year), preserve_index=False)
    ds.write_dataset(table, folder, format="parquet", partitioning=["year"], partitioning_flavor="hive")
    cycle = pd.read_csv(synthetic_region / "cycle.csv")
    memory = rows.assign(month=pd.PeriodIndex(pd.to_datetime(rows["month"]), freq="M"))
    memory = memory.merge(
        cycle.assign(month=pd.PeriodIndex(cycle["period"], freq="M"))[["municipality", "month", "unemployment_rate"]],
        on=["municipality", "month"], how="left", validate="many_to_one",
    )
    return {"folder": folder, "cycle_csv": synthetic_region / "cycle.csv", "cycle": cycle, "memory": memory}


def _same(got: hj.EffectResult, want: hj.EffectResult) -> None:
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    if np.isnan(want.se):
        assert np.isnan(got.se)
    else:
        assert got.se == pytest.approx(want.se, rel=1e-10)
    assert got.ci == pytest.approx(want.ci, rel=1e-10)
    assert got.n_obs == want.n_obs
    assert got.provenance["rows_input"] == want.provenance["rows_input"]
    assert got.provenance["exclusions"] == want.provenance["exclusions"]


@pytest.mark.parametrize("unit", ["person_id", "municipality"])
@pytest.mark.parametrize("inference", ["placebo", "conley-taber", "cluster"])
def test_dataset_equals_in_memory(region: dict[str, object], unit: str, inference: str) -> None:
    kwargs = dict(unit=unit, group="municipality", time="month", treated=TREATED, start=START,
                  cycle="unemployment_rate", inference=inference)
    with pytest.warns(HjevalWarning) if inference == "cluster" else _no_warning():
        want = hj.did(region["memory"], "hours", **kwargs)
    with pytest.warns(HjevalWarning) if inference == "cluster" else _no_warning():
        got = hj.did(str(region["folder"]), "hours", engine="duckdb", cycle_panel=region["cycle_csv"], **kwargs)
    _same(got, want)
    if inference == "cluster":  # t-based p-values to rounding, permutation p-values exactly
        assert got.pvalue == pytest.approx(want.pvalue, rel=1e-8)
    else:
        assert got.pvalue == want.pvalue
        pd.testing.assert_series_equal(got.placebo, want.placebo, rtol=1e-10)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10)


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_cycle_panel_as_dataframe_and_default_engine(region: dict[str, object]) -> None:
    cycle = region["cycle"]
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=TREATED, start=START,
                  cycle="unemployment_rate")
    got = hj.did(region["folder"], "hours", cycle_panel=cycle, **kwargs)  # a path: DuckDB by default
    want = hj.did(region["memory"], "hours", **kwargs)
    _same(got, want)
    assert got.pvalue == want.pvalue


def test_event_study_on_the_dataset_equals_in_memory(region: dict[str, object]) -> None:
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=TREATED, start=START,
                  cycle="unemployment_rate", window=(-3, 4), bin_width=12)
    want = hj.event_study(region["memory"], "hours", **kwargs)
    got = hj.event_study(region["folder"], "hours", engine="duckdb", cycle_panel=region["cycle_csv"], **kwargs)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10)
    assert got.pretrend["pvalue"] == want.pretrend["pvalue"]
    assert got.pvalue == want.pvalue
    assert got.n_obs == want.n_obs


def _small(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(p, p % 24, y) for p in range(480) for y in range(2010, 2018) if rng.random() > 0.15]
    frame = pd.DataFrame(rows, columns=["pid", "muni", "year"])
    frame["y"] = rng.normal(size=len(frame)) + 2.0 * ((frame["muni"] == 0) & (frame["year"] >= 2014))
    frame["w"] = rng.integers(1, 4, size=len(frame)).astype(float)
    return frame


def test_exclusions_weights_and_placebo_match(tmp_path: Path) -> None:
    frame = _small()
    frame.loc[[3, 40, 41], "y"] = np.nan
    frame.to_parquet(tmp_path / "panel.parquet")
    kwargs = dict(unit="pid", group="muni", time="year", treated=0, start=2014, weights="w")
    with pytest.warns(HjevalWarning, match="3 rows: missing 'y'"):
        want = hj.did(frame, "y", **kwargs)
    with pytest.warns(HjevalWarning, match="3 rows: missing 'y'"):
        got = hj.did(tmp_path / "panel.parquet", "y", **kwargs)
    _same(got, want)
    assert got.pvalue == want.pvalue
    assert got.provenance["exclusions"] == [{"reason": "missing 'y'", "rows": 3}]


def test_movers_entry_matches(tmp_path: Path) -> None:
    frame = _small()
    moving = (frame["pid"] == 5) & (frame["year"] >= 2016)
    frame.loc[moving, "muni"] = 7
    frame.to_parquet(tmp_path / "panel.parquet")
    kwargs = dict(unit="pid", group="muni", time="year", treated=0, start=2014)
    with pytest.raises(DataError, match=r"1 pid value\(s\) appear in more than one muni, e.g. 5 in \[5, 7\]"):
        hj.did(tmp_path / "panel.parquet", "y", **kwargs)
    for movers in ("entry", "split"):
        with pytest.warns(HjevalWarning, match="appear in more than one muni"):
            want = hj.did(frame, "y", movers=movers, **kwargs)
        with pytest.warns(HjevalWarning, match="appear in more than one muni"):
            got = hj.did(tmp_path / "panel.parquet", "y", movers=movers, **kwargs)
        _same(got, want)
        assert got.provenance["adjustments"] == want.provenance["adjustments"]


def test_bad_input_names_path_column_and_fix(tmp_path: Path, region: dict[str, object]) -> None:
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=TREATED, start=START)
    missing = tmp_path / "nowhere"
    with pytest.raises(DataError, match=r"nowhere does not exist; give the path of a Parquet file"):
        hj.did(missing, "hours", **kwargs)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no data here")
    with pytest.raises(DataError, match=r"empty holds no Parquet files .*to_parquet"):
        hj.did(tmp_path / "empty", "hours", **kwargs)
    with pytest.raises(DataError, match=r"column\(s\) not in the dataset: outcome='hourz'.*it has \["):
        hj.did(region["folder"], "hourz", **kwargs)
    with pytest.raises(DataError, match=r"regressor 'unemployment_rate'"):
        hj.did(region["folder"], "hours", cycle="unemployment_rate", **kwargs)
    with pytest.raises(DataError, match=r"engine='spark' is not one of \['pandas', 'duckdb', 'dask'\]"):
        hj.did(region["folder"], "hours", engine="spark", **kwargs)  # type: ignore[arg-type]
    partial = region["cycle"][region["cycle"]["municipality"] != 851]
    with pytest.raises(DataError, match=r"cycle_panel does not cover \d+ rows .* e.g. \(851, "):
        hj.did(region["folder"], "hours", cycle="unemployment_rate", cycle_panel=partial, **kwargs)
    with pytest.raises(DataError, match=r"column\(s\) \['unemployment'\] not in the cycle panel"):
        hj.did(region["folder"], "hours", cycle="unemployment", cycle_panel=region["cycle"], **kwargs)
    with pytest.raises(DataError, match=r"cycle_panel= is joined by engine='duckdb'"):
        hj.did(region["memory"], "hours", cycle="unemployment_rate", cycle_panel=region["cycle"], **kwargs)


def test_role_values_missing_name_file_and_row(tmp_path: Path) -> None:
    frame = _small()
    frame["pid"] = frame["pid"].astype("Int64")
    frame.loc[7, "pid"] = pd.NA
    frame.to_parquet(tmp_path / "panel.parquet")
    with pytest.raises(DataError, match=r"column 'pid' \(unit\) has missing values in 1 rows, e.g. panel.parquet "
                                        r"row 8 .*fill them in"):
        hj.did(tmp_path, "y", unit="pid", group="muni", time="year", treated=0, start=2014)


def test_repeated_unit_periods_are_named(tmp_path: Path) -> None:
    frame = _small()
    frame = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    frame.to_parquet(tmp_path / "panel.parquet")
    with pytest.raises(DataError, match=r"rows repeat a \(pid, year\) pair .*drop the duplicates"):
        hj.did(tmp_path, "y", unit="pid", group="muni", time="year", treated=0, start=2014)
