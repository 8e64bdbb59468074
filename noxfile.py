"""The interpreter matrix (``make test-pythons``): the fast suite and the demo's remote run on every supported Python.

Each session installs flyte-core and the plugin distributions into a virtual environment of its own
interpreter, runs ``pytest -m "not slow"``, then starts a sandbox with that interpreter on free ports and
runs the demo's workflows on it (``make demo-remote``), so code archives are unpacked, tasks executed and
outputs read by the Python under test. The interpreters:

==============  ==================================================================================
``3.10``        ``python3.10`` (pyenv's, or on ``PATH``)
``3.11``        ``python3.11`` (pyenv's, or on ``PATH``)
``3.11-system`` the operating system's ``/usr/bin/python3`` (Debian 12's 3.11.2: no tarfile data filters)
``3.12``        ``python3.12``
``3.13``        ``python3.13``
==============  ==================================================================================

``FLYTE_PYTHON_<label>`` (``FLYTE_PYTHON_3_12=/opt/py/bin/python3``, ``FLYTE_PYTHON_3_11_SYSTEM=...``) names
an interpreter explicitly. A missing interpreter fails its session: run a subset with
``make test-pythons PYTHONS="3.12 3.13"`` (or ``nox -s tests-3.12``). Arguments after ``--`` go to pytest.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

nox.options.error_on_missing_interpreters = True
nox.options.reuse_venv = "yes"  # a rerun reinstalls into the same environment; `rm -rf .nox` starts afresh

SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
"""The CPython versions flyte-core supports: the distributions' classifiers and requires-python say the same."""
SYSTEM_PYTHON = "/usr/bin/python3"


def _reports_version(executable: str, version: str) -> bool:
    """Whether ``executable`` runs and is CPython ``version`` (pyenv's shims exist for versions not selected)."""
    try:
        found = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return found.returncode == 0 and found.stdout.strip() == version


def _find(version: str) -> str | None:
    """The newest ``pythonX.Y`` pyenv has, else the one on ``PATH``, else ``/usr/bin``'s."""
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = sorted(
        glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", f"python{version}")),
        key=lambda path: [int(part) for part in Path(path).parents[1].name.split(".") if part.isdigit()],
        reverse=True,
    )
    candidates += [shutil.which(f"python{version}") or "", f"/usr/bin/python{version}"]
    return next((path for path in candidates if path and _reports_version(path, version)), None)


def interpreters() -> dict[str, str]:
    """Session label -> interpreter (a path, or the label itself when none is found: nox then reports it missing)."""
    found: dict[str, str] = {}
    for label in ("3.10", "3.11", "3.11-system", "3.12", "3.13"):
        explicit = os.environ.get("FLYTE_PYTHON_" + label.replace(".", "_").replace("-", "_").upper())
        if explicit:
            found[label] = explicit
        elif label.endswith("-system"):
            found[label] = SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else label
        else:
            found[label] = _find(label) or label
    return found


def tests(session: nox.Session) -> None:
    """The fast suite, then the demo's remote run on a sandbox of this interpreter."""
    # flyte-core with its dev extras and every plugin distribution, editable: `make install`'s recipe, in this venv.
    session.run("make", "--no-print-directory", "install", f"VENV={session.virtualenv.location}", external=True)
    session.run("python", "-VV")
    session.run("pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider", *session.posargs)
    state_dir = tempfile.mkdtemp(prefix="flyte-matrix-sandbox-")
    try:
        session.run(
            "make",
            "--no-print-directory",
            "demo-remote",
            f"BIN={session.bin}",
            f"SANDBOX_STATE={state_dir}",
            "SANDBOX_ARGS=--port 0 --http-port 0",
            external=True,
        )
    finally:
        session.run("pyflyte", "sandbox", "stop", "--state-dir", state_dir, success_codes=[0, 1])
        shutil.rmtree(state_dir, ignore_errors=True)


for _label, _interpreter in interpreters().items():
    nox.session(tests, name=f"tests-{_label}", python=_interpreter)
