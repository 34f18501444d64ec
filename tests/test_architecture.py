"""The layering written down in ARCHITECTURE.md, checked over the real import graph."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "accord"

#: package -> layer number; a module may import only from its own package or lower layers
LAYERS = {
    "_errors": 0,
    "_findings": 0,
    "_http": 0,
    "_json": 0,
    "_asgi": 0,
    "_lazy": 0,
    "_media": 0,
    "_process": 0,
    "_version": 0,
    "core": 1,
    "runtime": 1,
    "workspace": 2,
    "lint": 3,
    "report": 3,
    "codegen": 3,
    "crosscheck": 3,
    "diff": 3,
    "mock": 3,
    "pacts": 3,
    "verify": 3,
    "gateway": 3,
    "broker": 3,
    "pytest_plugin": 4,
    "cli": 4,
}
#: features that others at the same layer may use (renderers)
SHARED_FEATURES = {"report"}


def _package(module: Path) -> str:
    rel = module.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(), str(module))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "accord" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_every_package_has_a_layer() -> None:
    packages = {_package(p) for p in SRC.rglob("*.py")} - {"__init__", "__main__"}
    assert packages <= set(LAYERS), f"add {packages - set(LAYERS)} to LAYERS and ARCHITECTURE.md"


def test_imports_point_down_only() -> None:
    wrong = []
    for module in SRC.rglob("*.py"):
        package = _package(module)
        if package in ("__init__", "__main__"):
            continue
        for imported in _imports(module):
            if imported == package:
                continue
            mine, theirs = LAYERS[package], LAYERS.get(imported, 99)
            sideways_ok = theirs == mine and (mine == 0 or imported in SHARED_FEATURES)
            if theirs > mine or (theirs == mine and not sideways_ok):
                wrong.append(f"{module.relative_to(SRC)} imports accord.{imported}")
    assert wrong == []


def test_the_core_never_imports_a_feature_library() -> None:
    """The core stays light: no CLI, no HTTP, no spec validator."""
    heavy = {"typer", "rich", "httpx", "openapi_spec_validator", "schemathesis", "pact"}
    for module in (SRC / "core").rglob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for name in names:
                    assert name.split(".")[0] not in heavy, f"{module.name} imports {name}"
