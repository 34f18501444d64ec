"""Which kind of document a file is (OpenAPI or AsyncAPI), read from its first bytes.

Shared by the commands that take either kind (``diff``, ``generate``), and light: the
command that imports it loads nothing else for it.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Any

__all__ = ["head", "is_asyncapi"]

#: a top-level ``openapi:``/``asyncapi:`` key of block YAML (column 0), or the first member
#: of a JSON object; anything else is decided by reading the whole document
_KIND = re.compile(rb'\A\s*\{\s*"(openapi|asyncapi)"\s*:|^(openapi|asyncapi)\s*:', re.M)


def head(path: str, size: int) -> bytes:
    """The first ``size`` bytes of a regular file; b"" for anything else (a FIFO, a device,
    a folder, a missing file), which the loader then refuses with its own message. Opened
    non-blocking, so a FIFO cannot hang the command."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return b""
        return os.read(fd, size)
    except OSError:
        return b""
    finally:
        os.close(fd)


#: a top-level key of block YAML anywhere in the file (Stripe's keys are sorted: `openapi:`
#: is on line 39,671): column 0 holds nothing else in block YAML but comments and markers
_TOP_KEY = re.compile(rb"^(openapi|asyncapi)[ \t]*:", re.M)


def is_asyncapi(path: str, options: Any) -> bool:
    """Whether ``path`` is an AsyncAPI document: its first 64 KiB usually say which kind it
    is, else a top-level key of block YAML further on; the document is parsed only when
    neither says (parsing a 30 MiB contract one more time costs seconds, Stripe's 4 MB
    half a second)."""
    from accord.core import load_source  # noqa: PLC0415

    found = _KIND.search(head(path, 65536))
    if found is not None:
        return (found.group(1) or found.group(2)) == b"asyncapi"
    kinds: set[bytes] = set(_TOP_KEY.findall(head(path, options.max_bytes)))
    if len(kinds) == 1:  # both: one may sit in a quoted scalar's next line; parse to know
        return kinds.pop() == b"asyncapi"
    data = load_source(path, max_bytes=options.max_bytes).data
    return isinstance(data, dict) and "asyncapi" in data
