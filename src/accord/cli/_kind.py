"""Which kind of contract a file holds (OpenAPI or AsyncAPI), read cheaply and safely."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

__all__ = ["is_asyncapi"]

#: a top-level ``openapi:``/``asyncapi:`` key of block YAML (column 0), or the first member
#: of a JSON object; anything else is decided by reading the whole document
_KIND = re.compile(rb'\A\s*\{\s*"(openapi|asyncapi)"\s*:|^(openapi|asyncapi)\s*:', re.M)


def _head(path: str, size: int) -> bytes:
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


def is_asyncapi(path: str | os.PathLike[str], max_bytes: int) -> bool:
    """Whether ``path`` is an AsyncAPI document: its first 64 KiB usually say which kind it
    is (a document is read whole only when they do not; reading a 30 MiB contract one more
    time costs seconds). Anything but a regular file is not: the loader refuses it later
    with its own message."""
    from accord.core import load_source  # noqa: PLC0415

    head = _head(os.fspath(path), 65536)
    found = _KIND.search(head)
    if found is not None:
        return (found.group(1) or found.group(2)) == b"asyncapi"
    if not head:
        return False
    data = load_source(Path(path), max_bytes=max_bytes).data
    return isinstance(data, dict) and "asyncapi" in data
