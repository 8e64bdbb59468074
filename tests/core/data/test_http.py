"""Reading ``http://`` and ``https://`` URLs from real local servers through the built-in http provider."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fsspec.implementations.http import HTTPFileSystem

from flyte_core.data import FileAccessProvider, FileAccessUnavailableError
from flyte_core.exceptions.system import FlyteDownloadDataException
from flyte_core.exceptions.user import FlyteDataNotFoundException
from flyte_core.plugins.manager import FlytePluginManager
from tests.core.data.conftest import Served


def test_an_http_url_is_downloaded(provider: FileAccessProvider, http_server: Served, tmp_path: Path) -> None:
    (http_server.root / "data.csv").write_text("a,b\n1,2\n")
    provider.get_data(http_server.url("data.csv"), str(tmp_path / "in" / "data.csv"))
    assert (tmp_path / "in" / "data.csv").read_text() == "a,b\n1,2\n"


def test_an_https_url_is_downloaded_over_tls(
    provider: FileAccessProvider, https_server: Served, tmp_path: Path
) -> None:
    (https_server.root / "data.csv").write_text("secure")
    provider.get_data(https_server.url("data.csv"), str(tmp_path / "data.csv"), ssl=https_server.client_ssl)
    assert (tmp_path / "data.csv").read_text() == "secure"


def test_an_unreadable_url_fails_naming_source_destination_and_cause(
    provider: FileAccessProvider, https_server: Served, tmp_path: Path
) -> None:
    (https_server.root / "data.csv").write_text("secure")
    url, local = https_server.url("data.csv"), str(tmp_path / "data.csv")
    with pytest.raises(FlyteDownloadDataException) as caught:
        provider.get_data(url, local)  # the server's certificate is not trusted
    message = str(caught.value)
    assert f"cannot download '{url}' to '{local}'" in message and "CERTIFICATE_VERIFY_FAILED" in message


def test_a_missing_http_url_raises_data_not_found(
    provider: FileAccessProvider, http_server: Served, tmp_path: Path
) -> None:
    with pytest.raises(FlyteDataNotFoundException, match=r"nope\.csv\. File not found"):
        provider.get_data(http_server.url("nope.csv"), str(tmp_path / "nope.csv"))


def test_exists_answers_for_http_urls(provider: FileAccessProvider, http_server: Served) -> None:
    (http_server.root / "here.txt").write_text("x")
    assert provider.exists(http_server.url("here.txt"))
    assert not provider.exists(http_server.url("gone.txt"))


def test_http_and_https_are_served_by_the_builtin_http_plugin(
    provider: FileAccessProvider, flyte_plugin_manager: FlytePluginManager
) -> None:
    providers = flyte_plugin_manager.file_access_providers()
    assert providers["http"] is providers["https"]
    assert providers["https"].source is not None and providers["https"].source.name == "file_access.http"
    assert isinstance(provider.get_filesystem_for_path("https://example.com/x"), HTTPFileSystem)


def test_the_async_filesystem_of_an_http_url_is_asynchronous(provider: FileAccessProvider) -> None:
    async def filesystem() -> bool:
        fs = await provider.get_async_filesystem_for_path("http://example.com/x")
        return bool(fs.asynchronous)

    assert asyncio.run(filesystem())


def test_without_aiohttp_reading_a_url_says_to_install_it(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['aiohttp'] = None\n"  # as if aiohttp were not installed
        "from flyte_core.data import FileAccessProvider\n"
        "provider = FileAccessProvider(sys.argv[1], sys.argv[1] + '/raw')\n"
        "provider.get_data('https://example.com/a.csv', sys.argv[1] + '/a.csv')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_")}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env)
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(f"flyte_core.data.errors.{FileAccessUnavailableError.__name__}: ")
    assert "cannot access 'https://example.com/a.csv' with plugin 'file_access.http' (flyte-core" in last_line
    assert last_line.endswith("needs aiohttp, which is not installed: pip install aiohttp")
