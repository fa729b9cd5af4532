"""The DuckDB engine behind the descriptives and time on support: a Parquet dataset gives the in-memory results.

Each function is run three ways on the same rows: on the DataFrame in memory, on the Parquet dataset with
``engine="duckdb"`` (out of core; the default for a path) and with ``engine="pandas"`` (the path read whole), for a
single file and for a folder partitioned by year. The DataFrame in memory holds the rows in the order the files
hold them, so that "in order of first appearance" means the same rows.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hjeval as hj
from hjeval.descriptives import outcome_by_period
from hjeval.duration import benefit_spells, duration_did, time_on_support
from hjeval.economics import persons_off_support
from hjeval.engines.duckdb_person_cells import distinct_persons
from hjeval.engines.duckdb_rows import open_rows
from tests.panels import person_panel

MONTHS = 72
FIRST = pd.Period("2012-01", "M")
GROUPS = ("activity_ready_cash", "job_ready_cash")


def spell_rows(seed: int = 7, municipalities: int = 14, persons: int = 70) -> pd.DataFrame:
    """Person-month rows of 1-3 spells a person with gaps of 1-4 months, shorter spells in municipality 0 from
    2015; some persons move within a spell, some months are on two benefits (a row for each), and one person
    of each municipality is on support throughout (so that every municipality has rows every month); shuffled."""
    rng = np.random.default_rng(seed)
    rows = [(10_000 + m, m, t, GROUPS[0]) for m in range(municipalities) for t in range(MONTHS)]
    for pid in range(municipalities * persons):
        home = pid % municipalities
        month = int(rng.integers(0, 60))
        for _ in range(int(rng.integers(1, 4))):
            exit_rate = 0.14 if home == 0 and month >= 36 else 0.07
            length = int(rng.geometric(exit_rate))
            benefit = GROUPS[int(rng.integers(0, 2))]
            moved = rng.random() < 0.03
            for k in range(length):
                if month + k >= MONTHS:
                    break
                where = (home + 1) % municipalities if moved and k == length - 1 else home
                rows.append((pid, where, month + k, benefit))
            month += length + int(rng.integers(2, 6))
            if month >= MONTHS:
                break
    frame = pd.DataFrame(rows, columns=["person_id", "municipality", "m", "benefit_group"])
    both = frame.sample(frac=0.03, random_state=seed)
    both = both.assign(benefit_group=np.where(both["benefit_group"] == GROUPS[0], GROUPS[1], GROUPS[0]))
    frame = pd.concat([frame, both], ignore_index=True).sample(frac=1.0, random_state=seed + 1)
    frame["unemployment_rate"] = cycle_panel(municipalities).to_numpy()[frame["municipality"], frame["m"]]
    frame["month"] = pd.PeriodIndex.from_ordinals(FIRST.ordinal + frame.pop("m").to_numpy(), freq="M")
    return frame.reset_index(drop=True)


def cycle_panel(municipalities: int = 14) -> pd.DataFrame:
    """The business cycle of each municipality (rows) and month (columns)."""
    rng = np.random.default_rng(99)
    values = 4.0 + rng.normal(0, 0.4, (municipalities, MONTHS)).cumsum(axis=1) / 5
    return pd.DataFrame(values, columns=pd.period_range(FIRST, periods=MONTHS, freq="M"))


def write(frame: pd.DataFrame, folder: Path) -> dict[str, object]:
    """The rows as one Parquet file and as a folder partitioned by year; the rows in each dataset's order."""
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(folder / "rows.parquet")
    year = frame["month"].dt.year.to_numpy()
    by_year = frame.iloc[np.argsort(year, kind="stable")].reset_index(drop=True)
    for y in np.unique(year):
        part = folder / "by_year" / f"year={y}"
        part.mkdir(parents=True)
        frame[year == y].to_parquet(part / "part-0.parquet", index=False)
    return {"file": (folder / "rows.parquet", frame), "hive": (folder / "by_year", by_year)}


@pytest.fixture(scope="module")
def spells_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return write(spell_rows(), tmp_path_factory.mktemp("support"))


@pytest.fixture(scope="module")
def hours_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return write(person_panel(seed=3, persons=600, groups=12), tmp_path_factory.mktemp("hours"))


LAYOUTS = ["file", "hive"]
SPELLS = dict(unit="person_id", group="municipality", time="month")
DURATION = dict(unit="person_id", group="municipality", time="month", treated=0, start="2015-01")


def quiet(func, *args, **kwargs):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hj.HjevalWarning)
        return func(*args, **kwargs)


# --------------------------------------------------------------------------- descriptives


@pytest.fixture(scope="module")
def hours_did(hours_data: dict[str, object]) -> hj.EffectResult:
    _, memory = hours_data["file"]
    return quiet(hj.did, memory, "y", unit="pid", group="muni", time="month", treated=0, start="2014-07",
                 cycle="unemployment")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("frequency", ["period", "year"])
def test_outcome_by_period_on_a_dataset_equals_in_memory(hours_data: dict[str, object], hours_did: hj.EffectResult,
                                                         layout: str, frequency: str) -> None:
    path, memory = hours_data[layout]
    for options in ({}, {"adjust": hours_did, "comparison": [1, 2, 3, 5, 8]}):
        kwargs = dict(unit="pid", group="muni", time="month", treated=0, frequency=frequency, **options)
        want = outcome_by_period(memory, "y", **kwargs)
        for engine in ("duckdb", "pandas"):
            got = outcome_by_period(path, "y", engine=engine, **kwargs)
            pd.testing.assert_frame_equal(got, want, rtol=1e-10, atol=0)
            assert {k: v for k, v in got.attrs.items() if k != "cycle_reference"} == {
                k: v for k, v in want.attrs.items() if k != "cycle_reference"}
            if "adjust" in options:
                assert got.attrs["cycle_reference"] == pytest.approx(want.attrs["cycle_reference"], rel=1e-12)
    assert outcome_by_period(path, "y", unit="pid", group="muni", time="month", treated=0)["persons"].sum() > 0


def test_the_duckdb_engine_on_a_dataframe(hours_data: dict[str, object], spells_data: dict[str, object]) -> None:
    _, hours = hours_data["file"]
    kwargs = dict(unit="pid", group="muni", time="month", treated=0, frequency="year")
    pd.testing.assert_frame_equal(outcome_by_period(hours, "y", engine="duckdb", **kwargs),
                                  outcome_by_period(hours, "y", **kwargs), rtol=1e-10, atol=0)
    _, rows = spells_data["file"]
    pd.testing.assert_frame_equal(benefit_spells(rows, engine="duckdb", gap_months=1, **SPELLS),
                                  benefit_spells(rows, gap_months=1, **SPELLS))


# --------------------------------------------------------------------------- spells


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("benefit", [None, "benefit_group"])
@pytest.mark.parametrize("gap", [0, 2])
def test_spells_on_a_dataset_equal_in_memory(spells_data: dict[str, object], layout: str, benefit: str | None,
                                             gap: int) -> None:
    path, memory = spells_data[layout]
    want = benefit_spells(memory, benefit=benefit, gap_months=gap, **SPELLS)
    assert want["moved"].any() and want["left_truncated"].any() and want["right_censored"].any()
    assert (want.attrs["merged_rows"] > 0) == (benefit is None)
    for engine in ("duckdb", "pandas"):
        got = benefit_spells(path, benefit=benefit, gap_months=gap, engine=engine, **SPELLS)
        pd.testing.assert_frame_equal(got, want)
        assert got.attrs == want.attrs


@pytest.mark.parametrize("spelling", ["datetime", "text", "observed"])
def test_spells_of_other_month_spellings_and_windows(spells_data: dict[str, object], tmp_path: Path,
                                                     spelling: str) -> None:
    _, memory = spells_data["file"]
    observed = None
    if spelling == "datetime":
        memory = memory.assign(month=memory["month"].dt.to_timestamp() + pd.Timedelta(days=3))
    elif spelling == "text":
        memory = memory.assign(month=memory["month"].dt.strftime("%YM%m"))
    else:
        observed = ("2011-07", "2018-06")
    memory.to_parquet(tmp_path / "rows.parquet")
    want = benefit_spells(memory, gap_months=1, observed=observed, **SPELLS)
    got = benefit_spells(tmp_path / "rows.parquet", gap_months=1, observed=observed, **SPELLS)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs == want.attrs


# --------------------------------------------------------------------------- time on support and its DiD


@pytest.mark.parametrize(("layout", "engine"), [("hive", None), ("file", "pandas")])
def test_time_on_support_and_duration_did_on_a_dataset(spells_data: dict[str, object], layout: str,
                                                       engine: str | None) -> None:
    path, memory = spells_data[layout]
    want = time_on_support(memory, by_municipality=True, gap_months=1, **DURATION)
    got = time_on_support(path, by_municipality=True, gap_months=1, engine=engine, **DURATION)
    pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10, atol=0)
    pd.testing.assert_frame_equal(got.curves, want.curves, rtol=1e-10, atol=0)
    assert got.provenance == want.provenance

    want_did = quiet(duration_did, memory, horizon=104.0, **DURATION)
    got_did = quiet(duration_did, path, horizon=104.0, engine=engine, **DURATION)
    assert got_did.estimate == pytest.approx(want_did.estimate, rel=1e-10)
    assert got_did.hazard_ratio == pytest.approx(want_did.hazard_ratio, rel=1e-10)
    assert got_did.ci == pytest.approx(want_did.ci, rel=1e-10)
    assert got_did.pvalue == want_did.pvalue
    assert got_did.hazard_ratio_pvalue == want_did.hazard_ratio_pvalue
    pd.testing.assert_series_equal(got_did.placebo, want_did.placebo, rtol=1e-10)
    assert got_did.n_obs == want_did.n_obs and got_did.provenance == want_did.provenance


# --------------------------------------------------------------------------- persons off support


def cycle_long() -> pd.DataFrame:
    wide = cycle_panel()
    return wide.rename_axis(index="municipality", columns="period").stack().rename("unemployment_rate").reset_index()


@pytest.mark.parametrize(("layout", "options"), [
    ("hive", {}),
    ("file", {"cycle": "unemployment_rate"}),
    ("hive", {"cycle": "unemployment_rate", "cycle_panel": cycle_long(), "benefit_group": "job_ready_cash"}),
])
def test_persons_off_support_on_a_dataset(spells_data: dict[str, object], layout: str,
                                          options: dict[str, object]) -> None:
    path, memory = spells_data[layout]
    want = quiet(persons_off_support, memory, **DURATION, **options)
    for engine in ("duckdb", "pandas"):
        got = quiet(persons_off_support, path, engine=engine, **DURATION, **options)
        pd.testing.assert_frame_equal(got.to_frame(), want.to_frame(), rtol=1e-10, atol=0)
        pd.testing.assert_frame_equal(got.draws, want.draws, rtol=1e-10, atol=0)
        pd.testing.assert_frame_equal(got.event_study.to_frame(), want.event_study.to_frame(), rtol=1e-10, atol=0)
        assert got.event_study.pvalue == want.event_study.pvalue
        assert got.stock_before_start == pytest.approx(want.stock_before_start, rel=1e-12)
        assert got.provenance == want.provenance and got.benefit_group == want.benefit_group


def test_a_person_on_two_benefits_is_one_person_on_support(tmp_path: Path) -> None:
    rows = pd.DataFrame({"person_id": [1, 1, 2, 3], "municipality": [0, 0, 0, 1],
                         "month": ["2015-01"] * 4, "benefit_group": [GROUPS[0], GROUPS[1], GROUPS[0], GROUPS[0]]})
    rows.to_parquet(tmp_path / "rows.parquet")
    with open_rows(tmp_path / "rows.parquet", ["person_id", "municipality", "month"], {}) as found:
        times = found.distinct("month")
        counts = distinct_persons(found, unit="person_id", group="municipality", time="month", times=times,
                                  periods=np.array([0]))
    assert sorted(map(tuple, counts[["g", "n"]].to_numpy().tolist())) == [(0, 2), (1, 1)]


# --------------------------------------------------------------------------- bad input on a path


def test_bad_input_on_a_path_names_the_column_and_the_file(spells_data: dict[str, object], tmp_path: Path) -> None:
    path, _ = spells_data["hive"]
    with pytest.raises(hj.DataError, match=rf"{re.escape(str(path))}: column\(s\) not in the dataset: unit='pid'"):
        benefit_spells(path, **{**SPELLS, "unit": "pid"})
    with pytest.raises(hj.DataError, match=r"by_year: column\(s\) not in the dataset: group='kommune'"):
        time_on_support(path, **{**DURATION, "group": "kommune"})
    with pytest.raises(hj.DataError, match=r"by_year: column\(s\) not in the dataset: unit='pid'"):
        persons_off_support(path, **{**DURATION, "unit": "pid"})
    with pytest.raises(hj.DataError, match=r"by_year: column\(s\) not in the dataset: outcome='hours'"):
        outcome_by_period(path, "hours", unit="person_id", group="municipality", time="month", treated=0)
    with pytest.raises(hj.DataError, match=r"by_year: column\(s\) not in the dataset: unit='pid'"):
        benefit_spells(path, engine="pandas", **{**SPELLS, "unit": "pid"})

    rows = spell_rows(persons=8).assign(month=lambda d: d["month"].astype(str))
    rows.loc[7, "month"] = None
    rows.to_parquet(tmp_path / "rows.parquet")
    file = re.escape(str(tmp_path / "rows.parquet"))
    missing = rf"{file}: column 'month' \(time\) has missing values in 1 rows, e.g. rows.parquet row 8 "
    with pytest.raises(hj.DataError, match=missing + r".*fill them in"):
        benefit_spells(tmp_path / "rows.parquet", **SPELLS)
    with pytest.raises(hj.DataError, match=missing):
        duration_did(tmp_path / "rows.parquet", **DURATION)
    with pytest.raises(hj.DataError, match=missing + r".*drop or fill them first"):
        outcome_by_period(tmp_path / "rows.parquet", "unemployment_rate", unit="person_id", group="municipality",
                          time="month", treated=0)
    with pytest.raises(hj.DataError, match=missing + r".*name its period"):
        persons_off_support(tmp_path / "rows.parquet", **DURATION)
    with pytest.raises(hj.DataError, match=rf"{file} \(read whole\): column 'month' \(time\) has missing values "
                                           r"in row 7 \(index labels\)"):
        benefit_spells(tmp_path / "rows.parquet", engine="pandas", **SPELLS)


def test_bad_rows_on_a_path_are_named_by_file_and_row(tmp_path: Path) -> None:
    rows = spell_rows(persons=8).assign(month=lambda d: d["month"].astype(str))
    path = tmp_path / "rows.parquet"
    rows.assign(month=rows["month"].where(rows.index != 3, "spring")).to_parquet(path)
    with pytest.raises(hj.DataError, match=r"column 'month' has values that are not periods \(first: 'spring'\).*"
                                           r"e.g. rows.parquet row 4 "):
        benefit_spells(path, **SPELLS)
    rows.assign(month="2015Q1").to_parquet(path)
    with pytest.raises(hj.DataError, match=r"rows.parquet: column 'month' \(time\) holds period\[Q-DEC\] values such "
                                           r"as '2015Q1', not months"):
        benefit_spells(path, **SPELLS)
    pd.concat([rows, rows.iloc[[5]]], ignore_index=True).to_parquet(path)
    with pytest.raises(hj.DataError, match=r"1 rows repeat a \(person_id, benefit_group, month\) triple, e.g. "
                                           r"rows.parquet row 6 .*; rows.parquet row \d+ "):
        benefit_spells(path, benefit="benefit_group", **SPELLS)
    with pytest.raises(hj.DataError, match=r"rows repeat a 'person_id', 'month' and 'benefit_group' \(1 extra rows"):
        persons_off_support(path, **DURATION)
    rows.to_parquet(path)
    with pytest.raises(hj.DataError, match=r"months outside observed=\('2013-01', '2016-12'\) in \d+ rows, e.g. "
                                           r"rows.parquet row"):
        benefit_spells(path, observed=("2013-01", "2016-12"), **SPELLS)
    with pytest.raises(hj.DataError, match=r"engine='spark' is not one of"):
        outcome_by_period(path, "unemployment_rate", unit="person_id", group="municipality", time="month",
                          treated=0, engine="spark")  # type: ignore[arg-type]
