"""Test-suite wide isolation: no user cache, no plugin switches leaking in from the environment."""

from __future__ import annotations

import os

import pytest

_SWITCHES = ("FLYTE_DISABLE_PLUGINS", "FLYTE_NO_PLUGINS", "FLYTE_STRICT_PLUGINS", "FLYTE_TRACE_PLUGINS")


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> None:
    os.environ["FLYTE_CACHE_DIR"] = str(tmp_path_factory.mktemp("flyte-cache"))
    os.environ["FLYTE_LOCAL_CACHE_DIR"] = str(tmp_path_factory.mktemp("local-cache"))
    for name in _SWITCHES:
        os.environ.pop(name, None)
