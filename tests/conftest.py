"""Shared fixtures: where the public data sets live."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def statbank_dir() -> Path:
    """Folder of the real Statbank exports, or skip when it is not beside the checkout."""
    folder = SHARED / "data" / "statbank"
    if not folder.is_dir():
        pytest.skip(f"public Statbank exports not found at {folder} (expected ../shared beside the checkout)")
    return folder


@pytest.fixture(scope="session")
def validation_dir() -> Path:
    """Folder of the public validation data sets, or skip when absent."""
    folder = SHARED / "validation"
    if not folder.is_dir():
        pytest.skip(f"public validation data not found at {folder} (expected ../shared beside the checkout)")
    return folder


@pytest.fixture(scope="session")
def synthetic_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default synthetic panels (region scale, default seed), generated once per test session."""
    from hjeval.synthetic import generate

    folder = tmp_path_factory.mktemp("synthetic_region")
    generate(folder)
    return folder


@pytest.fixture(scope="session")
def region_report_config(synthetic_region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example configuration pointed at the region-scale synthetic panels."""
    from hjeval.report import EXAMPLE_CONFIG

    path = tmp_path_factory.mktemp("region_config") / "evaluation.toml"
    path.write_text(EXAMPLE_CONFIG.replace('"data/synthetic/', f'"{synthetic_region}/'), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def region_analysis(region_report_config: Path):  # type: ignore[no-untyped-def]
    """Everything the report estimates on the region-scale data, computed once per test session."""
    from hjeval.report import load_config
    from hjeval.report.analysis import analyse

    return analyse(load_config(region_report_config))


@pytest.fixture(scope="session")
def region_reports(region_report_config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report on the region-scale data in Danish and English (no PDF), built once per test session."""
    from hjeval.report import build_report
    from tests.reports import EPOCH

    out = tmp_path_factory.mktemp("region_reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return {language: build_report(region_report_config, out / language, language=language, pdf=False).folder
                for language in ("da", "en")}


@pytest.fixture(scope="session")
def dask_client():  # type: ignore[no-untyped-def]
    """Two single-threaded Dask workers in this process: no worker processes to start under pytest-xdist.

    No dashboard, and the scheduler's HTTP server on a free loopback port, so parallel test workers never
    compete for a fixed one.
    """
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
            Client(cluster, set_as_default=False) as connected:
        yield connected
