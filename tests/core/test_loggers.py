"""flyte-core's loggers as flytekit's: FLYTE_SDK_LOGGING_LEVEL makes flyte-core print its own lines at that level."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

CODE = "from flyte_core.loggers import logger; logger.debug('d-line'); logger.info('i-line'); logger.warning('w-line')"


def _stderr(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FLYTE_SDK_")} | env
    return subprocess.run([sys.executable, "-c", CODE], env=environ, capture_output=True, text=True, check=True).stderr


def test_the_logging_level_variable_prints_flyte_cores_lines_at_that_level() -> None:
    out = _stderr(FLYTE_SDK_LOGGING_LEVEL="INFO")
    assert "[flyte_core] INFO i-line" in out and "[flyte_core] WARNING w-line" in out and "d-line" not in out
    assert "d-line" in _stderr(FLYTE_SDK_LOGGING_LEVEL="10")  # a number works too, as in flytekit


def test_without_the_variable_only_warnings_reach_stderr() -> None:
    out = _stderr()
    assert "w-line" in out and "i-line" not in out


def test_json_format_prints_one_object_per_line() -> None:
    lines = _stderr(FLYTE_SDK_LOGGING_LEVEL="INFO", FLYTE_SDK_LOGGING_FORMAT="json").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["levelname"], r["message"]) for r in records] == [("INFO", "i-line"), ("WARNING", "w-line")]
    assert all(r["name"] == "flyte_core" for r in records)


def test_flytekits_logger_functions_tune_the_loggers() -> None:
    from flyte_core import loggers

    assert loggers.get_level_from_cli_verbosity(1) == logging.WARNING
    assert loggers.get_level_from_cli_verbosity(2) == logging.INFO
    assert loggers.get_level_from_cli_verbosity(5) == logging.DEBUG
    before = loggers.user_space_logger.level
    try:
        loggers.set_user_logger_properties(level=logging.ERROR)
        assert loggers.user_space_logger.level == logging.ERROR
    finally:
        loggers.user_space_logger.setLevel(before)
