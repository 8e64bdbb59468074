"""``ShellTask``: a task whose body is a shell script (flytekit path: ``flyte_core.extras.tasks.shell``).

The script is a Python format string: ``{inputs.x}`` is input ``x`` (files and directories as local
paths, downloaded first), ``{outputs.y}`` the path where output ``y`` must be written (given by an
``OutputLocation``, itself a format string of the inputs), ``{ctx.working_directory}`` and the other
attributes of the task's execution parameters. The script runs in a subprocess; a non-zero exit code
fails the task with the script's exit code, standard output and standard error.
"""

from __future__ import annotations

import datetime
import os
import string
import subprocess
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

from flyteidl.core import identifier_pb2

from flyte_core.context import ExecutionParameters, current_context
from flyte_core.exceptions.user import FlyteRecoverableUserException
from flyte_core.loggers import logger
from flyte_core.sdk.interface import Interface
from flyte_core.sdk.python_function_task import PythonInstanceTask
from flyte_core.sdk.task import TaskPlugins

T = TypeVar("T")


@dataclass
class ProcessResult:
    """A finished process: its return code, standard output and standard error."""

    returncode: int
    output: str
    error: str


@dataclass
class OutputLocation:
    """Where output ``var`` (a ``FlyteFile`` or ``FlyteDirectory`` type) is written by the script.

    ``location`` is a path or a format string of the inputs, e.g. ``"{inputs.infile}.tar.gz"``.
    """

    var: str
    var_type: type
    location: os.PathLike[str] | str


def subproc_execute(command: list[str] | str, **kwargs: Any) -> ProcessResult:
    """Run ``command`` and capture its output; a failure raises ``RuntimeError`` with the return code and stderr."""
    options = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, "check": True, **kwargs}
    if options.get("shell"):
        if "|" in command:
            logger.warning(
                "Found a pipe in the command and shell=True. This can lead to silent failures if subsequent "
                "commands succeed despite previous failures."
            )
        if isinstance(command, list):
            logger.warning(
                "Found `command` formatted as a list instead of a string with shell=True: the first member is "
                "executed and the others are passed to the shell, which may not be intended."
            )
    try:
        result = subprocess.run(command, **options)
        result.check_returncode()
        return ProcessResult(result.returncode, result.stdout, result.stderr)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"Command: {exc.cmd}\nFailed with return code {exc.returncode}:\n{exc.stderr}") from exc
    except FileNotFoundError as exc:
        raise RuntimeError(
            "Process failed because the executable could not be found. Did you specify a container image in the "
            f"task definition if using custom dependencies?\n{exc}"
        ) from exc


def _dummy_task_func() -> None:
    """The function of the inner task whose plugin runs pre- and post-execute hooks."""
    return None


class AttrDict(dict):  # type: ignore[type-arg]
    """A dict whose keys are also attributes: the ``inputs`` and ``outputs`` namespaces of a script."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__ = self


class _PythonFStringInterpolizer:
    """Fills a script's ``{inputs.x}``, ``{outputs.y}`` and ``{ctx.attr}`` fields (``str.format`` syntax)."""

    class _Formatter(string.Formatter):
        def format_field(self, value: Any, format_spec: str) -> Any:
            from flyte_core.types.directory import FlyteDirectory
            from flyte_core.types.file import FlyteFile

            if isinstance(value, FlyteFile | FlyteDirectory):
                local = value.download()
                return local if local else value.path
            if isinstance(value, datetime.datetime):
                return value.isoformat()
            if isinstance(value, identifier_pb2.WorkflowExecutionIdentifier):
                return f"ex:{value.project}:{value.domain}:{value.name}"
            if isinstance(value, identifier_pb2.Identifier):
                kind = identifier_pb2.ResourceType.Name(value.resource_type)
                return f"{kind}:{value.project}:{value.domain}:{value.name}:{value.version}"
            return super().format_field(value, format_spec)

    def interpolate(
        self,
        tmpl: str,
        inputs: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        task_name: str = "",
    ) -> str:
        """The template with its fields replaced (a missing name raises, naming it)."""
        namespace = {
            "inputs": AttrDict(inputs or {}),
            "outputs": AttrDict(outputs or {}),
            "ctx": current_context(),
        }
        try:
            return self._Formatter().format(tmpl, **namespace)
        except AttributeError as exc:
            for kind in ("inputs", "outputs"):
                if exc.obj is namespace[kind]:
                    declared = ", ".join(typing.cast("dict[str, Any]", namespace[kind])) or "none"
                    raise AttributeError(
                        f"ShellTask '{task_name}': the script uses {{{kind}.{exc.name}}} but there is no "
                        f"{kind[:-1]} '{exc.name}' (declared {kind}: {declared})"
                    ) from exc
            raise
        except KeyError as exc:
            raise ValueError(
                f"Variable {exc} in Query not found in inputs {namespace.keys()}: use {{inputs.<name>}}, "
                "{outputs.<name>} or {ctx.<attribute>} (double the braces, {{ }}, for literal ones)"
            ) from exc


def _run_script(script: str, shell: str) -> ProcessResult:
    """Run ``script`` with ``shell``; its output lines are echoed, and returned joined without newlines."""
    process = subprocess.Popen(
        script,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        shell=True,
        text=True,
        executable=shell,
    )
    stdout, stderr = process.communicate()
    out = ""
    for line in stdout.splitlines():
        print(line)
        out += line
    return ProcessResult(process.wait(), out, stderr)


class ShellTask(PythonInstanceTask[T]):
    """A task running a shell script; outputs are files or directories at the given locations.

    Args:
        name: the task's name (unique in the project).
        debug: print the script after its fields are filled.
        script: the script (or ``script_file``, a path to one; not both).
        task_config: empty (a plain container) or a ``Pod`` configuration.
        shell: the shell that runs the script.
        inputs: input names and types (``kwtypes(x=FlyteFile, n=int)``).
        output_locs: the ``OutputLocation`` of each output.
    """

    def __init__(
        self,
        name: str,
        debug: bool = False,
        script: str | None = None,
        script_file: str | None = None,
        task_config: T | None = None,
        shell: str = "/bin/sh",
        inputs: dict[str, type] | None = None,
        output_locs: list[OutputLocation] | None = None,
        **kwargs: Any,
    ) -> None:
        if script and script_file:
            raise ValueError("Only either of script or script_file can be provided")
        if not script and not script_file:
            raise ValueError("Either a script or script_file is needed")
        if script_file:
            if not os.path.exists(script_file):
                raise ValueError(f"FileNotFound: the specified Script file at path {script_file} cannot be loaded")
            script_file = os.path.abspath(script_file)
        if task_config is not None and type(task_config).__name__ != "Pod":
            raise ValueError("TaskConfig can either be empty - indicating simple container task or a PodConfig.")
        plugin_class = TaskPlugins.find_pythontask_plugin(type(task_config))
        self._config_task_instance = plugin_class(task_config=task_config, task_function=_dummy_task_func)
        self._config_task_instance._name = f"_bash.{name}"
        self._script = script
        self._script_file = script_file
        self._debug = debug
        self._shell = shell
        self._output_locs = list(output_locs) if output_locs else []
        self._interpolizer = _PythonFStringInterpolizer()
        outputs = self._validate_output_locs()
        self._process_result: ProcessResult | None = None
        super().__init__(
            name,
            task_config,
            task_type=self._config_task_instance.task_type,
            interface=Interface(inputs=inputs, outputs=outputs),
            **kwargs,
        )

    def _validate_output_locs(self) -> dict[str, type]:
        from flyte_core.types.directory import FlyteDirectory
        from flyte_core.types.file import FlyteFile

        outputs = {}
        for loc in self._output_locs:
            if loc is None:
                raise ValueError("OutputLocation cannot be none")
            if not isinstance(loc, OutputLocation):
                raise ValueError("Every output type should be an output location on the file-system")
            if loc.location is None:
                raise ValueError(f"Output Location not provided for output var {loc.var}")
            if not (isinstance(loc.var_type, type) and issubclass(loc.var_type, FlyteFile | FlyteDirectory)):
                raise ValueError(
                    "Currently only outputs of type FlyteFile/FlyteDirectory and their derived types are supported: "
                    f"output '{loc.var}' of ShellTask is {getattr(loc.var_type, '__name__', loc.var_type)}"
                )
            outputs[loc.var] = loc.var_type
        return outputs

    # -- running ----------------------------------------------------------------------------------------

    @property
    def result(self) -> ProcessResult | None:
        """The last run's return code, output and error."""
        return self._process_result

    @property
    def script(self) -> str | None:
        return self._script

    @property
    def script_file(self) -> str | None:
        return self._script_file

    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None:
        return typing.cast("ExecutionParameters | None", self._config_task_instance.pre_execute(user_params))

    def _render(self, kwargs: dict[str, Any]) -> tuple[str, dict[str, str]]:
        if self._script_file:
            with open(self._script_file) as f:
                self._script = f.read()
        outputs = {
            loc.var: self._interpolizer.interpolate(str(loc.location), inputs=kwargs, task_name=self.name)
            for loc in self._output_locs
        }
        script = typing.cast(str, self._script)
        if os.name == "nt":
            script = script.strip().replace("\n", "&&")
        generated = self._interpolizer.interpolate(script, inputs=kwargs, outputs=outputs, task_name=self.name)
        if self._debug:
            print("\n==============================================\n")
            print(generated)
            print("\n==============================================\n")
        return generated, outputs

    def _final_outputs(self, outputs: dict[str, str]) -> Any:
        from flyte_core.types.directory import FlyteDirectory
        from flyte_core.types.file import FlyteFile

        values: list[Any] = []
        for loc in self._output_locs:
            if issubclass(loc.var_type, FlyteFile):
                values.append(FlyteFile(outputs[loc.var]))
            if issubclass(loc.var_type, FlyteDirectory):
                values.append(FlyteDirectory(outputs[loc.var]))
        if len(values) == 1:
            return values[0]
        if len(values) > 1:
            return tuple(values)
        return None

    def execute(self, **kwargs: Any) -> Any:
        """Fill the script's fields, run it, and return the output files and directories."""
        logger.info(f"Running shell script as type {self.task_type}")
        script, outputs = self._render(kwargs)
        self._process_result = _run_script(script, self._shell)
        if self._process_result.returncode != 0:
            result = self._process_result
            error = (
                f"Failed to Execute Script, return-code {result.returncode} \n"
                f"ShellTask '{self.name}' ran its script with {self._shell} in {os.getcwd()}\n"
                f"StdOut: {result.output}\n"
                f"StdErr: {result.error}\n"
            )
            logger.error(error)
            raise FlyteRecoverableUserException(error)
        return self._final_outputs(outputs)

    def post_execute(self, user_params: ExecutionParameters | None, rval: Any) -> Any:
        return self._config_task_instance.post_execute(user_params, rval)


class RawShellTask(ShellTask[T]):
    """A ShellTask wrapping a "raw" script given at run time with its arguments and environment.

    Built by ``get_raw_shell_task(name)``: its inputs are ``env`` (exported), ``script_args`` and
    ``script_file``.
    """

    def __init__(
        self,
        name: str,
        debug: bool = False,
        script: str | None = None,
        script_file: str | None = None,
        task_config: T | None = None,
        inputs: dict[str, type] | None = None,
        output_locs: list[OutputLocation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            name=name,
            debug=debug,
            script=script,
            script_file=script_file,
            task_config=task_config,
            inputs=inputs,
            output_locs=output_locs,
            **kwargs,
        )

    def make_export_string_from_env_dict(self, d: dict[str, str]) -> str:
        """``export k=v`` lines of the given environment variables."""
        return "\n".join(f"export {k}={v}" for k, v in d.items())

    def execute(self, **kwargs: Any) -> Any:
        if "env" in kwargs and isinstance(kwargs["env"], dict):
            kwargs["export_env"] = self.make_export_string_from_env_dict(kwargs["env"])
        script, outputs = self._render(kwargs)
        try:
            subprocess.check_call(script, shell=True)
        except subprocess.CalledProcessError as exc:
            logger.error(
                f"ShellTask '{self.name}': failed to execute script, return-code {exc.returncode}\n"
                f"StdErr: {exc.stderr}\nStdOut: {exc.stdout}\nWorking directory: {os.getcwd()}"
            )
            raise
        return self._final_outputs(outputs)


def get_raw_shell_task(name: str) -> RawShellTask[Any]:
    """A ``RawShellTask`` running ``bash {inputs.script_file} {inputs.script_args}`` with ``{inputs.env}`` exported."""
    from flyte_core.sdk.base_task import kwtypes
    from flyte_core.types.directory import FlyteDirectory

    return RawShellTask(
        name=name,
        debug=True,
        inputs=kwtypes(env=dict[str, str], script_args=str, script_file=str),
        output_locs=[OutputLocation(var="out", var_type=FlyteDirectory, location="{ctx.working_directory}")],
        script="""
#!/bin/bash

set -uex

cd {ctx.working_directory}

{inputs.export_env}

bash {inputs.script_file} {inputs.script_args}
""",
    )


__all__ = [
    "AttrDict",
    "OutputLocation",
    "ProcessResult",
    "RawShellTask",
    "ShellTask",
    "get_raw_shell_task",
    "subproc_execute",
]
