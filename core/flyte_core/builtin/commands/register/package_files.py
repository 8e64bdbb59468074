"""Package files (``pyflyte package`` / ``serialize`` output, or flytekit's) made ready to register.

A package is a ``flyte-package.tgz`` (or a directory) of ``<index>_<name>_<1|2|3>.pb`` files, 1 a task spec, 2 a
workflow spec, 3 a launch plan, in registration order, and, when made with ``--copy all|auto``, the code
archive ``fast<digest>.tar.gz``. The entities were serialized without project, domain or version, and fast
registered tasks name the code archive ``{{ .remote_package_path }}`` and its directory ``{{ .dest_dir }}``:
registration fills these in as ``flytectl register files`` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from flyteidl.core import identifier_pb2
from google.protobuf.message import Message

from flyte_core.packaging.unpack import UnsafeArchiveError, unpack_archive

REMOTE_PACKAGE_PATH = "{{ .remote_package_path }}"
DEST_DIR = "{{ .dest_dir }}"
_REGISTRATION = {
    "project": "{{ registration.project }}",
    "domain": "{{ registration.domain }}",
    "version": "{{ registration.version }}",
}
_ENTITY_FILE = re.compile(r"^(?P<index>\d+)_(?P<name>.+)_(?P<kind>[123])\.pb$")
_KINDS: dict[str, type[Message]] = {
    "1": task_pb2.TaskSpec,
    "2": workflow_pb2.WorkflowSpec,
    "3": launch_plan_pb2.LaunchPlan,
}
_ARCHIVE_SUFFIXES = (".tgz", ".tar.gz", ".tar")


class PackageError(ValueError):
    """A package that cannot be registered: the message names the file and what to do."""


@dataclass(frozen=True)
class Package:
    """The entities of a package in registration order, its code archive (if any) and a digest of both."""

    source: str
    messages: list[Message]
    code_archive: Path | None
    digest: bytes


def is_package(path: str | Path) -> bool:
    """Whether ``path`` is a package archive or a directory holding ``.pb`` entity files."""
    path = Path(path)
    if path.is_file():
        return path.name.endswith(_ARCHIVE_SUFFIXES)
    return path.is_dir() and any(child.suffix == ".pb" for child in path.iterdir())


@contextlib.contextmanager
def open_package(path: str | Path) -> Iterator[Package]:
    """Read a package archive or directory; an archive is unpacked into a temporary directory for the block."""
    path = Path(path)
    if path.is_dir():
        yield _read_folder(path, str(path))
        return
    with tempfile.TemporaryDirectory(prefix="flyte-register-") as staging:
        try:
            unpack_archive(path, staging)
        except (tarfile.TarError, OSError, EOFError, UnsafeArchiveError) as exc:
            raise PackageError(
                f"cannot read the package '{path}': {exc}; give a flyte-package.tgz made by 'pyflyte package'"
            ) from exc
        yield _read_folder(Path(staging), str(path))


def _read_folder(folder: Path, source: str) -> Package:
    """The entity files of ``folder`` in index order, its code archive, and their digest."""
    entries: list[tuple[int, str, Path]] = []
    archives = sorted(folder.glob("fast*.tar.gz"))
    for file in folder.iterdir():
        if file.suffix != ".pb":
            continue
        match = _ENTITY_FILE.match(file.name)
        if match is None:
            raise PackageError(
                f"'{file.name}' in {source} is not named <index>_<entity>_<1|2|3>.pb as 'pyflyte package' and "
                "'pyflyte serialize' name entity files; rename it or serialize again"
            )
        entries.append((int(match["index"]), match["kind"], file))
    if not entries:
        raise PackageError(f"{source} holds no entity files (*.pb): make it with 'pyflyte --pkgs PKG package'")
    if len(archives) > 1:
        names = ", ".join(a.name for a in archives)
        raise PackageError(f"{source} holds several code archives ({names}); a package has at most one")
    digest = hashlib.md5(usedforsecurity=False)
    messages = []
    for _, kind, file in sorted(entries):
        data = file.read_bytes()
        digest.update(data)
        message = _KINDS[kind]()
        try:
            message.ParseFromString(data)
        except Exception as exc:
            raise PackageError(f"'{file.name}' in {source} is not a {_KINDS[kind].__name__} protobuf: {exc}") from exc
        messages.append(message)
    archive = archives[0] if archives else None
    if archive is not None:
        digest.update(archive.read_bytes())
    return Package(source=source, messages=messages, code_archive=archive, digest=digest.digest())


@dataclass(frozen=True)
class Placement:
    """What registration fills into package entities: where they are registered and where their code is."""

    project: str
    domain: str
    version: str
    code_location: str | None = None
    destination_dir: str = "."
    service_account: str = ""
    raw_data_prefix: str = ""


def entity_name(message: Message) -> str:
    """The name of a task spec, workflow spec or launch plan."""
    if isinstance(message, launch_plan_pb2.LaunchPlan):
        return str(message.id.name)
    return str(message.template.id.name)


def fill_in(message: Message, placement: Placement) -> None:
    """Give ``message`` its project, domain and version, its code location and the launch plan options.

    Raises:
        PackageError: a task runs from a code archive but the package holds none.
    """
    _fill_identifiers(message, placement)
    if isinstance(message, task_pb2.TaskSpec):
        _fill_code_location(message, placement)
    elif isinstance(message, launch_plan_pb2.LaunchPlan):
        spec = message.spec
        if placement.service_account:
            spec.security_context.run_as.k8s_service_account = placement.service_account
        if placement.raw_data_prefix:
            spec.raw_output_data_config.output_location_prefix = placement.raw_data_prefix


def _fill_identifiers(message: Message, placement: Placement) -> None:
    """Every entity ``Identifier`` inside ``message`` (its own, node references...) without project/domain/version."""
    if isinstance(message, identifier_pb2.Identifier):
        for field in ("project", "domain", "version"):
            if getattr(message, field) in ("", _REGISTRATION[field]):
                setattr(message, field, getattr(placement, field))
        return
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue  # a scalar field
        if isinstance(value, Message):
            items: Iterable[object] = (value,)
        elif hasattr(value, "values"):
            items = value.values()  # a map field
        else:
            items = value  # a repeated field
        for item in items:
            if isinstance(item, Message):
                _fill_identifiers(item, placement)


def _fill_code_location(spec: task_pb2.TaskSpec, placement: Placement) -> None:
    """Put the uploaded code archive and its destination in the fast-execute arguments."""
    template = spec.template
    arg_lists: list[Any] = []
    if template.HasField("container"):
        arg_lists.append(template.container.args)
    elif template.HasField("k8s_pod"):
        containers = template.k8s_pod.pod_spec.fields.get("containers")
        for container in containers.list_value.values if containers is not None else ():
            args = container.struct_value.fields.get("args")
            if args is not None:
                arg_lists.append(args.list_value.values)
    for args in arg_lists:
        for index, arg in enumerate(args):
            text = arg if isinstance(arg, str) else arg.string_value
            replacement = None
            if text == REMOTE_PACKAGE_PATH:
                if placement.code_location is None:
                    raise PackageError(
                        f"task '{template.id.name}' runs from a code archive (fast registration) but the package "
                        "holds none: package it again with 'pyflyte package --copy all' (or 'auto')"
                    )
                replacement = placement.code_location
            elif text == DEST_DIR:
                replacement = placement.destination_dir or "."
            if replacement is None:
                continue
            if isinstance(arg, str):
                args[index] = replacement
            else:
                arg.string_value = replacement
