"""Untrusted contracts: ``$ref`` s confined to the project, only regular files read.

Issue 13, items 4 and 5: a ``$ref`` that leaves the document's folder (relative
escape, ``file://`` URI, absolute path, symlink) is refused with its location, and
no file content reaches the output; a ``$ref`` to ``/dev/zero``, a FIFO or a
directory (or such a top-level file) is a one-line error, not a MemoryError or hang.
"""

from __future__ import annotations

import os
import socket
import textwrap
from pathlib import Path

import pytest

from accord._errors import LoadError, RefError
from accord.core import Contract, LoadOptions, load_source
from accord.workspace import Workspace
from tests.core.helpers import api, one_line, run_accord

REPO = Path(__file__).resolve().parents[2]
SECRET = "top-secret-line: the-content-nobody-should-see"


def _doc_with_ref(ref: str) -> str:
    return api(
        f"""\
        paths:
          /a:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: '{ref}'}}
        """
    )


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """``project/api.yaml`` and a secret file beside (outside) the project."""
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text(f"S:\n  type: object\n  description: '{SECRET}'\n")
    (project / "inside.yaml").write_text("S: {type: string}\n")
    return {"project": project, "secret": secret, "tmp": tmp_path}


def _escapes(layout: dict[str, Path]) -> dict[str, str]:
    secret = layout["secret"]
    return {
        "relative": "../secret.yaml#/S",
        "deep-relative": "../../../../../../../../" + str(secret).lstrip("/") + "#/S",
        "file-uri": secret.as_uri() + "#/S",
        "absolute": f"{secret}#/S",
    }


@pytest.mark.parametrize("form", ["relative", "deep-relative", "file-uri", "absolute"])
def test_a_ref_leaving_the_documents_folder_is_refused(layout: dict[str, Path], form: str) -> None:
    ref = _escapes(layout)[form]
    doc = layout["project"] / "api.yaml"
    doc.write_text(_doc_with_ref(ref))
    with pytest.raises(RefError) as info:
        Contract.from_path(doc)
    error = info.value
    assert "leaves the project" in error.message
    assert error.location is not None and error.location.line == 11  # the $ref's own line
    assert SECRET not in str(error)


def test_a_symlink_that_escapes_is_refused_and_one_inside_is_fine(
    layout: dict[str, Path],
) -> None:
    project = layout["project"]
    (project / "link.yaml").symlink_to(layout["secret"])
    (project / "alias.yaml").symlink_to(project / "inside.yaml")
    doc = project / "api.yaml"
    doc.write_text(_doc_with_ref("link.yaml#/S"))
    with pytest.raises(RefError, match="leaves the project"):
        Contract.from_path(doc)
    doc.write_text(_doc_with_ref("alias.yaml#/S"))
    assert Contract.from_path(doc).ref_count == 1


def test_refs_inside_the_folder_and_the_allow_list_resolve(layout: dict[str, Path]) -> None:
    project = layout["project"]
    doc = project / "api.yaml"
    doc.write_text(_doc_with_ref("inside.yaml#/S"))
    assert Contract.from_path(doc).ref_count == 1
    doc.write_text(_doc_with_ref("../secret.yaml#/S"))
    allowed = LoadOptions(ref_roots=(layout["tmp"],))
    assert Contract.from_path(doc, allowed).ref_count == 1


def test_the_top_document_may_live_outside_the_cwd(
    layout: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    doc = layout["project"] / "api.yaml"
    doc.write_text(_doc_with_ref("inside.yaml#/S"))
    assert Contract.from_path(doc).ref_count == 1


def test_a_workspace_contract_may_refer_across_the_workspace_and_its_ref_roots(
    tmp_path: Path,
) -> None:
    root = tmp_path / "shop"
    (root / "contracts" / "openapi").mkdir(parents=True)
    (root / "contracts" / "common").mkdir()
    (root / "contracts" / "common" / "s.yaml").write_text("S: {type: string}\n")
    shared = tmp_path / "shared-schemas"
    shared.mkdir()
    (shared / "t.yaml").write_text("T: {type: integer}\n")
    contract = root / "contracts" / "openapi" / "api.yaml"
    contract.write_text(_doc_with_ref("../common/s.yaml#/S"))
    manifest = root / "contracts" / "accord.yaml"
    manifest.write_text("version: 1\nservices:\n  api: {contract: openapi/api.yaml, port: 8001}\n")
    assert Workspace.from_path(manifest).contract("api").ref_count == 1
    contract.write_text(_doc_with_ref("../../../shared-schemas/t.yaml#/T"))
    with pytest.raises(RefError, match="leaves the project"):
        Workspace.from_path(manifest).contract("api")
    manifest.write_text(manifest.read_text() + "ref-roots: ['../../shared-schemas']\n")
    assert Workspace.from_path(manifest).contract("api").ref_count == 1


@pytest.mark.slow
@pytest.mark.parametrize("form", ["relative", "deep-relative", "file-uri", "absolute"])
def test_the_cli_refuses_escaping_refs_without_printing_the_file(
    layout: dict[str, Path], form: str
) -> None:
    doc = layout["project"] / "api.yaml"
    doc.write_text(_doc_with_ref(_escapes(layout)[form]))
    done = run_accord("lint", "-q", doc, cwd=layout["tmp"])
    line = one_line(done)
    assert "leaves the project" in line and "api.yaml:11:" in line
    assert SECRET not in done.stdout + done.stderr
    done = run_accord("diff", doc, doc, cwd=layout["tmp"])
    assert "leaves the project" in one_line(done)


@pytest.mark.slow
def test_the_mock_refuses_to_start_on_an_escaping_ref(layout: dict[str, Path]) -> None:
    doc = layout["project"] / "api.yaml"
    doc.write_text(_doc_with_ref("../secret.yaml#/S"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = run_accord("mock", doc, "--port", str(port), cwd=layout["tmp"])
    line = one_line(done)
    assert "leaves the project" in line
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.slow
def test_tool_config_ref_roots_allow_a_shared_folder(layout: dict[str, Path]) -> None:
    doc = layout["project"] / "api.yaml"
    doc.write_text(_doc_with_ref("../secret.yaml#/S"))
    (layout["project"] / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [tool.accord]
            ref-roots = [".."]
            """
        )
    )
    done = run_accord("lint", "-q", "api.yaml", cwd=layout["project"])
    assert done.returncode in (0, 1), done.stderr
    assert "leaves the project" not in done.stderr


# item 5: only regular files, bounded reads -------------------------------------------------


@pytest.fixture
def specials(tmp_path: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    return {"zero": Path("/dev/zero"), "fifo": fifo, "directory": folder}


@pytest.mark.parametrize(
    ("kind", "why"),
    [("zero", "character device"), ("fifo", "named pipe"), ("directory", "is a directory")],
)
def test_special_files_are_refused_as_top_level_files(
    specials: dict[str, Path], kind: str, why: str
) -> None:
    with pytest.raises(LoadError, match=why):
        load_source(specials[kind])


@pytest.mark.parametrize(
    ("kind", "why"),
    [("zero", "character device"), ("fifo", "named pipe"), ("directory", "is a directory")],
)
def test_special_files_are_refused_as_refs(
    specials: dict[str, Path], tmp_path: Path, kind: str, why: str
) -> None:
    doc = tmp_path / "api.yaml"
    doc.write_text(_doc_with_ref(f"{specials[kind]}#/S"))
    allowed = LoadOptions(ref_roots=(specials[kind].parent,))
    with pytest.raises(RefError, match=why) as info:
        Contract.from_path(doc, allowed)
    assert info.value.location is not None and info.value.location.line == 11


def test_a_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 1000)
    with pytest.raises(LoadError, match="over the 0 MiB limit"):
        load_source(big, max_bytes=100)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "ref"),
    [("zero", "/dev/zero#/S"), ("fifo", "pipe.yaml#/S"), ("directory", "folder.yaml#/S")],
)
def test_the_cli_answers_special_files_with_one_line_in_bounded_time(
    specials: dict[str, Path], tmp_path: Path, kind: str, ref: str
) -> None:
    """A FIFO once hung every command and /dev/zero grew it to 4 GB (issue 13, item 5)."""
    (tmp_path / "pyproject.toml").write_text('[tool.accord]\nref-roots = ["/dev"]\n')
    doc = tmp_path / "api.yaml"
    doc.write_text(_doc_with_ref(ref))
    line = one_line(run_accord("lint", "-q", doc, cwd=tmp_path))
    assert "api.yaml:11:" in line
    assert "not a regular file" in line or "is a directory" in line
    line = one_line(run_accord("diff", specials[kind], doc, cwd=tmp_path))
    assert "not a regular file" in line or "is a directory" in line
