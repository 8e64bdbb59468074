"""``pyflyte run``: listing, help, every input type, inputs files, errors and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import click
import pytest

PYFLYTE = str(Path(sys.executable).parent / "pyflyte")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A directory to write workflow files into, made the current directory; its modules are forgotten after."""
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)

    def write(name: str, source: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    yield write
    for name in set(sys.modules) - before:
        module = sys.modules.get(name)
        if getattr(module, "__file__", None) and str(tmp_path) in str(module.__file__):
            del sys.modules[name]
    if str(tmp_path) in sys.path:
        sys.path.remove(str(tmp_path))


INPUTS = '''
    import datetime
    import enum
    import typing
    from dataclasses import dataclass, field

    from flyte_core import task, workflow


    class Color(enum.Enum):
        RED = "red"
        GREEN = "green"


    @dataclass
    class Point:
        x: float
        y: float = 0.0


    @task
    def show(
        i: int,
        f: float,
        s: str,
        b: bool,
        dt: datetime.datetime,
        td: datetime.timedelta,
        c: Color,
        li: typing.List[int],
        d: typing.Dict[str, float],
        p: Point,
        oi: typing.Optional[int] = None,
        u: typing.Union[int, str] = 0,
        day: datetime.date = datetime.date(2020, 1, 1),
    ) -> str:
        """Describe every input.

        :param i: an integer
        :param p: a point
        """
        return "|".join(
            [repr(i), repr(f), s, repr(b), dt.isoformat(), repr(td), c.value, repr(li), repr(sorted(d.items())),
             repr(p), repr(oi), repr(u), day.isoformat()]
        )
'''

ALL_INPUTS = [
    "--i", "1", "--f", "2.5", "--s", "txt", "--b", "--dt", "2024-01-02T03:04:05", "--td", "90",
    "--c", "green", "--li", "[1, 2]", "--d", '{"a": 1.5}', "--p", '{"x": 1.0, "y": 2.0}',
]  # fmt: skip


def _outputs(result) -> list[str]:
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Running Execution on local."
    return lines[1:]


def test_listing_shows_each_entity_with_its_kind_name_and_summary(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    result = flyte_cli.invoke(["run", "inputs.py"])
    assert result.exit_code == 0
    assert "show  task (inputs.show) Describe every input." in result.output


def test_help_has_one_option_per_input_with_type_default_and_description(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    result = flyte_cli.invoke(["run", "inputs.py", "show", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--i INTEGER an integer [required]" in text
    assert "--b / --no-b" in text
    assert "--c [red|green]" in text
    assert "--li JSON LIST" in text
    assert "--p JSON OBJECT POINT a point [required]" in text
    assert "--oi INTEGER|NONE" in text
    assert "--day" in text and "[default: 2020-01-01]" in text
    assert "--inputs-file" in text


def test_every_input_type_is_read_from_the_command_line(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    result = flyte_cli.invoke(
        ["run", "inputs.py", "show", *ALL_INPUTS, "--oi", "7", "--u", "word", "--day", "2024-05-06"]
    )
    [line] = _outputs(result)
    assert line.split("|") == [
        "1", "2.5", "txt", "True", "2024-01-02T03:04:05+00:00", "datetime.timedelta(seconds=90)", "green", "[1, 2]",
        "[('a', 1.5)]", "Point(x=1.0, y=2.0)", "7", "'word'", "2024-05-06",
    ]  # fmt: skip


def test_union_tries_int_before_str_and_optional_defaults_to_none(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    [line] = _outputs(flyte_cli.invoke(["run", "inputs.py", "show", *ALL_INPUTS, "--u", "5", "--no-b"]))
    values = line.split("|")
    assert (values[3], values[10], values[11]) == ("False", "None", "5")


def test_durations_and_relative_datetimes(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    args = [a for a in ALL_INPUTS]
    args[args.index("--td") + 1] = "1h30m"
    args[args.index("--dt") + 1] = "2024-01-01T00:00:00 + 1 day"
    values = _outputs(flyte_cli.invoke(["run", "inputs.py", "show", *args]))[0].split("|")
    assert values[4] == "2024-01-02T00:00:00+00:00"
    assert values[5] == "datetime.timedelta(seconds=5400)"


def test_dataclass_from_a_json_or_yaml_file(project, flyte_cli, tmp_path: Path) -> None:
    project("inputs.py", INPUTS)
    (tmp_path / "p.yaml").write_text("x: 3.0\ny: 4.0\n")
    (tmp_path / "p.json").write_text('{"x": 5.0}')
    for path, expected in (("p.yaml", "Point(x=3.0, y=4.0)"), ("p.json", "Point(x=5.0, y=0.0)")):
        args = [a for a in ALL_INPUTS]
        args[args.index("--p") + 1] = path
        assert _outputs(flyte_cli.invoke(["run", "inputs.py", "show", *args]))[0].split("|")[9] == expected


def test_inputs_file_gives_inputs_and_options_win(project, flyte_cli, tmp_path: Path) -> None:
    project("inputs.py", INPUTS)
    inputs = {
        "i": 4, "f": 1.0, "s": "from-file", "b": True, "dt": "2024-01-02T00:00:00", "td": 5, "c": "red",
        "li": [9], "d": {"k": 2.0}, "p": {"x": 0.5},
    }  # fmt: skip
    (tmp_path / "inputs.yaml").write_text(json.dumps(inputs))
    values = _outputs(flyte_cli.invoke(["run", "inputs.py", "show", "--inputs-file", "inputs.yaml", "--s", "cli"]))
    parts = values[0].split("|")
    assert (parts[0], parts[2], parts[6], parts[7]) == ("4", "cli", "red", "[9]")


def test_inputs_from_stdin(project, flyte_cli) -> None:
    project("hello.py", "from flyte_core import task\n\n@task\ndef hi(name: str) -> str:\n    return 'hi ' + name\n")
    result = flyte_cli.invoke(["run", "hello.py", "hi", "-"], input="name: stdin\n")
    assert _outputs(result) == ["hi stdin"]


def test_bad_input_is_a_usage_error_naming_the_option(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    args = [a for a in ALL_INPUTS]
    args[args.index("--i") + 1] = "a"
    result = flyte_cli.invoke(["run", "inputs.py", "show", *args])
    assert result.exit_code == 2
    assert "Invalid value for '--i': 'a' is not a valid integer" in result.output
    assert "Traceback" not in result.output
    args = [a for a in ALL_INPUTS]
    args[args.index("--p") + 1] = '{"x": "not a float"}'
    result = flyte_cli.invoke(["run", "inputs.py", "show", *args])
    assert result.exit_code == 2 and "Invalid value for '--p'" in result.output


def test_missing_required_input_is_a_usage_error(project, flyte_cli) -> None:
    project("inputs.py", INPUTS)
    result = flyte_cli.invoke(["run", "inputs.py", "show", "--i", "1"])
    assert result.exit_code == 2 and "Missing option" in result.output


FAILING = """
    from flyte_core import task, workflow

    @task
    def boom(x: int) -> int:
        if x > 0:
            raise ValueError(f"x must not be positive, got {x}")
        return x

    @workflow
    def wf(x: int = 1) -> int:
        return boom(x=x)
"""


def test_failing_task_exits_1_with_the_task_and_the_error(project, flyte_cli) -> None:
    project("failing.py", FAILING)
    result = flyte_cli.invoke(["run", "failing.py", "wf"])
    assert result.exit_code == 1
    assert "workflow 'failing.wf' failed: ValueError" in result.output
    assert "x must not be positive, got 1" in result.output and "Traceback" not in result.output


def test_verbose_shows_the_traceback(project) -> None:
    path = project("failing.py", FAILING)
    result = subprocess.run([PYFLYTE, "-v", "run", path.name, "wf"], capture_output=True, text=True, cwd=path.parent)
    assert result.returncode == 1
    assert "Traceback" in result.stderr and "failing.py" in result.stderr


def test_syntax_error_and_missing_import_name_the_file_and_line(project, flyte_cli) -> None:
    project("broken.py", "from flyte_core import task\n\n@task\ndef t(x: int) -> int\n    return x\n")
    result = flyte_cli.invoke(["run", "broken.py", "t"])
    assert result.exit_code == 1 and "broken.py:4: syntax error" in result.output
    project("needs.py", "import not_installed_module_xyz\n")
    result = flyte_cli.invoke(["run", "needs.py", "t"])
    assert result.exit_code == 1
    assert "needs.py:1: ModuleNotFoundError: No module named 'not_installed_module_xyz'" in result.output


def test_unknown_entity_suggests_the_closest(project, flyte_cli) -> None:
    project("failing.py", FAILING)
    result = flyte_cli.invoke(["run", "failing.py", "boomm"])
    assert result.exit_code == 2 and "Did you mean 'boom'?" in result.output


def test_relative_imports_of_a_package_work(project, flyte_cli) -> None:
    project("pkg/__init__.py", "")
    project("pkg/util.py", "def greet(name: str) -> str:\n    return f'hey {name}'\n")
    project(
        "pkg/flows.py",
        """
        from flyte_core import task
        from .util import greet

        @task
        def hello(name: str) -> str:
            return greet(name)
        """,
    )
    result = flyte_cli.invoke(["run", "pkg/flows.py", "hello", "--name", "you"])
    assert _outputs(result) == ["hey you"]


def test_envvars_are_exported_for_a_local_run(project, flyte_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GREETING", raising=False)
    project(
        "env.py",
        "import os\nfrom flyte_core import task\n\n@task\ndef env() -> str:\n    return os.environ['GREETING']\n",
    )
    result = flyte_cli.invoke(["run", "--env", "GREETING=bonjour", "env.py", "env"])
    assert _outputs(result) == ["bonjour"]
    monkeypatch.delenv("GREETING", raising=False)


def test_run_level_options_are_accepted_locally(project, flyte_cli) -> None:
    project("hello.py", "from flyte_core import task\n\n@task\ndef hi(name: str) -> str:\n    return 'hi ' + name\n")
    options = [
        "--name", "exec-1", "--tags", "a", "--labels", "team=ml", "--annotations", "k=v", "--service-account", "sa",
        "--max-parallelism", "3", "--cluster-pool", "p", "--ecl", "c", "--copy", "all", "-i", "img=repo/img:1",
        "-p", "flytesnacks", "-d", "development", "--wait", "--poll-interval", "5", "--dump-snippet",
        "--overwrite-cache",
    ]  # fmt: skip
    assert _outputs(flyte_cli.invoke(["run", *options, "hello.py", "hi", "--name", "x"])) == ["hi x"]
    bad = flyte_cli.invoke(["run", "--labels", "nolabel", "hello.py", "hi", "--name", "x"])
    assert bad.exit_code == 2 and "is not of the form KEY=VALUE" in bad.output


def test_a_launch_plans_default_inputs_are_its_option_defaults(project, flyte_cli) -> None:
    project(
        "plans.py",
        """
        from flyte_core import LaunchPlan, task, workflow

        @task
        def add(x: int, y: int) -> int:
            return x + y

        @workflow
        def add_wf(x: int, y: int) -> int:
            return add(x=x, y=y)

        add_lp = LaunchPlan.get_or_create(add_wf, name="add_lp", default_inputs={"x": 10}, fixed_inputs={"y": 1})
        """,
    )
    assert _outputs(flyte_cli.invoke(["run", "plans.py", "add_lp"])) == ["11"]
    assert _outputs(flyte_cli.invoke(["run", "plans.py", "add_lp", "--x", "2"])) == ["3"]
    result = flyte_cli.invoke(["run", "plans.py", "add_lp", "--y", "2"])
    assert result.exit_code == 2 and "No such option '--y'" in result.output


def test_pickled_input_from_module_attribute(project, flyte_cli) -> None:
    project("objects.py", "class Thing:\n    def __init__(self):\n        self.size = 3\n\nTHING = Thing()\n")
    project(
        "pickled.py",
        """
        import typing
        from flyte_core import task

        @task(pickle_untyped=True)
        def size(obj) -> int:
            return obj.size
        """,
    )
    result = flyte_cli.invoke(["run", "pickled.py", "size", "--obj", "objects:THING"])
    assert _outputs(result) == ["3"]


def test_installed_pyflyte_runs_a_workflow(project) -> None:
    path = project(
        "hello.py", "from flyte_core import task\n\n@task\ndef hi(name: str) -> str:\n    return 'hi ' + name\n"
    )
    result = subprocess.run(
        [PYFLYTE, "run", path.name, "hi", "--name", "sub"],
        capture_output=True,
        text=True,
        cwd=path.parent,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Running Execution on local.\nhi sub\n"


def _complete(words: str, cwd: Path) -> list[str]:
    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
           "_PYFLYTE_COMPLETE": "bash_complete"}  # fmt: skip
    result = subprocess.run([PYFLYTE], capture_output=True, text=True, cwd=cwd, env=env)
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_shell_completion_of_files_entities_and_options(project) -> None:
    path = project("flows.py", FAILING)
    assert "flows.py" in _complete("pyflyte run fl", path.parent)
    assert _complete("pyflyte run flows.py b", path.parent) == ["boom"]
    assert "--x" in _complete("pyflyte run flows.py boom --", path.parent)


def test_completion_command_prints_a_script(flyte_cli) -> None:
    result = flyte_cli.invoke(["completion", "bash"])
    assert result.exit_code == 0 and "_PYFLYTE_COMPLETE" in result.output


class Temperature:
    def __init__(self, celsius: float) -> None:
        self.celsius = celsius


class TemperatureParam(click.ParamType):
    """A click parameter type a plugin gives its own Python type (``25C`` or ``77F``)."""

    name = "temperature"

    def __init__(self, python_type: type) -> None:
        self.python_type = python_type

    def convert(self, value, param, ctx):
        if isinstance(value, Temperature):
            return value
        number, unit = float(value[:-1]), value[-1].upper()
        if unit not in "CF":
            self.fail(f"'{value}' needs a C or F unit", param, ctx)
        return Temperature(number if unit == "C" else (number - 32) * 5 / 9)

    def get_metavar(self, param, ctx=None):
        return "TEMPERATURE"


class TemperatureTransformer:
    name = "temperature"
    python_type = Temperature
    type_assertions_enabled = False
    is_async = False

    def get_literal_type(self, t):
        from flyteidl.core import types_pb2

        return types_pb2.LiteralType(simple=types_pb2.FLOAT)

    def to_literal(self, ctx, value, python_type, expected):
        from flyteidl.core import literals_pb2

        return literals_pb2.Literal(
            scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=value.celsius))
        )

    def to_python_value(self, ctx, lv, expected_python_type):
        return Temperature(lv.scalar.primitive.float_value)

    def assert_type(self, t, v):
        pass


class TemperaturePlugin:
    from flyte_core.plugins import hookimpl

    @hookimpl
    def flyte_type_transformers(self):
        from flyte_core.plugins import FlyteTypeTransformer

        yield FlyteTypeTransformer(
            python_type=f"{__name__}:Temperature",
            transformer=f"{__name__}:TemperatureTransformer",
            cli_param_type=f"{__name__}:TemperatureParam",
        )


def test_a_plugin_gives_its_type_a_command_line_parameter_type(project, flyte_cli) -> None:
    from flyte_core.plugins.testing import register_plugin
    from flyte_core.types import type_engine

    project(
        "weather.py",
        f"""
        from flyte_core import task
        from {__name__} import Temperature

        @task
        def report(t: Temperature) -> str:
            return f"{{t.celsius:.1f}} C"
        """,
    )
    saved = (type_engine.TypeEngine._REGISTRY, type_engine.TypeEngine._lazy, type_engine.TypeEngine._pending)
    with register_plugin(TemperaturePlugin(), name="temperature"):
        type_engine._reset_for_tests()
        try:
            help_text = flyte_cli.invoke(["run", "weather.py", "report", "--help"]).output
            result = flyte_cli.invoke(["run", "weather.py", "report", "--t", "77F"])
            bad = flyte_cli.invoke(["run", "weather.py", "report", "--t", "77K"])
        finally:
            type_engine._reset_for_tests()
            type_engine.TypeEngine._REGISTRY, type_engine.TypeEngine._lazy, type_engine.TypeEngine._pending = saved
    assert "--t TEMPERATURE" in help_text
    assert _outputs(result) == ["25.0 C"]
    assert bad.exit_code == 2 and "needs a C or F unit" in bad.output


DATA = """
    import pandas as pd

    from flyte_core import task
    from flyte_core.types.directory import FlyteDirectory
    from flyte_core.types.file import FlyteFile
    from flyte_core.types.structured import StructuredDataset


    @task
    def sizes(f: FlyteFile, d: FlyteDirectory, sd: StructuredDataset) -> str:
        import os

        with open(f) as fh:
            text = fh.read()
        frame = sd.open(pd.DataFrame).all()
        return f"{text}|{sorted(os.listdir(d.download()))}|{list(frame.columns)}|{len(frame)}"
"""


def test_files_directories_and_datasets_are_given_as_paths(project, flyte_cli, tmp_path: Path) -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    project("data.py", DATA)
    (tmp_path / "in.txt").write_text("content")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a.txt").write_text("a")
    pd.DataFrame({"x": [1, 2, 3]}).to_parquet(tmp_path / "frame.parquet")
    result = flyte_cli.invoke(
        ["run", "data.py", "sizes", "--f", "in.txt", "--d", "dir", "--sd", str(tmp_path / "frame.parquet")]
    )
    assert _outputs(result) == ["content|['a.txt']|['x']|3"]
    missing = flyte_cli.invoke(["run", "data.py", "sizes", "--f", "nope.txt", "--d", "dir", "--sd", "x.parquet"])
    assert missing.exit_code == 2 and "'nope.txt' is not an existing file" in missing.output


def test_help_takes_descriptions_from_google_style_docstrings(project, flyte_cli) -> None:
    project(
        "scaling.py",
        '''
        from flyte_core import task

        @task
        def scale(x: float, factor: int = 2) -> float:
            """Scale a number.

            Args:
                x: the number to scale
                factor: how many times bigger
            """
            return x * factor
        ''',
    )
    text = " ".join(flyte_cli.invoke(["run", "scaling.py", "scale", "--help"]).output.split())
    assert "--x FLOAT the number to scale [required]" in text
    assert "--factor INTEGER how many times bigger [default: 2]" in text
    assert _outputs(flyte_cli.invoke(["run", "scaling.py", "scale", "--x", "1.5"])) == ["3.0"]


def test_a_file_named_like_an_installed_package_is_told_to_rename(project, flyte_cli) -> None:
    project("google.py", "from flyte_core import task\n\n@task\ndef t(x: int) -> int:\n    return x\n")
    result = flyte_cli.invoke(["run", "google.py", "t", "--x", "1"])
    assert result.exit_code == 1
    assert "imported as module 'google', a name already taken by" in result.output
    assert "rename the file" in result.output
