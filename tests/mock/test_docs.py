"""``GET /__accord/docs``: Swagger UI served by the mock itself, and the contracts as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]

from accord.core import Contract, PactFile
from accord.mock import MockApp
from accord.mock._docs import Docs, swagger_ui_dir
from tests.mock.conftest import ClientFactory
from tests.mock.helpers import mock_client

AUTH = {"Authorization": "Bearer anything"}
VENDOR = Path(str(swagger_ui_bundle.swagger_ui_path))


def _assets(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


def test_the_page_and_every_asset_it_names_answer_from_the_mock(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"])
    page = mock.get("/__accord/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Shop Orders API" in page.text
    assets = _assets(page.text)
    assert "/__accord/docs/swagger-ui-bundle.js" in assets
    assert "/__accord/docs/swagger-ui.css" in assets
    for url in assets:
        assert url.startswith("/__accord/docs/"), f"{url} is not served by the mock (no CDN)"
        response = mock.get(url)
        assert response.status_code == 200, url
        assert response.content, url
    assert "http://" not in page.text and "https://" not in page.text
    assert mock.get("/__accord/docs/").status_code == 200


def test_the_assets_are_the_installed_swagger_ui(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"])
    for name, kind in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui-standalone-preset.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("favicon-32x32.png", "image/png"),
    ):
        response = mock.get(f"/__accord/docs/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(kind)
        assert response.content == (VENDOR / name).read_bytes()
    assert swagger_ui_dir() == VENDOR


def test_the_page_points_swagger_ui_at_the_served_contract(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"])
    script = mock.get("/__accord/docs/accord-initializer.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    urls = json.loads(re.search(r"urls: (\[.*?\]),", script.text).group(1))  # type: ignore[union-attr]
    # the client fixture names a service after its title; the URL quotes it
    url = "/__accord/services/Shop%20Orders%20API/openapi.json"
    assert urls == [{"url": url, "name": "Shop Orders API"}]
    assert "petstore" not in script.text  # not the bundle's own sample initializer
    served = mock.get(urls[0]["url"])
    assert served.status_code == 200
    assert served.json() == shop["orders"].data


def test_the_contract_is_served_as_json(client: ClientFactory, shop: dict[str, Contract]) -> None:
    response = client(shop["orders"]).get("/__accord/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == shop["orders"].data
    assert response.json()["info"]["title"] == "Shop Orders API"


def test_several_contracts_are_served_each_under_its_service(shop: dict[str, Contract]) -> None:
    app = MockApp([("orders", shop["orders"]), ("payments", shop["payments"])])
    with mock_client(app) as mock:
        for name in ("orders", "payments"):
            response = mock.get(f"/__accord/services/{name}/openapi.json")
            assert response.status_code == 200
            assert response.json() == shop[name].data
        assert mock.get("/__accord/openapi.json").json() == shop["orders"].data
        script = mock.get("/__accord/docs/accord-initializer.js").text
        assert "/__accord/services/orders/openapi.json" in script
        assert "/__accord/services/payments/openapi.json" in script
        page = mock.get("/__accord/docs").text
        assert "Shop Orders API" in page and "Shop Payments API" in page
        missing = mock.get("/__accord/services/catalog/openapi.json")
        assert missing.status_code == 404
        assert "orders, payments" in missing.json()["detail"]


def test_head_answers_the_headers_only(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"])
    response = mock.head("/__accord/docs/swagger-ui.css")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) == len((VENDOR / "swagger-ui.css").read_bytes())


def test_unknown_assets_are_404_and_nothing_outside_the_bundle_is_read(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"])
    for path in ("/__accord/docs/nothing.js", "/__accord/docs/index.j2"):
        response = mock.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    docs = Docs(MockApp([shop["orders"]]).services)
    for path in ("/__accord/docs/../__init__.py", "/__accord/docs/vendor/../../__init__.py"):
        assert docs._answer(path)[0] == 404


def test_docs_do_not_hide_the_contract_or_other_methods(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    mock = client(shop["orders"])
    assert mock.post("/__accord/docs").status_code in (404, 405)
    assert mock.get("/orders", headers=AUTH).status_code == 200
    assert mock.post("/__accord/reset").status_code == 204


def test_pact_mode_has_no_docs() -> None:
    pact = PactFile.from_dict(
        {
            "consumer": {"name": "c"},
            "provider": {"name": "p"},
            "interactions": [
                {"description": "x", "request": {"method": "GET", "path": "/a"}, "response": {}}
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}},
        }
    )
    with mock_client(MockApp([], pacts=[pact])) as mock:
        response = mock.get("/__accord/docs")
        assert response.status_code == 404
        assert "pact mode" in response.json()["detail"]


def test_the_page_is_plain_html_with_the_titles_escaped() -> None:
    contract = Contract.from_dict(
        {"openapi": "3.0.3", "info": {"title": "<tiny & co>", "version": "1"}, "paths": {}}
    )
    with mock_client(MockApp([contract])) as mock:
        page = mock.get("/__accord/docs")
        assert page.text.count("<script ") == 3
        assert '<div id="swagger-ui">' in page.text
        assert "&lt;tiny &amp; co&gt;" in page.text
