"""Path templates (``/orders/{orderId}``) and matching concrete paths against them."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["PathTemplate", "Router"]

_PARAM = re.compile(r"\{([^{}/]+)\}")


@dataclass(slots=True, frozen=True)
class PathTemplate:
    """One OpenAPI path template, compiled for matching."""

    template: str
    params: tuple[str, ...] = field(default=())
    shape: str = ""  # the template with every parameter written as {}
    _pattern: str = field(default="", repr=False, compare=False)
    literal_chars: int = 0

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def parse(cls, template: str) -> PathTemplate:
        params = tuple(_PARAM.findall(template))
        pattern, last = [], 0
        for m in _PARAM.finditer(template):
            pattern.append(re.escape(template[last : m.start()]))
            pattern.append("([^/]+)")
            last = m.end()
        pattern.append(re.escape(template[last:]))
        regex = "".join(pattern) + "/?" if template != "/" else "/"
        shape = _PARAM.sub("{}", template)
        literal = len(shape.replace("{}", ""))
        return cls(template, params, shape, regex, literal)

    @property
    def segments(self) -> list[str]:
        return self.shape.strip("/").split("/")

    def match(self, path: str) -> dict[str, str] | None:
        m = _compiled(self._pattern).fullmatch(path)
        if m is None:
            return None
        return dict(zip(self.params, m.groups(), strict=True))

    def overlaps(self, other: PathTemplate) -> bool:
        """True when some concrete path could match both templates."""
        mine, theirs = self.segments, other.segments
        if len(mine) != len(theirs):
            return False
        for a, b in zip(mine, theirs, strict=True):
            if a == b:
                continue
            if not a or not b:  # the root "/" has one empty segment; a parameter is never empty
                return False
            if "{}" in (a, b):
                continue
            if "{}" in a and re.fullmatch(_shape_regex(a), b.replace("{}", "x")):
                continue
            if "{}" in b and re.fullmatch(_shape_regex(b), a.replace("{}", "x")):
                continue
            return False
        return True


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """Compiled on first match: lint and diff of a large document never route a path."""
    return re.compile(pattern)


def _shape_regex(segment: str) -> str:
    return ".+".join(re.escape(p) for p in segment.split("{}"))


class Router:
    """Finds the template a concrete path belongs to; literal segments beat parameters."""

    def __init__(self, templates: Iterable[str]) -> None:
        parsed = [PathTemplate.parse(t) for t in templates]
        # more literal text first, then fewer parameters: /orders/mine before /orders/{id}
        self._templates = sorted(parsed, key=lambda t: (-t.literal_chars, len(t.params)))

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        for template in self._templates:
            params = template.match(path)
            if params is not None:
                return template.template, params
        return None

    def matches(self, path: str) -> list[tuple[str, dict[str, str]]]:
        """The best match and the templates identical to it but for parameter names.

        OpenAPI calls such templates (``/a/{id}``, ``/a/{name}``) invalid, yet documents
        use them for different methods; routing by method among them keeps each reachable.
        """
        first = self.match(path)
        if first is None:
            return []
        shape = PathTemplate.parse(first[0]).shape
        found = [first]
        for template in self._templates:
            if template.shape == shape and template.template != first[0]:
                params = template.match(path)
                if params is not None:
                    found.append((template.template, params))
        return found
