"""The exception of eager workflows (``flytekit.exceptions.eager``)."""

__all__ = ["EagerException"]


class EagerException(Exception):
    """A call made by an eager workflow running remotely failed: its execution failed, was aborted or timed out.

    The message names the entity, its execution and the error it failed with. Catch it in the eager function
    to go on after a failed call.
    """
