"""Plain coercion of simple command-line values, so a command runs without loading pydantic.

Typer (0.2x) turns every parameter's string into its annotated type with a pydantic
``TypeAdapter``, built when the command runs: loading pydantic for that costs 60-110 ms,
more than ``accord lint`` needs for the whole public petstore. The parameters Accord
declares are mostly ``str``, ``bool``, ``int``, ``float``, ``Path`` or lists of them, which
need no more than the type's own constructor; :func:`install` gives those parameters that
coercion up front. Anything else (choices, ranges, path checks, other types) keeps Typer's
own. On a Typer without these hooks :func:`install` does nothing.
"""

from __future__ import annotations

from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

try:  # Typer's runtime-coercion layer (0.2x); older and newer versions simply keep theirs
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam
    from typer.core import _TyperParameter

    HOOKS = True
except ImportError:  # pragma: no cover - depends on the installed Typer
    HOOKS = False

__all__ = ["install", "install_param"]

_SCALARS: dict[Any, str] = {str: "text", int: "integer", float: "number", Path: "path"}
#: Path options Typer checks itself (existence, kind, permissions) keep its coercion
_PATH_DEFAULTS = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}


def install(command: Any) -> None:
    """Give ``command``'s simple parameters (and its subcommands') plain coercion."""
    if not HOOKS:
        return
    for sub in getattr(command, "commands", {}).values():
        install(sub)
    for param in getattr(command, "params", ()):
        install_param(param)


def install_param(param: Any) -> None:
    """Plain coercion for one parameter, if its type is simple and Typer has the hooks."""
    if not HOOKS or not isinstance(param, _TyperParameter):
        return
    if getattr(param, "_runtime_param", 1) is None:
        descriptor = param.type_descriptor
        if _simple(descriptor.annotation, descriptor.parameter_info):
            param._runtime_param = _Plain(descriptor.parameter_info, descriptor.annotation)


def _simple(annotation: Any, info: Any) -> bool:
    if annotation is bool:
        return True
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        return item is not None and _simple_scalar(item, info)
    return _simple_scalar(annotation, info)


def _simple_scalar(annotation: Any, info: Any) -> bool:
    if annotation not in _SCALARS:
        return False
    if getattr(info, "min", None) is not None or getattr(info, "max", None) is not None:
        return False
    if annotation is Path:
        return all(getattr(info, k, v) == v for k, v in _PATH_DEFAULTS.items())
    return True


def _convert(annotation: Any, value: Any) -> Any:
    origin = get_origin(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return [_convert(item, v) for v in value]
    if origin in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not NoneType]
        return _convert(options[0], value)
    if annotation is bool or isinstance(value, annotation):
        return value
    try:
        return annotation(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a valid {_SCALARS[annotation]}") from None


if HOOKS:

    class _Plain(RuntimeParam):
        """``str``/``int``/``float``/``Path``/``bool`` (or a list of one) by constructor."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return _convert(self.annotation, value)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None
