"""Tool defaults from ``[tool.accord]`` in the workspace's pyproject.toml; CLI flags win."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from accord._errors import AccordError, Location

if TYPE_CHECKING:
    from accord.core import LoadOptions
    from accord.workspace import Workspace

__all__ = ["ToolConfig", "WorkspaceOption", "load_tool_config", "open_workspace"]

#: ``--workspace``, taken by every command that reads a workspace
WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        help="contracts/accord.yaml, or the folder holding it (default: found from the "
        "current folder).",
    ),
]


@dataclass(slots=True, frozen=True)
class ToolConfig:
    max_document_mib: float = 32.0
    lint_disable: tuple[str, ...] = ()
    lint_fail_on: str = "error"
    #: folders outside a contract's own that its $refs may reach (``ref-roots``)
    ref_roots: tuple[Path, ...] = ()
    #: the Pact Broker (``[tool.accord.broker] url``); $PACT_BROKER_BASE_URL and --broker win
    broker_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def load_options(self, max_mib: float | None = None) -> LoadOptions:
        """How to load documents: the size limit (a flag wins) and the allowed ref roots."""
        from accord.core import LoadOptions  # noqa: PLC0415 - commands' --help stay without the core

        mib = max_mib if max_mib is not None else self.max_document_mib
        return LoadOptions(max_bytes=int(mib * 1024 * 1024), ref_roots=self.ref_roots)


def open_workspace(
    path: str | Path | None, config: ToolConfig | None = None, max_mib: float | None = None
) -> Workspace:
    """The workspace at ``path`` (or found from here), loading its documents under the
    ``[tool.accord]`` settings nearest to it (size limit, ref roots); a flag wins."""
    from accord.workspace import load_workspace  # noqa: PLC0415 - commands' --help stay light

    if config is None:
        config = load_tool_config(Path(path).resolve() if path is not None else None)
    return load_workspace(path, config.load_options(max_mib))


def load_tool_config(start: Path | None = None) -> ToolConfig:
    """Read ``[tool.accord]`` from the nearest pyproject.toml, if any."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text("utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise AccordError(
                    f"cannot read [tool.accord]: {exc}", Location(str(candidate))
                ) from None
            section = data.get("tool", {}).get("accord", {})
            lint = section.get("lint", {})
            roots = section.get("ref-roots", [])
            if not isinstance(roots, list) or not all(isinstance(r, str) for r in roots):
                raise AccordError(
                    "[tool.accord] ref-roots must be a list of folders (strings), relative "
                    "to pyproject.toml",
                    Location(str(candidate)),
                )
            return ToolConfig(
                max_document_mib=float(section.get("max-document-size-mib", 32.0)),
                lint_disable=tuple(lint.get("disable", ())),
                lint_fail_on=str(lint.get("fail-on", "error")),
                ref_roots=tuple(folder / r for r in roots),
                broker_url=_broker_url(section, candidate),
                raw=section,
            )
    return ToolConfig()


def _broker_url(section: dict[str, Any], where: Path) -> str | None:
    broker = section.get("broker", {})
    url = broker.get("url") if isinstance(broker, dict) else None
    if url is not None and not isinstance(url, str):
        raise AccordError("[tool.accord.broker] url must be a string", Location(str(where)))
    return url
