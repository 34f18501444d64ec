"""``accord init``: scaffold a workspace from the OpenAPI documents and pacts a repository has.

It writes what is missing and nothing else: ``contracts/accord.yaml`` (a service per
OpenAPI document, each on a free port; the pacts found, their consumers declared),
a ``[tool.accord]`` table in ``pyproject.toml`` and a CI workflow. A file that exists
is kept and named as kept; nothing is ever overwritten.
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord._errors import AccordError
from accord.cli._console import err_console

if TYPE_CHECKING:
    from accord.core import Contract, PactFile

#: folders never searched for documents: tools' caches, dependencies, generated code
SKIPPED = frozenset(
    {"node_modules", "generated", "build", "dist", "reports", "site-packages", "__pycache__"}
)
#: the first port tried for services (the gateway's default, 8100, is left free)
FIRST_PORT = 8101
NAME = re.compile(r"^[a-z][a-z0-9_-]*$")  # as accord.schema.json's service names
LEFT_OUT = "the pact names no service (`accord lint` says so until its provider is declared)"

TOOL_TABLE = """
[tool.accord]
# Settings for `accord` (flags win); see the README, `accord lint`.
max-document-size-mib = 32

[tool.accord.lint]
disable = []        # rule ids to switch off, e.g. ["operation-description"]
fail-on = "warning" # or "error"
"""

CI_WORKFLOW = """\
# Written by `accord init`: lint the contracts and pacts, then verify every provider.
name: contracts
on: [push, pull_request]
jobs:
  accord:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install accord
      - run: accord lint
      # starts each provider (a `module` or `command` in contracts/accord.yaml) with its
      # dependencies mocked; reports/ keeps junit.xml, report.html and the logs
      - run: accord verify
      - uses: actions/upload-artifact@v4
        if: always()
        with:
          name: accord-reports
          path: reports/
"""


def register(app: typer.Typer) -> None:
    app.command()(init)


@dataclass(slots=True)
class _Found:
    contracts: list[tuple[Path, Contract]] = field(default_factory=list)
    pacts: list[PactFile] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def _candidates(root: Path) -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        out += [Path(folder) / f for f in sorted(files) if f.endswith((".yaml", ".yml", ".json"))]
    return out


def _looks_like_openapi(path: Path) -> bool:
    """A root OpenAPI 3 document says so near its top (fragments it references do not)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return re.search(r"""(^|[{,\s])["']?openapi["']?\s*:\s*["']?3\.""", head, re.M) is not None


def _discover(root: Path) -> _Found:
    from accord.core import Contract, PactFile  # noqa: PLC0415

    found = _Found()
    for path in _candidates(root):
        try:
            if path.suffix == ".json":
                pact = PactFile.detect(path)
                if pact is not None:
                    found.pacts.append(pact)
                    continue
            if _looks_like_openapi(path):
                found.contracts.append((path, Contract.from_path(path)))
        except AccordError as exc:
            found.unreadable.append(f"{path.relative_to(root)}: {exc}")
    return found


def _slug(text: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return name if name[:1].isalpha() else f"api_{name}".rstrip("_")


def _routes(contract: Contract, pact: PactFile) -> int:
    """How many of the pact's HTTP interactions the contract has an operation for."""
    return sum(
        1
        for i in pact.http_interactions
        if i.request is not None and contract.match(i.request.method, i.request.path) is not None
    )


def _ports(count: int) -> list[int]:
    """``count`` ports from FIRST_PORT up that nothing on this machine listens on now."""
    ports: list[int] = []
    candidate = FIRST_PORT
    while len(ports) < count and candidate < 65536:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
                ports.append(candidate)
            except OSError:
                pass
        candidate += 1
    return ports


@dataclass(slots=True)
class _Plan:
    services: dict[str, Path] = field(default_factory=dict)  # name -> contract file
    consumes: dict[str, set[str]] = field(default_factory=dict)  # consumer -> providers
    pacts_dir: Path | None = None
    notes: list[str] = field(default_factory=list)


def _plan(root: Path, found: _Found) -> _Plan:
    plan = _Plan()
    named: dict[Path, str] = {}
    # a pact names its provider: the document that routes the most of its interactions
    # is that provider's contract, and the service takes the pact's name
    for pact in found.pacts:
        if not pact.http_interactions:
            continue
        scored = [(_routes(c, pact), path) for path, c in found.contracts]
        best = max(scored, default=(0, Path()))
        if best[0] == 0:
            plan.notes.append(
                f"{pact.source.display}: no OpenAPI document here has an operation for its "
                f"interactions; provider {pact.provider!r}: {LEFT_OUT}"
            )
            continue
        document = best[1].relative_to(root)
        if not NAME.match(pact.provider):
            plan.notes.append(
                f"{pact.source.display}: provider {pact.provider!r} is not a valid service name "
                f"(lower case letters, digits, '_' and '-'); {document} gets a name of its own "
                f"and {LEFT_OUT}"
            )
        elif best[1] in named and named[best[1]] != pact.provider:
            plan.notes.append(
                f"{pact.source.display}: provider {pact.provider!r} routes to {document}, which "
                f"is service {named[best[1]]!r} already; {LEFT_OUT}"
            )
        else:
            named[best[1]] = pact.provider
    used = set(named.values())
    for path, contract in found.contracts:
        if path in named:
            continue
        base = _slug(path.stem if path.stem.lower() not in ("openapi", "api") else contract.title)
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        named[path] = name
        used.add(name)
    plan.services = {name: path for path, name in sorted(named.items(), key=lambda i: i[1])}
    folders: dict[Path, int] = {}
    for pact in found.pacts:
        if pact.provider not in plan.services:
            continue
        if not NAME.match(pact.consumer):
            plan.notes.append(
                f"{pact.source.display}: consumer {pact.consumer!r} is not a valid name "
                "(lower case letters, digits, '_' and '-'); it is not declared"
            )
            continue
        plan.consumes.setdefault(pact.consumer, set()).add(pact.provider)
        folder = pact.source.path.parent
        folders[folder] = folders.get(folder, 0) + 1
    if folders:
        plan.pacts_dir = max(folders, key=lambda f: folders[f])
        for folder in folders:
            if folder != plan.pacts_dir:
                plan.notes.append(
                    f"pacts in {folder.relative_to(root)} are outside the pacts folder "
                    f"{plan.pacts_dir.relative_to(root)}: move them there to have them verified"
                )
    return plan


def _manifest(root: Path, plan: _Plan, name: str) -> str:
    contracts = root / "contracts"

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path, contracts)).as_posix()

    lines = [
        "# The workspace: which services exist, where their contracts live, who consumes whom.",
        "# Written by `accord init`; schema: accord/schemas/accord.schema.json (checked on load).",
        "# A service is started for verification by `module:` (python -m) or `command:`.",
        "version: 1",
        f"name: {name}",
        f"pacts: {rel(plan.pacts_dir) if plan.pacts_dir else 'pacts'}",
        "",
        "services:",
    ]
    services = set(plan.services)
    ports = _ports(len(plan.services))
    if len(ports) < len(plan.services):
        raise AccordError("accord init: no free ports left for the services")
    for (service, path), port in zip(plan.services.items(), ports, strict=True):
        lines += [f"  {service}:", f"    contract: {rel(path)}", f"    port: {port}"]
        uses = sorted(plan.consumes.get(service, ()))
        if uses:
            lines.append(f"    consumes: [{', '.join(uses)}]")
    others = {c: p for c, p in sorted(plan.consumes.items()) if c not in services}
    if others:
        lines += ["", "consumers:"]
        for consumer, providers in others.items():
            lines += [f"  {consumer}:", f"    consumes: [{', '.join(sorted(providers))}]"]
    return "\n".join(lines) + "\n"


def _write_new(path: Path, text: str, root: Path, wrote: list[str], kept: list[str]) -> None:
    shown = path.relative_to(root).as_posix()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        kept.append(f"{shown} (exists)")
        return
    except OSError as exc:
        raise AccordError(f"{shown}: cannot write it: {exc.strerror or exc}") from exc
    wrote.append(shown)


def _add_tool_table(root: Path, wrote: list[str], kept: list[str]) -> None:
    import tomllib  # noqa: PLC0415

    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        _write_new(pyproject, TOOL_TABLE.lstrip(), root, wrote, kept)
        return
    text = pyproject.read_text("utf-8")
    try:
        section = tomllib.loads(text).get("tool", {}).get("accord")
    except tomllib.TOMLDecodeError as exc:
        raise AccordError(f"pyproject.toml: cannot read it: {exc}") from None
    if section is not None:
        kept.append("pyproject.toml [tool.accord] (exists)")
        return
    with pyproject.open("a", encoding="utf-8") as handle:  # a new table, appended
        handle.write(("" if text.endswith("\n") else "\n") + TOOL_TABLE)
    wrote.append("pyproject.toml [tool.accord]")


def init(
    path: Annotated[
        Path, typer.Argument(help="The repository to scaffold (default: the current folder).")
    ] = Path(),
    name: Annotated[
        str | None, typer.Option(help="The workspace's name (default: the folder's).")
    ] = None,
    ci: Annotated[bool, typer.Option(help="Write .github/workflows/accord.yml (a CI job).")] = True,
) -> None:
    """Scaffold contracts/accord.yaml, tool settings and a CI job from the OpenAPI files here."""
    root = path.resolve()
    if not root.is_dir():
        raise typer.BadParameter(f"{path} is not a folder", param_hint="PATH")
    manifest = root / "contracts" / "accord.yaml"
    wrote: list[str] = []
    kept: list[str] = []
    if manifest.exists():
        kept.append("contracts/accord.yaml (exists)")
    else:
        found = _discover(root)
        for line in found.unreadable:
            err_console.print(f"accord init: skipped {line}", markup=False)
        if not found.contracts:
            raise AccordError(f"accord init: no OpenAPI 3 document under {root}")
        plan = _plan(root, found)
        for note in plan.notes:
            err_console.print(f"accord init: {note}", markup=False)
        text = _manifest(root, plan, _slug(name or root.name) or "workspace")
        _write_new(manifest, text, root, wrote, kept)
        err_console.print(
            f"accord init: {len(plan.services)} service(s) "
            f"({', '.join(plan.services)}), {len(found.pacts)} pact file(s) found",
            markup=False,
        )
    _add_tool_table(root, wrote, kept)
    if ci:
        _write_new(root / ".github" / "workflows" / "accord.yml", CI_WORKFLOW, root, wrote, kept)
    for item in wrote:
        typer.echo(f"wrote {item}")
    for item in kept:
        typer.echo(f"kept {item}")
    if wrote:
        typer.echo("next: `accord lint`, `accord mock <service>`; give each service a "
                   "`module:` or `command:` in contracts/accord.yaml to verify it")  # fmt: skip
