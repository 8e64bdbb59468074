"""``FlyteError``, the error a workflow's failure handler receives (flytekit's ``flytekit.types.error``)."""

from flyte_core.types.error.error import ErrorTransformer, FlyteError

__all__ = ["ErrorTransformer", "FlyteError"]
