"""Path templates and routing (accord.core._paths)."""

from __future__ import annotations

import pytest

from accord.core import PathTemplate, Router


def test_parse_records_params_shape_and_literal_length() -> None:
    t = PathTemplate.parse("/orders/{orderId}/lines/{lineNo}")
    assert t.template == "/orders/{orderId}/lines/{lineNo}"
    assert t.params == ("orderId", "lineNo")
    assert t.shape == "/orders/{}/lines/{}"
    assert t.segments == ["orders", "{}", "lines", "{}"]
    assert t.literal_chars == len("/orders//lines/")


def test_templates_with_the_same_shape_are_equal_only_by_template() -> None:
    a, b = PathTemplate.parse("/a/{x}"), PathTemplate.parse("/a/{y}")
    assert a.shape == b.shape
    assert a != b
    assert PathTemplate.parse("/a/{x}") == a


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/orders/{id}/lines/{n}", "/orders/o1/lines/2", {"id": "o1", "n": "2"}),
        ("/orders/{id}/lines/{n}", "/orders/o1/lines/2/", {"id": "o1", "n": "2"}),
        ("/orders/{id}", "/orders/a%2Fb", {"id": "a%2Fb"}),
        ("/files/{name}.json", "/files/report.v2.json", {"name": "report.v2"}),
        ("/orders", "/orders", {}),
        ("/orders", "/orders/", {}),
        ("/", "/", {}),
        ("/a.b", "/a.b", {}),
    ],
)
def test_match_returns_the_params(template: str, path: str, expected: dict[str, str]) -> None:
    assert PathTemplate.parse(template).match(path) == expected


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("/orders/{id}", "/orders/a/b"),  # a parameter never spans segments
        ("/orders/{id}", "/orders/"),  # nor is it empty
        ("/orders/{id}", "/orders"),
        ("/orders/{id}/lines/{n}", "/orders/o1/lines"),
        ("/files/{name}.json", "/files/report.xml"),
        ("/a.b", "/axb"),  # literal dots are literal
        ("/orders", "/orders//"),
        ("/", ""),
        ("/orders", "orders"),
    ],
)
def test_match_refuses(template: str, path: str) -> None:
    assert PathTemplate.parse(template).match(path) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("/a/{x}", "/a/b"),
        ("/a/{x}", "/a/{y}"),
        ("/{a}/b", "/a/{b}"),
        ("/files/{name}.json", "/files/report.json"),
        ("/files/{name}.json", "/files/{other}"),
        ("/files/{n}.json", "/files/{m}.json"),
        ("/a/x{p}", "/a/{q}y"),
        ("/orders", "/orders"),
    ],
)
def test_overlapping_templates(a: str, b: str) -> None:
    ta, tb = PathTemplate.parse(a), PathTemplate.parse(b)
    assert ta.overlaps(tb)
    assert tb.overlaps(ta)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("/a/{x}", "/b/{x}"),
        ("/a/{x}", "/a/{x}/c"),
        ("/a", "/a/b"),
        ("/files/{name}.json", "/files/report.xml"),
        ("/files/{n}.json", "/files/{m}.xml"),
        ("/files/{name}.json", "/files/.json"),  # a parameter is never empty
        ("/", "/{id}"),
    ],
)
def test_non_overlapping_templates(a: str, b: str) -> None:
    ta, tb = PathTemplate.parse(a), PathTemplate.parse(b)
    assert not ta.overlaps(tb)
    assert not tb.overlaps(ta)


def test_router_prefers_literal_segments() -> None:
    router = Router(["/orders/{id}", "/orders/mine", "/orders", "/orders/{id}/lines"])
    assert router.match("/orders/mine") == ("/orders/mine", {})
    assert router.match("/orders/o1") == ("/orders/{id}", {"id": "o1"})
    assert router.match("/orders/mine/lines") == ("/orders/{id}/lines", {"id": "mine"})
    assert router.match("/orders") == ("/orders", {})
    assert router.match("/customers") is None


def test_router_prefers_more_literal_text_within_a_segment() -> None:
    router = Router(["/files/{name}", "/files/{name}.json"])
    assert router.match("/files/report.json") == ("/files/{name}.json", {"name": "report"})
    assert router.match("/files/report.xml") == ("/files/{name}", {"name": "report.xml"})


def test_router_order_does_not_depend_on_input_order() -> None:
    templates = ["/a/{x}", "/a/b", "/a/{x}/{y}", "/a/b/c"]
    for order in (templates, list(reversed(templates))):
        router = Router(order)
        assert router.match("/a/b") == ("/a/b", {})
        assert router.match("/a/b/c") == ("/a/b/c", {})
        assert router.match("/a/z/c") == ("/a/{x}/{y}", {"x": "z", "y": "c"})
