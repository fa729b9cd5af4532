"""The national world at a chosen size (``hjeval synth --scale national --rows N``).

Two worlds of N = 300,000 person-months: one written through the command line
with the default block size (every municipality in one person block at this
size) and one with small blocks and parts (``block_rows=2_000``,
``part_rows=30_000``), so that large municipalities, Hjørring among them, are
simulated in several blocks and the dataset has several parts, as at 200
million rows.

Size tolerance: the number of rows is a compound Poisson sum over persons
(persons enter as Poisson draws, each with a random number of months), so its
standard deviation is the square root of the sum over persons of their months
squared, computed from the panel itself (about 1.2 % of N here). The check
allows four of them around N, the generator's exact expectation: a 6e-5
two-sided miss rate for a correct generator.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import hjeval as hj
from hjeval.cli import main
from hjeval.data.municipalities import MUNICIPALITIES
from hjeval.synthetic import FILE_NAMES, generate
from hjeval.synthetic.blocks import BLOCK_ROWS, expected_rows, plan_rows
from hjeval.synthetic.cycle import national_unemployment
from hjeval.synthetic.dataset import PersonDataset
from hjeval.synthetic.geography import national_stock, sample_factors
from hjeval.synthetic.mechanism import mechanism_truth
from hjeval.synthetic.merge import dose_gram, merge_mechanism, merge_support
from hjeval.synthetic.panel import GroupRows
from hjeval.synthetic.params import GROUPS, REFORM
from hjeval.synthetic.person_rows import BLOCK_STRIDE, MAX_BLOCKS, PERSON_SCHEMA, PersonRows, block_local
from hjeval.synthetic.spells import Spells
from hjeval.synthetic.support import support_truth
from hjeval.synthetic.writer import (
    _add_effect_sums,
    _economies,
    _generate,
    _hjorring_effect_sums,
    _hjorring_effects,
    _simulate_block,
)

ROWS = 300_000
SEED = 11
SMALL = {"block_rows": 2_000, "part_rows": 30_000}
YEARS = [f"year={y}" for y in range(2010, 2020)]


def write_small(out: Path, seed: int = SEED, rows: int = ROWS) -> dict[str, Path]:
    return _generate(out, seed=seed, scale="national", factors=sample_factors("national"), rows=rows, **SMALL)


def read_rows(root: Path) -> pd.DataFrame:
    """The dataset as one table, with an integer month index t (2010-01 = 0)."""
    frame = ds.dataset(root, format="parquet", partitioning="hive").to_table().to_pandas()
    month = pd.to_datetime(frame["month"])
    return frame.assign(t=(month.dt.year - 2010) * 12 + month.dt.month - 1, period=month.dt.strftime("%Y-%m"))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cli_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli")
    args = ["synth", "--scale", "national", "--rows", str(ROWS), "--seed", str(SEED), "--out", str(out)]
    assert main(args) == 0
    return out


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    write_small(out)
    return out


@pytest.fixture(scope="module", params=["cli_world", "small_world"])
def world(request: pytest.FixtureRequest) -> Path:
    return Path(request.getfixturevalue(request.param))


@pytest.fixture(scope="module")
def truth(world: Path) -> dict[str, Any]:
    return json.loads((world / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def frame(world: Path) -> pd.DataFrame:
    return read_rows(world / "hours_person_month")


# --------------------------------------------------------------------------- layout


def test_hours_panel_is_a_dataset_partitioned_by_year(world: Path, truth: dict[str, Any]) -> None:
    root = world / "hours_person_month"
    assert not (world / FILE_NAMES["hours_person_month"]).exists()  # the folder replaces the single file
    assert sorted(p.name for p in root.iterdir()) == YEARS
    files = sorted(root.glob("*/*"))
    assert files and all(re.fullmatch(r"part-\d{5}\.parquet", f.name) for f in files)
    assert len(files) == truth["hours_person_month_dataset"]["files"]
    for file in files:
        assert pq.read_schema(file).equals(PERSON_SCHEMA)  # the year lives in the folder name only
        assert pq.ParquetFile(file).metadata.num_row_groups == 1
    for name in ("hours_municipality_month", "caseload", "cycle", "costs"):
        assert (world / FILE_NAMES[name]).is_file()
    query = (
        "select count(*), count(distinct year), sum(case when year(month) <> year then 1 else 0 end) "
        f"from read_parquet('{root.as_posix()}/**/*.parquet', hive_partitioning = true)"
    )
    assert duckdb.connect().execute(query).fetchall() == [(truth["rows"]["total"], 10, 0)]


def test_rows_of_each_file_are_sorted_by_person_and_month(world: Path) -> None:
    for file in sorted((world / "hours_person_month").glob("*/*.parquet")):
        table = pq.read_table(file, columns=["person_id", "month"])
        ids = table["person_id"].to_numpy()
        month = table["month"].cast("int32").to_numpy()
        assert bool(np.all((np.diff(ids) > 0) | ((np.diff(ids) == 0) & (np.diff(month) > 0)))), file


def test_about_n_rows(frame: pd.DataFrame, truth: dict[str, Any]) -> None:
    months = frame.groupby("person_id").size().to_numpy(np.float64)
    sd = math.sqrt(float((months**2).sum()))
    assert sd < 0.02 * ROWS
    assert abs(len(frame) - ROWS) <= 4 * sd
    assert truth["rows"]["target"] == ROWS
    assert truth["rows"]["expected"] == pytest.approx(ROWS)
    assert truth["rows"]["total"] == len(frame)
    assert truth["rows"]["by_group"] == frame["benefit_group"].value_counts().to_dict()
    per_municipality = frame.groupby("municipality").size()
    for code, info in truth["municipalities"].items():
        assert info["rows"] == per_municipality.get(int(code), 0)
        assert info["sample_factor"] == 1.0


def test_person_months_are_unique_and_persons_consistent(frame: pd.DataFrame) -> None:
    assert not frame.duplicated(["person_id", "t"]).any()
    # one person, one municipality, group, sex and origin: ids do not collide across blocks
    assert (frame.groupby("person_id")[["municipality", "benefit_group", "sex", "origin"]].nunique() == 1).all().all()


def test_cells_are_the_group_by_of_the_rows(world: Path, frame: pd.DataFrame) -> None:
    cells = pd.read_csv(world / "hours_municipality_month.csv")
    grouped = (
        frame.groupby(["municipality", "period", "benefit_group"], observed=True)
        .agg(persons=("hours", "size"), hours_total=("hours", "sum"))
        .reset_index()
    )
    merged = cells.merge(grouped, on=["municipality", "period", "benefit_group"], how="outer",
                         suffixes=("", "_rows"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["persons"] == merged["persons_rows"]).all()
    assert (merged["hours_total"] == merged["hours_total_rows"].round(2)).all()  # quarter hours: sums are exact


def test_caseload_counts_the_scaled_world(world: Path, frame: pd.DataFrame) -> None:
    caseload = pd.read_csv(world / "caseload.csv")
    cash = caseload[caseload["benefit_area"] == "cash_benefit"].set_index(["municipality", "period"])
    recipients = (
        frame[frame["benefit_group"].isin(["activity_ready_cash", "job_ready_cash"])]
        .groupby(["municipality", "period"]).size()
        .reindex(cash.index, fill_value=0)
    )
    assert np.allclose(cash["open_cases"], np.round(1.6 * recipients, 1))


def test_truth_is_the_truth_of_these_rows(frame: pd.DataFrame, truth: dict[str, Any]) -> None:
    active = frame[(frame["municipality"] == 860) & (frame["benefit_group"] == "activity_ready_cash")]
    window = active[(active["t"] >= 60) & (active["t"] <= 91)]  # 2015-01 .. 2017-08
    observed = truth["activity_ready_hours_per_year"]["hjorring"]["2015-01..2017-08"]
    assert observed["observed"] == pytest.approx(12 * window["hours"].mean(), abs=1e-6)
    assert observed["person_months"] == len(window)
    # the effects per person do not depend on the size: the structural slope is a parameter and the
    # realised one its least-squares fit over Hjørring's person-months
    slope = truth["dose_slope"]["activity_ready_cash"]
    assert slope["structural_hours_per_month_per_case"] == -0.087
    assert slope["realised_hours_per_month_per_case"] == pytest.approx(-0.087, abs=0.005)
    assert 40 < truth["true_effect_hours_per_year"]["activity_ready_cash"]["2015-01..2017-08"] < 58
    assert truth["rows"]["person_multiplier"] == pytest.approx(ROWS / 10.6e6, rel=0.02)


# --------------------------------------------------------------------------- blocks and parts


def test_small_blocks_make_several_blocks_and_parts(small_world: Path) -> None:
    truth = json.loads((small_world / "truth.json").read_text(encoding="utf-8"))
    assert truth["municipalities"]["860"]["person_blocks"] >= 2
    assert truth["municipalities"]["101"]["person_blocks"] >= 10
    layout = truth["hours_person_month_dataset"]
    assert layout["parts"] >= 5
    # a part holds at most part_rows plus one block (expected at most block_rows; 3x is > 10 SD)
    assert layout["largest_part_rows"] <= SMALL["part_rows"] + 3 * SMALL["block_rows"]


def test_block_size_does_not_grow_with_rows() -> None:
    national = national_unemployment(np.random.default_rng([SEED, 0]))
    economies = _economies(SEED, national)
    stocks = national_stock()
    expected = {code: expected_rows(economies[code], stocks[code], REFORM.start if code == 860 else None)
                for code in sorted(MUNICIPALITIES)}
    assert sum(expected.values()) == pytest.approx(10.6e6, rel=0.02)
    blocks = []
    for rows in (300_000, 10_000_000, 200_000_000, 1_000_000_000, 20_000_000_000):
        plan = plan_rows(rows, expected)
        assert sum(plan.expected.values()) == pytest.approx(rows)
        assert max(plan.rows_per_block().values()) <= BLOCK_ROWS
        blocks.append(sum(plan.blocks.values()))
    assert blocks == sorted(blocks) and blocks[0] == len(MUNICIPALITIES) and blocks[-1] > 20_000
    with pytest.raises(hj.DataError, match=r"rows=\d+ is too large"):
        plan_rows(10**12, expected)


def test_block_ids_are_disjoint() -> None:
    local = np.arange(1000)
    assert not np.intersect1d(block_local(0, local), block_local(1, local)).size
    assert int(block_local(MAX_BLOCKS - 1, np.array([BLOCK_STRIDE - 1]))[0]) == (1 << 36) - 1
    with pytest.raises(ValueError, match="block"):
        block_local(MAX_BLOCKS, local)
    with pytest.raises(ValueError, match="persons"):
        block_local(0, np.array([BLOCK_STRIDE]))


def _concat(parts: list[GroupRows]) -> GroupRows:
    offsets = np.cumsum([0] + [p.spells.n_persons for p in parts[:-1]])

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts])

    spells = Spells(
        person=np.concatenate([p.spells.person + o for p, o in zip(parts, offsets, strict=True)]),
        start=np.concatenate([p.spells.start for p in parts]),
        end=np.concatenate([p.spells.end for p in parts]),
        entry_month=np.concatenate([p.spells.entry_month for p in parts]),
        n_persons=int(sum(p.spells.n_persons for p in parts)),
    )
    names = ("month", "hours", "female", "age", "origin", "interventions", "expected_hours", "true_effect")
    person = np.concatenate([p.person + o for p, o in zip(parts, offsets, strict=True)])
    return GroupRows(person=person, **{n: cat(n) for n in names}, spells=spells)


def _assert_close(merged: Any, whole: Any, where: str = "") -> None:
    if isinstance(whole, Mapping):
        assert set(merged) == set(whole), where
        for key in whole:
            _assert_close(merged[key], whole[key], f"{where}/{key}")
    elif isinstance(whole, float):
        assert merged == pytest.approx(whole, rel=1e-9, abs=1e-12, nan_ok=True), where
    else:
        assert merged == whole, where


def test_truth_merged_over_blocks_equals_the_truth_of_all_rows() -> None:
    national = national_unemployment(np.random.default_rng([SEED, 0]))
    econ = _economies(SEED, national)[860]
    stock = 0.05 * national_stock()[860]
    blocks = [_simulate_block(SEED, 860, econ, stock, REFORM.start, block) for block in range(3)]
    whole = [_concat([b[g] for b in blocks]) for g in range(4)]
    sums = None
    for groups in blocks:
        sums = _add_effect_sums(sums, _hjorring_effect_sums(groups))
    assert sums is not None
    _assert_close(_hjorring_effects(sums), _hjorring_effects(_hjorring_effect_sums(whole)))
    _assert_close(merge_support([support_truth(econ, g) for g in blocks]), support_truth(econ, whole))
    grams = [{group.name: dose_gram(rows) for group, rows in zip(GROUPS, g, strict=True)} for g in blocks]
    _assert_close(merge_mechanism([mechanism_truth(g) for g in blocks], grams), mechanism_truth(whole))


def test_dataset_writer_refuses_a_folder_that_is_not_its_own(tmp_path: Path) -> None:
    root = tmp_path / "hours_person_month"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    with pytest.raises(hj.DataError, match=r"notes\.txt"):
        PersonDataset(root)
    assert (root / "notes.txt").exists()


# --------------------------------------------------------------------------- determinism and arguments


# at 30,000 rows Hjørring may lack spells in a duration window (the truth's mean over none is null)
@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_same_seed_and_rows_give_identical_bytes(small_world: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    write_small(again)
    files = sorted(p.relative_to(small_world) for p in small_world.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for name in files:
        assert (small_world / name).read_bytes() == (again / name).read_bytes(), name
    other = tmp_path / "other"
    write_small(other, seed=SEED + 1, rows=30_000)
    write_small(other, seed=SEED + 1, rows=30_000)  # an earlier dataset is replaced, not added to
    total = json.loads((other / "truth.json").read_text(encoding="utf-8"))["rows"]["total"]
    assert ds.dataset(other / "hours_person_month", partitioning="hive").count_rows() == total


@pytest.mark.parametrize("value", ["0", "-5", "abc", "2.5"])
def test_bad_rows_on_the_command_line(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["synth", "--scale", "national", f"--rows={value}", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert "--rows" in error and repr(value) in error
    assert not any(tmp_path.iterdir())


def test_rows_need_the_national_scale(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["synth", "--rows", "1000", "--out", str(tmp_path)]) == 2
    assert "--rows 1000 needs --scale national" in capsys.readouterr().err
    for rows in (0, -1, True, 2.5, "1000"):
        with pytest.raises(hj.DataError, match="rows must be a positive whole number"):
            generate(tmp_path, scale="national", rows=rows)  # type: ignore[arg-type]
    with pytest.raises(hj.DataError, match="rows=1000 needs scale='national'"):
        generate(tmp_path, scale="region", rows=1000)
    assert not any(tmp_path.iterdir())


def test_person_rows_keep_their_columns() -> None:
    rows = PersonRows.concat([PersonRows.empty(), PersonRows.empty()])
    assert rows.size == 0 and rows.to_table().schema.equals(PERSON_SCHEMA)
