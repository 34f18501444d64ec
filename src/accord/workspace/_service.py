"""How a service of the workspace runs: its command, its provider states, its credentials.

A service is started from a Python ``module`` (``python -m <module> --port P --db D``),
from a ``command`` in any language (an argv list with ``{port}``, ``{db}`` and
``{python}`` placeholders, run in ``cwd`` with ``env``), or is already running at a
``url``. :meth:`ServiceSpec.launch` turns that into one :class:`Launch` that verify,
the gateway and ``accord up`` all start the same way.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from accord._errors import AccordError, Location
from accord._process import Process

__all__ = [
    "MOCK_HEALTH_PATH",
    "STATES_ENV",
    "STATES_PATH",
    "Credentials",
    "Launch",
    "ServiceSpec",
    "TestSuite",
]

#: where a ``module`` service (``accord.runtime``) takes provider-state changes
STATES_PATH = "/_accord/provider-states"
#: set (to ``1``) in the environment of a provider started for verification; module
#: services also get ``--provider-states``
STATES_ENV = "ACCORD_PROVIDER_STATES"
#: where ``accord mock`` answers 200 once it serves (under its own ``/__accord/`` prefix,
#: so never a contract's path): the 2xx health path of a mock started by verify or up
MOCK_HEALTH_PATH = "/__accord/health"

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOKEN_SECONDS = 30.0


@dataclass(slots=True, frozen=True)
class Credentials:
    """What verification sends a provider: headers (``${VAR}`` from the environment) and/or
    a bearer token printed by ``token_command``."""

    headers: Mapping[str, str] = field(default_factory=dict)
    token_command: tuple[str, ...] = ()
    where: Location | None = None  # the ``credentials`` entry of the manifest

    def resolve(self, cwd: Path, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The headers to send, environment references filled in, the token command run."""
        environ = os.environ if env is None else env
        out: dict[str, str] = {}
        for name, template in self.headers.items():

            def value(match: re.Match[str], header: str = name) -> str:
                found = environ.get(match[1])
                if found is None:
                    raise AccordError(
                        f"credentials header {header!r} needs ${match[1]}, which is not set",
                        self.where,
                    )
                return found

            out[name] = _ENV_REF.sub(value, template)
        if self.token_command:
            out["Authorization"] = f"Bearer {self._token(cwd, environ)}"
        return out

    def _token(self, cwd: Path, env: Mapping[str, str]) -> str:
        argv = [_fill(arg, {}) for arg in self.token_command]
        shown = " ".join(self.token_command)
        try:
            done = subprocess.run(
                argv, cwd=cwd, env=dict(env), capture_output=True, text=True,
                timeout=_TOKEN_SECONDS, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AccordError(f"token_command `{shown}` could not run: {exc}", self.where) from None
        token = done.stdout.strip()
        if done.returncode != 0 or not token or len(token.split()) != 1:
            tail = (done.stderr or done.stdout).strip()[-400:]
            raise AccordError(
                f"token_command `{shown}` exited with {done.returncode} and printed "
                f"{'no token' if not token else 'more than one word'}"
                + (f": {tail}" if tail else ""),
                self.where,
            )
        return token


@dataclass(slots=True, frozen=True)
class TestSuite:
    """A consumer test suite that writes pacts (``tests:`` of a service or consumer).

    ``accord pacts`` runs ``command`` in ``cwd`` with ``$ACCORD_PACTS_DIR`` (and the
    ``{pacts}`` placeholder) naming the folder its pacts must be written to.
    """

    owner: str
    command: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(default_factory=dict)

    def argv(self, pacts_dir: Path) -> list[str]:
        return [_fill(arg, {"pacts": str(pacts_dir)}) for arg in self.command]


@dataclass(slots=True, frozen=True)
class Launch:
    """A service process to start: argv, environment additions, folder, health URL.

    Ready means ``health`` answers 2xx when it is a health path the service has (a
    declared ``health:``, or the ``/healthz`` every Accord ``module`` serves:
    ``require_2xx``); a ``command`` with no ``health:`` is ready on any answer below 500
    on its base URL. A 404 from a health path that does not exist, or a 503 while it
    warms up, is not ready.
    """

    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path
    health: str
    require_2xx: bool = True

    def process(
        self,
        name: str,
        env: Mapping[str, str],
        *,
        log: Path | None = None,
        ready_timeout: float = 60.0,
        overrides: Mapping[str, str] | None = None,
    ) -> Process:
        """The process to start: ``env`` (a :func:`service_environment`), then its own
        ``env:``, then ``overrides`` (what the starter set up for it: a broker, ...)."""
        return Process(
            name,
            self.argv,
            self.health,
            {**env, **self.env, **(overrides or {})},
            self.cwd,
            log,
            ready_timeout=ready_timeout,
            require_2xx=self.require_2xx,
        )


@dataclass(slots=True, frozen=True)
class ServiceSpec:
    """A provider of the workspace."""

    name: str
    contract: Path
    port: int
    module: str | None = None
    consumes: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    health: str = "/healthz"
    #: ``health`` was written in accord.yaml (else it is only the gateway's default)
    health_declared: bool = False
    url: str | None = None
    #: where provider-state changes are POSTed: a path of the service, or a full URL
    states: str | None = None
    credentials: Credentials | None = None
    tests: TestSuite | None = None
    #: the AsyncAPI document of its events, if it has any
    events: Path | None = None

    @property
    def startable(self) -> bool:
        """Whether Accord can start it (a ``module`` or a ``command``), not only reach it."""
        return bool(self.module or self.command)

    def base_url(self, port: int | None = None) -> str:
        """Where it answers: its ``url``, else 127.0.0.1 on ``port`` (default: its own)."""
        if self.url and port is None:
            return self.url.rstrip("/")
        return f"http://127.0.0.1:{port if port is not None else self.port}"

    def states_url(self, base_url: str) -> str | None:
        """The provider-state change URL for an instance at ``base_url`` (None: no states)."""
        path = self.states if self.states is not None else (STATES_PATH if self.module else None)
        if path is None:
            return None
        return path if "://" in path else base_url.rstrip("/") + path

    def launch(self, root: Path, *, port: int, db: Path, provider_states: bool = False) -> Launch:
        """How to start it on ``port`` with its storage at ``db`` (``root``: the repository)."""
        db = db.absolute()  # a command may run in its own folder (cwd)
        values = {"port": str(port), "db": str(db)}
        env = {key: _fill(value, values) for key, value in self.env.items()}
        if provider_states:
            env[STATES_ENV] = "1"
        if self.module:
            argv = [sys.executable, "-m", self.module, "--port", str(port), "--db", str(db)]
            argv += ["--provider-states"] if provider_states else []
        elif self.command:
            argv = [_fill(arg, values) for arg in self.command]
        else:
            where = f"it runs at {self.url}" if self.url else "it has no `module` or `command`"
            raise AccordError(
                f"service {self.name!r} cannot be started: {where}; give it a `command:` in "
                "accord.yaml, or point at a running instance (`url:`, or `--base-url`)"
            )
        cwd = self.cwd or root
        if not cwd.is_dir():
            raise AccordError(
                f"service {self.name!r} runs its command in {cwd}, which is not a folder "
                "(`cwd:` is relative to accord.yaml)"
            )
        checked = bool(self.module) or self.health_declared  # a path it has: 2xx
        health = f"http://127.0.0.1:{port}{self.health if checked else '/'}"
        return Launch(tuple(argv), env, cwd, health, require_2xx=checked)


def _fill(text: str, values: Mapping[str, str]) -> str:
    """``{port}``, ``{db}`` and ``{python}`` replaced; any other braces left alone."""
    out = text.replace("{python}", sys.executable)
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out
