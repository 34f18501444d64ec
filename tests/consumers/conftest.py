"""Consumer pact tests: each test drives a consumer's real code against a Pact mock server.

``accord_pact`` comes from Accord's pytest plugin (registered here until the ``pytest11``
entry point is installed, and never twice); this folder's version also checks that every
provider state a test names is declared by its provider's ``services/<name>/states.py``
and sets up, so a pact never asks a provider for a state it cannot reach.
"""

from __future__ import annotations

import os

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pact import Pact

import accord.pytest_plugin
from accord.runtime import Database
from accord.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

PactFactory = Callable[[str, str], Pact]


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.is_registered(accord.pytest_plugin):
        config.pluginmanager.register(accord.pytest_plugin, "accord")


def _check_states(pact: Pact, tmp: pytest.TempPathFactory) -> None:
    if not Workspace.from_path(REPO).services[pact.provider].module:
        return  # a provider in another language (reviews, on Node) checks its states itself
    store = importlib.import_module(f"services.{pact.provider}._store")
    states = importlib.import_module(f"services.{pact.provider}.states")
    db = Database(tmp.mktemp(pact.provider) / "states.sqlite3", store.SCHEMA)
    handlers = states.provider_states(db)
    unknown: list[str] = []
    for interaction in pact.interactions("HTTP"):
        for state in interaction.provider_states():
            params = {str(k): str(v) for k, v in state.parameters()}
            try:
                handlers.setup(str(state.name), params)
            except LookupError as exc:
                unknown.append(f"{str(interaction.description)!r}: {exc}")
    if unknown:
        where = f"services/{pact.provider}/states.py"
        pytest.fail(f"{where} cannot set up: " + "; ".join(unknown), pytrace=False)


@pytest.fixture
def accord_pact(
    accord_pact: PactFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PactFactory]:
    """The plugin's ``accord_pact``, plus a check of the provider states the pact names."""
    made: list[Pact] = []

    def make(consumer: str, provider: str) -> Pact:
        pact = accord_pact(consumer, provider)
        made.append(pact)
        return pact

    yield make
    for pact in made:
        _check_states(pact, tmp_path_factory)
