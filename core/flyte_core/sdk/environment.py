"""``Environment``: task settings shared by several tasks (flytekit's ``flytekit.core.environment``).

::

    gpu = Environment(container_image="ghcr.io/org/train:1", requests=Resources(gpu="1"), retries=2)

    @gpu.task
    def train(...) -> ...: ...

    @gpu.task(retries=5)          # settings given here win over the environment's
    def flaky(...) -> ...: ...

    big = gpu.extend(requests=Resources(gpu="4"))   # a new environment; gpu is unchanged

Settings are ``@task``'s keyword arguments; a dict setting (``environment=``, ``labels``...) given again is
merged key by key.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["Environment"]


class Environment:
    """``@task`` settings kept under a name; ``env.task`` / ``env.dynamic`` decorate with them."""

    def __init__(self, **overrides: Any) -> None:
        if "_task_function" in overrides:
            raise KeyError("Cannot override task function: an Environment holds settings, the task is decorated")
        _check_settings("Environment", overrides)
        self.overrides: dict[str, Any] = dict(overrides)

    def update(self, **overrides: Any) -> None:
        """Change this environment's settings (the tasks it decorates from now on see them)."""
        _check_settings("Environment.update", overrides)
        self.overrides = _merged(self.overrides, overrides)

    def extend(self, **overrides: Any) -> Environment:
        """A new environment: this one's settings with ``overrides`` on top."""
        _check_settings("Environment.extend", overrides)
        return type(self)(**_merged(self.overrides, overrides))

    def __call__(self, _task_function: Callable[..., Any] | None = None, /, **overrides: Any) -> Any:
        """``@env.task`` or ``@env.task(**more_settings)``: a task with this environment's settings."""
        from flyte_core.sdk.task import task

        return self._decorate(task, _task_function, overrides)

    task = __call__

    def dynamic(self, _task_function: Callable[..., Any] | None = None, /, **overrides: Any) -> Any:
        """``@env.dynamic``: a dynamic workflow task with this environment's settings."""
        from flyte_core.sdk.dynamic import dynamic

        return self._decorate(dynamic, _task_function, overrides)

    def show(self) -> None:
        """Print the settings."""
        try:
            from rich.console import Console
            from rich.panel import Panel
            from rich.pretty import Pretty
        except ImportError:  # rich is optional here
            print(self.overrides)
        else:
            Console().print(Panel.fit(Pretty(self.overrides)))

    def __repr__(self) -> str:
        return f"Environment({', '.join(f'{k}={v!r}' for k, v in self.overrides.items())})"

    def _decorate(self, decorator: Callable[..., Any], function: Callable[..., Any] | None, overrides: Any) -> Any:
        if function is not None and not callable(function):
            raise ValueError(f"The first positional argument must be a callable (the task function), got {function!r}")
        _check_settings(getattr(decorator, "__name__", "task"), overrides)
        settings = _merged(self.overrides, overrides)
        if function is not None:
            return decorator(function, **settings)
        return lambda fn: decorator(fn, **settings)


def _merged(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(old)
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def _check_settings(where: str, settings: dict[str, Any]) -> None:
    """An unknown setting fails where it is written, naming the settings ``@task`` takes."""
    from flyte_core.sdk.task import _LEGACY_CACHE_KWARGS, task

    named = [p.name for p in inspect.signature(task).parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    accepted = [name for name in named if not name.startswith("_")] + sorted(_LEGACY_CACHE_KWARGS)
    unknown = sorted(set(settings) - set(accepted))
    if unknown:
        raise TypeError(
            f"{where}() got unknown task setting(s) {', '.join(map(repr, unknown))}; @task takes: {', '.join(accepted)}"
        )
