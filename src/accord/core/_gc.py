"""Building long-lived data without the cyclic garbage collector watching."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["long_lived"]


@contextmanager
def long_lived() -> Iterator[None]:
    """Pause the cyclic GC while a contract's data is built, then age it at once.

    Reading and indexing a large document makes millions of objects and no reference
    cycles; with the collector running, each young collection traverses them again and
    the heap's growth triggers full collections (a fifth of a 30 MiB load). Afterwards
    everything goes straight to the oldest generation (``freeze`` + ``unfreeze``), so
    the young collections that follow do not traverse it once more. Plain refcounting
    still frees it all when the contract goes.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if collecting:
            gc.enable()
