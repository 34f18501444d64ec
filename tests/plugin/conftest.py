"""The plugin tests run pytest inside pytest (``pytester``).

pytest refuses ``pytest_plugins`` in a conftest below the rootdir when the whole suite
runs, so pytester is loaded here at configure time, once.

pytester's in-process runs put ``sys.modules`` back as they found it afterwards. httpx
imports httpcore lazily and remembers httpcore's exception classes the first time a
request fails; had httpcore first been imported inside a run, the classes it remembered
would be dropped with that run, and every later test would see raw ``httpcore`` errors
instead of ``httpx.TransportError`` (tests/shop/test_events.py did, after these tests).
So httpcore is imported here, before any run.
"""

from __future__ import annotations

import httpcore  # noqa: F401 - kept in sys.modules across pytester runs (see above)
import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
