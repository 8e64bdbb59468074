"""Options and click callbacks several commands share: ``KEY=VALUE`` options and ``--image``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click


def key_values(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` options (``--env``, ``--label``...) as a dict."""
    result: dict[str, str] = {}
    for item in values or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not of the form KEY=VALUE", ctx=ctx, param=param)
        result[key.strip()] = value
    return result


def image_config(ctx: click.Context, param: click.Parameter, values: Sequence[str]) -> Any:
    """``--image URI`` (the default image) and ``--image NAME=URI`` as an ``ImageConfig``."""
    from flyte_core.config import ConfigError
    from flyte_core.config.images import ImageConfig

    try:
        return ImageConfig.validate_image(ctx, param, values)
    except (ConfigError, ValueError) as exc:
        raise click.BadParameter(
            f"{exc}: give an image with a tag or digest, e.g. --image ghcr.io/org/app:v1 or --image name=repo/app:v1",
            ctx=ctx,
            param=param,
        ) from exc


def image_option(command: Any) -> Any:
    """``-i/--image``, repeatable: the default image and named ones, as an ``ImageConfig`` (``image_config``)."""
    return click.option(
        "-i",
        "--image",
        "image_config",
        multiple=True,
        callback=image_config,
        help="The image tasks run in: 'repo/name:tag' for the default image, 'name=repo/name:tag' for a named "
        "one (repeatable).",
    )(command)


def verbosity(ctx: click.Context) -> int:
    """How many ``-v`` the root ``pyflyte`` command got."""
    root = ctx.find_root()
    return int(root.obj.get("verbose", 0)) if isinstance(root.obj, dict) else 0
