"""What registration ships: serialized entities as numbered ``.pb`` files, and ``flyte-package.tgz``.

The files are named as flytekit's ``pyflyte serialize`` / ``package`` name them,
``<index>_<entity name>_<1|2|3>.pb`` (1 task spec, 2 workflow spec, 3 launch plan), in dependency order,
so ``flytectl register files`` and ``pyflyte register`` read either tool's output.
"""

from __future__ import annotations

import math
import os
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from google.protobuf.message import Message

if TYPE_CHECKING:
    from flyte_core.config.serialization import SerializationSettings

_SUFFIX = {task_pb2.TaskSpec: 1, workflow_pb2.WorkflowSpec: 2, launch_plan_pb2.LaunchPlan: 3}


class NothingToPackageError(Exception):
    """No task, workflow or launch plan was found in the given packages."""


def entity_file_name(index: int, count: int, entity: Message) -> str:
    """``<index>_<name>_<type>.pb``, the index zero-padded to the digits ``count`` needs."""
    width = math.ceil(math.log(count, 10)) if count > 0 else 0
    suffix = _SUFFIX.get(type(entity))
    if suffix is None:
        raise TypeError(f"{type(entity).__name__} is not a registrable entity (TaskSpec, WorkflowSpec, LaunchPlan)")
    name = entity.id.name if isinstance(entity, launch_plan_pb2.LaunchPlan) else entity.template.id.name  # type: ignore[attr-defined]
    return f"{str(index).zfill(width)}_{name}_{suffix}.pb"


def write_entities(
    entities: Sequence[Message], folder: str | os.PathLike[str], report: Callable[[str, str], None] | None = None
) -> list[Path]:
    """Write each entity to ``folder`` as its ``.pb`` file; ``report(name, file name)`` is told of each."""
    written = []
    for index, entity in enumerate(entities):
        file_name = entity_file_name(index, len(entities), entity)
        path = Path(folder, file_name)
        path.write_bytes(entity.SerializeToString())
        if report is not None:
            report(file_name.split("_", 1)[1].rsplit("_", 1)[0], file_name)
        written.append(path)
    return written


def write_package(
    entities: Sequence[Message],
    output: str | os.PathLike[str],
    code_archive: Callable[[Path], Path] | None = None,
    report: Callable[[str, str], None] | None = None,
) -> Path:
    """``flyte-package.tgz``: the entity files and, when ``code_archive`` makes one, the fast-registration archive."""
    if not entities:
        raise NothingToPackageError("Nothing to package")
    output = Path(output)
    with tempfile.TemporaryDirectory() as staging:
        write_entities(entities, staging, report)
        if code_archive is not None:
            code_archive(Path(staging))
        with tarfile.open(output, "w:gz") as tar:
            for name in sorted(os.listdir(staging)):
                tar.add(os.path.join(staging, name), arcname=name)
    return output


def serialize_packages(
    packages: Sequence[str], settings: SerializationSettings, source_root: str | os.PathLike[str] = "."
) -> list[Message]:
    """Import the packages under ``source_root`` and serialize every entity they make, in registration order.

    Modules are imported with ``settings`` in the context, as a container would see them at registration.
    """
    from flyte_core.context import FlyteContextManager
    from flyte_core.idl.translator import registrable_entities
    from flyte_core.sdk.module_loader import load_packages

    settings.source_root = str(source_root)
    ctx = FlyteContextManager.current_context()
    with FlyteContextManager.with_context(ctx.new_builder().with_serialization_settings(settings)):
        load_packages(list(packages), source_root)
    return registrable_entities(settings)
