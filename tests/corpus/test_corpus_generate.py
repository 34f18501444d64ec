"""`accord generate` (models + client) over every real-world OpenAPI document in the corpus."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from accord import AccordError, Contract
from accord.codegen import generate_package
from tests.conftest import CORPUS

DOCUMENTS = sorted(
    p for p in (CORPUS / "openapi").rglob("*") if p.suffix in (".yaml", ".yml", ".json")
)
REFUSED = {"kubernetes-v1.28.0.swagger2.json", "3.2-tags-example.yaml"}

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_models_and_client_generate_and_import(path: Path, tmp_path: Path) -> None:
    if path.name in REFUSED:
        with pytest.raises(AccordError) as caught:
            Contract.from_path(path)
        assert caught.value.location is not None and caught.value.location.line >= 1
        return
    name = "corpus_" + "".join(c if c.isalnum() else "_" for c in path.stem).lower()
    generate_package(Contract.from_path(path), name, tmp_path / name, parts=("models", "client"))
    sys.path.insert(0, str(tmp_path))
    try:
        client = importlib.import_module(f"{name}.client")
        models = importlib.import_module(f"{name}.models")
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
    classes = [v for k, v in vars(client).items() if k.endswith("Client") and k != "ApiError"]
    assert len(classes) == 2, sorted(vars(client))
    assert models.__name__.endswith(".models")
