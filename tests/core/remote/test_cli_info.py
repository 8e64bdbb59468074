"""``pyflyte info``: client version, config file, endpoint and the backend's version; an unreachable backend."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from flyte_core._version import __version__


def test_info_shows_the_client_and_the_backend(sandbox: Any, sandbox_config: Path, flyte_cli: Any) -> None:
    result = flyte_cli.invoke(["info"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"flyte-core Version: {__version__}" in lines
    assert f"Config File: {sandbox_config}" in lines
    assert f"Flyte Backend Endpoint: {sandbox.endpoint}" in lines
    assert f"Flyte Backend Version: {__version__} (flyte-core-sandbox)" in lines


def test_info_with_an_unreachable_backend_still_shows_the_client_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flyte_cli: Any
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "config.yaml"
    config.write_text(f"admin:\n  endpoint: dns:///127.0.0.1:{port}\n  insecure: true\n")
    monkeypatch.delenv("FLYTE_PLATFORM_URL", raising=False)
    monkeypatch.delenv("_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", raising=False)  # set by -c; removed after the test
    result = flyte_cli.invoke(["-c", str(config), "info"])
    assert result.exit_code == 1
    assert f"flyte-core Version: {__version__}" in result.output
    assert f"Config File: {config}" in result.output
    assert "Flyte Backend Version: unavailable" in result.output
    assert f"the Flyte backend at 127.0.0.1:{port} cannot be reached" in result.output
    assert "Traceback" not in result.output
