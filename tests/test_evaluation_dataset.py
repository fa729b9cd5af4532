"""evaluate_folder on a partitioned person-month dataset equals it on the same rows in one file."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pandas as pd
import pytest

from hjeval.errors import DataError
from hjeval.evaluation import evaluate_folder
from hjeval.synthetic import generate


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A national world of about 400,000 rows as a dataset, and the same rows as one Parquet file."""
    partitioned = tmp_path_factory.mktemp("rows")
    generate(partitioned, scale="national", rows=400_000)
    single = tmp_path_factory.mktemp("single")
    rows = pd.read_parquet(partitioned / "hours_person_month")
    rows = rows.drop(columns=["year"]).sort_values(["municipality", "person_id", "month"], kind="stable")
    rows.to_parquet(single / "hours_person_month.parquet", index=False)
    shutil.copy(partitioned / "cycle.csv", single / "cycle.csv")
    return partitioned, single


def test_dataset_folder_gives_the_same_evaluation(worlds: tuple[Path, Path]) -> None:
    partitioned, single = worlds
    assert (partitioned / "hours_person_month").is_dir()
    got, want = evaluate_folder(partitioned), evaluate_folder(single)
    for name in ("adjusted", "unadjusted"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-10)
        assert a.pvalue == b.pvalue
        assert a.ci == pytest.approx(b.ci, rel=1e-10)
        assert a.n_obs == b.n_obs
    assert got.adjusted.provenance["engine_path"] == "cells"
    assert got.persons_per_month == pytest.approx(want.persons_per_month, rel=1e-12)
    raw_got, raw_want = dataclasses.asdict(got.raw), dataclasses.asdict(want.raw)
    assert raw_got.keys() == raw_want.keys()
    for key, value in raw_want.items():
        assert raw_got[key] == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value)


def test_a_benefit_group_without_rows_is_named(worlds: tuple[Path, Path]) -> None:
    with pytest.raises(DataError, match="no rows of benefit group 'pension'"):
        evaluate_folder(worlds[0], benefit_group="pension")
