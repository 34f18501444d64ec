"""``models.py``: pydantic v2 models from a contract, by datamodel-code-generator.

The flags are chosen for stable, strict output: no timestamp, its builtin
formatter (pinned with the package), field constraints as ``Field`` arguments,
``Annotated``, standard collections, ``X | None``, enum members as defaults.
"""

from __future__ import annotations

import ast
import contextlib
import io
from pathlib import Path

from datamodel_code_generator.__main__ import main as datamodel_codegen

from accord._errors import ContractError, Location

__all__ = ["FLAGS", "generate_models", "model_classes"]

FLAGS = (
    "--input-file-type", "openapi",
    "--output-model-type", "pydantic_v2.BaseModel",
    "--target-python-version", "3.11",
    "--disable-timestamp",
    "--formatters", "builtin",
    "--field-constraints",
    "--use-annotated",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-double-quotes",
    "--strict-nullable",
    "--set-default-enum-member",
    "--use-schema-description",
    "--allow-population-by-field-name",
)  # fmt: skip


def generate_models(contract_path: Path, header: str, out: Path) -> str:
    """Write ``out`` (models for ``contract_path``) and return its text.

    Raises :class:`ContractError` with the generator's own explanation when it
    cannot map the contract.
    """
    stderr = io.StringIO()
    args = [
        "--input", str(contract_path),
        "--output", str(out),
        "--custom-file-header", header,
        *FLAGS,
    ]  # fmt: skip
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = int(datamodel_codegen(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception as exc:  # the generator's own failure, reported with its words
            raise ContractError(
                f"datamodel-code-generator cannot map this contract: {type(exc).__name__}: {exc}",
                Location(str(contract_path)),
            ) from None
    if code != 0 or not out.exists():
        detail = " ".join(stderr.getvalue().split())[:500] or f"exit code {code}"
        raise ContractError(
            f"datamodel-code-generator cannot map this contract: {detail}",
            Location(str(contract_path)),
        )
    return out.read_text("utf-8")


def model_classes(source: str) -> set[str]:
    """The class names a generated models module defines."""
    return {node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)}
