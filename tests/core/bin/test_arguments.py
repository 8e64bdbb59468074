"""The entrypoints' command lines: flytekit's arguments accepted as they are, mistakes reported in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flyte_core.bin.arguments import (
    DEFAULT_RESOLVER,
    UsageError,
    parse_execute,
    parse_fast_execute,
)
from tests.core.bin.conftest import Project

MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"

SERIALIZED = [
    "--inputs",
    "{{.input}}x",
    "--output-prefix",
    "s3://bucket/out",
    "--raw-output-data-prefix",
    "{{.rawOutputDataPrefix}}",
    "--checkpoint-path",
    "{{.checkpointOutputPrefix}}",
    "--prev-checkpoint",
    "{{.prevCheckpointPrefix}}",
    "--resolver",
    DEFAULT_RESOLVER,
    "--",
    "task-module",
    "app.tasks",
    "task-name",
    "add",
]


def test_unfilled_templates_and_empty_values_mean_not_given() -> None:
    args = parse_execute(SERIALIZED, "pyflyte-execute")
    assert args is not None
    assert (args.raw_output_data_prefix, args.checkpoint_path, args.prev_checkpoint) == (None, None, None)
    assert args.resolver_args == ("task-module", "app.tasks", "task-name", "add")
    args = parse_execute(["--inputs=i", "--output-prefix=o", "--prev-checkpoint", '""', "--", *SERIALIZED[-4:]], "x")
    assert args is not None and args.prev_checkpoint is None and args.inputs == "i"


def test_options_may_follow_the_resolver_arguments_as_click_allows() -> None:
    args = parse_execute(["task-module", "m", "task-name", "t", "--inputs", "i", "--output-prefix", "o", "--test"], "x")
    assert args is not None
    assert (args.inputs, args.output_prefix, args.test, args.resolver) == ("i", "o", True, DEFAULT_RESOLVER)
    assert args.resolver_args == ("task-module", "m", "task-name", "t")


def test_map_execute_needs_a_resolver_and_takes_max_concurrency() -> None:
    base = ["--inputs", "i", "--output-prefix", "o"]
    with pytest.raises(UsageError, match="--resolver is required"):
        parse_execute([*base, "--", "vars", "", "resolver", DEFAULT_RESOLVER], "pyflyte-map-execute", map_task=True)
    inner = ["resolver", DEFAULT_RESOLVER, "task-module", "m", "task-name", "t"]
    args = parse_execute(
        [*base, "--max-concurrency", "3", "--resolver", MAP_RESOLVER, "--", "vars", "", *inner],
        "pyflyte-map-execute",
        map_task=True,
    )
    assert args is not None and args.max_concurrency == 3
    with pytest.raises(UsageError, match="unknown option '--max-concurrency'"):
        parse_execute([*base, "--max-concurrency", "3", "--", *SERIALIZED[-4:]], "pyflyte-execute")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output-prefix", "o", "--", "task-module", "m", "task-name", "t"], "--inputs is required"),
        (["--inputs", "{{.input}}", "--output-prefix", "o"], "a template the backend did not fill in"),
        (["--inputs", "i", "--output-prefix", "o", "--bogus", "1"], "unknown option '--bogus'"),
        (["--inputs", "i", "--output-prefix"], "--output-prefix needs a value"),
        (["--inputs", "i", "--output-prefix", "o"], "no resolver arguments"),
        (["--inputs", "i", "--output-prefix", "o", "--", "module", "m"], "task-module MODULE task-name NAME"),
        (["--inputs", "i", "--output-prefix", "o", "--test=yes", "--", "a"], "--test is a flag"),
    ],
)
def test_mistakes_are_named(argv: list[str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_execute(argv, "pyflyte-execute")


def test_fast_execute_takes_the_task_command_after_its_options() -> None:
    args = parse_fast_execute(
        ["--additional-distribution", "s3://b/fast1.tar.gz", "--dest-dir", "{{ .dest_dir }}", "--", "pyflyte-execute"]
    )
    assert args is not None
    assert (args.additional_distribution, args.dest_dir, args.task_execute_cmd) == (
        "s3://b/fast1.tar.gz",
        None,
        ("pyflyte-execute",),
    )
    args = parse_fast_execute(["--additional-distribution", "{{ .remote_package_path }}", "--", "cmd", "--inputs", "i"])
    assert args is not None and args.additional_distribution is None
    assert args.task_execute_cmd == ("cmd", "--inputs", "i")
    with pytest.raises(UsageError, match="no task command"):
        parse_fast_execute(["--dest-dir", "."])


def test_a_bad_command_line_is_one_line_on_stderr_without_traceback(project: Project) -> None:
    result = project.run("pyflyte-execute", "--output-prefix", "out", "--", "task-module", "m", "task-name", "t")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "pyflyte-execute: error: --inputs is required: the URI of the task's inputs.pb (see pyflyte-execute --help)"
    ]


def test_an_unloadable_resolver_in_test_mode_is_named(project: Project) -> None:
    result = project.run(
        "pyflyte-map-execute",
        "--inputs",
        "i",
        "--output-prefix",
        "o",
        "--test",
        "--resolver",
        "nowhere.Resolver",
        "--",
        "x",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no module named 'nowhere'" in result.stderr


def test_help_lists_flytekits_options(project: Project) -> None:
    result = project.run("pyflyte-execute", "--help")
    assert result.returncode == 0
    for option in ("--inputs", "--output-prefix", "--raw-output-data-prefix", "--checkpoint-path", "--resolver"):
        assert option in result.stdout


def test_the_entrypoints_run_as_a_module_too() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flyte_core.bin", "pyflyte-map-execute", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "--max-concurrency" in result.stdout
    result = subprocess.run([sys.executable, "-m", "flyte_core.bin", "pyflyte-nothing"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage: python -m flyte_core.bin" in result.stderr
