"""Generated clients on their own: every security scheme, names, bodies of every kind.

Each test generates a package from a small contract into a temporary folder, imports
it, and calls it through ``httpx.MockTransport``, which records what was sent.
"""

from __future__ import annotations

import base64
import importlib
import io
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from accord import Contract
from accord.codegen import generate_package
from accord.mock import MockApp, MockConfig
from tests.codegen.helpers import generated_client
from tests.mock.helpers import mock_client

CONTRACT = """
openapi: 3.0.3
info: {title: Vault Service API, version: "2.1"}
paths:
  /open:
    get:
      operationId: openDoor
      security: []
      responses: {"204": {description: ok}}
  /bearer:
    get:
      operationId: viaBearer
      security: [{jwt: []}]
      responses: {"204": {description: ok}}
  /basic:
    get:
      operationId: viaBasic
      security: [{basic: []}]
      responses: {"204": {description: ok}}
  /keys:
    get:
      operationId: viaKeys
      security: [{headerKey: [], queryKey: []}]
      responses: {"204": {description: ok}}
  /cookie:
    get:
      operationId: viaCookie
      security: [{cookieKey: []}]
      responses: {"204": {description: ok}}
  /either:
    get:
      operationId: viaEither
      security: [{oauth: [read]}, {oidc: []}]
      responses: {"204": {description: ok}}
  /default:
    get:
      operationId: viaDefault
      responses: {"204": {description: ok}}
  /notes:
    post:
      operationId: addNote
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [text]
              properties:
                text: {type: string}
                tags: {type: array, items: {type: string}}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema:
                type: object
                required: [id]
                properties:
                  id: {type: integer}
                  text: {type: string}
  /files:
    post:
      operationId: uploadFile
      requestBody:
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                name: {type: string}
                file: {type: string, format: binary}
      responses: {"204": {description: ok}}
  /files/{name}:
    put:
      operationId: putRaw
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/octet-stream:
            schema: {type: string, format: binary}
      responses: {"204": {description: ok}}
    get:
      operationId: getRaw
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: the bytes
          content:
            image/png:
              schema: {type: string, format: binary}
  /tags/{ids}/{range}:
    get:
      operationId: getTags
      parameters:
        - {name: ids, in: path, required: true, schema: {type: array, items: {type: integer}}}
        - name: range
          in: path
          required: true
          schema:
            type: object
            required: [lo, hi]
            properties: {lo: {type: integer}, hi: {type: integer}}
      responses: {"204": {description: ok}}
  /readme:
    get:
      operationId: getReadme
      parameters:
        - {name: lang, in: cookie, schema: {type: string}}
        - {name: ids, in: cookie, schema: {type: array, items: {type: integer}}}
      responses:
        "200":
          description: text
          content:
            text/plain:
              schema: {type: string}
security: [{headerKey: []}]
components:
  securitySchemes:
    jwt: {type: http, scheme: bearer, bearerFormat: JWT}
    basic: {type: http, scheme: basic}
    headerKey: {type: apiKey, in: header, name: X-Api-Key}
    queryKey: {type: apiKey, in: query, name: key}
    cookieKey: {type: apiKey, in: cookie, name: session}
    oauth:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: /token, scopes: {read: read}}}
    oidc: {type: openIdConnect, openIdConnectUrl: /.well-known/openid-configuration}
"""


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[ModuleType]:
    """The package generated from ``CONTRACT``, imported."""
    source = tmp_path / "vault.yaml"
    source.write_text(textwrap.dedent(CONTRACT))
    with generated_client(source, "vaultpkg") as module:
        yield module


Handler = Callable[[httpx.Request], httpx.Response]


def recorder(answer: Handler | None = None) -> tuple[httpx.Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return answer(request) if answer else httpx.Response(204)

    return httpx.Client(transport=httpx.MockTransport(handle)), sent


def test_the_client_is_named_after_the_title_and_imports_no_accord(vault: ModuleType) -> None:
    assert vault.__all__ == ["ApiError", "AsyncVaultServiceAPIClient", "VaultServiceAPIClient"]
    source = Path(vault.__file__ or "").read_text()
    runtime = (Path(vault.__file__ or "").parent / "runtime.py").read_text()
    assert "accord" not in "".join(line for line in (source + runtime).splitlines()
                                   if line.startswith(("import", "from")))  # fmt: skip


def test_name_option_names_the_client_never_the_folder(tmp_path: Path) -> None:
    source = tmp_path / "vault.yaml"
    source.write_text(textwrap.dedent(CONTRACT))
    contract = Contract.from_path(source)
    files = generate_package(contract, "petclient", tmp_path / "petclient", client_name="safe")
    text = next(p for p in files if p.name == "client.py").read_text()
    assert "class SafeClient(ClientBase)" in text and "Petclient" not in text


def test_each_scheme_sends_its_credential_where_the_operation_wants_it(
    vault: ModuleType,
) -> None:
    http, sent = recorder()
    api = vault.VaultServiceAPIClient(
        "http://vault.test", client=http, jwt="j.w.t", basic=("ann", "s3cret"),
        header_key="hk", query_key="qk", cookie_key="ck", oauth="oauth-token", oidc="oidc-token",
    )  # fmt: skip
    api.open_door()
    api.via_bearer()
    api.via_basic()
    api.via_keys()
    api.via_cookie()
    api.via_either()
    api.via_default()
    opened, bearer, basic, keys, cookie, either, default = sent
    assert "authorization" not in opened.headers and "x-api-key" not in opened.headers
    assert bearer.headers["authorization"] == "Bearer j.w.t"
    pair = base64.b64encode(b"ann:s3cret").decode()
    assert basic.headers["authorization"] == f"Basic {pair}"
    assert keys.headers["x-api-key"] == "hk" and keys.url.params["key"] == "qk"
    assert cookie.headers["cookie"] == "session=ck"
    assert either.headers["authorization"] == "Bearer oauth-token"  # the first alternative
    assert default.headers["x-api-key"] == "hk"  # the document-wide requirement
    for request in (bearer, basic, cookie, either):
        assert "x-api-key" not in request.headers  # a credential goes only where it is asked


def test_a_later_alternative_is_used_when_the_first_lacks_credentials(
    vault: ModuleType,
) -> None:
    http, sent = recorder()
    api = vault.VaultServiceAPIClient("http://vault.test", client=http, oidc="id-token")
    api.via_either()
    api.via_keys()  # needs both keys: only one would be half a requirement, so none is sent
    assert sent[0].headers["authorization"] == "Bearer id-token"
    assert "authorization" not in sent[1].headers and "key" not in sent[1].url.params


def test_token_stands_for_every_token_scheme_not_named(vault: ModuleType) -> None:
    http, sent = recorder()
    api = vault.VaultServiceAPIClient("http://vault.test", client=http, token="t0k", jwt="named")
    api.via_bearer()
    api.via_either()
    api.via_basic()
    assert [r.headers.get("authorization") for r in sent] == ["Bearer named", "Bearer t0k", None]


def test_inline_schemas_become_models(vault: ModuleType) -> None:
    def created(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"id": 7, "text": "hi"})

    http, sent = recorder(created)
    api = vault.VaultServiceAPIClient("http://vault.test", client=http, header_key="k")
    models = importlib.import_module("vaultpkg.models")
    note = api.add_note(models.AddNoteRequest(text="hi"))
    assert isinstance(note, models.AddNoteResponse) and note.id == 7
    assert sent[0].read() == b'{"text":"hi"}'
    assert sent[0].headers["accept"] == "application/json"


def test_multipart_binary_and_text_bodies(vault: ModuleType) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/files/a.png" and request.method == "GET":
            return httpx.Response(
                200, content=b"\x89PNG\r\n", headers={"content-type": "image/png"}
            )
        if request.url.path == "/readme":
            return httpx.Response(200, text="# Vault\n", headers={"content-type": "text/plain"})
        return httpx.Response(204)

    http, sent = recorder(answer)
    api = vault.VaultServiceAPIClient("http://vault.test", client=http, header_key="k")
    models = importlib.import_module("vaultpkg.models")
    api.upload_file(models.UploadFileRequest(name="a.png", file=b"\x00\x01binary"))
    api.put_raw("a.png", io.BytesIO(b"\x00raw bytes"))
    image: Any = api.get_raw("a.png")
    readme: Any = api.get_readme(lang="en")
    upload, put, get, text = sent
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = upload.read()
    assert b'name="name"\r\n\r\na.png' in body and b"\x00\x01binary" in body
    assert put.read() == b"\x00raw bytes"
    assert put.headers["content-type"] == "application/octet-stream"
    assert get.headers["accept"] == "image/png" and image == b"\x89PNG\r\n"
    assert readme == "# Vault\n" and text.headers["cookie"] == "lang=en"


def test_arrays_and_objects_in_the_path_and_cookies_are_sent_in_their_default_styles(
    vault: ModuleType,
) -> None:
    """``[1, 2]`` went out as Python's text (``ids=[1, 2]``, ``/tags/%5B1%2C%202%5D``), which
    the mock refused. A path parameter's default style (simple) joins with commas: ``1,2``
    and ``lo,1,hi,5``; a cookie's (form, exploded) sends one cookie per item, as OpenAPI
    3.2's cookie examples write it."""
    http, sent = recorder(lambda request: httpx.Response(200, text="# Vault\n"))
    api = vault.VaultServiceAPIClient("http://vault.test", client=http, header_key="k")
    api.get_readme(lang="en", ids=[1, 2])
    http, tags = recorder()
    api = vault.VaultServiceAPIClient("http://vault.test", client=http, header_key="k")
    api.get_tags([1, 2], {"lo": 1, "hi": 5})
    assert sent[0].headers["cookie"] == "lang=en; ids=1; ids=2"
    assert tags[0].url.path == "/tags/1,2/lo,1,hi,5"
    contract = Contract.from_dict(yaml.safe_load(textwrap.dedent(CONTRACT)))
    mock = mock_client(MockApp([contract], MockConfig()))
    assert [mock.send(r).status_code for r in (sent[0], tags[0])] == [200, 204]


def test_query_styles_and_nested_form_bodies_are_encoded_as_openapi_says() -> None:
    from urllib.parse import urlencode  # noqa: PLC0415

    from accord.runtime._client import _encoded, _form_fields  # noqa: PLC0415

    query = {"scope": {"type": "account", "user": "u1"}, "ids": [1, 2], "tags": ["a", "b"]}
    styles = {"scope": ("deepObject", True), "tags": ("pipeDelimited", False)}
    assert _encoded(query, styles) == [
        ("scope[type]", "account"), ("scope[user]", "u1"), ("ids", "1"), ("ids", "2"),
        ("tags", "a|b"),
    ]  # fmt: skip
    form = {"amount": 5, "tiers": [{"up_to": 10, "flat": True}], "expand": ["x", "y"],
            "product": {"name": "tea", "meta": {"k": "v"}}}  # fmt: skip
    assert urlencode(_form_fields(form)) == urlencode([
        ("amount", "5"), ("tiers[0][up_to]", "10"), ("tiers[0][flat]", "true"),
        ("expand", "x"), ("expand", "y"), ("product[name]", "tea"), ("product[meta][k]", "v"),
    ])  # fmt: skip
