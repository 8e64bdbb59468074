"""A dataclass holding files, directories and datasets has flytekit's literal type (schema included)."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

COMPAT = pathlib.Path(__file__).parents[2] / "compat"


def test_dataclass_with_file_fields_has_flytekits_literal_type() -> None:
    script = COMPAT / "generate" / "dataclass_with_files.py"
    result = subprocess.run([sys.executable, str(script), "flyte_core"], capture_output=True, text=True, check=True)
    expected = json.loads((COMPAT / "expected" / "dataclass_with_files.json").read_text())
    assert json.loads(result.stdout) == expected
