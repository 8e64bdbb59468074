"""``pyflyte-fast-execute``: fetch the fast-registered code archive, then run the task command with it.

::

    pyflyte-fast-execute --additional-distribution s3://.../fast<digest>.tar.gz --dest-dir . \\
        -- pyflyte-execute --inputs ... --resolver ... -- task-module my.module task-name my_task

The archive (``flyte_core.packaging.fast_package`` makes it) is downloaded through the file-access
provider (a local one is read in place) and unpacked into ``--dest-dir`` (default: the working
directory), refusing members that would land outside it (on every Python: :mod:`flyte_core.packaging.unpack`).
The task command then runs as a subprocess, so it imports the unpacked code rather than anything this process
loaded, with the archive's location passed on (``--dynamic-addl-distro``, ``--dynamic-dest-dir``: dynamic tasks
reuse it for the tasks they create) and ``--dest-dir`` first on ``PYTHONPATH``. Its exit status is this command's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

from flyte_core.bin.arguments import UsageError, fast_execute_usage, parse_fast_execute
from flyte_core.bin.process import exit_process

PICKLE_FILE_NAME = "pkl.gz"  # flytekit's interactive-mode distribution: a pickle, downloaded as is


class DistributionError(Exception):
    """The code archive cannot be fetched or unpacked: the message names it and says why."""


def main(argv: Sequence[str] | None = None) -> None:
    """The ``pyflyte-fast-execute`` console script (it ends the process)."""
    exit_process(_main(sys.argv[1:] if argv is None else argv))


def _main(argv: Sequence[str]) -> int:
    program = "pyflyte-fast-execute"
    try:
        args = parse_fast_execute(argv)
    except UsageError as exc:
        sys.stderr.write(f"{program}: error: {exc} (see {program} --help)\n")
        return 2
    if args is None:
        sys.stdout.write(fast_execute_usage())
        return 0
    dest_dir = args.dest_dir
    command = list(args.task_execute_cmd)
    if args.additional_distribution is not None:
        dest_dir = dest_dir or os.getcwd()
        try:
            download_distribution(args.additional_distribution, dest_dir)
        except DistributionError as exc:
            sys.stderr.write(f"{program}: error: {exc}\n")
            return 1
        command = with_distribution(command, args.additional_distribution, dest_dir)
    env = dict(os.environ)
    if dest_dir is not None:
        code_dir = os.path.realpath(os.path.expanduser(dest_dir))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (code_dir, env.get("PYTHONPATH")) if p)
    try:
        return _run(command, env)
    except OSError as exc:
        sys.stderr.write(f"{program}: error: cannot run '{command[0]}': {exc.strerror or exc}\n")
        return 127


def with_distribution(command: list[str], distribution: str, dest_dir: str) -> list[str]:
    """The task command with ``--dynamic-addl-distro``/``--dynamic-dest-dir`` before each ``--resolver``."""
    result: list[str] = []
    for arg in command:
        if arg == "--resolver" or arg.startswith("--resolver="):
            result.extend(["--dynamic-addl-distro", distribution, "--dynamic-dest-dir", dest_dir])
        result.append(arg)
    return result


def download_distribution(distribution: str, dest_dir: str) -> None:
    """Download the code archive at ``distribution`` (any URI the file-access provider serves) into ``dest_dir``.

    Raises:
        DistributionError: the archive is missing, cannot be downloaded, is not a ``.tar.gz`` (or
            flytekit's ``pkl.gz``), or holds members that would be written outside ``dest_dir``.
    """
    from flyte_core.bin.transfers import local_path

    name = os.path.basename(distribution.rstrip("/"))
    if not name.endswith(".tar.gz") and name != PICKLE_FILE_NAME:
        raise DistributionError(f"'{distribution}' is not a code archive: expected a .tar.gz made by fast registration")
    os.makedirs(dest_dir, exist_ok=True)
    local = local_path(distribution)
    if local is not None and name != PICKLE_FILE_NAME:  # unpacked where it is: no copy, no file-access provider
        if not os.path.isfile(local):
            raise DistributionError(f"task execution code was not found at '{distribution}'")
        unpack(local, dest_dir)
        return
    with tempfile.TemporaryDirectory(prefix="flyte-distribution-") as scratch:
        downloaded = os.path.join(dest_dir if name == PICKLE_FILE_NAME else scratch, name)
        _download(distribution, downloaded)
        if name != PICKLE_FILE_NAME:
            unpack(downloaded, dest_dir)


def _download(distribution: str, local: str) -> None:
    """Fetch the archive through the file-access provider (any URI it serves)."""
    from flyte_core.context import FlyteContextManager
    from flyte_core.data.errors import FileAccessUnavailableError
    from flyte_core.exceptions.system import FlyteDownloadDataException
    from flyte_core.exceptions.user import FlyteDataNotFoundException

    try:
        FlyteContextManager.current_context().file_access.get_data(distribution, local)
    except FlyteDataNotFoundException as exc:
        raise DistributionError(f"task execution code was not found at '{distribution}'") from exc
    except (FlyteDownloadDataException, FileAccessUnavailableError) as exc:
        raise DistributionError(str(exc)) from exc


def unpack(archive: str, dest_dir: str) -> None:
    """Unpack a ``.tar.gz`` into ``dest_dir``, overwriting what is there (:mod:`flyte_core.packaging.unpack`).

    Raises:
        DistributionError: the archive is unreadable or a member would escape ``dest_dir``.
    """
    import tarfile

    from flyte_core.packaging.unpack import UnsafeArchiveError, unpack_archive

    try:
        unpack_archive(archive, dest_dir)
    except UnsafeArchiveError as exc:
        raise DistributionError(f"refusing to unpack '{os.path.basename(archive)}': {exc}") from exc
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DistributionError(f"cannot unpack '{os.path.basename(archive)}': {exc}") from exc


def _run(command: list[str], env: dict[str, str]) -> int:
    """Run the task command, passing SIGTERM on to it (the backend stops containers with it)."""
    import signal

    process = subprocess.Popen([_program(command[0], env), *command[1:]], env=env)

    def forward(signum: int, frame: Any) -> None:
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    code = process.wait()
    return 128 - code if code < 0 else code


def _program(name: str, env: dict[str, str]) -> str:
    """``name`` as found on ``PATH``, else beside this interpreter (a virtualenv that is not activated)."""
    import shutil

    if os.sep in name or shutil.which(name, path=env.get("PATH")):
        return name
    sibling = os.path.join(os.path.dirname(sys.executable), name)
    return sibling if os.access(sibling, os.X_OK) else name
