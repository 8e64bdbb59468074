"""FlyteRemote's interactive mode: code typed into ``python -`` (no source file) runs on the sandbox, pickled.

Each script is fed to a real ``python -`` on stdin, as a notebook or REPL session would type it, so its
``__main__`` has no file to fast-register.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import cloudpickle
import pytest

from flyte_core import task
from flyte_core.sdk.locations import load_location
from flyte_core.sdk.notebook_resolver import (
    PICKLE_FILE_PATH,
    PickledEntity,
    PickledEntityMetadata,
    default_notebook_task_resolver,
    write_pickle,
)

SESSION = """
import json
import sys

from flyte_core import dynamic, map_task, task, workflow
from flyte_core.configuration import Config
from flyte_core.remote import FlyteRemote

OFFSET = 100  # a notebook global the pickled tasks carry along


def double(v: int) -> int:
    return 2 * v


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(double(x) for x in xs) + OFFSET


@dynamic
def squares_below(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@workflow
def pipeline(xs: list[int], n: int) -> tuple[int, list[int]]:
    return total(xs=map_task(square)(x=xs)), squares_below(n=n)


if __name__ == "__main__":  # a script is imported again where its tasks run
    remote = FlyteRemote(Config.auto(sys.argv[1]), interactive_mode_enabled={enabled})
    execution = remote.execute(pipeline, inputs={{"xs": [1, 2, 3], "n": 3}}, wait=True)
    registered_again = remote.register_script(pipeline)
    args = list(remote.fetch_task(name=total.name, version=registered_again.version).template.container.args)
    print(json.dumps({{
        "successful": execution.is_successful,
        "error": str(execution.error) if execution.error else None,
        "outputs": [execution.outputs["o0"], execution.outputs["o1"]],
        "version": execution.spec.launch_plan.version,
        "version_again": registered_again.version,
        "resolver_registered": args[args.index("--resolver") + 1],
        "resolver_after": square.task_resolver.location,
    }}))
"""


def _run_session(config: Path, cwd: Path, enabled: bool, script: str = "-") -> subprocess.CompletedProcess[str]:
    """Type the session into ``python -``, or save it as ``script`` in ``cwd`` and run that file."""
    code = textwrap.dedent(SESSION.format(enabled=enabled))
    if script != "-":
        (cwd / script).write_text(code)
    return subprocess.run(
        [sys.executable, script, str(config)],
        input=code if script == "-" else None,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _outputs(run: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["successful"], result["error"]
    return result


def test_a_workflow_typed_into_python_stdin_runs_remotely_from_its_pickle(sandbox_config: Path, tmp_path: Path) -> None:
    result = _outputs(_run_session(sandbox_config, tmp_path, enabled=True))
    assert result["outputs"] == [2 * (1 + 4 + 9) + 100, [0, 1, 4]]
    assert result["resolver_registered"] == "flytekit.core.python_auto_container.default_notebook_task_resolver"
    assert result["resolver_after"] == "flytekit.core.python_auto_container.default_task_resolver"
    assert result["version"] == result["version_again"]  # registering the same session again adds nothing
    assert not (tmp_path / PICKLE_FILE_PATH).exists()  # the pickle is written to a scratch directory


def test_a_main_script_with_a_file_is_fast_registered_by_module_even_in_interactive_mode(
    sandbox_config: Path, tmp_path: Path
) -> None:
    result = _outputs(_run_session(sandbox_config, tmp_path, enabled=True, script="session.py"))
    assert result["outputs"] == [2 * (1 + 4 + 9) + 100, [0, 1, 4]]
    assert result["resolver_registered"] == "flytekit.core.python_auto_container.default_task_resolver"


def test_without_interactive_mode_the_session_fails_saying_how_to_enable_it(
    sandbox_config: Path, tmp_path: Path
) -> None:
    run = _run_session(sandbox_config, tmp_path, enabled=False)
    assert run.returncode == 1
    message = run.stderr.strip().splitlines()[-1]
    assert "FlyteAssertion" in message
    assert "is defined in __main__ without a source file" in message
    assert "interactive_mode_enabled=True" in message


@task
def increment(x: int) -> int:
    return x + 1


def test_the_resolver_loads_a_task_by_the_name_in_its_loader_args(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_pickle([increment], tmp_path)
    resolver = load_location(default_notebook_task_resolver.location)
    assert resolver is default_notebook_task_resolver
    args = resolver.loader_args(None, increment)
    assert args == ["entity-name", increment.name]
    assert resolver.load_task(args)(x=1) == 2


def test_a_pickle_from_another_python_version_is_refused_before_unpickling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    other = f"{sys.version_info.major}.{sys.version_info.minor + 1}.0"
    elsewhere = types.ModuleType("only_in_the_other_python")
    elsewhere.Made = type("Made", (), {"__module__": elsewhere.__name__})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, elsewhere.__name__, elsewhere)
    _write(tmp_path, PickledEntity(PickledEntityMetadata(python_version=other), {"t": elsewhere.Made()}))  # type: ignore[attr-defined]
    monkeypatch.delitem(sys.modules, elsewhere.__name__)  # unpickling would now fail on the import
    with pytest.raises(RuntimeError, match=rf"pickled by Python {other}, but this is Python 3\.\d+"):
        default_notebook_task_resolver.load_task(["entity-name", increment.name])


def test_a_task_missing_from_the_pickle_is_a_value_error_naming_what_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_pickle([increment], tmp_path)
    with pytest.raises(ValueError, match=rf"task 'nope' is not in the pickle .* holds: {increment.name}\)"):
        default_notebook_task_resolver.load_task(["entity-name", "nope"])


def _write(directory: Path, content: Any) -> None:
    with gzip.open(directory / PICKLE_FILE_PATH, "wb") as out:
        cloudpickle.dump(content, out)
