"""Which filesystem serves a protocol: the plugin that provides it, else fsspec's own, else an error saying why."""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fsspec.implementations.local import LocalFileSystem
from fsspec.implementations.memory import MemoryFileSystem

from flyte_core.config.data import DataConfig, GenericPersistenceConfig
from flyte_core.data import FileAccessProvider, FileAccessUnavailableError
from flyte_core.data.local_filesystem import FlyteLocalFileSystem
from flyte_core.plugins import FlyteFileAccessProvider, hookimpl
from flyte_core.plugins.testing import register_plugin
from tests.core.data.demo_filesystem import DemoFileSystem, LockedDemoFileSystem


class _Provides:
    """A plugin yielding the given file-access providers."""

    def __init__(self, *registrations: FlyteFileAccessProvider) -> None:
        self._registrations = registrations

    @hookimpl
    def flyte_file_access_providers(self):
        yield from self._registrations


@dataclass(frozen=True, kw_only=True)
class _CountingProvider(FlyteFileAccessProvider):
    """A provider registration that counts how often its filesystem is loaded."""

    loads: list[int] = field(default_factory=list, compare=False)

    def load_filesystem(self) -> Any:
        self.loads.append(1)
        return super().load_filesystem()


@pytest.fixture(autouse=True)
def _fresh_demo_uploads() -> None:
    DemoFileSystem.uploads.clear()


def _demo_uri(name: str) -> str:
    return f"demo://bucket-{uuid.uuid4().hex}/{name}"


def test_file_protocol_is_the_builtin_local_filesystem_creating_parent_directories(
    provider: FileAccessProvider,
) -> None:
    fs = provider.get_filesystem("file")
    assert isinstance(fs, FlyteLocalFileSystem) and fs.auto_mkdir


def test_local_filesystem_creates_parent_directories_when_writing(provider: FileAccessProvider, tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c.txt"
    with provider.get_filesystem_for_path(str(target)).open(str(target), "wb") as out:
        out.write(b"x")
    assert target.read_bytes() == b"x"


def test_no_protocol_means_the_raw_output_filesystem(provider: FileAccessProvider) -> None:
    assert provider.get_filesystem() is provider.raw_output_fs
    assert isinstance(provider.raw_output_fs, FlyteLocalFileSystem)


def test_local_access_is_the_file_protocol_filesystem(provider: FileAccessProvider) -> None:
    assert provider.local_access is provider.get_filesystem("file")


def test_a_protocol_no_plugin_serves_falls_back_to_fsspec(provider: FileAccessProvider) -> None:
    assert isinstance(provider.get_filesystem_for_path("memory://bucket/x"), MemoryFileSystem)


@pytest.mark.parametrize("uri", ["s3://bucket/data/x.parquet", "s3a://bucket/key"])
def test_s3_without_its_plugin_says_to_install_it(provider: FileAccessProvider, uri: str) -> None:
    with pytest.raises(FileAccessUnavailableError) as caught:
        provider.get_filesystem_for_path(uri)
    assert str(caught.value) == f"no file-access provider for '{uri}': pip install flyte-plugin-s3"
    assert isinstance(caught.value, ImportError)


def test_an_s3_raw_output_prefix_fails_when_used_not_when_built(tmp_path: Path) -> None:
    provider = FileAccessProvider(local_sandbox_dir=tmp_path, raw_output_prefix="s3://bucket/raw")
    with pytest.raises(FileAccessUnavailableError, match="'s3://bucket/raw': pip install flyte-plugin-s3"):
        provider.get_random_remote_path()


def test_an_unknown_protocol_is_named_in_the_error(provider: FileAccessProvider) -> None:
    with pytest.raises(FileAccessUnavailableError, match="'nosuchproto' and fsspec does not know it") as caught:
        provider.get_filesystem_for_path("nosuchproto://x/y")
    assert "'nosuchproto://x/y'" in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.skipif(importlib.util.find_spec("adlfs") is not None, reason="adlfs is installed")
def test_a_known_fsspec_protocol_without_its_package_says_what_to_install(provider: FileAccessProvider) -> None:
    with pytest.raises(FileAccessUnavailableError, match="'abfs://container/x': Install adlfs"):
        provider.get_filesystem_for_path("abfs://container/x")


def test_a_third_party_provider_serves_a_new_protocol(provider: FileAccessProvider, tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("hello")
    plugin = _Provides(FlyteFileAccessProvider(protocols=("demo",), filesystem=DemoFileSystem))
    with register_plugin(plugin, name="demo-fs"):
        remote = provider.put_data(tmp_path / "in.txt", _demo_uri("in.txt"))
        provider.get_data(remote, str(tmp_path / "back.txt"))
        assert isinstance(provider.get_filesystem("demo"), DemoFileSystem)
    assert (tmp_path / "back.txt").read_text() == "hello"


def test_a_provider_given_by_reference_is_imported_on_use(provider: FileAccessProvider) -> None:
    reference = "tests.core.data.demo_filesystem:DemoFileSystem"
    with register_plugin(_Provides(FlyteFileAccessProvider(protocols=("demo",), filesystem=reference)), name="demo"):
        assert isinstance(provider.get_filesystem_for_path(_demo_uri("x")), DemoFileSystem)


def test_a_factory_receives_protocol_data_config_anonymous_and_storage_options(tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []

    def factory(**kwargs: Any) -> DemoFileSystem:
        calls.append(kwargs)
        return DemoFileSystem()

    data_config = DataConfig()
    provider = FileAccessProvider(tmp_path, str(tmp_path / "raw"), data_config=data_config)
    with register_plugin(_Provides(FlyteFileAccessProvider(protocols=("demo",), filesystem=factory)), name="demo"):
        provider.get_filesystem("demo", anonymous=True, path="demo://b/k", block_size=5)
    assert calls == [{"protocol": "demo", "data_config": data_config, "anonymous": True, "block_size": 5}]


def test_override_replaces_the_builtin_local_provider(provider: FileAccessProvider, tmp_path: Path) -> None:
    class AuditedLocalFileSystem(LocalFileSystem):
        pass

    plugin = _Provides(FlyteFileAccessProvider(protocols=("file",), filesystem=AuditedLocalFileSystem, override=True))
    with register_plugin(plugin, name="audited-local"):
        assert type(provider.get_filesystem_for_path(str(tmp_path / "x"))) is AuditedLocalFileSystem
    assert type(provider.get_filesystem_for_path(str(tmp_path / "x"))) is FlyteLocalFileSystem


def test_the_filesystem_is_loaded_once_per_protocol(provider: FileAccessProvider) -> None:
    registration = _CountingProvider(protocols=("demo",), filesystem=DemoFileSystem)
    with register_plugin(_Provides(registration), name="demo"):
        provider.get_filesystem("demo")
        provider.get_filesystem_for_path(_demo_uri("a"))
        provider.exists(_demo_uri("b"))
    assert registration.loads == [1]


def test_a_provider_that_cannot_be_imported_names_the_uri_and_the_plugin(provider: FileAccessProvider) -> None:
    registration = FlyteFileAccessProvider(protocols=("demo",), filesystem="no_such_module_for_demo:Fs")
    with register_plugin(_Provides(registration), name="broken-demo"), pytest.raises(FileAccessUnavailableError) as e:
        provider.get_filesystem_for_path("demo://b/k")
    message = str(e.value)
    assert "'demo://b/k'" in message and "plugin 'broken-demo'" in message and "no_such_module_for_demo" in message


def test_a_factory_returning_no_filesystem_is_a_type_error(provider: FileAccessProvider) -> None:
    registration = FlyteFileAccessProvider(protocols=("demo",), filesystem=lambda **kwargs: "not a filesystem")
    with register_plugin(_Provides(registration), name="odd-demo"), pytest.raises(TypeError, match="odd-demo"):
        provider.get_filesystem("demo")


def test_exists_asks_again_anonymously_when_the_authenticated_check_fails(provider: FileAccessProvider) -> None:
    def factory(*, anonymous: bool, **kwargs: Any) -> DemoFileSystem:
        return DemoFileSystem() if anonymous else LockedDemoFileSystem()

    uri = _demo_uri("public.txt")
    DemoFileSystem().pipe_file(uri, b"x")
    with register_plugin(_Provides(FlyteFileAccessProvider(protocols=("demo",), filesystem=factory)), name="demo"):
        assert provider.exists(uri)


def test_uploads_carry_the_execution_metadata(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("x")
    provider = FileAccessProvider(tmp_path, str(tmp_path / "raw"), execution_metadata={"execution-id": "abc"})
    with register_plugin(_Provides(FlyteFileAccessProvider(protocols=("demo",), filesystem=DemoFileSystem)), name="d"):
        provider.put_data(tmp_path / "in.txt", _demo_uri("in.txt"), metadata={"owner": "me"})
    assert DemoFileSystem.uploads == [{"metadata": {"owner": "me", "execution-id": "abc"}}]


def test_execution_metadata_is_left_out_when_the_data_config_says_so(tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("x")
    data_config = DataConfig(generic=GenericPersistenceConfig(attach_execution_metadata=False))
    provider = FileAccessProvider(tmp_path, str(tmp_path / "raw"), data_config, execution_metadata={"id": "abc"})
    with register_plugin(_Provides(FlyteFileAccessProvider(protocols=("demo",), filesystem=DemoFileSystem)), name="d"):
        provider.put_data(tmp_path / "in.txt", _demo_uri("in.txt"))
    assert DemoFileSystem.uploads == [{}]


def test_the_default_data_config_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://localhost:30002")
    provider = FileAccessProvider(tmp_path, str(tmp_path / "raw"))
    assert provider.data_config.s3.endpoint == "http://localhost:30002"
