"""The catalogue's examples are real: each runs, and every module and name it refers to exists."""

from __future__ import annotations

import inspect
import textwrap

import pytest

from flyte_core.plugins import hookspec
from flyte_core.plugins.types import (
    FlyteDataFrameHandler,
    FlyteFileAccessProvider,
    FlyteImageBuilder,
    FlyteRemoteBackend,
    FlyteSubcommand,
    FlyteTaskType,
    FlyteTypeTransformer,
    load_reference,
)


def _example(hook: str) -> str:
    doc = inspect.getdoc(getattr(hookspec.FlyteSpecs, hook)) or ""
    assert "Example::" in doc, f"{hook} has no example"
    return textwrap.dedent(doc.split("Example::", 1)[1])


def _loaded(registration: object) -> list[object]:
    """Everything the registration names, imported."""
    if isinstance(registration, FlyteTaskType):
        return [registration.load_config_type(), registration.load_task_class()]
    if isinstance(registration, FlyteTypeTransformer):
        return [registration.load_python_type(), registration.load_transformer()]
    if isinstance(registration, FlyteFileAccessProvider):
        return [registration.load_filesystem()]
    if isinstance(registration, FlyteSubcommand):
        return [registration.load()]
    if isinstance(registration, FlyteRemoteBackend):
        return [registration.load_factory()]
    if isinstance(registration, FlyteDataFrameHandler):
        return [load_reference(registration.python_type_name), registration.load_handler()]
    if isinstance(registration, FlyteImageBuilder):
        return [registration.load_builder()]
    raise AssertionError(f"unexpected registration {registration!r}")


@pytest.mark.parametrize("hook", hookspec.HOOK_NAMES)
def test_the_example_of_each_hook_registers_what_exists(hook: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(_example(hook), f"<example of {hook}>", "exec"), namespace)
    registrations = list(namespace[hook]())  # type: ignore[operator]
    assert registrations
    for registration in registrations:
        assert all(item is not None for item in _loaded(registration))
