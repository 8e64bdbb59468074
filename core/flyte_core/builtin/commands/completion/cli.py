"""``pyflyte completion [bash|zsh|fish]``: the completion script, and how to install it."""

from __future__ import annotations

import os

import click

_INSTALL = {
    "bash": 'eval "$(pyflyte completion bash)"  # add to ~/.bashrc',
    "zsh": 'eval "$(pyflyte completion zsh)"  # add to ~/.zshrc',
    "fish": "pyflyte completion fish > ~/.config/fish/completions/pyflyte.fish",
}


@click.command("completion")
@click.argument("shell", required=False, type=click.Choice(sorted(_INSTALL)))
def completion(shell: str | None) -> None:
    """Print the completion script of SHELL (default: the current shell).

    Completion covers pyflyte's commands and options, the Python files of `pyflyte run`, their
    workflows, tasks and launch plans, and each entity's input options.
    """
    shell = shell or os.path.basename(os.environ.get("SHELL", "bash"))
    if shell not in _INSTALL:
        raise click.UsageError(f"unsupported shell '{shell}': choose one of {', '.join(sorted(_INSTALL))}")
    from click.shell_completion import get_completion_class

    from flyte_core.cli.main import pyflyte

    completer_class = get_completion_class(shell)
    assert completer_class is not None
    completer = completer_class(pyflyte, {}, "pyflyte", "_PYFLYTE_COMPLETE")
    click.echo(completer.source())
    click.echo(f"# install: {_INSTALL[shell]}", err=True)
