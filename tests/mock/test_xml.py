"""XML request bodies: DTDs and entities are refused on the parsed document, in any encoding."""

from __future__ import annotations

import pytest

from accord.core import Contract
from accord.mock import MockApp, MockConfig
from accord.mock._xml import parse_xml
from tests.conftest import CORPUS
from tests.mock.conftest import ClientFactory, tiny
from tests.mock.helpers import mock_client

DTD = '<!DOCTYPE order [<!ENTITY boom "EXPANDED">]>'
BODY = "<order><note>&boom;</note></order>"


def _documents() -> list[tuple[str, bytes]]:
    plain = f"{DTD}{BODY}"
    declared = f'<?xml version="1.0" encoding="{{}}"?>{plain}'
    return [
        ("utf-8", plain.encode()),
        ("utf-8 with BOM", b"\xef\xbb\xbf" + plain.encode()),
        ("utf-16 with BOM (LE)", plain.encode("utf-16")),
        ("utf-16-be with BOM", b"\xfe\xff" + plain.encode("utf-16-be")),
        ("utf-16-le without BOM", declared.format("UTF-16").encode("utf-16-le")),
        ("utf-16-be without BOM", declared.format("UTF-16").encode("utf-16-be")),
        ("iso-8859-1 declared", declared.format("ISO-8859-1").encode("latin-1")),
        ("lower-case doctype", plain.replace("DOCTYPE", "doctype").encode()),
        ("external entity", b'<!DOCTYPE o SYSTEM "file:///etc/passwd"><o/>'),
        ("parameter entity", b'<!DOCTYPE o [<!ENTITY % p "x"> %p;]><o/>'),
    ]


@pytest.mark.parametrize(("raw"), [d for _, d in _documents()], ids=[n for n, _ in _documents()])
def test_a_dtd_or_an_entity_is_refused_in_any_encoding(raw: bytes) -> None:
    found = parse_xml(raw)
    assert isinstance(found, str), "the document was accepted"
    assert "EXPANDED" not in found


@pytest.mark.parametrize(
    "raw",
    [
        "<order><note>caf\u00e9</note></order>".encode("utf-16"),
        '<?xml version="1.0" encoding="ISO-8859-1"?><order><note>caf\xe9</note></order>'.encode(
            "latin-1"
        ),
        b"\xef\xbb\xbf<order><note>caf\xc3\xa9 &amp; &#233;</note></order>",
    ],
    ids=["utf-16", "iso-8859-1", "utf-8 BOM with predefined and character references"],
)
def test_documents_without_a_dtd_parse_in_any_encoding(raw: bytes) -> None:
    root = parse_xml(raw)
    assert not isinstance(root, str), root
    note = root.find("note")
    assert note is not None and note.text is not None and note.text.startswith("caf\u00e9")


def test_namespaces_and_attributes_read_as_elementtree_does() -> None:
    root = parse_xml(b'<a xmlns="urn:x" xmlns:p="urn:p" p:k="1" id="2"><p:b>t</p:b></a>')
    assert not isinstance(root, str), root
    assert root.tag == "{urn:x}a"
    assert root.attrib == {"{urn:p}k": "1", "id": "2"}
    assert [c.tag for c in root] == ["{urn:p}b"]


def test_the_mock_answers_a_utf16_dtd_with_400(client: ClientFactory) -> None:
    schema = {"type": "object", "properties": {"note": {"type": "string"}}}
    contract = tiny(
        {
            "/orders": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {"application/xml": {"schema": schema}},
                    },
                    "responses": {"201": {"description": "ok"}, "400": {"description": "bad"}},
                }
            }
        }
    )
    mock = client(contract)
    raw = f"{DTD}{BODY}".encode("utf-16")
    response = mock.post("/orders", content=raw, headers={"content-type": "application/xml"})
    assert response.status_code == 400, response.text
    assert "DTD" in response.json()["detail"]
    fine = "<order><note>hi</note></order>".encode("utf-16")
    response = mock.post("/orders", content=fine, headers={"content-type": "application/xml"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "photos",
    [
        "<photoUrls>5</photoUrls>",  # text where the wrapped array belongs
        "<photoUrls><photoUrl>a</photoUrl></photoUrls><tags>7</tags>",  # an unwrapped one
    ],
)
def test_text_where_an_array_belongs_is_refused_not_dropped(photos: str) -> None:

    contract = Contract.from_path(CORPUS / "openapi" / "petstore" / "swagger-petstore-v3.yaml")
    client = mock_client(MockApp([contract], MockConfig()))
    body = f"<pet><id>1</id><name>doggie</name>{photos}</pet>"
    headers = {"Content-Type": "application/xml", "api_key": "k", "Authorization": "Bearer t"}
    answer = client.post("/pet", content=body, headers=headers)
    assert answer.status_code == 400, answer.text
