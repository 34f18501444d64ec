"""The plugin tests run pytest inside pytest (``pytester``).

pytest refuses ``pytest_plugins`` in a conftest below the rootdir when the whole suite
runs, so pytester is loaded here at configure time, once.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
