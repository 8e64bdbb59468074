"""Running one task in a container and writing what the backend reads back: the heart of ``pyflyte-execute``.

Inputs are read from ``--inputs``; the task's ``dispatch_execute`` runs on them; then exactly one of
``outputs.pb`` (a ``LiteralMap``), ``futures.pb`` (a dynamic task's ``DynamicJobSpec``) or ``error.pb``
(an ``ErrorDocument``) is written to a local directory, which is uploaded to ``--output-prefix``. A task
raising ``IgnoreOutputs`` (a distributed-training worker that is not the chief) uploads nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flyteidl.core import literals_pb2
from google.protobuf.message import Message

from flyte_core.bin.transfers import read_bytes, upload_directory
from flyte_core.context import FlyteContext
from flyte_core.exceptions.user import FlyteUserRuntimeException
from flyte_core.sdk.base_task import IgnoreOutputs

OUTPUT_FILE_NAME = "outputs.pb"
FUTURES_FILE_NAME = "futures.pb"
ERROR_FILE_NAME = "error.pb"
_DYNAMIC_JOB_SPEC = "flyteidl.core.DynamicJobSpec"


@dataclass(frozen=True)
class DispatchResult:
    """What a run left at the output prefix: the files written (none after ``IgnoreOutputs``)."""

    files: tuple[str, ...]
    error_file: str | None = None


def dispatch(
    ctx: FlyteContext,
    load_task: Callable[[], Any],
    inputs_uri: str,
    output_prefix: str,
    is_map_task: bool = False,
) -> DispatchResult:
    """Load the task, run it on the inputs at ``inputs_uri`` and upload its results to ``output_prefix``.

    Errors of the task (and of loading it, converting its data, reading its inputs) end up in the error
    document; only a failure to upload the results themselves raises.
    """
    error_name = error_file_name()
    files: dict[str, Message]
    task = None
    try:
        try:
            task = load_task()
        except Exception as exc:  # a module that fails to import is the user's code failing
            raise FlyteUserRuntimeException(exc) from exc
        state = ctx.execution_state
        assert state is not None
        input_literals = literals_pb2.LiteralMap.FromString(read_bytes(ctx.file_access, inputs_uri, state.working_dir))
        outputs = task.dispatch_execute(ctx, input_literals)
        files = _result_files(task, outputs, output_prefix, error_name, is_map_task)
    except IgnoreOutputs:
        return DispatchResult(files=())
    except FlyteUserRuntimeException as exc:
        if isinstance(exc.value, IgnoreOutputs):
            return DispatchResult(files=())
        files = {error_name: _error_document(exc, task)}
    except Exception as exc:
        files = {error_name: _error_document(exc, task)}
    _write_deck_after_failure(ctx, task, error_name in files)
    _upload(ctx, files, output_prefix)
    return DispatchResult(files=tuple(files), error_file=error_name if error_name in files else None)


def error_file_name() -> str:
    """``error.pb``, or ``error-<uuid>.pb`` when distributed workers each write one (so none overwrites another)."""
    if not (os.environ.get("FLYTE_INTERNAL_DIST_ERROR_STRATEGY") or os.environ.get("_F_DES")):
        return ERROR_FILE_NAME
    import uuid

    return f"error-{uuid.uuid4().hex}.pb"


def _error_document(exc: BaseException, task: Any) -> Message:
    """The error document of ``exc``, also written to stderr (the container's log)."""
    from flyte_core.bin.error_document import error_document, summary  # only failures pay for its modules

    document = error_document(exc)
    what = f"task '{task.name}'" if task is not None else "loading the task"
    sys.stderr.write(f"{what} failed {summary(document)}\n")
    return document


def _result_files(
    task: Any, outputs: Any, output_prefix: str, error_name: str, is_map_task: bool
) -> dict[str, Message]:
    if outputs is None or type(outputs).__name__ == "VoidPromise":
        return {OUTPUT_FILE_NAME: literals_pb2.LiteralMap()}
    if isinstance(outputs, literals_pb2.LiteralMap):
        if os.environ.get("_F_L_MIN_SIZE_MB") is None:
            return {OUTPUT_FILE_NAME: outputs}
        from flyte_core.bin.offloading import offload_large_literals

        outputs, offloaded = offload_large_literals(task, outputs, output_prefix, is_map_task)
        return {OUTPUT_FILE_NAME: outputs, **offloaded}
    if isinstance(outputs, Message) and outputs.DESCRIPTOR.full_name == _DYNAMIC_JOB_SPEC:
        return {FUTURES_FILE_NAME: outputs}
    from flyte_core.bin.error_document import unknown_output_document

    return {error_name: unknown_output_document(outputs)}


def _upload(ctx: FlyteContext, files: dict[str, Message], output_prefix: str) -> None:
    """Write the files into the engine directory and copy the directory's contents to the output prefix."""
    state = ctx.execution_state
    assert state is not None
    os.makedirs(state.engine_dir, exist_ok=True)
    for name, message in files.items():
        with open(os.path.join(state.engine_dir, name), "wb") as f:
            f.write(message.SerializeToString())
    upload_directory(ctx.file_access, state.engine_dir, output_prefix)


def _write_deck_after_failure(ctx: FlyteContext, task: Any, failed: bool) -> None:
    """A failed task with decks still publishes what it added to them (a successful one did already)."""
    if not failed or task is None or not getattr(task, "enable_deck", False):
        return
    params = ctx.user_space_params
    if params is None:
        return
    from flyte_core.sdk.deck import _write_deck

    _write_deck(task.name.split(".")[-1], params)
