"""The manager: built-ins first, fault isolation, conflicts, provenance, switches and tracing.

Plugins here are real modules written to a temporary directory on ``sys.path`` and handed to the
manager as entry-point records (discovery itself is tested in test_discovery and with installed
distributions in test_installed_plugins).
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from flyte_core.plugins import (
    FlyteSubcommand,
    FlyteTaskType,
    PluginConflictError,
    PluginError,
    PluginLoadError,
    hookimpl,
)
from flyte_core.plugins.discovery import EntryPointRecord, discover_entry_points
from flyte_core.plugins.hookspec import ENTRY_POINT_GROUP
from flyte_core.plugins.manager import FlytePluginManager, PluginSettings, get_plugin_manager, use_plugin_manager

MakePlugin = Callable[..., EntryPointRecord]


@pytest.fixture
def builtin_records() -> list[EntryPointRecord]:
    return [r for r in discover_entry_points(ENTRY_POINT_GROUP) if r.distribution == "flyte-core"]


@pytest.fixture
def make_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakePlugin:
    """Write a plugin module and return the entry-point record a distribution would declare for it."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created: list[str] = []

    def make(name: str, source: str, distribution: str | None = None, version: str = "1.0") -> EntryPointRecord:
        module = f"test_plugin_{name.replace('-', '_').replace('.', '_')}_{len(created)}_{id(tmp_path)}"
        (tmp_path / f"{module}.py").write_text(
            "from flyte_core.plugins import *\nfrom flyte_core.plugins import hookimpl\n" + textwrap.dedent(source)
        )
        created.append(module)
        return EntryPointRecord(name=name, value=module, distribution=distribution or f"{name}-dist", version=version)

    yield make
    for module in created:
        sys.modules.pop(module, None)


def build(records: list[EntryPointRecord], **settings: object) -> FlytePluginManager:
    return FlytePluginManager.from_environment(entry_points=records, settings=PluginSettings(**settings))


HELLO = """
@hookimpl
def flyte_subcommands():
    yield FlyteSubcommand(name="hello", summary="Say hello", command="json:dumps", aliases=("hi",))
"""


def test_builtins_are_registered_before_third_party_plugins(builtin_records, make_plugin) -> None:
    third = make_plugin("hello", HELLO)
    manager = build([third, *builtin_records])
    names = [info.name for info in manager.plugins()]
    assert names.index("commands.plugins") < names.index("hello")
    assert [info.builtin for info in manager.plugins()][-1] is False


def test_registrations_carry_their_plugin_and_distribution(builtin_records, make_plugin) -> None:
    manager = build([*builtin_records, make_plugin("hello", HELLO, distribution="hello-plugin", version="1.2")])
    commands = manager.subcommands()
    assert commands["hello"] is commands["hi"]
    source = commands["hello"].source
    assert (source.name, source.distribution, source.version) == ("hello", "hello-plugin", "1.2")
    assert commands["plugins"].source.distribution == "flyte-core"


def test_registering_does_not_import_what_is_referenced(builtin_records, make_plugin) -> None:
    record = make_plugin(
        "lazy",
        """
        @hookimpl
        def flyte_subcommands():
            yield FlyteSubcommand(name="lazy", summary="s", command="lazy_target_module_never_imported:cmd")
        """,
    )
    manager = build([*builtin_records, record])
    assert "lazy" in manager.subcommands()
    assert "lazy_target_module_never_imported" not in sys.modules


def test_missing_essential_builtins_is_an_error_saying_to_reinstall(make_plugin) -> None:
    with pytest.raises(PluginLoadError, match=r"essential built-in plugins are not installed: commands\.plugins"):
        build([make_plugin("hello", HELLO)])


def test_conflict_names_both_providers(builtin_records, make_plugin) -> None:
    first = make_plugin("one", HELLO, distribution="one-dist", version="1.0")
    second = make_plugin("two", HELLO, distribution="two-dist", version="2.0")
    manager = build([*builtin_records, first, second])
    with pytest.raises(PluginConflictError) as info:
        manager.subcommands()
    message = str(info.value)
    both = "subcommand 'hello' is registered by both plugin 'one' (one-dist 1.0) and plugin 'two' (two-dist 2.0)"
    assert both in message
    assert "subcommand 'hi'" in message, "every contested key is reported"
    assert len(manager.conflicts()) == 2


def test_override_wins_whatever_the_order(builtin_records, make_plugin) -> None:
    override = make_plugin(
        "better",
        """
        @hookimpl
        def flyte_subcommands():
            yield FlyteSubcommand(name="plugins", summary="Better listing", command="json:dumps", override=True)
        """,
    )
    manager = build([override, *builtin_records])
    assert manager.subcommands()["plugins"].summary == "Better listing"
    assert manager.conflicts() == []


def test_two_overrides_of_the_same_key_conflict(builtin_records, make_plugin) -> None:
    source = """
    @hookimpl
    def flyte_task_types():
        yield FlyteTaskType(config_type="pkg.models:Config", task_class="pkg.task:Task", override=True)
    """
    manager = build([*builtin_records, make_plugin("a", source), make_plugin("b", source)])
    with pytest.raises(PluginConflictError, match=r"task config type 'pkg\.models\.Config'"):
        manager.task_types()


def test_plugin_failing_to_import_is_isolated(builtin_records, make_plugin, capsys) -> None:
    broken = make_plugin("broken", "import not_installed_dependency_xyz\n", distribution="broken-dist")
    manager = build([*builtin_records, broken, make_plugin("hello", HELLO)])
    assert "hello" in manager.subcommands()
    info = {i.name: i for i in manager.plugins()}["broken"]
    assert info.status == "failed" and "not_installed_dependency_xyz" in info.error
    err = capsys.readouterr().err
    assert err.count("flyte-core: warning:") == 1
    assert f"entry point 'broken = {broken.value}' of distribution 'broken-dist 1.0'" in err


def test_plugin_raising_in_a_hook_is_dropped_and_the_rest_is_kept(builtin_records, make_plugin, capsys) -> None:
    raising = make_plugin(
        "raising",
        """
        @hookimpl
        def flyte_subcommands():
            yield FlyteSubcommand(name="partial", summary="s", command="json:dumps")
            raise RuntimeError("boom while registering")
        """,
    )
    manager = build([*builtin_records, raising, make_plugin("hello", HELLO)])
    commands = manager.subcommands()
    assert "hello" in commands and "partial" not in commands, "a failing plugin contributes nothing"
    info = {i.name: i for i in manager.plugins()}["raising"]
    assert info.status == "failed" and "RuntimeError: boom while registering" in info.error
    assert "raised in flyte_subcommands" in capsys.readouterr().err


def test_hook_yielding_the_wrong_type_fails_that_plugin(builtin_records, make_plugin, capsys) -> None:
    wrong = make_plugin(
        "wrong",
        """
        @hookimpl
        def flyte_subcommands():
            yield "hello"
        """,
    )
    manager = build([*builtin_records, wrong])
    assert set(manager.subcommands()) == set(build(builtin_records).subcommands())
    assert "expected FlyteSubcommand objects" in {i.name: i for i in manager.plugins()}["wrong"].error


def test_invalid_registration_is_reported_with_the_plugin_s_own_values(builtin_records, make_plugin, capsys) -> None:
    invalid = make_plugin(
        "invalid",
        """
        @hookimpl
        def flyte_subcommands():
            yield FlyteSubcommand(name="Bad Name", summary="s", command="json:dumps")
        """,
    )
    build([*builtin_records, invalid]).subcommands()
    assert "FlyteSubcommand 'Bad Name': name must be lowercase" in capsys.readouterr().err


def test_misspelt_hook_is_an_error_with_a_suggestion(builtin_records, make_plugin, capsys) -> None:
    typo = make_plugin(
        "typo",
        """
        @hookimpl
        def flyte_subcomands():
            yield FlyteSubcommand(name="typo", summary="s", command="json:dumps")
        """,
    )
    manager = build([*builtin_records, typo])
    info = {i.name: i for i in manager.plugins()}["typo"]
    assert info.status == "failed"
    assert "unknown hook 'flyte_subcomands' (did you mean 'flyte_subcommands'?)" in info.error
    assert "typo" not in manager.subcommands()


def test_unmarked_or_unprefixed_functions_are_not_hooks(builtin_records, make_plugin) -> None:
    plain = make_plugin(
        "plain",
        """
        def flyte_subcommands():
            yield FlyteSubcommand(name="unmarked", summary="s", command="json:dumps")

        def helper():
            return 1
        """,
    )
    manager = build([*builtin_records, plain])
    assert {i.name: i for i in manager.plugins()}["plain"].status == "active"
    assert "unmarked" not in manager.subcommands()


def test_strict_mode_raises_instead_of_warning(builtin_records, make_plugin) -> None:
    broken = make_plugin("broken", "raise ImportError('needs libfoo')\n")
    with pytest.raises(PluginLoadError, match=r"plugin 'broken'.*needs libfoo.*FLYTE_STRICT_PLUGINS=1"):
        build([*builtin_records, broken], strict=True)


def test_same_plugin_name_from_two_distributions_fails_the_second(builtin_records, make_plugin, capsys) -> None:
    manager = build(
        [*builtin_records, make_plugin("hello", HELLO, distribution="a-dist"), make_plugin("hello", HELLO, "b-dist")]
    )
    infos = [i for i in manager.plugins() if i.name == "hello"]
    assert [(i.distribution, i.status) for i in infos] == [("a-dist", "active"), ("b-dist", "failed")]
    assert "already used by entry point 'hello" in infos[1].error


def test_disable_and_no_plugins_settings_skip_imports(builtin_records, make_plugin, capsys) -> None:
    broken = make_plugin("broken", "raise ImportError('must not be imported')\n", distribution="broken-dist")
    switches = ({"disabled": frozenset({"broken"})}, {"disabled": frozenset({"broken-dist"})}, {"no_plugins": True})
    for settings in switches:
        manager = build([*builtin_records, broken], **settings)
        assert {i.name: i.status for i in manager.plugins()}["broken"] == "disabled"
    assert capsys.readouterr().err == ""


def test_settings_come_from_the_environment() -> None:
    settings = PluginSettings.from_environment(
        {"FLYTE_DISABLE_PLUGINS": " My_Plugin ,other", "FLYTE_NO_PLUGINS": "true", "FLYTE_STRICT_PLUGINS": "0"}
    )
    assert settings == PluginSettings(disabled=frozenset({"my-plugin", "other"}), no_plugins=True, strict=False)


def test_unknown_name_in_disable_list_is_reported(builtin_records, capsys) -> None:
    build(builtin_records, disabled=frozenset({"helo"}))
    assert "FLYTE_DISABLE_PLUGINS names 'helo', which is not an installed plugin" in capsys.readouterr().err


def test_trace_logs_hook_calls_and_result_counts(builtin_records, make_plugin, capsys) -> None:
    manager = build([*builtin_records, make_plugin("hello", HELLO)], trace=True)
    manager.subcommands()
    err = capsys.readouterr().err
    assert "flyte-core: trace: call flyte_subcommands on 'hello'" in err
    assert "flyte_subcommands <- plugin 'hello': 1 registration(s)" in err
    assert "flyte_subcommands <- plugin 'commands.plugins': 1 registration(s)" in err


def test_in_process_registration_and_unregistration(flyte_plugin_manager) -> None:
    class Plugin:
        @hookimpl
        def flyte_task_types(self):
            yield FlyteTaskType(config_type="pkg:Config", task_class="pkg:Task")

    flyte_plugin_manager.register(Plugin(), "in-process")
    assert flyte_plugin_manager.task_types()["pkg.Config"].source.distribution == "<in-process>"
    with pytest.raises(PluginError, match="already registered"):
        flyte_plugin_manager.register(Plugin(), "in-process")
    flyte_plugin_manager.unregister("in-process")
    assert "pkg.Config" not in flyte_plugin_manager.task_types()


def test_get_plugin_manager_is_built_once_and_can_be_replaced(builtin_records) -> None:
    assert get_plugin_manager() is get_plugin_manager()
    replacement = build(builtin_records)
    with use_plugin_manager(replacement):
        assert get_plugin_manager() is replacement
    assert get_plugin_manager() is not replacement


def test_register_plugin_context_manager_cleans_up(flyte_plugin_manager) -> None:
    from flyte_core.plugins.testing import register_plugin

    class Plugin:
        @hookimpl
        def flyte_subcommands(self):
            yield FlyteSubcommand(name="temp", summary="s", command="json:dumps")

    with register_plugin(Plugin(), name="temp"):
        assert "temp" in flyte_plugin_manager.subcommands()
    assert "temp" not in flyte_plugin_manager.subcommands()
