"""The notebooks run from top to bottom, and are kept in git without outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
PUBLIC_DATA = "03_public_data.ipynb"
"""The notebook that reads the real Statbank exports (found through HJEVAL_STATBANK)."""


def execute(path: Path) -> list[dict]:
    """Run a notebook in its own folder; return its code cells' outputs."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(
    path: Path, synthetic_region: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("HJEVAL_DATA", str(synthetic_region))
    if path.name == PUBLIC_DATA:
        # skips, with the fixture's reason, when the shared Statbank exports are not beside the checkout
        monkeypatch.setenv("HJEVAL_STATBANK", str(request.getfixturevalue("statbank_dir")))
    errors = [o for o in execute(path) if o.output_type == "error"]
    assert not errors


@pytest.mark.slow
def test_public_data_notebook_stops_gracefully_without_the_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = next((p for p in NOTEBOOKS if p.name == PUBLIC_DATA), None)
    if path is None:
        pytest.skip(f"{PUBLIC_DATA} not found")
    monkeypatch.setenv("HJEVAL_STATBANK", str(tmp_path / "absent"))
    outputs = execute(path)
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "were not found" in printed
    for table in ("AUK01", "FOLK1A", "AUP02"):
        assert f"https://api.statbank.dk/v1/data/{table}/CSV?" in printed
    # everything after the instructions is skipped: no estimates, no figures
    assert not [o for o in outputs if o.output_type in ("execute_result", "display_data")]
