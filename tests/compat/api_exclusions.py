"""flytekit 1.16.31 paths and names deliberately not offered under ``flyte_core`` (see test_api_inventory.py).

Each entry is an ``fnmatch`` pattern over ``module`` or ``module:name`` (flytekit's spelling), with the reason.
Keep it short and honest: an entry is here because user code and plugin authors do not import it, or because
flyte-core does the job differently on purpose, never because it is not written yet (that is PENDING).
"""

EXCLUDED: dict[str, str] = {
    # Command-line implementation: users run pyflyte; its commands are plugins here (builtin/commands/), with
    # their own modules. Scripts that drove flytekit's click objects in-process use click.testing on
    # flyte_core.cli.main:pyflyte instead.
    "flytekit.clis": "the pyflyte implementation: commands are flyte-core plugins (builtin/commands/)",
    "flytekit.clis.*": "the pyflyte implementation: commands are flyte-core plugins (builtin/commands/)",
    "flytekit.interaction.*": "pyflyte run's parameter parsing internals (flyte_core.cli.inputs here)",
    "flytekit.interaction": "pyflyte run's parameter parsing internals (flyte_core.cli.inputs here)",
    # Container entrypoint internals: the console scripts (pyflyte-execute, -fast-execute, -map-execute) are the
    # interface, with flytekit's arguments.
    "flytekit.bin.entrypoint": "entrypoint internals: the pyflyte-execute console scripts are the interface",
    # Statsd instrumentation flytekit wires into its own internals.
    "flytekit.interfaces.stats*": "flytekit's statsd client for its own timers; not an API",
    "flytekit.core.mock_stats": "flytekit's statsd test double; not an API",
    # Eager workflows' internal worker queue (flytekit marks it internal).
    "flytekit.core.worker_queue": "eager workflows' internal worker queue (flyte_core.remote.eager here)",
    # Type-checking helpers for flytekit's own abstract bases.
    "flytekit.core.tracked_abc": "flytekit's metaclass plumbing (FlyteTrackedABC); not used by user code",
    # Environment's private helpers, public only by their names.
    "flytekit.core.environment:forge": "copies @task's docstring onto Environment's methods; an implementation detail",
    "flytekit.core.environment:inherit": "merges Environment settings; an implementation detail of Environment",
}
