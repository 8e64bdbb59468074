"""A Ray task's driver session: where it connects, with which runtime_env, and ending it.

Where (first that applies):

1. ``RayJobConfig(address=...)``;
2. ``RAY_ADDRESS`` (Ray reads it; on a Flyte cluster KubeRay sets it for the job);
3. the head of ``pyflyte ray start`` when it is running (``head.find_running``);
4. a new local Ray runtime, shut down when the task ends.

A driver that is already connected (the user or a test called ``ray.init``) is used as it is and left open.

Which runtime_env: on a Flyte cluster KubeRay applies the job's runtime_env (``RayJob.runtime_env_yaml``) and
the driver adds only its working directory, as flytekitplugins-ray does. Anywhere else (a local run,
``pyflyte-execute`` by hand, the sandbox) the keys that cost nothing are applied (``env_vars``,
``working_dir``, ``py_modules``, ``excludes``, ``config``); the ones that build another environment
(``pip``, ``conda``, ``uv``, ``container``...) are not: the task runs with this Python environment, and a
warning says what was left out. ``FLYTE_RAY_RUNTIME_ENV=all`` applies the whole runtime_env there too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flyte_core.loggers import logger

if TYPE_CHECKING:
    from flyte_plugin_ray.task import RayJobConfig

LOCAL_RUNTIME_ENV_KEYS = ("env_vars", "working_dir", "py_modules", "excludes", "config")
# What a driver in a task's container leaves out of its working directory (Flyte's code archives, as flytekit).
_WORKING_DIR_EXCLUDES = ["script_mode.tar.gz", "fast*.tar.gz", ".python_history"]
# Set in the driver of a job KubeRay (or any Ray job submission) started.
_RAY_JOB_ENV = "RAY_JOB_CONFIG_JSON_ENV_VAR"
_warned: set[tuple[str, tuple[str, ...]]] = set()


@dataclass
class RaySession:
    """A task's Ray driver: ``owned`` when the task connected it (and so disconnects it)."""

    where: str
    owned: bool
    # Environment variables set for the session, with the values to put back when it ends (None: unset).
    saved_environment: dict[str, str | None] = field(default_factory=dict)

    def close(self) -> None:
        """Disconnect the driver this task connected (stopping the runtime if it started one)."""
        if self.owned:
            import ray

            ray.shutdown()
            self.owned = False
        if self.saved_environment:
            for name, value in self.saved_environment.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self.saved_environment = {}
            _reload_auth_settings()


def connect(task_name: str, config: RayJobConfig, local: bool) -> RaySession:
    """Connect this process's Ray driver for ``task_name`` (see the module's docstring for where and how)."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - ray is a dependency of the plugin
        raise ImportError(f"task '{task_name}' is a Ray task but ray is not installed: pip install ray") from exc

    if ray.is_initialized():
        if config.runtime_env:
            logger.info(
                "task '%s': Ray is already initialized in this process; its runtime_env is not applied", task_name
            )
        return RaySession(where="the Ray driver already connected in this process", owned=False)
    address, where, environment = _address(config)
    options: dict[str, Any] = {"address": address}
    if address is None and not os.environ.get("RAY_ADDRESS"):
        options["include_dashboard"] = False  # a runtime of our own: no dashboard to start
    runtime_env = driver_runtime_env(task_name, config.runtime_env, local)
    if runtime_env:
        options["runtime_env"] = runtime_env
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    session = RaySession(where=where, owned=False)
    for name, value in environment.items():
        session.saved_environment[name] = os.environ.get(name)
        os.environ[name] = value
    _reload_auth_settings()  # the head's token, or RAY_AUTH_* the user set since Ray was imported
    logger.debug("task '%s': connecting Ray to %s with %s", task_name, where, options)
    try:
        ray.init(**options)
    except BaseException:
        session.close()
        raise
    session.owned = True
    return session


def _address(config: RayJobConfig) -> tuple[str | None, str, dict[str, str]]:
    """The address to pass to ``ray.init``, a description of it, and the environment attaching there needs."""
    if config.address:
        return config.address, f"{config.address} (RayJobConfig address)", {}
    if os.environ.get("RAY_ADDRESS"):
        return None, f"{os.environ['RAY_ADDRESS']} (RAY_ADDRESS)", {}
    from flyte_plugin_ray.head import find_running

    head = find_running()
    if head is not None:
        where = f"{head.address} (the head of 'pyflyte ray start', pid {head.pid})"
        return head.address, where, head.client_environment()
    return None, "a new local Ray runtime", {}


def _reload_auth_settings() -> None:
    """Make Ray read RAY_AUTH_MODE / RAY_AUTH_TOKEN_PATH again: it caches both once loaded (Ray 2.5x+)."""
    try:
        from ray._raylet import AuthenticationTokenLoader, Config
    except ImportError:  # a Ray without token authentication
        return
    Config.initialize("")
    AuthenticationTokenLoader.instance().reset_cache()


def driver_runtime_env(task_name: str, runtime_env: dict[str, Any] | None, local: bool) -> dict[str, Any] | None:
    """The runtime_env the task's driver passes to ``ray.init`` (see the module's docstring)."""
    in_ray_job = not local and _RAY_JOB_ENV in os.environ
    if in_ray_job:  # KubeRay applied the job's runtime_env; only the code comes from here (as flytekit)
        return {"working_dir": os.getcwd(), "excludes": list(_WORKING_DIR_EXCLUDES)}
    given = dict(runtime_env or {})
    if os.environ.get("FLYTE_RAY_RUNTIME_ENV", "").lower() == "all":
        kept = given
    else:
        kept = {k: v for k, v in given.items() if k in LOCAL_RUNTIME_ENV_KEYS}
        _warn_left_out(task_name, sorted(set(given) - set(kept)))
    if not local and "working_dir" not in kept:
        kept["working_dir"] = os.getcwd()
        kept["excludes"] = [*kept.get("excludes", []), *_WORKING_DIR_EXCLUDES]
    return kept or None


def _warn_left_out(task_name: str, keys: list[str]) -> None:
    if not keys or (task_name, tuple(keys)) in _warned:
        return
    _warned.add((task_name, tuple(keys)))
    logger.warning(
        "task '%s': runtime_env %s not applied outside a Flyte cluster: Ray uses this Python environment "
        "(install what the task needs here, or set FLYTE_RAY_RUNTIME_ENV=all to let Ray build it)",
        task_name,
        ", ".join(keys),
    )
