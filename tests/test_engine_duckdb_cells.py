"""The DuckDB engine's cell path: hj.did from cell statistics equals hj.did on the rows in memory."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

import hjeval as hj
from hjeval.design.twoway import TwoWayProjector, run_blocks
from hjeval.engines.cell_statistics import NotCellConstant, duckdb_cells
from hjeval.errors import DataError, HjevalWarning

START = "2015-01"
MONTHS = pd.period_range("2013-01", "2016-12", freq="M")


def _panel(seed: int = 0, persons: int = 1200, groups: int = 20, months: pd.PeriodIndex = MONTHS,
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Person-months with gaps (one to three spells a person), unbalanced, and a municipality-month cycle panel."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(persons):
        seen: set[int] = set()
        for _ in range(rng.integers(1, 4)):
            first = int(rng.integers(0, len(months)))
            seen |= set(range(first, min(len(months), first + int(rng.integers(1, 20)))))
        parts.append(np.array(sorted(seen)))
    month = np.concatenate(parts)
    person = np.repeat(np.arange(persons), [len(p) for p in parts])
    muni = 101 + (person * 7) % groups
    frame = pd.DataFrame({"person_id": person * 31 + 5, "municipality": muni.astype(np.int16),
                          "month": months[month]})
    cycle = pd.DataFrame([(101 + g, str(m)) for g in range(groups) for m in months],
                         columns=["municipality", "period"])
    cycle["unemployment_rate"] = 5 + rng.normal(size=len(cycle))
    shock = rng.normal(size=len(months)) * 2
    rate = cycle.set_index(["municipality", "period"])["unemployment_rate"]
    local = rate.loc[list(zip(frame["municipality"], frame["month"].astype(str), strict=True))].to_numpy()
    treated = np.isin(frame["municipality"], [101, 102, 103]) & (frame["month"] >= pd.Period(START, "M"))
    frame["hours"] = (20 + rng.normal(size=persons)[person] * 5 + shock[month] - 0.7 * local + 3.0 * treated
                      + rng.normal(size=len(frame)) * 4)
    frame["region"] = (frame["municipality"] % 4).astype(np.int64)
    return frame, cycle


def _write(frame: pd.DataFrame, folder: Path, *, hive: bool = True) -> Path:
    rows = frame.assign(month=frame["month"].dt.to_timestamp().dt.date)
    if not hive:
        folder.mkdir(parents=True)
        rows.to_parquet(folder / "panel.parquet")
        return folder / "panel.parquet"
    table = pa.Table.from_pandas(rows.assign(year=frame["month"].dt.year), preserve_index=False)
    ds.write_dataset(table, folder, format="parquet", partitioning=["year"], partitioning_flavor="hive")
    return folder


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    frame, cycle = _panel()
    root = tmp_path_factory.mktemp("cells")
    cycle.to_csv(root / "cycle.csv", index=False)
    cycle.to_parquet(root / "cycle.parquet")
    memory = frame.merge(cycle.assign(month=pd.PeriodIndex(cycle["period"], freq="M"))
                         [["municipality", "month", "unemployment_rate"]], on=["municipality", "month"])
    return {"frame": frame, "memory": memory, "cycle": cycle, "root": root,
            "hive": _write(frame, root / "hours"), "file": _write(frame, root / "single", hive=False)}


def _same(got: hj.EffectResult, want: hj.EffectResult, *, exact_p: bool) -> None:
    assert got.provenance["engine_path"] == "cells"
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    assert got.se == pytest.approx(want.se, rel=1e-10)
    assert got.ci == pytest.approx(want.ci, rel=1e-10)
    if exact_p:
        assert got.pvalue == want.pvalue
    else:
        assert got.pvalue == pytest.approx(want.pvalue, rel=1e-8)
    assert got.n_obs == want.n_obs
    for key in ("rows_input", "rows_used", "exclusions", "groups", "periods", "clusters", "cycle_method"):
        assert got.provenance[key] == want.provenance[key], key
    pd.testing.assert_series_equal(got.placebo, want.placebo, rtol=1e-10)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-9)
    assert got.decomposition.keys() == want.decomposition.keys()
    for key, value in want.decomposition.items():
        assert got.decomposition[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def _quiet(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        return function(*args, **kwargs)


@pytest.mark.parametrize("unit", ["person_id", "municipality"])
@pytest.mark.parametrize("inference", ["placebo", "conley-taber", "cluster", "wild-bootstrap"])
def test_cells_equal_rows_in_memory(panel: dict[str, object], unit: str, inference: str) -> None:
    kwargs = dict(unit=unit, group="municipality", time="month", treated=[101, 102, 103], start=START,
                  cycle="unemployment_rate", inference=inference, draws=199, seed=3)
    want = _quiet(hj.did, panel["memory"], "hours", **kwargs)
    got = _quiet(hj.did, str(panel["hive"]), "hours", engine="duckdb", cycle_panel=panel["root"] / "cycle.csv",
                 **kwargs)
    assert want.provenance["engine_path"] == "rows"
    _same(got, want, exact_p=inference in ("placebo", "conley-taber", "wild-bootstrap"))


@pytest.mark.parametrize("cycle_panel", ["frame", "parquet"])
def test_one_treated_group_cycle_panel_as_frame_or_file(panel: dict[str, object], cycle_panel: str) -> None:
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=101, start=START,
                  cycle="unemployment_rate")
    given = panel["cycle"] if cycle_panel == "frame" else panel["root"] / "cycle.parquet"
    want = hj.did(panel["memory"], "hours", **kwargs)
    got = hj.did(panel["file"], "hours", cycle_panel=given, **kwargs)  # a path: DuckDB by default
    _same(got, want, exact_p=True)
    assert got.inference.method == "placebo" and got.provenance["exact_enumeration"]
    dates = panel["frame"].assign(month=panel["frame"]["month"].dt.to_timestamp())
    frame = hj.did(dates, "hours", engine="duckdb", cycle_panel=given, **kwargs)  # a DataFrame DuckDB scans
    _same(frame, want, exact_p=True)


def test_without_cycle_and_clusters_as_unions_of_groups(panel: dict[str, object]) -> None:
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=[101, 102, 103], start=START,
                  cluster="region", inference="cluster")
    want = _quiet(hj.did, panel["frame"], "hours", **kwargs)
    got = _quiet(hj.did, panel["hive"], "hours", **kwargs)
    _same(got, want, exact_p=False)
    assert got.provenance["clusters"] == 4


def test_exclusions_are_counted(panel: dict[str, object], tmp_path: Path) -> None:
    frame = panel["memory"].copy()
    frame.loc[frame.index[frame["municipality"] == 104][:4], "hours"] = np.nan
    frame.loc[frame.index[frame["municipality"] == 101][-2:], "unemployment_rate"] = np.nan
    folder = _write(frame, tmp_path / "hours")
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=101, start=START,
                  cycle="unemployment_rate", comparison=[104, 105, 106, 107, 108, 109, 110, 111])
    message = r"4 rows: missing 'hours'; 2 rows: missing 'unemployment_rate'"
    with pytest.warns(HjevalWarning, match=message):
        want = hj.did(frame, "hours", **kwargs)
    with pytest.warns(HjevalWarning, match=message):
        got = hj.did(folder, "hours", **kwargs)
    _same(got, want, exact_p=True)
    reasons = [e["reason"] for e in got.provenance["exclusions"]]
    assert reasons[0].startswith("group not in the comparison pool") and len(reasons) == 3


def test_weights_constant_within_persons(panel: dict[str, object], tmp_path: Path) -> None:
    frame = panel["frame"].assign(w=1.0 + (panel["frame"]["person_id"] % 3))
    folder = _write(frame, tmp_path / "hours")
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=101, start=START, weights="w")
    want = hj.did(frame, "hours", **kwargs)
    got = hj.did(folder, "hours", **kwargs)
    _same(got, want, exact_p=True)
    assert got.inference.size_correction.measure == "weight sum"


@pytest.mark.parametrize("change", ["row weights", "covariate", "cr2", "movers"])
def test_designs_that_need_rows_fall_back(panel: dict[str, object], tmp_path: Path, change: str) -> None:
    frame = panel["frame"].copy()
    kwargs: dict[str, object] = dict(unit="person_id", group="municipality", time="month", treated=101,
                                     start=START)
    reason = {"row weights": "weights 'w' vary within units of 'person_id'",
              "covariate": "regressor 'age' varies within (municipality, month) cells",
              "cr2": "vcov='CR2'", "movers": "person_id values move between municipality values (movers='entry')"}
    if change == "row weights":
        frame["w"] = 1.0 + np.arange(len(frame)) % 3
        kwargs["weights"] = "w"
    elif change == "covariate":
        frame["age"] = (frame["person_id"] % 40) * (frame["month"] - MONTHS[0]).apply(lambda d: d.n) / 12
        kwargs["covariates"] = ["age"]
    elif change == "cr2":
        kwargs.update(inference="cluster", vcov="CR2", unit="municipality")
    else:
        moving = (frame["person_id"] == frame["person_id"].iloc[0]) & (frame["month"] >= pd.Period("2016-01", "M"))
        frame.loc[moving, "municipality"] = np.int16(110)
        kwargs["movers"] = "entry"
    folder = _write(frame, tmp_path / "hours")
    want = _quiet(hj.did, frame, "hours", **kwargs)
    got = _quiet(hj.did, folder, "hours", **kwargs)
    assert got.provenance["engine_path"] == "rows"
    assert got.provenance["engine_path_reason"] == reason[change]
    assert got.estimate == pytest.approx(want.estimate, rel=1e-10)
    assert got.pvalue == pytest.approx(want.pvalue, rel=1e-10)


def test_refusals_name_the_rows(panel: dict[str, object], tmp_path: Path) -> None:
    frame = panel["frame"]
    repeated = pd.concat([frame, frame.iloc[[10]]], ignore_index=True)
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=101, start=START)
    with pytest.raises(DataError, match=r"rows repeat a \(person_id, month\) pair \(1 extra rows\)"):
        hj.did(_write(repeated, tmp_path / "repeated"), "hours", **kwargs)
    moved = frame.copy()
    moved.loc[moved["person_id"] == 5, "municipality"] = np.int16(np.where(
        moved.loc[moved["person_id"] == 5, "month"] >= pd.Period("2016-01", "M"), 113, 101))
    with pytest.raises(DataError, match=r"1 person_id value\(s\) appear in more than one municipality, e.g. 5 in"):
        hj.did(_write(moved, tmp_path / "moved"), "hours", **kwargs)


def test_cell_statistics_give_the_row_projector(panel: dict[str, object]) -> None:
    """Blocks, cell weights and the period system from DuckDB's group-bys equal the row projector's."""
    frame = panel["frame"]
    dates = frame.assign(month=frame["month"].dt.to_timestamp())
    cells = duckdb_cells(dates, outcome="hours", unit="person_id", group="municipality", time="month", treated=101,
                         start=START)
    assert not isinstance(cells, NotCellConstant)
    unit = pd.factorize(frame["person_id"])[0]
    group = pd.factorize(frame["municipality"], sort=True)[0]
    period = (frame["month"] - MONTHS[0]).apply(lambda d: d.n).to_numpy()
    rows = TwoWayProjector.build(unit, period, group=group)
    np.testing.assert_allclose(cells.blocks, rows.blocks, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(cells.cell_weight, rows.cell_weight)
    proj = cells.projector()
    rhs = np.random.default_rng(0).normal(size=len(MONTHS))
    np.testing.assert_allclose(proj.solve_periods(rhs), rows.solve_periods(rhs), rtol=1e-11)
    assert cells.n_units == frame["person_id"].nunique()


def test_run_blocks_are_sums_of_outer_products() -> None:
    rng = np.random.default_rng(1)
    n_groups, n_periods = 3, 9
    group, first, last, value, owner = [], [], [], [], []
    dense = np.zeros((n_groups, n_periods, n_periods))
    unit_group, unit_value, unit_runs = [], [], []
    for i in range(40):
        seen = np.zeros(n_periods)
        seen[rng.choice(n_periods, size=int(rng.integers(1, n_periods)), replace=False)] = 1
        g, v = int(rng.integers(n_groups)), float(rng.uniform(0.1, 2))
        dense[g] += v * np.outer(seen, seen)
        step = np.diff(np.r_[0, seen, 0])
        starts, ends = np.flatnonzero(step == 1), np.flatnonzero(step == -1) - 1
        group += [g] * len(starts)
        first += starts.tolist()
        last += ends.tolist()
        value += [v] * len(starts)
        owner += [i] * len(starts)
        unit_group.append(g)
        unit_value.append(v)
        unit_runs.append(len(starts))
    first_run = np.r_[0, np.cumsum(unit_runs)]
    cell = np.array(first) * n_periods + np.array(last)
    blocks = run_blocks(np.array(group), np.array(first), np.array(last), np.array(value), n_groups, n_periods,
                        several=(first_run, cell, np.array(unit_group), np.array(unit_value)))
    np.testing.assert_allclose(blocks, dense, rtol=1e-13, atol=1e-13)


def test_periods_beyond_one_word_of_the_period_mask(tmp_path: Path) -> None:
    """130 months: each person's months take three 64-bit words in DuckDB."""
    frame, _ = _panel(seed=5, persons=500, groups=12, months=pd.period_range("2008-01", periods=130, freq="M"))
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=[101, 102], start=START,
                  draws=99)
    want = hj.did(frame, "hours", **kwargs)
    got = hj.did(_write(frame, tmp_path / "hours"), "hours", **kwargs)
    _same(got, want, exact_p=True)


def test_missing_cycle_values_leave_their_cells_out(panel: dict[str, object]) -> None:
    """A cell whose cycle value is missing loses its rows, counted after the outcome's own gaps."""
    cycle = panel["cycle"].copy()
    gone = cycle.index[(cycle["municipality"].isin([104, 105])) & (cycle["period"].isin(["2014-03", "2015-06"]))]
    cycle.loc[gone, "unemployment_rate"] = np.nan
    frame = panel["frame"].copy()
    in_gone = frame.index[(frame["municipality"] == 104) & (frame["month"] == pd.Period("2014-03", "M"))]
    frame.loc[in_gone[:2], "hours"] = np.nan  # missing twice over: counted for the outcome
    memory = frame.merge(cycle.assign(month=pd.PeriodIndex(cycle["period"], freq="M"))
                         [["municipality", "month", "unemployment_rate"]], on=["municipality", "month"])
    kwargs = dict(unit="person_id", group="municipality", time="month", treated=101, start=START,
                  cycle="unemployment_rate")
    with pytest.warns(HjevalWarning, match="rows left out"):
        want = hj.did(memory, "hours", **kwargs)
    with pytest.warns(HjevalWarning, match="rows left out"):
        got = hj.did(frame.assign(month=frame["month"].dt.to_timestamp()), "hours", engine="duckdb",
                     cycle_panel=cycle, **kwargs)
    _same(got, want, exact_p=True)
    assert [e["reason"] for e in got.provenance["exclusions"]] == ["missing 'hours'", "missing 'unemployment_rate'"]
    weighted = dict(kwargs, weights="w")  # weights that vary within persons: the row design, same checks
    with pytest.warns(HjevalWarning, match="rows left out"):
        want = hj.did(memory.assign(w=1.0 + np.arange(len(memory)) % 2), "hours", **weighted)
    with pytest.warns(HjevalWarning, match="rows left out"):
        rows = hj.did(frame.assign(month=frame["month"].dt.to_timestamp(), w=1.0 + np.arange(len(frame)) % 2),
                      "hours", engine="duckdb", cycle_panel=cycle, **weighted)
    assert rows.provenance["engine_path"] == "rows"
    assert rows.provenance["exclusions"] == want.provenance["exclusions"]
    assert rows.estimate == pytest.approx(want.estimate, rel=1e-10) and rows.pvalue == want.pvalue


@pytest.mark.parametrize("inference", ["placebo", "conley-taber", "cluster"])
@pytest.mark.parametrize("unit", ["person_id", "municipality"])
def test_event_study_from_cells_equals_rows_in_memory(panel: dict[str, object], inference: str, unit: str) -> None:
    kwargs = dict(unit=unit, group="municipality", time="month", treated=[101, 102, 103], start=START,
                  cycle="unemployment_rate", window=(-2, 1), bin_width=12, inference=inference, draws=60, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HjevalWarning)
        want = hj.event_study(panel["memory"], "hours", **kwargs)
        got = hj.event_study(panel["hive"], "hours", engine="duckdb", cycle_panel=panel["root"] / "cycle.csv",
                             **kwargs)
    assert got.provenance["engine_path"] == "cells"
    assert want.provenance["engine_path"] == "rows"
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10)
    assert got.pretrend["pvalue"] == pytest.approx(want.pretrend["pvalue"], rel=1e-10, abs=0)
    if inference != "cluster":
        assert got.pvalue == want.pvalue
