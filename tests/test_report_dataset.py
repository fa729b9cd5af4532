"""The report read out of core: hours as a folder of Parquet files gives the in-memory report's numbers."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hjeval.errors import DataError
from hjeval.report import EXAMPLE_CONFIG, build_report, load_config
from hjeval.report.analysis import Analysis, analyse
from hjeval.report.rows import DatasetIdentifiers, copy_target_group
from tests.reports import EPOCH, visible_text

_ENGINE_PATH = ("engine_path", "engine_path_reason")
"""Provenance that says how an engine computed a result, not what it found."""


@pytest.fixture(scope="module")
def hours_folder(synthetic_region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic hours panel as a register export: one file per year, each of several row groups."""
    hours = pd.read_parquet(synthetic_region / "hours_person_month.parquet")
    folder = tmp_path_factory.mktemp("register") / "hours"
    folder.mkdir()
    years = pd.PeriodIndex(hours["month"].astype(str), freq="M").year
    for year, part in hours.groupby(years):
        part.to_parquet(folder / f"{year}.parquet", row_group_size=40_000)
    return folder


@pytest.fixture(scope="module")
def dataset_config(synthetic_region: Path, hours_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = EXAMPLE_CONFIG.replace('"data/synthetic/hours_person_month.parquet"', f'"{hours_folder}"')
    path = tmp_path_factory.mktemp("dataset_config") / "evaluation.toml"
    path.write_text(text.replace('"data/synthetic/', f'"{synthetic_region}/'), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dataset_analysis(dataset_config: Path) -> Analysis:
    config = load_config(dataset_config)
    assert config.data.engine == "duckdb", "a folder of hours is read out of core by default"
    return analyse(config)


def _differences(memory: Any, dataset: Any, path: str, found: list[str]) -> list[str]:
    """Where two results differ: numbers beyond 1e-9 relative, anything else at all."""
    if path.endswith((".identifiers", ".config")) or path.rsplit(".", 1)[-1] in _ENGINE_PATH:
        return found
    if isinstance(memory, pd.DataFrame | pd.Series):
        check = pd.testing.assert_frame_equal if isinstance(memory, pd.DataFrame) else pd.testing.assert_series_equal
        try:
            check(memory, dataset, rtol=1e-9, atol=1e-9, check_dtype=False)  # type: ignore[operator]
        except AssertionError as err:
            found.append(f"{path}: {str(err).splitlines()[0]}")
    elif isinstance(memory, np.ndarray):
        if memory.shape != np.shape(dataset) or not np.allclose(memory, dataset, rtol=1e-9, atol=1e-9, equal_nan=True):
            found.append(f"{path}: arrays differ")
    elif isinstance(memory, float):
        if not (math.isclose(memory, dataset, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(memory) and
                                                                               math.isnan(dataset))):
            found.append(f"{path}: {memory} != {dataset}")
    elif isinstance(memory, list | tuple):
        if len(memory) != len(dataset):
            found.append(f"{path}: {len(memory)} != {len(dataset)} items")
        for i, (a, b) in enumerate(zip(memory, dataset, strict=False)):
            _differences(a, b, f"{path}[{i}]", found)
    elif isinstance(memory, dict):
        if list(memory) != list(dataset):
            found.append(f"{path}: keys {list(memory)} != {list(dataset)}")
        for key in memory:
            if key in dataset:
                _differences(memory[key], dataset[key], f"{path}.{key}", found)
    elif dataclasses.is_dataclass(memory) and not isinstance(memory, type):
        for item in dataclasses.fields(memory):
            _differences(getattr(memory, item.name), getattr(dataset, item.name), f"{path}.{item.name}", found)
    elif memory != dataset:
        found.append(f"{path}: {memory!r:.80} != {dataset!r:.80}")
    return found


@pytest.mark.filterwarnings("ignore::hjeval.errors.HjevalWarning")  # the inference records hold them
def test_every_number_of_the_analysis_equals_the_in_memory_one(region_analysis: Analysis,
                                                                dataset_analysis: Analysis) -> None:
    assert region_analysis.config.data.engine == "pandas"
    assert dataset_analysis.main.provenance["engine_path"] == "cells"  # the fit held no row
    assert _differences(region_analysis, dataset_analysis, "analysis", []) == []


def test_the_built_report_publishes_the_same_tables_and_text(
        dataset_config: Path, region_reports: dict[str, Path], hours_folder: Path, synthetic_region: Path,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    built = build_report(dataset_config, tmp_path / "en", language="en", pdf=False)
    memory = region_reports["en"]
    tables = sorted(p.relative_to(memory).as_posix() for p in (memory / "tables").iterdir())
    assert sorted(p.relative_to(built.folder).as_posix() for p in (built.folder / "tables").iterdir()) == tables
    for name in tables:  # full-precision numbers: equal to rounding (the engines sum in other orders)
        pd.testing.assert_frame_equal(pd.read_csv(built.folder / name), pd.read_csv(memory / name), rtol=1e-9,
                                      atol=1e-12, obj=name)
    text = visible_text(built.html.read_text(encoding="utf-8"))
    expected = visible_text((memory / "report.html").read_text(encoding="utf-8"))
    # the inputs list names the folder, with the file's rows, and a digest over the folder's files
    listed = re.compile(r"hours: (\S+) ([\d,]+) [0-9a-f]{64}")
    found, wanted = listed.search(text), listed.search(expected)
    assert found is not None and wanted is not None
    assert found.group(1) == "hours" and found.group(2) == wanted.group(2)
    given = (str(hours_folder), str(synthetic_region / "hours_person_month.parquet"))  # the configuration shown
    assert listed.sub("", text).replace(given[0], "") == listed.sub("", expected).replace(given[1], "")


def test_identifiers_of_a_dataset_are_found_in_an_output(hours_folder: Path, tmp_path: Path) -> None:
    person = str(pd.read_parquet(next(hours_folder.iterdir()), columns=["person_id"])["person_id"].iloc[0])
    output = tmp_path / "table.csv"
    output.write_text(f"level,persons\nall,{person}\nsome,12\n", encoding="utf-8")
    lookup = DatasetIdentifiers(hours_folder)
    assert lookup.among(output) == {person}
    output.write_text("level,persons\nall,1234\n", encoding="utf-8")
    assert lookup.among(output) == frozenset()


def test_labels_other_than_the_schema_s_are_refused_with_the_label_to_write(hours_folder: Path,
                                                                           tmp_path: Path) -> None:
    rows = pd.read_parquet(next(hours_folder.iterdir())).head(50)
    rows["sex"] = rows["sex"].astype(str).replace({"F": "Kvinde"})
    source = tmp_path / "hours.parquet"
    rows.to_parquet(source)
    with pytest.raises(DataError, match=rf"{source}: column 'sex' has \d+ rows with labels outside \['F', 'M'\]: "
                                        r"'Kvinde' \(write 'F'\)"):
        copy_target_group(source, tmp_path / "copy", benefit_group=str(rows["benefit_group"].iloc[0]),
                          columns=["person_id", "municipality", "month", "hours"], optional=["sex"])


def test_a_folder_of_hours_cannot_be_read_in_memory(dataset_config: Path, tmp_path: Path) -> None:
    text = dataset_config.read_text(encoding="utf-8").replace("[evaluation]", 'engine = "pandas"\n\n[evaluation]', 1)
    path = tmp_path / "evaluation.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r'engine = "pandas" reads one file.*use engine = "duckdb"'):
        load_config(path)


def test_dask_is_a_report_engine_and_its_scheduler_is_named_with_it(dataset_config: Path, tmp_path: Path) -> None:
    text = dataset_config.read_text(encoding="utf-8")
    path = tmp_path / "evaluation.toml"
    path.write_text(text.replace("[evaluation]", 'engine = "dask"\ndask_scheduler = "tcp://scheduler:8786"\n\n'
                                                 "[evaluation]", 1), encoding="utf-8")
    data = load_config(path).data
    assert (data.engine, data.dask_scheduler) == ("dask", "tcp://scheduler:8786")
    path.write_text(text.replace("[evaluation]", 'dask_scheduler = "tcp://scheduler:8786"\n\n[evaluation]', 1),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r'dask_scheduler = .*together with engine = "dask"'):
        load_config(path)


def test_the_report_runs_its_estimates_on_the_configured_dask_scheduler(dataset_config: Path, dask_client: Any,
                                                                        tmp_path: Path) -> None:
    from hjeval.report.analysis import _report_client

    path = tmp_path / "evaluation.toml"
    address = dask_client.scheduler.address
    path.write_text(dataset_config.read_text(encoding="utf-8").replace(
        "[evaluation]", f'engine = "dask"\ndask_scheduler = "{address}"\n\n[evaluation]', 1), encoding="utf-8")
    with _report_client(load_config(path)) as client:
        assert client.scheduler.address == address
        assert client.submit(sum, [1, 2]).result() == 3
