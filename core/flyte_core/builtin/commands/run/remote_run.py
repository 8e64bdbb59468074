"""``pyflyte run --remote``: fast-register the file's entity, launch it, and (with ``--wait``) follow it.

The code under the file's project root is archived (``--copy auto``: the modules this process imported;
``all``: every file not ignored), uploaded through the data proxy, and the entity with everything it uses
is registered under a version hashed from the code and the settings; then an execution is created with
the inputs and the run options, and its console URL printed.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from flyte_core.cli.remote import make_remote, print_outputs, remote_errors

if TYPE_CHECKING:
    from flyte_core.remote import FlyteRemote, FlyteWorkflowExecution
    from flyte_core.sdk.module_loader import LoadedFile

_FIRST_POLL_SECONDS = 0.05
_MAX_POLL_SECONDS = 5.0


def run_remote(
    ctx: click.Context, entity: Any, loaded: LoadedFile, inputs: dict[str, Any], params: dict[str, Any]
) -> None:
    """Register ``entity`` from ``loaded`` and execute it with ``inputs`` as ``params`` (the run options) say."""
    from flyte_core.remote import FastPackageOptions

    remote = make_remote(params.get("project"), params.get("domain"))
    kind = _kind(entity)
    click.secho("Running Execution on Remote.", fg="cyan")
    with remote_errors(ctx, f"running {kind} '{entity.name}' on {remote.config.platform.endpoint}"):
        copy = "all" if params.get("copy_all") else (params.get("copy") or "auto")
        registered = remote.register_script(
            entity,
            image_config=_image_config(params.get("image_config") or ()),
            project=remote.default_project,
            domain=remote.default_domain,
            destination_dir=params.get("destination_dir") or ".",
            source_path=loaded.project_root,
            module_name=loaded.module_name,
            fast_package_options=FastPackageOptions(copy_style=copy.lower()),
            default_resources=_default_resources(params.get("resource_requests"), params.get("resource_limits")),
        )
        execution = execute_with(remote, registered, inputs, params, dict(entity.python_interface.inputs))
        execution._python_output_types = dict(entity.python_interface.outputs)
    interface = entity.python_interface
    announce(remote, execution, params)
    if params.get("wait_execution"):
        names = list(interface.outputs)
        follow_and_print(
            ctx, remote, execution, params, names, interface.output_tuple_name or "DefaultNamedTupleOutput"
        )


def execute_with(
    remote: FlyteRemote,
    entity: Any,
    inputs: dict[str, Any],
    params: dict[str, Any],
    types: dict[str, Any],
    **extra: Any,
) -> FlyteWorkflowExecution:
    """Launch ``entity`` with the ``pyflyte run`` options in ``params`` put where flytekit puts them."""
    return remote.execute(
        entity,
        inputs=inputs,
        execution_name=params.get("name") or None,
        options=_options(params),
        overwrite_cache=params.get("overwrite_cache") or None,
        interruptible=params.get("interruptible"),
        envs=params.get("envvars") or None,
        tags=list(params.get("tags") or ()) or None,
        cluster_pool=params.get("cluster_pool") or None,
        execution_cluster_label=params.get("execution_cluster_label") or None,
        type_hints=types,
        **extra,
    )


def announce(remote: FlyteRemote, execution: FlyteWorkflowExecution, params: dict[str, Any]) -> None:
    """Print the console URL (and with ``--dump-snippet`` the FlyteRemote code that fetches the execution)."""
    url = remote.generate_console_url(execution)
    click.echo(
        click.style("\n[✔] ", fg="green") + "Go to " + click.style(url, fg="cyan") + " to see execution in the console."
    )
    if params.get("dump_snippet"):
        click.echo(_snippet(remote, execution))


def follow_and_print(
    ctx: click.Context,
    remote: FlyteRemote,
    execution: FlyteWorkflowExecution,
    params: dict[str, Any],
    names: list[str],
    tuple_name: str | None = None,
) -> None:
    """``--wait``: follow the execution to its end, then print its outputs, or exit 1 with its error."""
    poll = params.get("poll_interval")
    with remote_errors(ctx, f"waiting for execution {execution.name}"):
        execution = _follow(remote, execution, float(poll) if poll else None)
    if not execution.is_successful:
        error = execution.error
        message = error.message if error is not None else execution.phase_name
        raise click.ClickException(f"execution {execution.name} {execution.phase_name}: {message}")
    with remote_errors(ctx, f"reading the outputs of execution {execution.name}"):
        print_outputs(execution.outputs, names, tuple_name)


def _kind(entity: Any) -> str:
    from flyte_core.sdk.base_task import Task
    from flyte_core.sdk.workflow import WorkflowBase

    return "workflow" if isinstance(entity, WorkflowBase) else "task" if isinstance(entity, Task) else "launch plan"


def _image_config(values: tuple[str, ...]) -> Any:
    """``--image`` values over the config file's images, with the default image when none is given."""
    from flyte_core.config.images import ImageConfig

    configured = ImageConfig.auto_default_image()
    if not values:
        return configured
    given = ImageConfig.validate_image(None, "--image", values)
    names = {image.name for image in given.images}
    return ImageConfig.create_from(
        given.default_image, [*given.images, *(i for i in configured.images if i.name not in names)]
    )


def _default_resources(requests: str | None, limits: str | None) -> Any:
    """``--resource-requests 'cpu=1,mem=2Gi'`` / ``--resource-limits`` as the SDK's resource spec."""
    if not requests and not limits:
        return None
    from flyte_core.sdk.resources import Resources, ResourceSpec

    return ResourceSpec(
        requests=Resources(**_resources(requests, "--resource-requests")),
        limits=Resources(**_resources(limits, "--resource-limits")),
    )


def _resources(text: str | None, option: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in ("cpu", "mem", "gpu", "ephemeral_storage"):
            raise click.BadParameter(
                f"'{item}' is not RESOURCE=VALUE with RESOURCE one of cpu, mem, gpu, ephemeral_storage "
                "(e.g. 'cpu=1,mem=2Gi')",
                param_hint=option,
            )
        values[key] = value.strip()
    return values


def _options(params: dict[str, Any]) -> Any:
    """Labels, annotations, service account, raw-data prefix, parallelism and notifications for the execution."""
    from flyte_core.sdk.options import Options
    from flyte_core.sdk.security import Identity, SecurityContext
    from flyte_core.values.common import Annotations, Labels, RawOutputDataConfig

    return Options(
        labels=Labels(params["labels"]) if params.get("labels") else None,
        annotations=Annotations(params["annotations"]) if params.get("annotations") else None,
        raw_output_data_config=RawOutputDataConfig(output_location_prefix=params["raw_output_data_prefix"])
        if params.get("raw_output_data_prefix")
        else None,
        security_context=SecurityContext(run_as=Identity(k8s_service_account=params["service_account"]))
        if params.get("service_account")
        else None,
        max_parallelism=params.get("max_parallelism"),
        disable_notifications=params.get("disable_notifications") or None,
    )


def _snippet(remote: FlyteRemote, execution: FlyteWorkflowExecution) -> str:
    ident = execution.proto.id
    return (
        "\nfrom flyte_core.configuration import Config\n"
        "from flyte_core.remote import FlyteRemote\n"
        f'remote = FlyteRemote(Config.auto(), default_project="{ident.project}", default_domain="{ident.domain}")\n'
        f'execution = remote.fetch_execution(name="{ident.name}")\n'
        "remote.sync(execution, sync_nodes=True)\n"
        "print(execution.outputs)\n"
    )


def _follow(remote: FlyteRemote, execution: FlyteWorkflowExecution, poll: float | None) -> FlyteWorkflowExecution:
    """Poll until done, showing the nodes' phases and the elapsed time on standard error.

    Without ``--poll-interval`` the first checks come quickly (a sandbox runs small workflows in a second)
    and the interval grows to 5 s.
    """
    started = time.monotonic()
    progress = _Progress(execution.name)
    interval = poll or _FIRST_POLL_SECONDS
    try:
        while True:
            execution = remote.sync_execution(execution, sync_nodes=False)
            nodes = _node_phases(remote, execution)
            progress.update(execution.phase_name, nodes, time.monotonic() - started)
            if execution.is_done:
                return execution
            time.sleep(interval)
            if poll is None:
                interval = min(interval * 1.5, _MAX_POLL_SECONDS)
    finally:
        progress.close()


def _node_phases(remote: FlyteRemote, execution: FlyteWorkflowExecution) -> list[tuple[str, str]]:
    """(node id, phase name) of the top-level nodes, start and end left out."""
    from flyteidl.core import execution_pb2 as core_execution_pb2

    names = core_execution_pb2.NodeExecution.Phase
    found = remote._list_node_executions(execution.proto.id, None)
    return [
        (node.metadata.spec_node_id or node.id.node_id, names.Name(node.closure.phase))
        for node in found
        if node.id.node_id not in ("start-node", "end-node")
    ]


class _Progress:
    """Live status on a terminal (rich), one line per change otherwise."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._last: tuple[Any, ...] | None = None
        self._live: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.live import Live

            self._live = Live(console=Console(stderr=True), refresh_per_second=8, transient=False)
            self._live.start()

    def update(self, phase: str, nodes: list[tuple[str, str]], elapsed: float) -> None:
        counts: dict[str, int] = {}
        for _, node_phase in nodes:
            counts[node_phase] = counts.get(node_phase, 0) + 1
        summary = ", ".join(f"{n} {p.lower()}" for p, n in sorted(counts.items())) or "no nodes yet"
        line = f"execution {self._name}: {phase} ({summary}) {elapsed:.1f}s"
        if self._live is not None:
            from rich.table import Table

            table = Table.grid(padding=(0, 2))
            table.add_row(f"[bold]{self._name}[/bold]", phase, f"{elapsed:.1f}s")
            for node_id, node_phase in nodes:
                table.add_row(f"  {node_id}", node_phase, "")
            self._live.update(table)
            return
        key = (phase, tuple(nodes))
        if key != self._last:
            self._last = key
            click.echo(line, err=True)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
