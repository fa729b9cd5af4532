"""Persons off support on a Dask cluster: the pandas and DuckDB results, and DuckDB's error messages, exactly.

The rows are those of ``tests/test_engine_duckdb_support.py`` (person-month rows of spells, some months on two
benefits, a business cycle per municipality and month), as a Parquet file, as a folder partitioned by year (one
partition a file) and as a DataFrame cut into several partitions, on the session's local cluster
(tests/conftest.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import Client

import hjeval as hj
from hjeval.economics import PersonsOffSupport, persons_off_support
from hjeval.engines import dask_engine, dask_support
from hjeval.engines.dask_person_cells import distinct_persons, person_rows, repeated_keys
from tests.test_engine_duckdb_support import DURATION, cycle_long, quiet, spell_rows, write

PIECE_ROWS = 4_000


@pytest.fixture(scope="module")
def client(dask_client: Client) -> Client:
    """The session's local Dask cluster (tests/conftest.py)."""
    return dask_client


@pytest.fixture(autouse=True)
def small_partitions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Partitions of a few thousand rows (a DataFrame cut, a file read in pieces of its row groups), so that cells
    and first rows are combined across partitions."""
    monkeypatch.setattr(dask_engine, "PARTITION_ROWS", PIECE_ROWS)
    monkeypatch.setattr(dask_support, "PARTITION_ROWS", PIECE_ROWS)


@pytest.fixture(scope="module")
def spells_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    found = write(spell_rows(), tmp_path_factory.mktemp("persons_dask"))
    path, frame = found["file"]  # type: ignore[misc]
    frame.to_parquet(path, row_group_size=PIECE_ROWS // 2)  # the same rows, in row groups: several pieces
    return found


@pytest.fixture(scope="module")
def cells_path(spells_data: dict[str, object], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The rows aggregated to persons per municipality and month (in a shuffled order), as a Parquet file."""
    _, memory = spells_data["file"]  # type: ignore[misc]
    cells = (memory.drop_duplicates(["person_id", "municipality", "month"])
             .groupby(["municipality", "month"]).size().rename("persons").reset_index()
             .sample(frac=1.0, random_state=3).reset_index(drop=True))
    path = tmp_path_factory.mktemp("persons_dask_cells") / "cells.parquet"
    cells.to_parquet(path, row_group_size=100)
    return path, cells


def assert_same(got: PersonsOffSupport, want: PersonsOffSupport) -> None:
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10, atol=0)
    pd.testing.assert_frame_equal(got.draws, want.draws, rtol=1e-10, atol=0)
    pd.testing.assert_frame_equal(got.event_study.to_frame(), want.event_study.to_frame(), rtol=1e-10, atol=0)
    assert got.event_study.pvalue == want.event_study.pvalue  # a rank among the re-assignments: exactly the same
    assert got.event_study.pretrend == want.event_study.pretrend
    assert got.stock_before_start == pytest.approx(want.stock_before_start, rel=1e-12)
    assert got.provenance == want.provenance and got.benefit_group == want.benefit_group


@pytest.mark.parametrize(("layout", "options"), [
    ("hive", {}),
    ("file", {"cycle": "unemployment_rate"}),
    ("file", {"cycle": "unemployment_rate", "cycle_panel": cycle_long()}),
    ("hive", {"cycle": "unemployment_rate", "cycle_panel": cycle_long(), "benefit_group": "job_ready_cash"}),
])
def test_persons_off_support_on_dask_equals_pandas_and_duckdb(spells_data: dict[str, object], client: Client,
                                                              layout: str, options: dict[str, object]) -> None:
    path, memory = spells_data[layout]  # type: ignore[misc]
    want = quiet(persons_off_support, memory, **DURATION, **options)
    assert len(want.draws) and np.isfinite(want.table["persons_off_support"]).all()
    on_duckdb = quiet(persons_off_support, path, engine="duckdb", **DURATION, **options)
    assert_same(on_duckdb, want)
    for data in (path, memory):
        assert_same(quiet(persons_off_support, data, engine="dask", client=client, **DURATION, **options), want)


def test_aggregated_cells_on_dask(cells_path: tuple[Path, pd.DataFrame], client: Client) -> None:
    path, cells = cells_path
    common = dict(unit="municipality", time="month", treated=0, start="2015-01", persons="persons")
    want = quiet(persons_off_support, cells, **common)
    assert_same(quiet(persons_off_support, path, engine="duckdb", **common), want)
    assert_same(quiet(persons_off_support, path, engine="dask", client=client, **common), want)
    # a client alone chooses the Dask engine
    assert_same(quiet(persons_off_support, path, client=client, **common), want)


SMALL = pd.DataFrame({"person_id": [1, 1, 2, 3, None, None, 4, 4],
                      "municipality": [0, 0, 0, 1, 1, 1, 1, 1],
                      "month": ["2015-01"] * 6 + ["2015-02", "2015-02"],
                      "benefit_group": ["a", "b", "a", "a", "a", "b", "a", "a"]})


def test_the_dask_passes_count_cells_across_partitions(client: Client, tmp_path: Path) -> None:
    for i in range(4):  # four files of two rows: four partitions
        SMALL.iloc[2 * i:2 * i + 2].to_parquet(tmp_path / f"part-{i}.parquet")
    with person_rows(tmp_path, list(SMALL.columns), {"unit": "person_id"}, client=client) as found:
        assert found.frame.npartitions == 4
        times = found.distinct("month")
        counts = distinct_persons(found, unit="person_id", group="municipality", time="month", times=times,
                                  periods=np.array([10, 11]))
        extra, shown = repeated_keys(found, ["person_id", "month", "benefit_group"])
    # a person on two benefits is one person; rows without a person count once per cell
    assert sorted(map(tuple, counts.to_numpy().tolist())) == [(0, 10, 2), (1, 10, 2), (1, 11, 1)]
    assert extra == 1 and shown == ("part-3.parquet row 1 (person_id=4.0, month='2015-02', benefit_group='a'); "
                                    "part-3.parquet row 2 (person_id=4.0, month='2015-02', benefit_group='a')")


def test_rows_of_a_file_read_in_several_pieces_are_named_by_their_row(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    SMALL.to_parquet(path, row_group_size=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dask_engine, "PARTITION_ROWS", 2)
        with person_rows(path, list(SMALL.columns), {"unit": "person_id"}, client=client) as found:
            assert found.frame.npartitions == 4
            extra, shown = repeated_keys(found, ["person_id", "month", "benefit_group"])
            count, missing = found.examples(lambda part: part["person_id"].isna().to_numpy(), ["person_id"])
    assert extra == 1 and shown == ("rows.parquet row 7 (person_id=4.0, month='2015-02', benefit_group='a'); "
                                    "rows.parquet row 8 (person_id=4.0, month='2015-02', benefit_group='a')")
    assert count == 2 and missing == "rows.parquet row 5 (person_id=None); rows.parquet row 6 (person_id=None)"


# --------------------------------------------------------------------------- bad input: DuckDB's messages


def messages(data: object, client: Client, **kwargs: object) -> list[str]:
    """The DataError of the DuckDB and the Dask engine on the same input."""
    found = []
    for engine in ("duckdb", "dask"):
        with pytest.raises(hj.DataError) as caught:
            quiet(persons_off_support, data, engine=engine, **({"client": client} if engine == "dask" else {}),
                  **kwargs)
        found.append(str(caught.value))
    return found


class Files:
    """Each frame written to a new folder: the Dask engine reads a file rewritten in place as the file it first read
    while a frame of that read is alive (its pieces are known by path and row groups), so no path is reused."""

    def __init__(self, root: Path) -> None:
        self.root, self.n = root, 0

    def __call__(self, frame: pd.DataFrame, name: str = "rows.parquet", **kwargs: object) -> Path:
        self.n += 1
        (self.root / f"case{self.n}").mkdir()
        frame.to_parquet(self.root / f"case{self.n}" / name, **kwargs)
        return self.root / f"case{self.n}" / name


def test_bad_input_on_dask_gives_the_duckdb_message(client: Client, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dask_engine, "PARTITION_ROWS", 1_500)  # files of row groups of 1,000: a piece each
    rows = spell_rows(persons=8).assign(month=lambda d: d["month"].astype(str))
    folder = tmp_path / "by_year"
    write(rows.assign(month=pd.PeriodIndex(rows["month"], freq="M")), tmp_path)
    written = Files(tmp_path)

    def same(data: object, pattern: str, *, named: bool = True, **kwargs: object) -> None:
        duckdb_says, dask_says = messages(data, client, **{**DURATION, **kwargs})
        assert dask_says == duckdb_says
        assert re.search(pattern, dask_says), dask_says
        if named:
            assert dask_says.startswith(f"{data}: " if isinstance(data, Path) else "the DataFrame: "), dask_says

    same(folder, r"column\(s\) not in the dataset: unit='pid'; it has \[", unit="pid")
    same(rows, r"column\(s\) not in the data: unit='pid'", unit="pid")
    same(folder, r"treated=99 is not a value of column 'municipality'", treated=99)
    same(folder, r"^start='2015Q1' is a Q-DEC period but column 'month' holds", named=False, start="2015Q1")
    same(folder, r"no rows of benefit_group 'sickness' in column 'benefit_group'", benefit_group="sickness")
    same(written(rows.drop(columns="benefit_group")),
         r"column 'benefit_group' not found, so benefit_group='sickness' cannot be chosen; the data has "
         r"\['person_id', 'municipality', 'unemployment_rate', 'month'\]", benefit_group="sickness")

    broken = rows.copy()
    broken.loc[[7, 3_000], "month"] = None
    parts = tmp_path / "parts"
    parts.mkdir()
    broken.iloc[:2_000].to_parquet(parts / "a.parquet")
    broken.iloc[2_000:].to_parquet(parts / "b.parquet")
    same(parts, r"column 'month' \(time\) has missing values in 2 rows, e.g. a.parquet row 8 \(person_id=\d+, "
                r"municipality=\d+, month=None\); b.parquet row 1001 .*; every row must name its period$")
    duckdb_says, dask_says = messages(broken, client, **DURATION)  # a DataFrame's rows: by index label as well
    assert dask_says.startswith("the DataFrame: column 'month' (time) has missing values in 2 rows, e.g. index 7 (")
    assert re.sub(r"index \d+ \(", "(", dask_says) == duckdb_says
    same(written(rows.assign(month=rows["month"].where(rows.index != 3, "spring")), row_group_size=1_000),
         r"column 'month' has values that are not periods \(first: 'spring'\) in row 3")
    same(written(rows.assign(municipality=rows["municipality"].where(rows.index != 2_000)), row_group_size=1_000),
         r"column 'municipality' \(group\) has missing values in 1 rows, e.g. rows.parquet row 2001 "
         r"\(person_id=\d+, month='\d{4}-\d\d', municipality=None\); every row must name its municipality$")

    same(written(pd.concat([rows, rows.iloc[[2_500, 5]]], ignore_index=True), row_group_size=1_000),
         r"rows repeat a 'person_id', 'month' and 'benefit_group' \(2 extra rows, e.g. rows.parquet row 6 "
         r"\(person_id=\d+, month='\d{4}-\d\d', benefit_group='\w+'\); rows.parquet row 2501 .*; rows.parquet row "
         r"3368 .*; each row must be one person in one period, or name the column of persons a row stands for with "
         r"persons=$")
    single = rows.drop(columns="benefit_group").drop_duplicates(["person_id", "month"]).reset_index(drop=True)
    same(written(pd.concat([single, single.iloc[[5]]], ignore_index=True)),
         r"rows repeat a 'person_id', 'month' \(1 extra rows, e.g. rows.parquet row 6 \(person_id=\d+, "
         r"month='\d{4}-\d\d'\); rows.parquet row \d+ ")

    varying = rows.copy()
    crowded = varying.groupby(["municipality", "month"])["person_id"].transform("size").to_numpy() > 1
    varying.loc[varying.index[crowded & (varying["municipality"] == 2).to_numpy()][:1], "unemployment_rate"] = 99.0
    same(written(varying, row_group_size=1_000),
         r"column 'unemployment_rate' \(cycle\) takes several values within one 'municipality' and period "
         r"\(2 \d{4}-\d\d\); the business cycle", cycle="unemployment_rate")
    same(written(rows.assign(unemployment_rate=rows["unemployment_rate"].where(rows.index != 9))),
         r"column 'unemployment_rate' \(cycle\) has missing or infinite values in 1 rows, e.g. rows.parquet row 10 "
         r"\(municipality=\d+, month='\d{4}-\d\d', unemployment_rate=None\)$", cycle="unemployment_rate")


def test_bad_person_counts_on_dask_give_the_duckdb_message(cells_path: tuple[Path, pd.DataFrame], client: Client,
                                                            tmp_path: Path) -> None:
    _, cells = cells_path
    written = Files(tmp_path)
    common = dict(unit="municipality", time="month", treated=0, start="2015-01", persons="persons")
    for persons, pattern in [
        (cells["persons"].where(cells.index != 40, -1), r"has values below 0 in 1 rows, e.g. cells.parquet row 41 "
                                                        r"\(municipality=\d+, month=.*, persons=-1\)$"),
        (cells["persons"].astype(str).where(cells.index != 7, "many"), r"has values that are not numbers in 1 rows, "
                                                                      r"e.g. cells.parquet row 8 .*persons='many'\)$"),
        (cells["persons"].astype(float).where(cells.index != 11, np.inf), r"has missing or infinite values in 1 rows"),
        (cells["persons"] > 0, r"column 'persons' \(persons\) holds true/false values, not numbers$"),
    ]:
        path = written(cells.assign(month=cells["month"].astype(str), persons=persons), "cells.parquet",
                       row_group_size=100)
        duckdb_says, dask_says = messages(path, client, **common)
        assert dask_says == duckdb_says
        assert re.search(pattern, dask_says) and dask_says.startswith(f"{path}: "), dask_says


def test_the_client_goes_with_the_dask_engine(spells_data: dict[str, object], client: Client) -> None:
    path, _ = spells_data["hive"]  # type: ignore[misc]
    with pytest.raises(hj.DataError, match=r"client= is the Dask cluster of engine='dask', but engine='duckdb'"):
        persons_off_support(path, engine="duckdb", client=client, **DURATION)
    with pytest.raises(hj.DataError, match=r"client= must be a dask.distributed.Client, not str"):
        persons_off_support(path, engine="dask", client="tcp://nowhere", **DURATION)
