"""Every registry goes through the kernel: task types, dataframe handlers, image builders and storage
protocols are found through plugin registrations, looked up by type in one place, and reported with their
provenance by ``pyflyte plugins``.

Plugins here are objects registered in-process on a fresh manager of built-ins (``register_plugin``).
"""

from __future__ import annotations

import json
import sys
import types

import pytest

from flyte_core.plugins import (
    FlyteDataFrameHandler,
    FlyteFileAccessProvider,
    FlyteImageBuilder,
    FlyteTaskType,
    PluginConflictError,
    RegistrationError,
    hookimpl,
)
from flyte_core.plugins.lookup import registration_for_type, registrations_for_type
from flyte_core.plugins.testing import register_plugin

# --------------------------------------------------------------------------------------------------
# The one type-keyed lookup
# --------------------------------------------------------------------------------------------------


class Base:
    pass


class Child(Base):
    pass


class GrandChild(Child):
    pass


def _task_type(config: type | str, task_class: str = "x.y:Z") -> FlyteTaskType:
    return FlyteTaskType(config_type=config, task_class=task_class)


def test_the_nearest_registered_base_class_wins() -> None:
    registrations = [_task_type(Base, "a:Base"), _task_type(Child, "a:Child")]
    found = registration_for_type(registrations, GrandChild, lambda r: r.config_type)
    assert found is registrations[1]
    assert [d for d, _ in registrations_for_type(registrations, GrandChild, lambda r: r.config_type)] == [1, 2]


def test_a_type_named_by_string_matches_once_its_module_is_imported_and_never_imports_it() -> None:
    module = types.ModuleType("lookup_test_library")
    module.Frame = type("Frame", (), {"__module__": "lookup_test_library.core"})  # re-exported, as pandas.DataFrame
    registration = _task_type("lookup_test_library.Frame")
    assert registration_for_type([registration], module.Frame, lambda r: r.config_type) is None  # not importable
    sys.modules["lookup_test_library"] = module
    try:
        assert registration_for_type([registration], module.Frame, lambda r: r.config_type) is registration
    finally:
        del sys.modules["lookup_test_library"]


def test_a_type_named_by_string_whose_library_is_absent_is_not_imported() -> None:
    registration = _task_type("a_library_that_is_not_installed.Frame")
    assert registration_for_type([registration], GrandChild, lambda r: r.config_type) is None
    assert "a_library_that_is_not_installed" not in sys.modules


# --------------------------------------------------------------------------------------------------
# Task types: subclasses of a registered config find its task class; unknown configs get python-task's
# --------------------------------------------------------------------------------------------------


class JobConfig:
    pass


class SpecialJobConfig(JobConfig):
    pass


class UnclaimedConfig:
    pass


def test_task_config_subclass_uses_the_task_type_of_its_registered_base(flyte_plugin_manager) -> None:
    from flyte_core import task
    from flyte_core.sdk.python_function_task import PythonFunctionTask

    class JobTask(PythonFunctionTask):
        pass

    class JobPlugin:
        @hookimpl
        def flyte_task_types(self):
            yield FlyteTaskType(config_type=JobConfig, task_class=JobTask)

    with register_plugin(JobPlugin(), name="jobs"):

        @task(task_config=SpecialJobConfig())
        def special() -> int:
            return 1

        @task(task_config=UnclaimedConfig())
        def plain() -> int:
            return 2

    assert type(special) is JobTask
    assert type(plain) is PythonFunctionTask


# --------------------------------------------------------------------------------------------------
# Dataframe handlers
# --------------------------------------------------------------------------------------------------


class Rows:
    """A tiny dataframe type: a list of rows, stored as one JSON document."""

    def __init__(self, rows: list[dict[str, int]]) -> None:
        self.rows = rows


def _rows_handlers():
    from flyteidl.core import literals_pb2

    from flyte_core.types.structured.structured_dataset import (
        StructuredDatasetDecoder,
        StructuredDatasetEncoder,
        StructuredDatasetMetadata,
    )

    class RowsToJson(StructuredDatasetEncoder):
        def __init__(self) -> None:
            super().__init__(Rows, None, "rows-json")

        def encode(self, ctx, structured_dataset, structured_dataset_type):
            uri = ctx.file_access.join(ctx.file_access.raw_output_prefix, ctx.file_access.get_random_string())
            fs = ctx.file_access.get_filesystem_for_path(uri)
            fs.makedirs(uri, exist_ok=True)
            with fs.open(f"{uri}/rows.json", "w") as f:
                json.dump(structured_dataset.dataframe.rows, f)
            structured_dataset_type.format = "rows-json"
            return literals_pb2.StructuredDataset(
                uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=structured_dataset_type)
            )

    class JsonToRows(StructuredDatasetDecoder):
        def __init__(self) -> None:
            super().__init__(Rows, None, "rows-json")

        def decode(self, ctx, flyte_value, current_task_metadata):
            fs = ctx.file_access.get_filesystem_for_path(flyte_value.uri)
            with fs.open(f"{flyte_value.uri}/rows.json") as f:
                return Rows(json.load(f))

    return RowsToJson, JsonToRows


def test_a_plugins_dataframe_handlers_write_and_read_its_type(flyte_plugin_manager) -> None:
    from flyte_core import task, workflow
    from flyte_core.plugins import FlyteTypeTransformer

    encoder, decoder = _rows_handlers()

    class RowsPlugin:
        @hookimpl
        def flyte_type_transformers(self):
            yield FlyteTypeTransformer(
                python_type=Rows,
                transformer="flyte_core.types.structured.structured_dataset:flyte_dataset_transformer",
            )

        @hookimpl
        def flyte_dataframe_handlers(self):
            yield FlyteDataFrameHandler(
                python_type=Rows, role="encoder", format="rows-json", handler=encoder, default_format=True
            )
            yield FlyteDataFrameHandler(python_type=Rows, role="decoder", format="rows-json", handler=decoder)

    with register_plugin(RowsPlugin(), name="rows"):

        @task
        def make() -> Rows:
            return Rows([{"a": 1}, {"a": 2}])

        @task
        def total(rows: Rows) -> int:
            return sum(r["a"] for r in rows.rows)

        @workflow
        def wf() -> int:
            return total(rows=make())

        assert wf() == 3


def test_a_handler_that_is_not_what_its_registration_says_is_a_clear_error(flyte_plugin_manager) -> None:
    from flyte_core.types.structured.structured_dataset import StructuredDatasetTransformerEngine

    encoder, _ = _rows_handlers()

    class Liar:
        @hookimpl
        def flyte_dataframe_handlers(self):
            yield FlyteDataFrameHandler(python_type=Rows, role="decoder", format="rows-json", handler=encoder)

    with register_plugin(Liar(), name="liar"), pytest.raises(TypeError) as caught:
        StructuredDatasetTransformerEngine.admit_plugin_handlers(Rows)
    message = str(caught.value)
    assert "'decoder" in message and "plugin 'liar'" in message and "a encoder of format 'rows-json'" in message


def test_dataframe_handler_registrations_are_validated() -> None:
    with pytest.raises(RegistrationError, match="role must be 'encoder' or 'decoder'"):
        FlyteDataFrameHandler(python_type=Rows, role="writer", format="csv", handler="a:b")
    with pytest.raises(RegistrationError, match="format must be a non-empty string"):
        FlyteDataFrameHandler(python_type=Rows, role="encoder", format="", handler="a:b")


def test_two_plugins_handling_the_same_dataframe_key_conflict(flyte_plugin_manager) -> None:
    class Handlers:
        @hookimpl
        def flyte_dataframe_handlers(self):
            yield FlyteDataFrameHandler(python_type="pandas.DataFrame", role="encoder", format="parquet", handler="a:b")

    with register_plugin(Handlers(), name="mine"), pytest.raises(PluginConflictError) as caught:
        flyte_plugin_manager.dataframe_handlers()
    assert "encoder pandas.DataFrame * parquet" in str(caught.value)
    assert "transformers.structured" in str(caught.value) and "plugin 'mine'" in str(caught.value)


# --------------------------------------------------------------------------------------------------
# Image builders
# --------------------------------------------------------------------------------------------------


def test_a_plugins_image_builder_of_higher_priority_becomes_the_default(flyte_plugin_manager) -> None:
    from flyte_core.sdk.image_spec import ImageBuildEngine, ImageSpec, ImageSpecBuilder

    built: list[str] = []

    class Recorder(ImageSpecBuilder):
        def should_build(self, image_spec) -> bool:
            return True

        def build_image(self, image_spec) -> str:
            built.append(image_spec.name)
            return f"registry.example/{image_spec.name}:built"

    class Builders:
        @hookimpl
        def flyte_image_builders(self):
            yield FlyteImageBuilder(name="recorder", builder=Recorder, priority=10)

    assert ImageSpec(name="before").builder == "default"
    with register_plugin(Builders(), name="builders"):
        spec = ImageSpec(name="registry-test", registry="registry.example")
        assert spec.builder == "recorder"
        ImageBuildEngine.build(spec)
        assert ImageBuildEngine.priorities() == {"default": 1, "noop": 0, "recorder": 10}
    assert built == ["registry-test"]


def test_an_unknown_image_builder_names_the_known_ones(flyte_plugin_manager) -> None:
    from flyte_core.sdk.image_spec import ImageBuildEngine

    with pytest.raises(
        AssertionError, match=r"Image builder envd is not registered \(registered builders: default, noop"
    ):
        ImageBuildEngine._get_builder("envd")


# --------------------------------------------------------------------------------------------------
# Storage protocols: fsspec's own implementations are a built-in fallback any plugin replaces
# --------------------------------------------------------------------------------------------------


def test_fsspecs_protocols_are_served_by_the_builtin_fallback(flyte_plugin_manager) -> None:
    from flyte_core.data.file_access import FileAccessProvider

    providers = flyte_plugin_manager.file_access_providers()
    assert providers["memory"].fallback and str(providers["memory"].source).startswith("plugin 'file_access.fallback'")
    assert providers["file"].source.name == "file_access.local"  # a built-in provider beats the fallback
    assert "s3" not in providers  # needs flyte-plugin-s3
    fs = FileAccessProvider("/tmp", "/tmp").get_filesystem_for_path("memory://registries/x")
    fs.pipe("memory://registries/x", b"data")
    assert fs.cat("memory://registries/x") == b"data"


def test_a_plugin_serving_a_fallback_protocol_replaces_it_without_conflict(flyte_plugin_manager) -> None:
    import fsspec

    class MemoryPlugin:
        @hookimpl
        def flyte_file_access_providers(self):
            yield FlyteFileAccessProvider(protocols=("memory",), filesystem=fsspec.get_filesystem_class("memory"))

    with register_plugin(MemoryPlugin(), name="memory-plugin"):
        assert flyte_plugin_manager.conflicts() == []
        assert flyte_plugin_manager.file_access_providers()["memory"].source.name == "memory-plugin"
        memory = [r for r in flyte_plugin_manager.registrations()["file_access.fallback"] if r.key == "memory"]
        assert [r.active for r in memory] == [False]


def test_override_and_fallback_exclude_each_other() -> None:
    with pytest.raises(RegistrationError, match="override and fallback cannot both be set"):
        FlyteFileAccessProvider(protocols=("x",), filesystem="a:b", override=True, fallback=True)


def test_two_fallbacks_for_one_protocol_conflict(flyte_plugin_manager) -> None:
    class Fallback:
        @hookimpl
        def flyte_file_access_providers(self):
            yield FlyteFileAccessProvider(protocols=("memory",), filesystem="a:b", fallback=True)

    with register_plugin(Fallback(), name="second-fallback"), pytest.raises(PluginConflictError) as caught:
        flyte_plugin_manager.file_access_providers()
    assert "protocol 'memory'" in str(caught.value) and "plugin 'second-fallback'" in str(caught.value)


def test_a_protocol_nothing_serves_says_what_to_install(flyte_plugin_manager) -> None:
    from flyte_core.data.errors import FileAccessUnavailableError
    from flyte_core.data.file_access import FileAccessProvider

    provider = FileAccessProvider("/tmp", "/tmp")
    with pytest.raises(FileAccessUnavailableError, match="pip install flyte-plugin-s3"):
        provider.get_filesystem_for_path("s3://bucket/key")
    with pytest.raises(FileAccessUnavailableError, match="no installed plugin serves 'nosuchproto'"):
        provider.get_filesystem_for_path("nosuchproto://x")


# --------------------------------------------------------------------------------------------------
# pyflyte plugins: every built-in registration, with provenance
# --------------------------------------------------------------------------------------------------


def test_plugins_json_lists_every_kind_of_builtin_registration_with_its_plugin(flyte_cli) -> None:
    result = flyte_cli.invoke(["plugins", "--json"])
    assert result.exit_code == 0, result.output
    by_plugin = {entry["name"]: entry for entry in json.loads(result.output)}
    hooks = {r["hook"] for entry in by_plugin.values() for r in entry["registrations"]}
    assert hooks == {
        "task_types",
        "type_transformers",
        "dataframe_handlers",
        "file_access_providers",
        "image_builders",
        "subcommands",
        "remote_backends",
    }
    structured = by_plugin["transformers.structured"]
    assert structured["distribution"] == "flyte-core"
    assert {
        "hook": "dataframe_handlers",
        "kind": "dataframe handler",
        "key": "decoder pandas.DataFrame * csv",
        "target": "flyte_core.types.structured.basic_dfs:CSVToPandasDecodingHandler",
        "active": True,
    } in structured["registrations"]
    python_task = by_plugin["task_types.python"]["registrations"]
    assert python_task[0]["target"] == "flyte_core.sdk.python_function_task:PythonFunctionTask"
    builders = [r["key"] for r in by_plugin["image_builders.core"]["registrations"]]
    assert builders == ["default", "noop"]


def test_plugins_registrations_table_groups_keys_and_marks_replaced_ones(flyte_cli) -> None:
    result = flyte_cli.invoke(["plugins", "--registrations", "--all"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    heading = next(i for i, line in enumerate(lines) if line.startswith("file_access.fallback (flyte-core "))
    assert lines[heading + 1].split()[0] == "protocol" and "memory" in lines[heading + 1]
    assert lines[heading + 2].endswith("(replaced by another plugin)") and "file, http, https" in lines[heading + 2]
    assert "  image builder  noop  ->  flyte_core.sdk.image_spec:NoOpBuilder" in lines
