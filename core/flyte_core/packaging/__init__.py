"""Packaging for registration: the project's source archive and the serialized entities.

:func:`fast_package` (``flytekit.tools.fast_registration``'s job) makes the reproducible
``fast<digest>.tar.gz`` that ``pyflyte-fast-execute`` unpacks in the task's container; :func:`compute_digest`
is the digest it is named by; :mod:`flyte_core.sdk.ignore_rules` holds the ignore rules.
"""

from flyte_core.packaging.fast import FAST_FILEENDING, FAST_PREFIX, compute_digest, fast_package

__all__ = ["FAST_FILEENDING", "FAST_PREFIX", "compute_digest", "fast_package"]
