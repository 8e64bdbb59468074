"""flytekit's ``lazy_module`` / ``is_imported`` (``flyte_core.lazy_import.lazy_module``, top-level ``lazy_module``):
a module named now and executed on first use; a missing one fails only when used, naming itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> None:
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=True)


def test_a_lazy_module_runs_only_when_an_attribute_is_used() -> None:
    _run(
        """
        import sys
        from flyte_core.lazy_import.lazy_module import is_imported, lazy_module
        csv = lazy_module("csv")
        assert "csv" in sys.modules and not is_imported("csv")  # named, not executed
        assert csv.QUOTE_ALL == 1 and is_imported("csv")
        assert lazy_module("csv") is sys.modules["csv"]
        """
    )


def test_a_module_that_is_not_installed_fails_when_used_and_says_which() -> None:
    from flyte_core import lazy_module

    missing = lazy_module("a_library_that_is_not_installed.sub")
    try:
        missing.run()
    except ImportError as exc:
        assert "a_library_that_is_not_installed.sub" in str(exc) and "not installed" in str(exc)
    else:
        raise AssertionError("using a module that is not installed must raise ImportError")
    assert "a_library_that_is_not_installed.sub" not in sys.modules


def test_flytekits_top_level_model_and_plugin_names_resolve() -> None:
    import flyte_core
    from flyte_core.sdk.checkpointer import Checkpoint
    from flyte_core.values import literals, types

    assert flyte_core.Literal is literals.Literal and flyte_core.Scalar is literals.Scalar
    assert flyte_core.Blob is literals.Blob and flyte_core.BlobMetadata is literals.BlobMetadata
    assert flyte_core.BlobType is types.BlobType and flyte_core.LiteralType is types.LiteralType
    assert flyte_core.Checkpoint is Checkpoint
    flyte_core.load_implicit_plugins()
    from flyte_core.plugins.manager import get_plugin_manager

    assert any(info.name == "commands.run" for info in get_plugin_manager().plugins())
