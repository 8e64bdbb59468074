"""The data-access error flytekit has no type for; the rest (``FlyteAssertion``, ``FlyteDataNotFoundException``,
``FlyteDownloadDataException``, ``FlyteUploadDataException``) are flytekit's, in ``flyte_core.exceptions``.
"""

from __future__ import annotations

from flyte_core.exceptions.user import FlyteUserException

__all__ = ["FileAccessUnavailableError"]


class FileAccessUnavailableError(FlyteUserException, ImportError, ValueError):
    """No usable filesystem for a URI: no plugin serves its protocol, or the one that does lacks a dependency.

    The message names the URI and says what to install. It is an ``ImportError`` (flytekit raises one
    when s3fs or gcsfs is missing) and a ``ValueError`` (fsspec raises one for a protocol it does not
    know), so ``except`` clauses written for flytekit still catch it.
    """

    _ERROR_CODE = "USER:FileAccessUnavailable"
