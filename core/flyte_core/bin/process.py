"""Ending an entrypoint's process quickly once its work is done."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn


def exit_process(code: int) -> NoReturn:
    """End the process with ``code`` once exit handlers ran, skipping the interpreter's teardown.

    Tearing down the few hundred modules a task imports, one by one, takes tens of milliseconds of every
    task's start-up budget and serves nothing once the results are uploaded. While a thread of the user's
    (not a daemon) still runs, the process exits normally, waiting for it.
    """
    import threading

    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing left to say
            stream.flush()
    os._exit(code)
