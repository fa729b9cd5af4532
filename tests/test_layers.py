"""Imports point one way: a module imports at top level only from its own layer or those before it.

The flow is files -> data -> design -> estimators -> results -> figures / report. Imports inside
functions (e.g. a result's ``plot()`` drawing with :mod:`hjeval.plots`) are deliberate
conveniences and not checked.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hjeval"

LAYERS: list[set[str]] = [
    {"_version", "_files", "errors", "periods"},
    {"data"},
    {"synthetic"},
    {"design"},
    {"cycle", "regression"},
    {"engines"},
    {"inference"},
    {"results"},
    {"estimators"},
    {"duration"},
    {"economics"},
    {"plots", "disclosure"},
    {"headline", "evaluation", "descriptives"},
    {"report"},
    {"cli", "__init__"},
]


def layer_of(module: str) -> int:
    for index, names in enumerate(LAYERS):
        if module in names:
            return index
    raise AssertionError(f"hjeval.{module} is in no layer of {__file__}; add it where it belongs")


def top_level(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def module_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hjeval."):
            found.append(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found += [a.name.split(".")[1] for a in node.names if a.name.startswith("hjeval.")]
    return found


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_upstream(path: Path) -> None:
    own = layer_of(top_level(path))
    for imported in module_level_imports(path):
        assert layer_of(imported) <= own, f"{path.relative_to(PACKAGE)} imports hjeval.{imported} from a later layer"
