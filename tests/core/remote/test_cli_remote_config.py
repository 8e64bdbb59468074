"""Which control plane the CLI talks to when nothing says: the running sandbox, else flytekit's default."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyte_core.cli.remote import remote_config
from flyte_core.sandbox import lifecycle


@pytest.fixture
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No config file anywhere (a fresh HOME, no FLYTECTL_CONFIG, no FLYTE_PLATFORM_URL)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    for variable in ("FLYTECTL_CONFIG", "_FLYTECTL_CONFIG_PYFLYTE_OVERRIDE", "FLYTE_PLATFORM_URL"):
        monkeypatch.delenv(variable, raising=False)
    return tmp_path


def test_without_a_config_the_cli_uses_the_running_sandbox(empty_home: Path) -> None:
    directory = lifecycle.state_dir(None)
    assert directory == empty_home / ".flyte" / "sandbox"
    running = lifecycle.start_in_background(["--port", "0", "--http-port", "0"], directory)
    try:
        config = remote_config()
        assert config.platform.endpoint == running.endpoint
        assert config.platform.console_endpoint == f"http://localhost:{running.http_port}"
    finally:
        lifecycle.stop(directory)


def test_without_a_config_or_a_sandbox_it_is_flytekits_default(empty_home: Path) -> None:
    config = remote_config()
    assert config.platform.endpoint == "localhost:30080" and config.platform.insecure
