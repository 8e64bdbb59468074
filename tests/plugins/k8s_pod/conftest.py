"""Fixtures for the flyte-plugin-k8s-pod tests: the plugin registered on a fresh manager, serialization settings."""

from __future__ import annotations

from collections.abc import Iterator

import flyte_plugin_k8s_pod.plugin
import pytest

from flyte_core.plugins.manager import FlytePluginManager
from flyte_core.plugins.testing import register_plugin


@pytest.fixture
def pod_plugin(flyte_plugin_manager: FlytePluginManager) -> Iterator[FlytePluginManager]:
    """The built-ins plus this plugin, as its entry point registers it."""
    with register_plugin(flyte_plugin_k8s_pod.plugin, name="k8s_pod", manager=flyte_plugin_manager) as manager:
        yield manager
