"""ShellTask: scripts with templated inputs and outputs, run in a real subprocess."""

from __future__ import annotations

import datetime
import os
import pathlib

import pytest

from flyte_core import kwtypes, task, workflow
from flyte_core.config import ImageConfig, SerializationSettings
from flyte_core.exceptions.user import FlyteRecoverableException
from flyte_core.extras.tasks.shell import OutputLocation, ProcessResult, ShellTask, get_raw_shell_task, subproc_execute
from flyte_core.sdk.python_function_task import default_task_resolver
from flyte_core.types.directory import FlyteDirectory
from flyte_core.types.file import FlyteFile

write_values = ShellTask(
    name="write_values",
    script="""
    set -e
    echo "n={inputs.n} f={inputs.f} s={inputs.s} b={inputs.b} d={inputs.d}" > {outputs.out}
    """,
    inputs=kwtypes(n=int, f=float, s=str, b=bool, d=datetime.datetime, target=str),
    output_locs=[OutputLocation(var="out", var_type=FlyteFile, location="{inputs.target}")],
)

append_line = ShellTask(
    name="append_line",
    script="cat {inputs.src} > {outputs.copy}; echo appended >> {outputs.copy}",
    inputs=kwtypes(src=FlyteFile, dest_dir=str),
    output_locs=[OutputLocation(var="copy", var_type=FlyteFile, location="{inputs.dest_dir}/copy.txt")],
)

make_dir = ShellTask(
    name="make_dir",
    script=(
        "mkdir -p {outputs.d} && echo one > {outputs.d}/1.txt && echo two > {outputs.d}/2.txt"
        " && tar -cf {outputs.t} -C {outputs.d} ."
    ),
    inputs=kwtypes(root=str),
    output_locs=[
        OutputLocation(var="d", var_type=FlyteDirectory, location="{inputs.root}/made"),
        OutputLocation(var="t", var_type=FlyteFile, location="{inputs.root}/made.tar"),
    ],
)

failing = ShellTask(name="failing", script="echo to-out; echo to-err >&2; exit 3")

bash_only = ShellTask(
    name="bash_only",
    shell="/bin/bash",
    script='[[ "{inputs.word}" == "yes" ]] && echo matched',
    inputs=kwtypes(word=str),
)


def test_inputs_of_every_primitive_type_fill_the_script_and_the_output_location(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "values.txt"
    when = datetime.datetime(2024, 1, 2, 3, 4, 5)
    out = write_values(n=3, f=1.5, s="hi", b=True, d=when, target=str(target))
    assert isinstance(out, FlyteFile)
    assert pathlib.Path(out.download()).read_text() == "n=3 f=1.5 s=hi b=True d=2024-01-02T03:04:05+00:00\n"


def test_file_inputs_are_local_paths_in_the_script(tmp_path: pathlib.Path) -> None:
    src = tmp_path / "src.txt"
    src.write_text("original\n")
    out = append_line(src=str(src), dest_dir=str(tmp_path))
    assert pathlib.Path(out.download()).read_text() == "original\nappended\n"


def test_several_outputs_come_back_as_a_tuple_of_files_and_directories(tmp_path: pathlib.Path) -> None:
    directory, archive = make_dir(root=str(tmp_path))
    assert isinstance(directory, FlyteDirectory)
    assert sorted(os.listdir(directory.download())) == ["1.txt", "2.txt"]
    assert pathlib.Path(archive.download()).stat().st_size > 0


def test_failure_raises_recoverable_error_with_exit_code_stdout_and_stderr() -> None:
    with pytest.raises(FlyteRecoverableException) as info:
        failing()
    message = str(info.value)
    assert "return-code 3" in message
    assert "ShellTask 'failing'" in message
    assert "StdOut: to-out" in message
    assert "StdErr: to-err" in message


def test_result_holds_return_code_and_output_lines_joined() -> None:
    task = ShellTask(name="two_lines", script="echo first; echo second")
    assert task() is None
    assert task.result == ProcessResult(0, "firstsecond", "")


def test_the_chosen_shell_runs_the_script() -> None:
    bash_only(word="yes")
    assert bash_only.result is not None and bash_only.result.output == "matched"


def test_unknown_input_in_the_script_names_it_and_the_declared_inputs() -> None:
    task = ShellTask(name="typo", script="echo {inputs.nmae}", inputs=kwtypes(name=str))
    with pytest.raises(
        AttributeError, match=r"uses \{inputs.nmae\} but there is no input 'nmae' \(declared inputs: name\)"
    ):
        task(name="x")


def test_context_fields_are_available_to_the_script() -> None:
    task = ShellTask(name="ctx_fields", script="echo {ctx.execution_id}")
    task()
    assert task.result is not None and task.result.output == "ex:local:local:local"


def test_script_file_is_read_when_the_task_runs(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "script.sh"
    script.write_text("echo from-file {inputs.x}\n")
    task = ShellTask(name="from_file", script_file=str(script), inputs=kwtypes(x=int))
    task(x=7)
    assert task.result is not None and task.result.output == "from-file 7"


def test_script_and_script_file_are_exclusive_and_one_is_needed(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="Only either of script or script_file"):
        ShellTask(name="both", script="echo", script_file=str(tmp_path))
    with pytest.raises(ValueError, match="Either a script or script_file is needed"):
        ShellTask(name="neither")
    with pytest.raises(ValueError, match="cannot be loaded"):
        ShellTask(name="missing", script_file=str(tmp_path / "nope.sh"))


def test_outputs_must_be_files_or_directories() -> None:
    with pytest.raises(ValueError, match="output 'o' of ShellTask is int"):
        ShellTask(name="bad_out", script="echo", output_locs=[OutputLocation(var="o", var_type=int, location="x")])


def test_debug_prints_the_filled_script(capsys: pytest.CaptureFixture[str]) -> None:
    ShellTask(name="debugged", debug=True, script="echo {inputs.x}", inputs=kwtypes(x=int))(x=5)
    assert "echo 5" in capsys.readouterr().out


def test_shell_output_feeds_a_python_task_in_a_workflow(tmp_path: pathlib.Path) -> None:
    @task
    def read(f: FlyteFile) -> str:
        with open(f) as handle:
            return handle.read().strip()

    @workflow
    def wf(target: str) -> str:
        out = write_values(n=1, f=2.0, s="w", b=False, d=datetime.datetime(2020, 1, 1), target=target)
        return read(f=out)

    assert wf(target=str(tmp_path / "wf.txt")) == "n=1 f=2.0 s=w b=False d=2020-01-01T00:00:00+00:00"


def test_module_level_shell_task_is_found_by_the_default_resolver() -> None:
    settings = SerializationSettings(image_config=ImageConfig.auto(img_name="repo/img:1"))
    assert write_values.instantiated_in == __name__
    assert write_values.lhs == "write_values"
    args = default_task_resolver.loader_args(settings, write_values)
    assert args == ["task-module", __name__, "task-name", "write_values"]
    assert default_task_resolver.load_task(args) is write_values


def test_raw_shell_task_exports_env_and_runs_the_script_with_arguments(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "raw.sh"
    script.write_text('echo "$GREETING $1" > out.txt\n')
    raw = get_raw_shell_task("raw")
    out_dir = raw(env={"GREETING": "hello"}, script_args="world", script_file=str(script))
    assert (pathlib.Path(out_dir.download()) / "out.txt").read_text() == "hello world\n"


def test_subproc_execute_captures_output_and_raises_with_stderr() -> None:
    assert subproc_execute(["echo", "hi"]).output == "hi\n"
    with pytest.raises(RuntimeError, match="Failed with return code 2"):
        subproc_execute("echo oops >&2; exit 2", shell=True)
