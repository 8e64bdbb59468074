"""Data access: reading and writing task data by URI (local paths, ``http(s)://``, ``s3://``...).

``FileAccessProvider`` is what ``FlyteContext.file_access`` holds; the filesystem for each protocol
comes from a ``flyte_file_access_providers`` plugin. Importing this package imports fsspec, so
nothing on the ``import flyte_core`` / ``pyflyte --help`` path imports it. The errors transfers raise
are flytekit's, in ``flyte_core.exceptions``, plus :class:`FileAccessUnavailableError`.
"""

from flyte_core.data.errors import FileAccessUnavailableError
from flyte_core.data.file_access import FileAccessProvider, Uploadable

__all__ = ["FileAccessProvider", "FileAccessUnavailableError", "Uploadable"]
