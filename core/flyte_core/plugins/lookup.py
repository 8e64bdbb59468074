"""Which registration handles a Python type: the kernel's one type-keyed lookup.

Task types (by ``task_config`` type), type transformers (by Python type, for ``pyflyte run``'s parameter
types) and dataframe handlers (by dataframe type) all answer "which registration is for this class or its
nearest base" the same way, here. A registration may name its type by string so that registering imports
nothing: once the module it names is imported, it matches by the class it names (``"pandas.DataFrame"`` is
really ``pandas.core.frame.DataFrame``), and not before. A library is never imported to answer.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flyte_core.plugins.errors import ReferenceLoadError
from flyte_core.plugins.types import load_reference, reference_module

__all__ = ["registration_for_type", "registrations_for_type"]

R = TypeVar("R")


def registrations_for_type(
    registrations: Iterable[R], python_type: Any, type_of: Callable[[R], type | str]
) -> list[tuple[int, R]]:
    """Every registration whose type is ``python_type`` or one of its bases, nearest first.

    Args:
        registrations: the candidates, e.g. ``manager.task_types().values()``.
        python_type: the class asked about.
        type_of: the registration's type (a class or a qualified name), e.g. ``lambda r: r.config_type``.

    Returns:
        ``(distance, registration)`` pairs sorted by distance: 0 for ``python_type`` itself, 1 for its first
        base in the method resolution order, and so on.
    """
    if not inspect.isclass(python_type):
        return []
    mro = inspect.getmro(python_type)
    by_class = {cls: distance for distance, cls in enumerate(mro)}
    found: list[tuple[int, R]] = []
    for registration in registrations:
        ref = type_of(registration)
        distance = by_class.get(ref) if isinstance(ref, type) else _named_distance(ref, by_class)
        if distance is not None:
            found.append((distance, registration))
    found.sort(key=lambda pair: pair[0])
    return found


def registration_for_type(registrations: Iterable[R], python_type: Any, type_of: Callable[[R], type | str]) -> R | None:
    """The registration of ``python_type`` or of its nearest base class; ``None`` when nothing claims it."""
    found = registrations_for_type(registrations, python_type, type_of)
    return found[0][1] if found else None


def _named_distance(ref: str, by_class: dict[type, int]) -> int | None:
    """How far up the MRO the class named ``ref`` is, without importing anything new."""
    if reference_module(ref) not in sys.modules:
        return None  # nothing of that library was imported, so no class of it can be asked about
    try:
        cls = load_reference(ref)
    except ReferenceLoadError:
        return None
    return by_class.get(cls) if isinstance(cls, type) else None
