"""Importing a user's Python file as a module, the way flytekit does, with short errors.

The module name is the file's path relative to the project root: the current directory when the
file is inside it, else the first ancestor directory without ``__init__.py``. So ``examples/hello.py``
run from the directory above ``examples`` is the module ``examples.hello`` and its relative imports
work; its entities are named ``examples.hello.<name>`` as flytekit names them.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys
import traceback
from dataclasses import dataclass
from types import ModuleType
from typing import Any


class UserFileError(Exception):
    """The user's file could not be imported: a short message naming the file and line."""


@dataclass(frozen=True)
class LoadedFile:
    module: ModuleType
    module_name: str
    project_root: str


def find_project_root(path: pathlib.Path) -> pathlib.Path:
    """The first ancestor directory of ``path`` that is not a package (has no ``__init__.py``)."""
    directory = path.parent
    while (directory / "__init__.py").exists() and directory.parent != directory:
        directory = directory.parent
    return directory


def module_location(filename: str | os.PathLike[str]) -> tuple[str, str]:
    """(project root, module name) of a Python file, as flytekit computes them."""
    path = pathlib.Path(filename).resolve()
    cwd = pathlib.Path.cwd().resolve()
    root = cwd if path.is_relative_to(cwd) else find_project_root(path)
    module_name = str(path.relative_to(root).with_suffix("")).replace(os.path.sep, ".")
    return str(root), module_name


def load_file(filename: str | os.PathLike[str]) -> LoadedFile:
    """Import ``filename`` as a module of its project; ``UserFileError`` says what is wrong and where."""
    path = pathlib.Path(filename)
    if not path.exists():
        raise UserFileError(f"file '{filename}' does not exist")
    if path.suffix != ".py":
        raise UserFileError(f"'{filename}' is not a Python file (expected a .py file)")
    root, module_name = module_location(path)
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        where = f"{exc.filename or filename}:{exc.lineno}" if exc.lineno else str(exc.filename or filename)
        raise UserFileError(f"{where}: syntax error: {exc.msg}") from exc
    except Exception as exc:
        raise UserFileError(f"{_failing_line(exc, path)}: {type(exc).__name__}: {exc}") from exc
    loaded_from = getattr(module, "__file__", None)
    if loaded_from is None or pathlib.Path(loaded_from).resolve() != path.resolve():
        where = loaded_from or "a namespace package"
        raise UserFileError(
            f"'{filename}' is imported as module '{module_name}', a name already taken by {where}: rename the file"
        )
    return LoadedFile(module=module, module_name=module_name, project_root=root)


def find_task(
    filename: str | os.PathLike[str], name: str, task_class: type | None = None, kind: str = "", how_to: str = ""
) -> Any:
    """The task called ``name`` in a file, an instance of ``task_class`` (any task when None).

    Raises:
        UserFileError: the file cannot be loaded, or ``name`` is not such a task there; the message lists the
            ``kind`` tasks the file has (e.g. ``kind="Spark"``) and, for a task of another type, ``how_to``
            make it one.
    """
    from flyte_core.sdk.base_task import PythonTask

    wanted = task_class or PythonTask
    module = load_file(filename).module
    found = getattr(module, name, None)
    if isinstance(found, wanted):
        return found
    label = f"{kind} tasks" if kind else "tasks"
    listing = ", ".join(sorted(n for n, obj in vars(module).items() if isinstance(obj, wanted))) or "none"
    if isinstance(found, PythonTask):
        raise UserFileError(
            f"task '{name}' in '{filename}' is not a {kind} task (its type is '{found.task_type}')"
            + (f": {how_to}" if how_to else "")
            + f"; {label} there: {listing}"
        )
    what = "is not a task" if found is not None else "is not defined"
    raise UserFileError(f"'{name}' {what} in '{filename}'; {label} there: {listing}")


def _failing_line(exc: BaseException, path: pathlib.Path) -> str:
    """``file:line`` of the innermost frame in the user's project (else of the file itself)."""
    frames = traceback.extract_tb(exc.__traceback__)
    project = str(path.resolve().parent)
    for frame in reversed(frames):
        if frame.filename.startswith(project):
            return f"{frame.filename}:{frame.lineno}"
    return str(path)


def load_packages(packages: list[str], source_root: str | os.PathLike[str]) -> list[str]:
    """Import each package (and all its modules) or module under ``source_root``: what makes its entities.

    Returns the modules imported; ``UserFileError`` names the module that failed and where.
    """
    import pkgutil

    root = str(pathlib.Path(source_root).resolve())
    if root not in sys.path:
        sys.path.insert(0, root)
    loaded: list[str] = []
    for package_name in packages:
        package = _import_user_module(package_name, root)
        loaded.append(package_name)
        if not hasattr(package, "__path__"):
            continue
        for _, name, _ in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            _import_user_module(name, root)
            loaded.append(name)
    return loaded


def _import_user_module(name: str, root: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise UserFileError(
                f"no module or package '{name}' under {root}: give --pkgs as a dotted path relative to the source "
                "root (--local-source-root / --source, the current directory by default)"
            ) from exc
        raise UserFileError(f"module '{name}': {type(exc).__name__}: {exc}") from exc
    except SyntaxError as exc:
        raise UserFileError(f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}") from exc
    except Exception as exc:
        module_path = pathlib.Path(root, *name.split("."))
        raise UserFileError(f"{_failing_line(exc, module_path)}: {type(exc).__name__}: {exc}") from exc
