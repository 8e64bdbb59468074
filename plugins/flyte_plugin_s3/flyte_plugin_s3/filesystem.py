"""The filesystem behind ``s3://`` URIs: s3fs, configured from flyte's ``S3Config`` (imports s3fs)."""

from __future__ import annotations

from typing import Any

import s3fs

from flyte_core.config.data import DataConfig
from flyte_plugin_s3.settings import storage_options, write_chunk_size

__all__ = ["FlyteS3FileSystem", "NoSuchBucketError", "s3_filesystem"]


class NoSuchBucketError(FileNotFoundError):
    """The bucket of a path does not exist (a FileNotFoundError, as s3fs and fsspec expect)."""


class FlyteS3FileSystem(s3fs.S3FileSystem):  # type: ignore[misc]
    """``s3fs.S3FileSystem`` with flytekit's upload part size and errors that name the endpoint and key id."""

    async def _put_file(self, lpath: str, rpath: str, *args: Any, chunksize: int | None = None, **kwargs: Any) -> Any:
        return await super()._put_file(lpath, rpath, *args, chunksize=chunksize or write_chunk_size(), **kwargs)

    async def _call_s3(self, method: str, *akwarglist: Any, **kwargs: Any) -> Any:
        try:
            return await super()._call_s3(method, *akwarglist, **kwargs)
        except PermissionError as exc:
            raise PermissionError(
                f"{self.describe_endpoint()} refused {method} with access key id {self.describe_key()}: {exc}"
            ) from exc
        except FileNotFoundError as exc:
            if _error_code(exc) != "NoSuchBucket":
                raise
            raise NoSuchBucketError(
                f"bucket '{kwargs.get('Bucket', '?')}' does not exist at {self.describe_endpoint()}"
            ) from exc

    def describe_endpoint(self) -> str:
        """The endpoint, for messages: its URL, or AWS S3 when none is configured."""
        return f"S3 endpoint {self.endpoint_url}" if self.endpoint_url else "AWS S3"

    def describe_key(self) -> str:
        """The access key id in use, for messages (never the secret)."""
        if self.anon:
            return "(anonymous)"
        if self.key:
            return f"'{self.key}'"
        return "from the AWS credential chain" + (f" ('{self._chain_key()}')" if self._chain_key() else "")

    def _chain_key(self) -> str | None:
        session = getattr(self, "session", None)
        credentials = getattr(session, "_credentials", None)
        return getattr(credentials, "access_key", None)


def _error_code(exc: BaseException) -> str | None:
    """The S3 error code of the botocore ``ClientError`` s3fs translated into ``exc``, if any."""
    response = getattr(exc.__cause__, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


def s3_filesystem(
    protocol: str = "s3", data_config: DataConfig | None = None, anonymous: bool = False, **kwargs: Any
) -> FlyteS3FileSystem:
    """The ``flyte_file_access_providers`` factory: an s3fs filesystem with the configured S3 settings.

    ``kwargs`` (storage options given by the caller, e.g. ``asynchronous``/``loop``) win over the settings.
    """
    s3 = (data_config or DataConfig.auto()).s3
    return FlyteS3FileSystem(**{**storage_options(s3, anonymous=anonymous), **kwargs})
