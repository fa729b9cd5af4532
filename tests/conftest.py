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
