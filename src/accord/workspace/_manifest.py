"""The workspace: ``contracts/accord.yaml`` and everything it names.

The manifest is checked against ``accord/schemas/accord.schema.json`` on load
and then for what a schema cannot say (consumers of unknown services, two
services on one port, a contract file that does not exist); every error names
``file:line:col`` and the JSON pointer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Self

import jsonschema_rs

from accord._errors import AccordError, ManifestError
from accord.core import AsyncContract, Contract, LoadOptions, PactFile, SourceFile, load_source
from accord.workspace._service import Credentials, ServiceSpec, TestSuite

__all__ = [
    "MANIFEST_NAME",
    "ConsumerSpec",
    "GatewaySpec",
    "ServiceSpec",
    "TestSuite",
    "Workspace",
]

MANIFEST_NAME = "accord.yaml"


@dataclass(slots=True, frozen=True)
class ConsumerSpec:
    """A consumer that is not itself a service (a front end, a CLI, a partner)."""

    name: str
    consumes: tuple[str, ...]
    module: str | None = None
    tests: TestSuite | None = None


@dataclass(slots=True, frozen=True)
class GatewaySpec:
    port: int
    settings: dict[str, Any] = field(default_factory=dict)


@cache
def _validator() -> Any:
    text = resources.files("accord").joinpath("schemas/accord.schema.json").read_text("utf-8")
    return jsonschema_rs.validator_for(json.loads(text))


class Workspace:
    """A loaded, validated ``accord.yaml`` and lazy access to its contracts and pacts."""

    def __init__(self, source: SourceFile, options: LoadOptions | None = None) -> None:
        self.source = source
        self.manifest = source.path.resolve()
        self.base = self.manifest.parent
        self.options = options or LoadOptions()
        data = source.data
        self._check_schema(data)
        self.name: str = data.get("name", self.base.parent.name)
        self.services: dict[str, ServiceSpec] = {
            name: self._service(name, spec) for name, spec in data["services"].items()
        }
        self.consumers: dict[str, ConsumerSpec] = {
            name: ConsumerSpec(
                name,
                tuple(spec["consumes"]),
                spec.get("module"),
                self._tests(name, spec.get("tests")),
            )
            for name, spec in (data.get("consumers") or {}).items()
        }
        gateway = data.get("gateway")
        self.gateway = GatewaySpec(gateway["port"], dict(gateway)) if gateway else None
        #: the Pact Broker (``broker.url``); --broker and $PACT_BROKER_BASE_URL win
        self.broker_url: str | None = (data.get("broker") or {}).get("url")
        self.pacts_dir = self.base / data.get("pacts", "pacts")
        self.mocks_dir = self.base / data.get("mocks", "../mocks")
        self.generated_dir = self.base / data.get("generated", "../generated")
        self._check_references(data)
        # a contract's $refs stay inside the workspace, or the folders it names
        shared = tuple(self.base / folder for folder in data.get("ref-roots", ()))
        self.options = replace(
            self.options, ref_roots=(self.root, *shared, *self.options.ref_roots)
        )
        self._contracts: dict[str, Contract] = {}
        self._events: dict[str, AsyncContract] = {}

    @classmethod
    def from_path(cls, path: str | Path, options: LoadOptions | None = None) -> Self:
        """Load the manifest at ``path`` (a file, or a directory holding ``accord.yaml``)."""
        path = Path(path)
        if path.is_dir():
            inner = path / "contracts" / MANIFEST_NAME
            path = inner if inner.exists() else path / MANIFEST_NAME
        return cls(load_source(path), options)

    @classmethod
    def discover(
        cls, start: str | Path | None = None, options: LoadOptions | None = None
    ) -> Self | None:
        """Find ``contracts/accord.yaml`` in ``start`` (default: cwd) or a parent directory."""
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            for candidate in (folder / "contracts" / MANIFEST_NAME, folder / MANIFEST_NAME):
                if candidate.is_file():
                    return cls.from_path(candidate, options)
        return None

    def _service(self, name: str, spec: dict[str, Any]) -> ServiceSpec:
        credentials = spec.get("credentials")
        return ServiceSpec(
            name=name,
            contract=self.base / spec["contract"],
            port=spec["port"],
            module=spec.get("module"),
            consumes=tuple(spec.get("consumes", ())),
            command=tuple(spec.get("command", ())),
            cwd=self.base / spec["cwd"] if "cwd" in spec else None,
            env=dict(spec.get("env", {})),
            health=spec.get("health", "/healthz"),
            health_declared="health" in spec,
            url=spec.get("url"),
            states=spec.get("states"),
            tests=self._tests(name, spec.get("tests")),
            events=self.base / spec["events"] if "events" in spec else None,
            credentials=Credentials(
                dict(credentials.get("headers", {})),
                tuple(credentials.get("token_command", ())),
                self.source.locate(f"/services/{name}/credentials"),
            )
            if credentials
            else None,
        )

    def _tests(self, owner: str, spec: dict[str, Any] | None) -> TestSuite | None:
        if not spec:
            return None
        cwd = self.base / spec["cwd"] if "cwd" in spec else self.root
        return TestSuite(owner, tuple(spec["command"]), cwd, dict(spec.get("env", {})))

    def test_suites(self) -> list[TestSuite]:
        """Every consumer test suite the manifest declares (``tests:``), services first."""
        suites = [s.tests for s in self.services.values()]
        suites += [c.tests for c in self.consumers.values()]
        return [suite for suite in suites if suite is not None]

    # what it names -------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        """The repository root: the folder that holds ``contracts/``."""
        return self.base.parent if self.base.name == "contracts" else self.base

    def contract(self, service: str) -> Contract:
        """The service's contract, loaded once."""
        found = self._contracts.get(service)
        if found is None:
            found = Contract.from_path(self.services[service].contract, self.options)
            self._contracts[service] = found
        return found

    def events(self, service: str) -> AsyncContract | None:
        """The service's event contract (AsyncAPI), loaded once; None when it has none."""
        path = self.services[service].events
        if path is None:
            return None
        found = self._events.get(service)
        if found is None:
            found = AsyncContract.from_path(path, self.options)
            self._events[service] = found
        return found

    def pact_paths(self) -> list[Path]:
        return sorted(self.pacts_dir.glob("*.json")) if self.pacts_dir.is_dir() else []

    def pacts(self) -> list[PactFile]:
        return [PactFile.from_path(p, max_bytes=self.options.max_bytes) for p in self.pact_paths()]

    def scopes(self) -> list[str]:
        """Every OAuth2 scope the services' contracts declare, sorted."""
        found: set[str] = set()
        for name in self.services:
            for scheme in self.contract(name).security_schemes.values():
                flows = scheme.get("flows") if isinstance(scheme, dict) else None
                for flow in (flows or {}).values():
                    if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
                        found.update(flow["scopes"])
        return sorted(found)

    def consumers_of(self, provider: str) -> list[str]:
        """Every service or consumer that declares it consumes ``provider``."""
        users = [s.name for s in self.services.values() if provider in s.consumes]
        users += [c.name for c in self.consumers.values() if provider in c.consumes]
        return sorted(users)

    # validation ----------------------------------------------------------------------------
    def _fail(self, pointer: str, message: str) -> ManifestError:
        return ManifestError(message, self.source.locate(pointer))

    def _check_schema(self, data: Any) -> None:
        if not isinstance(data, dict):
            raise self._fail("", "the manifest must be a mapping with `version` and `services`")
        errors = sorted(
            _validator().iter_errors(data), key=lambda e: (len(e.instance_path), e.message)
        )
        if errors:
            error = errors[-1] if errors[-1].instance_path else errors[0]
            pointer = "".join(f"/{p}" for p in error.instance_path)
            more = f" ({len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
            unexpected = getattr(error.kind, "unexpected", None)
            if error.kind.name == "additionalProperties" and unexpected:
                pointer += f"/{unexpected[0]}"
                raise ManifestError(
                    f"invalid manifest: unknown key {unexpected[0]!r}{more}",
                    self.source.source_map.locate_key(pointer),
                )
            raise self._fail(pointer, f"invalid manifest: {error.message}{more}")

    def _check_references(self, data: dict[str, Any]) -> None:
        known = set(self.services)
        ports: dict[int, str] = {}
        for name, spec in self.services.items():
            if spec.port in ports:
                raise self._fail(
                    f"/services/{name}/port",
                    f"port {spec.port} is already used by service {ports[spec.port]!r}",
                )
            ports[spec.port] = name
            ways = [key for key in ("module", "command", "url") if key in data["services"][name]]
            if len(ways) > 1:
                raise self._fail(
                    f"/services/{name}/{ways[1]}",
                    f"service {name!r} has both `{ways[0]}` and `{ways[1]}`: give one "
                    "(`module` or `command` to start it, `url` where it already runs)",
                )
            for key in ("cwd", "env"):
                if key in data["services"][name] and not spec.command:
                    raise self._fail(
                        f"/services/{name}/{key}",
                        f"`{key}` applies to a `command`, and service {name!r} has none",
                    )
            if spec.events is not None and not spec.events.is_file():
                raise self._fail(
                    f"/services/{name}/events",
                    f"events file {data['services'][name]['events']!r} does not exist "
                    f"(looked in {spec.events.parent})",
                )
            if not spec.contract.is_file():
                raise self._fail(
                    f"/services/{name}/contract",
                    f"contract file {data['services'][name]['contract']!r} does not exist "
                    f"(looked in {spec.contract.parent})",
                )
        if self.gateway and self.gateway.port in ports:
            raise self._fail(
                "/gateway/port",
                f"port {self.gateway.port} is already used by service {ports[self.gateway.port]!r}",
            )
        groups: list[tuple[str, dict[str, ServiceSpec] | dict[str, ConsumerSpec]]] = [
            ("services", self.services),
            ("consumers", self.consumers),
        ]
        for group, entries in groups:
            for name, entry in entries.items():
                for i, provider in enumerate(entry.consumes):
                    if provider not in known:
                        raise self._fail(
                            f"/{group}/{name}/consumes/{i}",
                            f"{name!r} consumes {provider!r}, which is not a service of this "
                            f"workspace (known: {', '.join(sorted(known))})",
                        )
                    if provider == name:
                        raise self._fail(
                            f"/{group}/{name}/consumes/{i}", f"{name!r} cannot consume itself"
                        )
        clash = set(self.services) & set(self.consumers)
        if clash:
            name = sorted(clash)[0]
            raise self._fail(
                f"/consumers/{name}",
                f"{name!r} is a service already; list what it consumes under services.{name}",
            )


def load_workspace(path: str | Path | None = None, options: LoadOptions | None = None) -> Workspace:
    """The workspace at ``path``, or the one found from the current directory.

    ``options`` (size limit, extra ref roots) apply to every document it loads: its
    contracts, event documents and pacts.
    """
    if path is not None:
        return Workspace.from_path(path, options)
    found = Workspace.discover(options=options)
    if found is None:
        raise AccordError(
            f"no workspace here: expected contracts/{MANIFEST_NAME} in {Path.cwd()} or a parent"
        )
    return found
