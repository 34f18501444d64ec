"""Generated clients in a bare environment: a fresh virtualenv with only httpx and pydantic
imports the petstore and tictactoe clients and calls `accord mock` with their own schemes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pydantic
import pytest

from accord import Contract
from accord.codegen import generate_package
from tests.conftest import CORPUS
from tests.mock.helpers import Server

pytestmark = pytest.mark.slow

PETSTORE = CORPUS / "openapi" / "petstore" / "swagger-petstore-v3.yaml"
TICTACTOE = CORPUS / "openapi" / "oai-examples" / "v3.1" / "tictactoe.yaml"


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv holding httpx and pydantic (this environment's versions), no more."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = [
        str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        f"httpx=={httpx.__version__}", f"pydantic=={pydantic.VERSION}",
    ]  # fmt: skip
    subprocess.run(install, check=True, timeout=600)
    return python


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """petstore (named with --name) and tictactoe (named after its title), client only."""
    generate_package(
        Contract.from_path(PETSTORE), "petstore", tmp_path / "petstore",
        parts=("models", "client"), client_name="petstore",
    )  # fmt: skip
    generate_package(
        Contract.from_path(TICTACTOE), "tictactoe", tmp_path / "tictactoe",
        parts=("models", "client"),
    )  # fmt: skip
    return tmp_path


def mock(document: Path) -> Iterator[str]:
    server = Server(str(document), "-q")
    try:
        server.wait()
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def petstore_mock() -> Iterator[str]:
    yield from mock(PETSTORE)


@pytest.fixture
def tictactoe_mock() -> Iterator[str]:
    yield from mock(TICTACTOE)


def run_bare(python: Path, packages: Path, script: str, *args: str) -> str:
    proc = subprocess.run(
        [str(python), "-c", textwrap.dedent(script), *args],
        cwd=packages, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin"},  # no PYTHONPATH: nothing of this checkout is visible
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_the_bare_environment_has_no_accord(bare_python: Path, packages: Path) -> None:
    out = run_bare(bare_python, packages, """
        import importlib.metadata, importlib.util
        names = sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions())
        print(importlib.util.find_spec("accord") is None, " ".join(names))
    """)  # fmt: skip
    found, names = out.split(" ", 1)
    assert found == "True"
    assert {"httpx", "pydantic"} <= set(names.split())
    assert not {"accord", "schemathesis", "connexion", "pact-python"} & set(names.split())


def test_petstore_client_calls_the_mock_with_its_api_key_and_oauth_token(
    bare_python: Path, packages: Path, petstore_mock: str
) -> None:
    out = run_bare(bare_python, packages, """
        import sys
        from petstore.client import ApiError, PetstoreClient
        from petstore import models

        url = sys.argv[1]
        with PetstoreClient(url) as anonymous:
            try:
                anonymous.get_inventory()
            except ApiError as exc:
                print("without key:", exc.status)
        with PetstoreClient(url, api_key="special-key", petstore_auth="oauth-token") as api:
            print("inventory:", type(api.get_inventory()).__name__)
            pet = api.get_pet_by_id(1)
            print("pet:", type(pet).__name__)
            added = api.add_pet(models.Pet(name="rex", photoUrls=["https://x.test/rex.png"]))
            print("added:", type(added).__name__)
            print("order:", type(api.get_order_by_id(3)).__name__)
            print("login:", type(api.login_user(username="ann", password="pw")).__name__)
    """, petstore_mock)  # fmt: skip
    assert out.splitlines() == [
        "without key: 401",
        "inventory: dict",
        "pet: Pet",
        "added: Pet",
        "order: Order",
        "login: str",
    ]


def test_tictactoe_client_calls_the_mock_with_bearer_basic_and_api_key(
    bare_python: Path, packages: Path, tictactoe_mock: str
) -> None:
    out = run_bare(bare_python, packages, """
        import sys
        from tictactoe.client import ApiError, TicTacToeClient
        from tictactoe import models

        url = sys.argv[1]
        with TicTacToeClient(url, default_api_key="k3y") as api:
            print("board:", type(api.get_board()).__name__)  # apiKey or app2AppOauth
            try:
                api.get_square(1, 1)  # bearer or user2AppOauth: not given
            except ApiError as exc:
                print("square without bearer:", exc.status)
        with TicTacToeClient(url, bearer_http_authentication="jwt") as api:
            print("square:", type(api.get_square(1, 1)).__name__)
        with TicTacToeClient(url, user2_app_oauth="user-token") as api:
            print("put:", type(api.put_square(1, 1, models.Mark("X"))).__name__)
    """, tictactoe_mock)  # fmt: skip
    assert out.splitlines() == [
        "board: Status",
        "square without bearer: 401",
        "square: Mark",
        "put: Status",
    ]
