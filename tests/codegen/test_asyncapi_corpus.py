"""`accord generate` over every AsyncAPI document of the corpus that Accord lints as valid.

Each document's package is generated once (models, and the FastStream stubs when a
server names a broker FastStream speaks; a clear error otherwise, then the models
alone), one document per core. Every package is black-stable and imports, and each
payload model accepts the document's own message examples and refuses a changed one
that the payload schema itself refuses.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import black
import pytest
from black.mode import TargetVersion
from pydantic import BaseModel, ValidationError

from accord._errors import AccordError
from accord._findings import Severity
from accord.codegen._events import EVENT_PARTS, render_events
from accord.core import AsyncContract, DocumentSet, SchemaRef, load_source
from accord.core._source import parse_source
from accord.lint import LintTarget, lint_target
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow

#: the oracle: stubs are written in the project's style (100 columns); models.py comes from
#: datamodel-code-generator's own formatter, black's default (88 columns)
BLACK = {
    "stubs": black.Mode(line_length=100, target_versions={TargetVersion.PY311}),
    "models.py": black.Mode(target_versions={TargetVersion.PY311}),
}


def black_stable(filename: str, text: str) -> bool:
    return black.format_str(text, mode=BLACK.get(filename, BLACK["stubs"])) == text


def _cases() -> list[str]:
    index = CORPUS / "asyncapi" / "expected-validity.json"
    return sorted(c["file"] for c in json.loads(index.read_text())["cases"])


def load(file: str) -> AsyncContract | None:
    """The document as the lint agreement test reads it; None when Accord finds it invalid."""
    path = CORPUS / file
    try:
        source = load_source(path)
        if "/parser-js-v1/" in f"/{file}":  # upstream resolves these from that folder
            folder = CORPUS / "asyncapi" / "parser-js-v1"
            source = parse_source(path.read_bytes(), source.display, path=folder / path.name)
        contract = AsyncContract(DocumentSet(source, ref_roots=(CORPUS / "asyncapi",)))
    except AccordError:
        return None
    result = lint_target(LintTarget(events={file: contract}))
    return None if any(f.severity is Severity.ERROR for f in result.findings) else contract


@dataclass
class Generated:
    file: str
    package: str
    files: dict[str, str] = field(default_factory=dict)
    stub_error: str = ""  # why there are no stubs
    error: str = ""  # why nothing was generated
    root: Path | None = None  # the folder its package was written to
    samples: list[Sample] = field(default_factory=list)


@dataclass
class Sample:
    """The examples of one message's payload or headers, and the model that reads them."""

    kind: str  # "payload" or "headers"
    message: tuple[str, str]  # the message's place: file URI, JSON pointer
    model: str
    examples: list[Any]


def _schema_examples(contract: AsyncContract, ref: SchemaRef) -> list[Any]:
    """The schema's own ``examples`` (and OpenAPI-style ``example``)."""
    schema = contract.documents.deref(ref.value, ref.place.file, ref.place.pointer).value
    if not isinstance(schema, dict):
        return []
    found = list(schema["examples"]) if isinstance(schema.get("examples"), list) else []
    return found + ([schema["example"]] if "example" in schema else [])


def _generate(file: str) -> Generated | None:
    contract = load(file)
    if contract is None:
        return None
    package = "evcorpus_" + "".join(c if c.isalnum() else "_" for c in file).lower()
    found = Generated(file, package)
    try:
        try:
            rendered = render_events(contract, package, parts=EVENT_PARTS)
        except AccordError as exc:
            if "cannot write FastStream stubs" not in str(exc):
                raise
            found.stub_error = str(exc)
            rendered = render_events(contract, package, parts=("models",))
    except AccordError as exc:
        found.error = f"{type(exc).__name__}: {exc}"
        return found
    found.files = rendered.files
    for message in contract.messages:
        where = (message.place.file.uri, message.place.pointer)
        for kind, ref, models in (
            ("payload", message.payload, rendered.models.payloads),
            ("headers", message.headers, rendered.models.headers),
        ):
            model = models.get(where)
            if model is None or ref is None:
                continue
            examples = [
                e.payload if kind == "payload" else e.headers
                for e in message.examples
                if (e.has_payload if kind == "payload" else e.has_headers)
            ]
            examples += _schema_examples(contract, ref)
            found.samples.append(Sample(kind, where, model, examples))
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Generated]]:
    root = tmp_path_factory.mktemp("asyncapi_corpus")
    files = _cases()
    with ProcessPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        results = [r for r in pool.map(_generate, files, chunksize=4) if r is not None]
    for result in results:
        folder = root / result.package
        if result.files:
            folder.mkdir()
            for filename, text in result.files.items():
                (folder / filename).write_text(text, "utf-8")
        result.root = root
    sys.path.insert(0, str(root))
    yield {r.file: r for r in results}
    sys.path.remove(str(root))
    for module in [m for m in sys.modules if m.startswith("evcorpus_")]:
        del sys.modules[module]


def test_every_valid_document_generates_black_stable_code(generated: dict[str, Generated]) -> None:
    failed = {f: g.error for f, g in generated.items() if g.error}
    stubs = sum(1 for g in generated.values() if "app.py" in g.files)
    print(f"\n{len(generated)} valid documents: {len(generated) - len(failed)} generated, "
          f"{stubs} with FastStream stubs")  # fmt: skip
    assert len(generated) >= 90
    assert not failed, failed
    assert stubs >= 15
    for g in generated.values():
        for filename, text in g.files.items():
            assert black_stable(filename, text), f"{g.file}: {filename}"
        if g.stub_error:
            assert "cannot write FastStream stubs for" in g.stub_error, g.stub_error


def test_every_generated_package_passes_mypy_strict(generated: dict[str, Generated]) -> None:
    (root,) = {g.root for g in generated.values()}
    packages = [a for g in generated.values() if g.files for a in ("-p", g.package)]
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file=",
         "--python-version=3.11", *packages],
        cwd=root, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-1000:]


def _mutations(payload: Any, schema: Any) -> list[Any]:
    """Changed copies of an example: another JSON type, then each required field removed."""
    other: Any = {
        dict: [payload], list: {"x": payload}, str: 12345, bool: "yes", int: "12", float: "1.5"
    }.get(type(payload), {"x": 1})  # fmt: skip
    found = [other]
    required = schema.get("required") if isinstance(schema, dict) else None
    if isinstance(payload, dict) and isinstance(required, list):
        for name in required:
            if name in payload:
                changed = copy.deepcopy(payload)
                del changed[name]
                found.append(changed)
    return found


def test_payload_models_accept_examples_and_refuse_changed_ones(
    generated: dict[str, Generated],
) -> None:
    accepted = refused = skipped = 0
    wrong: list[str] = []
    for g in generated.values():
        if not g.files:
            continue
        models = importlib.import_module(f"{g.package}.models")
        for part in ("app", "peer"):
            if f"{part}.py" in g.files:
                importlib.import_module(f"{g.package}.{part}")
        contract = load(g.file)
        assert contract is not None
        messages = {(m.place.file.uri, m.place.pointer): m for m in contract.messages}
        for sample in g.samples:
            model: type[BaseModel] = getattr(models, sample.model)
            ref = getattr(messages[sample.message], sample.kind)
            validator = contract.validator(ref)
            schema = contract.documents.deref(ref.value, ref.place.file, ref.place.pointer).value
            where = f"{g.file} {sample.message[1]} {sample.kind}"
            for example in sample.examples:
                if validator.violations(example):
                    skipped += 1  # the document's own slip (lint reports it as a warning)
                    continue
                try:
                    model.model_validate(example)
                    accepted += 1
                except ValidationError as exc:
                    wrong.append(f"{where}: example refused: {str(exc)[:200]}")
                for changed in _mutations(example, schema):
                    if not validator.violations(changed):
                        continue  # the schema allows it: nothing to refuse
                    try:
                        model.model_validate(changed)
                        wrong.append(f"{where}: accepted {json.dumps(changed)[:120]}")
                    except ValidationError:
                        refused += 1
    print(
        f"\nexamples accepted: {accepted} (left out, their own schema refuses them: {skipped});"
        f" changed examples refused: {refused}"
    )
    assert accepted >= 20 and refused >= 20
    assert not wrong, "\n".join(wrong)
