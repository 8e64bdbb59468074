"""Tasks with no module to import them from (a notebook, the REPL, ``python -``), shipped as a pickle.

``FlyteRemote``'s interactive mode writes ``pkl.gz`` (gzip of a cloudpickled ``PickledEntity``: the tasks by
name and the Python version that pickled them) and registers it as the fast-execute distribution;
``pyflyte-fast-execute`` downloads it into the task's working directory and the task command finds its task
there::

    pyflyte-execute ... --resolver flytekit.core.python_auto_container.default_notebook_task_resolver \\
        -- entity-name <task name>

File name, resolver location and loader arguments are flytekit's, so either SDK's container reads the
other's registrations (the pickle itself holds the SDK's own task objects).
"""

from __future__ import annotations

import gzip
import os
import pickletools
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyte_core.sdk.base_task import TaskResolverMixin

PICKLE_FILE_PATH = "pkl.gz"
"""Where the loader reads the pickle: the task's working directory, where fast-execute put it."""

_LOADER_KEY = "entity-name"


@dataclass
class PickledEntityMetadata:
    """Where the pickle was made: ``python_version`` is ``major.minor.micro`` (cloudpickle needs the same minor)."""

    python_version: str


@dataclass
class PickledEntity:
    """The content of ``pkl.gz``: the tasks by name, and the metadata the loader checks first."""

    metadata: PickledEntityMetadata
    entities: dict[str, Any]


class DefaultNotebookTaskResolver(TaskResolverMixin):
    """``entity-name <task name>``: the task is taken from ``pkl.gz`` in the working directory."""

    @property
    def location(self) -> str:
        # flytekit's name for it on the wire: locations.FLYTEKIT_LOCATIONS maps it to this object.
        return "flytekit.core.python_auto_container.default_notebook_task_resolver"

    def name(self) -> str:
        return "DefaultNotebookTaskResolver"

    def load_task(self, loader_args: list[str]) -> Any:
        """The task named by ``entity-name <name>`` in ``pkl.gz``.

        Raises:
            ValueError: the arguments are not ``entity-name <name>`` or the pickle holds no such task.
            RuntimeError: the pickle is missing, unreadable or was made by another Python version.
        """
        if len(loader_args) < 2 or loader_args[0] != _LOADER_KEY:
            raise ValueError(f"notebook task loader arguments must be '{_LOADER_KEY} <task name>', got {loader_args!r}")
        name = loader_args[1]
        pickled = read_pickle(PICKLE_FILE_PATH)
        if name not in pickled.entities:
            held = ", ".join(sorted(pickled.entities)) or "none"
            raise ValueError(
                f"task '{name}' is not in the pickle '{os.path.abspath(PICKLE_FILE_PATH)}' (it holds: {held}); "
                "register the entity again from the notebook or script that defines it"
            )
        return pickled.entities[name]

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        return [_LOADER_KEY, t.name]

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError("the notebook resolver loads one task by name; it cannot list them")

    def __reduce__(self) -> str:
        return "default_notebook_task_resolver"  # pickled tasks point at the module's instance, not a copy


default_notebook_task_resolver = DefaultNotebookTaskResolver()


def write_pickle(tasks: Iterable[Any], directory: str | os.PathLike[str]) -> Path:
    """Write ``directory/pkl.gz`` holding ``tasks`` by name; the same tasks give the same bytes (gzip mtime 0).

    The tasks are pickled as they are: set their resolver to ``default_notebook_task_resolver`` first, so
    that tasks a dynamic task creates in the container are found in the same pickle.
    """
    import cloudpickle

    version = sys.version_info
    pickled = PickledEntity(
        metadata=PickledEntityMetadata(python_version=f"{version.major}.{version.minor}.{version.micro}"),
        entities={task.name: task for task in tasks},
    )
    path = Path(directory, PICKLE_FILE_PATH)
    with gzip.GzipFile(filename=path, mode="wb", mtime=0) as out:
        cloudpickle.dump(pickled, out)
    return path


def read_pickle(path: str | os.PathLike[str]) -> PickledEntity:
    """The ``PickledEntity`` in ``path`` (a flytekit-made one too, when flytekit is importable).

    Raises:
        RuntimeError: the file is missing or unreadable, or it was pickled by another Python ``major.minor``
            (checked before unpickling, which would fail obscurely).
    """
    try:
        data = gzip.decompress(Path(path).read_bytes())
    except FileNotFoundError:
        raise RuntimeError(
            f"no pickled tasks at '{os.path.abspath(path)}': the task was registered in interactive mode, so "
            "pyflyte-fast-execute must download its pkl.gz distribution into the working directory first"
        ) from None
    except (OSError, EOFError) as exc:
        raise RuntimeError(f"cannot read the pickled tasks in '{path}': {exc}") from exc
    _check_python_version(_pickled_python_version(data), path)
    try:
        loaded = _loads(data)
    except Exception as exc:
        here = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise RuntimeError(
            f"cannot unpickle the tasks in '{path}' with Python {here} ({type(exc).__name__}: {exc}); the pickle "
            "needs the Python version and packages of the environment that registered it"
        ) from exc
    metadata = getattr(loaded, "metadata", None)
    if not isinstance(getattr(loaded, "entities", None), dict) or metadata is None:
        raise RuntimeError(
            f"'{path}' does not hold pickled tasks (expected a PickledEntity, found {type(loaded).__name__}); "
            "register the entity again"
        )
    _check_python_version(str(getattr(metadata, "python_version", "")), path)
    return loaded  # type: ignore[no-any-return]


def _loads(data: bytes) -> Any:
    import cloudpickle

    return cloudpickle.loads(data)


def _check_python_version(pickled: str | None, path: str | os.PathLike[str]) -> None:
    """Refuse a pickle made by another Python ``major.minor``: code objects do not carry across them."""
    if not pickled:
        return
    parts = pickled.split(".")
    here = sys.version_info
    try:
        same = int(parts[0]) == here.major and int(parts[1]) == here.minor
    except (IndexError, ValueError):
        same = False
    if not same:
        raise RuntimeError(
            f"the tasks in '{path}' were pickled by Python {pickled}, but this is Python {here.major}.{here.minor}: "
            f"run the task in an image with Python {'.'.join(parts[:2])}, or register it from a Python "
            f"{here.major}.{here.minor} session"
        )


def _pickled_python_version(data: bytes) -> str | None:
    """The metadata's ``python_version``, read from the pickle's opcodes without running them (None: not found)."""
    found_key = False
    try:
        for _, arg, _ in pickletools.genops(data):
            if not isinstance(arg, str):
                continue
            if found_key:
                return arg
            found_key = arg == "python_version"
    except Exception:  # a malformed stream: unpickling reports it
        return None
    return None


__all__ = [
    "PICKLE_FILE_PATH",
    "DefaultNotebookTaskResolver",
    "PickledEntity",
    "PickledEntityMetadata",
    "default_notebook_task_resolver",
    "read_pickle",
    "write_pickle",
]
