"""ImageSpec: validation, builder methods, registry checks over HTTP, and the (non-)building engine."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import flyte_core
from flyte_core.context import ExecutionState, FlyteContextManager
from flyte_core.sdk.image_spec import (
    CopyFileDetection,
    ImageBuildEngine,
    ImageSpec,
    ImageSpecBuilder,
    validate_container_registry_name,
)


def test_imagespec_is_exported_at_the_top_level() -> None:
    assert flyte_core.ImageSpec is ImageSpec


def test_defaults_match_flytekit() -> None:
    spec = ImageSpec()
    assert (spec.name, spec.builder, spec.platform, spec.source_copy_mode) == (
        "flytekit",
        "default",
        "linux/amd64",
        None,
    )


def test_source_root_implies_copying_the_loaded_modules() -> None:
    assert ImageSpec(source_root="src").source_copy_mode == CopyFileDetection.LOADED_MODULES


def test_invalid_registry_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"Invalid container registry name: 'ghcr\.io//x' \(ImageSpec 'app'\)"):
        ImageSpec(name="app", registry="ghcr.io//x")


@pytest.mark.parametrize("name", ["localhost:30000", "ghcr.io/org", "docker.io/user/sub", "myuser", "reg.io:5000/a"])
def test_valid_registry_names(name: str) -> None:
    assert validate_container_registry_name(name)


def test_packages_must_be_a_list_of_strings() -> None:
    with pytest.raises(ValueError, match=r"packages must be a list of strings or None \(ImageSpec 'app'\), got str"):
        ImageSpec(name="app", packages="pandas")  # type: ignore[arg-type]


def test_pip_secret_mounts_must_be_pairs_of_strings() -> None:
    with pytest.raises(ValueError, match="pip_secret_mounts must be a list of tuples of two strings"):
        ImageSpec(pip_secret_mounts=[("only-one",)])  # type: ignore[list-item]


def test_builder_options_must_be_a_dict() -> None:
    with pytest.raises(ValueError, match="builder_options must be a dictionary or None"):
        ImageSpec(builder_options=["x"])  # type: ignore[arg-type]


def test_with_methods_return_a_new_spec_and_leave_the_original_alone() -> None:
    base = ImageSpec(name="app", packages=["a"])
    more = base.with_packages(["b", "c"]).with_packages("d").with_apt_packages("git").with_commands(["echo 1"])
    assert base.packages == ["a"] and base.apt_packages is None
    assert more.packages == ["a", "b", "c", "d"]
    assert (more.apt_packages, more.commands) == (["git"], ["echo 1"])
    assert more.image_name() != base.image_name()


def test_with_builder_options_merges_dicts() -> None:
    spec = ImageSpec(builder_options={"a": 1}).with_builder_options({"b": 2})
    assert spec.builder_options == {"a": 1, "b": 2}


def test_appending_a_list_to_a_dict_attribute_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="Cannot extend non-list attribute builder_options"):
        ImageSpec(builder_options={"a": 1})._update_attribute("builder_options", ["x"])


def test_equal_specs_hash_alike() -> None:
    assert {ImageSpec(name="a", packages=["x"]): 1}[ImageSpec(name="a", packages=["x"])] == 1


def test_tag_format_wraps_the_hash() -> None:
    spec = ImageSpec(name="app", tag_format="{spec_hash}-dev")
    assert spec.tag == spec.id.replace("-", "_") + "-dev"


def test_requirements_content_not_path_sets_the_tag(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "requirements.txt").write_text("pandas\n")
    (tmp_path / "b" / "requirements.txt").write_text("pandas\n\n")
    first = ImageSpec(name="app", requirements=str(tmp_path / "a" / "requirements.txt"))
    second = ImageSpec(name="app", requirements=str(tmp_path / "b" / "requirements.txt"))
    assert first.tag == second.tag
    (tmp_path / "b" / "requirements.txt").write_text("polars\n")
    assert ImageSpec(name="app", requirements=str(tmp_path / "b" / "requirements.txt")).tag != first.tag


def test_missing_requirements_file_names_the_spec_and_the_file() -> None:
    spec = ImageSpec(name="app", requirements="/no/such/requirements.txt")
    with pytest.raises(FileNotFoundError, match=r"ImageSpec 'app': the requirements file '/no/such/requirements\.txt'"):
        _ = spec.tag


def test_copy_mode_without_source_root_is_a_value_error() -> None:
    spec = ImageSpec(name="app", source_copy_mode=CopyFileDetection.ALL)
    with pytest.raises(ValueError, match="Field source_root for image spec app must be set when copy is set"):
        _ = spec.tag


def test_copied_file_content_changes_the_tag(tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("1")
    before = ImageSpec(name="app", copy=[str(data)]).tag
    data.write_text("2")
    assert ImageSpec(name="app", copy=[str(data)]).tag != before


def test_from_env_pins_installed_versions() -> None:
    from importlib.metadata import version

    spec = ImageSpec.from_env(name="app", pinned_packages=["pluggy"], packages=["x"])
    assert spec.packages == ["x", f"pluggy=={version('pluggy')}"]
    with pytest.raises(ValueError, match="python_version can not be used with `from_env`"):
        ImageSpec.from_env(python_version="3.9")


def test_is_container_is_true_outside_a_task() -> None:
    assert ImageSpec(name="app").is_container()


def test_is_container_in_a_task_compares_the_image_id(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = ImageSpec(name="app")
    ctx = FlyteContextManager.current_context()
    state = ExecutionState(working_dir="/tmp", mode=ExecutionState.Mode.TASK_EXECUTION)
    with FlyteContextManager.with_context(ctx.with_execution_state(state)):
        monkeypatch.setenv("_F_IMG_ID", "other")
        assert not spec.is_container()
        monkeypatch.setenv("_F_IMG_ID", spec.id)
        assert spec.is_container()


def test_exist_is_none_without_a_registry() -> None:
    assert ImageSpec(name="app").exist() is None


class _Registry(BaseHTTPRequestHandler):
    """A tiny OCI registry: knows the manifests in ``images``; ``secure/...`` needs an anonymous token."""

    images: set[str] = set()

    def log_message(self, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        path = self.path.removeprefix("/v2/")
        repository, _, tag = path.partition("/manifests/")
        if repository.startswith("secure/") and self.headers.get("Authorization") != "Bearer anon-token":
            host = self.headers["Host"]
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Bearer realm="http://{host}/token",service="test"')
            self.end_headers()
            return
        self.send_response(200 if f"{repository.removeprefix('secure/')}:{tag}" in self.images else 404)
        self.end_headers()

    def do_GET(self) -> None:
        body = json.dumps({"token": "anon-token"}).encode()
        self.send_response(200 if self.path.startswith("/token?") and "scope=repository" in self.path else 400)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def registry() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    _Registry.images = set()
    yield f"localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_exist_asks_a_local_registry(registry: str) -> None:
    spec = ImageSpec(name="app", registry=registry, packages=["x"])
    assert spec.exist() is False
    _Registry.images.add(f"app:{spec.tag}")
    assert spec.exist() is True


def test_exist_gets_an_anonymous_token_when_the_registry_asks(registry: str) -> None:
    spec = ImageSpec(name="app", registry=f"{registry}/secure")
    _Registry.images.add(f"app:{spec.tag}")
    assert spec.exist() is True


def test_exist_is_none_when_the_registry_cannot_be_reached() -> None:
    assert ImageSpec(name="app", registry="localhost:1").exist() is None


def test_default_builder_explains_that_flyte_core_does_not_build(registry: str) -> None:
    spec = ImageSpec(name="needs-build", registry=registry, packages=["y"])
    with pytest.raises(RuntimeError, match=r"must be built, but flyte-core does not build images") as info:
        ImageBuildEngine.build(spec)
    assert spec.image_name() in str(info.value)


def test_default_builder_skips_an_image_that_exists(registry: str, capsys: pytest.CaptureFixture[str]) -> None:
    spec = ImageSpec(name="present", registry=registry)
    _Registry.images.add(f"present:{spec.tag}")
    ImageBuildEngine.build(spec)
    assert "found. Skip building." in capsys.readouterr().out


def test_fast_fail_when_existence_cannot_be_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_IMG_FAST_FAIL", "true")
    spec = ImageSpec(name="unknown", registry="localhost:1")
    with pytest.raises(RuntimeError, match="FLYTE_IMG_FAST_FAIL"):
        ImageBuildEngine.build(spec)


def test_noop_builder_uses_the_base_image_as_the_image_name() -> None:
    spec = ImageSpec(name="noop-app", base_image="ghcr.io/org/existing:1", builder="noop")
    try:
        ImageBuildEngine.build(spec)
        assert spec.image_name() == "ghcr.io/org/existing:1"
    finally:
        ImageBuildEngine._IMAGE_NAME_TO_REAL_NAME.pop(f"noop-app:{spec.tag}", None)


def test_unknown_builder_lists_the_registered_ones() -> None:
    with pytest.raises(
        AssertionError, match=r"Image builder envd is not registered \(registered builders: default, noop"
    ):
        ImageBuildEngine.build(ImageSpec(name="x", builder="envd"))


def test_a_registered_builder_becomes_the_default_by_priority() -> None:
    built: list[str] = []

    class Recording(ImageSpecBuilder):
        def should_build(self, image_spec: ImageSpec) -> bool:
            return True

        def build_image(self, image_spec: ImageSpec) -> str:
            built.append(image_spec.image_name())
            return "registry.example/recorded:1"

    ImageBuildEngine.register("recording", Recording(), priority=10)
    try:
        spec = ImageSpec(name="rec")
        assert spec.builder == "recording"
        ImageBuildEngine.build(spec)
        assert built == [f"rec:{spec.tag}"]
        assert spec.image_name() == "registry.example/recorded:1"
    finally:
        del ImageBuildEngine._REGISTRY["recording"]
        ImageBuildEngine._IMAGE_NAME_TO_REAL_NAME.pop(f"rec:{ImageSpec(name='rec').tag}", None)


def test_nothing_is_built_inside_a_task() -> None:
    spec = ImageSpec(name="inside", builder="envd")  # an unknown builder would fail outside a task
    state = ExecutionState(working_dir="/tmp", mode=ExecutionState.Mode.LOCAL_TASK_EXECUTION)
    ctx = FlyteContextManager.current_context()
    with FlyteContextManager.with_context(ctx.with_execution_state(state)):
        ImageBuildEngine.build(spec)
