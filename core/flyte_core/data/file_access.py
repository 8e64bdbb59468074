"""``FileAccessProvider``: reads and writes task data by URI, through filesystems that plugins provide.

The public surface and behaviour of flytekit's ``flytekit.core.data_persistence.FileAccessProvider``.
A URI's protocol selects its filesystem:

the ``flyte_file_access_providers`` registration for the protocol, its filesystem loaded once per
provider instance. Built-ins serve ``file``, ``http``/``https`` and ``flyte``, and, as a fallback any plugin
replaces, every other protocol fsspec knows (``memory``, ``gs`` with gcsfs installed...) except
``s3``/``s3a``, which need flyte-plugin-s3. A protocol nothing serves, or whose library is missing, is a
:class:`~flyte_core.data.errors.FileAccessUnavailableError` saying what to install.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import os
import pathlib
import uuid
from collections.abc import Iterator
from typing import Any

import fsspec
from fsspec.registry import known_implementations
from fsspec.utils import get_protocol

from flyte_core.config.data import DataConfig
from flyte_core.data.errors import FileAccessUnavailableError
from flyte_core.exceptions.system import FlyteDownloadDataException, FlyteUploadDataException
from flyte_core.exceptions.user import FlyteAssertion, FlyteDataNotFoundException
from flyte_core.plugins.manager import get_plugin_manager
from flyte_core.plugins.types import FlyteFileAccessProvider

__all__ = ["FileAccessProvider", "Uploadable", "fsspec_filesystem"]

Uploadable = str | os.PathLike[str] | bytes | io.BufferedIOBase | io.RawIOBase | io.TextIOBase
"""What :meth:`FileAccessProvider.put_raw_data` uploads: a local file or directory, bytes, or a stream."""

_S3_PROTOCOLS = ("s3", "s3a")
_SANDBOX_SUBDIR = "local_flytekit"  # flytekit's name, kept so local paths look the same


class FileAccessProvider:
    """Moves data between the local sandbox directory and stores named by URI (the raw output prefix's first).

    Args:
        local_sandbox_dir: a local working directory; files land in its ``local_flytekit`` subdirectory.
        raw_output_prefix: where tasks write offloaded data (files, directories, dataframes), e.g.
            ``s3://bucket/raw`` or a local path; it always ends with the filesystem's separator.
        data_config: storage settings, handed to file-access provider factories (default:
            ``DataConfig.auto()``, from the environment and the config file).
        execution_metadata: key/values attached as ``metadata`` to every upload, unless
            ``data_config.generic.attach_execution_metadata`` is false.
    """

    def __init__(
        self,
        local_sandbox_dir: str | os.PathLike[str],
        raw_output_prefix: str,
        data_config: DataConfig | None = None,
        execution_metadata: dict[str, Any] | None = None,
    ) -> None:
        if not local_sandbox_dir:
            raise ValueError("FileAccessProvider needs a local_sandbox_dir (a local working directory)")
        self._local_sandbox_dir = pathlib.Path(local_sandbox_dir, _SANDBOX_SUBDIR)
        self._local_sandbox_dir.mkdir(parents=True, exist_ok=True)
        self._data_config = data_config if data_config is not None else DataConfig.auto()
        attach = self._data_config.generic.attach_execution_metadata
        self._execution_metadata = execution_metadata if attach else None
        self._given_raw_output_prefix = str(raw_output_prefix)
        self._raw_output_protocol = get_protocol(self._given_raw_output_prefix)
        self._raw_output_fs: fsspec.AbstractFileSystem | None = None
        self._loaded: dict[str, tuple[FlyteFileAccessProvider, Any, bool]] = {}

    # ------------------------------------------------------------------------------------------
    # Where things are
    # ------------------------------------------------------------------------------------------

    @property
    def raw_output_prefix(self) -> str:
        """The raw output prefix, ending with the separator of its filesystem."""
        sep = self.sep(self.raw_output_fs)
        prefix = self._given_raw_output_prefix
        return prefix if prefix.endswith(sep) else prefix + sep

    @property
    def raw_output_fs(self) -> fsspec.AbstractFileSystem:
        """The filesystem of the raw output prefix (resolved on first use, so building a provider is cheap)."""
        if self._raw_output_fs is None:
            self._raw_output_fs = self.get_filesystem(self._raw_output_protocol, path=self._given_raw_output_prefix)
        return self._raw_output_fs

    @property
    def local_sandbox_dir(self) -> os.PathLike[str]:
        """The local working directory (``<local_sandbox_dir>/local_flytekit``), created at construction."""
        return self._local_sandbox_dir

    @property
    def local_access(self) -> fsspec.AbstractFileSystem:
        """The local filesystem (the ``file`` protocol's provider)."""
        return self.get_filesystem("file")

    @property
    def data_config(self) -> DataConfig:
        """The storage settings handed to file-access provider factories."""
        return self._data_config

    # ------------------------------------------------------------------------------------------
    # Filesystems
    # ------------------------------------------------------------------------------------------

    def get_filesystem(
        self, protocol: str | None = None, anonymous: bool = False, path: str | None = None, **kwargs: Any
    ) -> fsspec.AbstractFileSystem:
        """The filesystem serving ``protocol`` (the raw output prefix's when None).

        Args:
            protocol: a URI scheme such as ``"s3"`` or ``"file"``.
            anonymous: ask for unauthenticated access (passed to provider factories, see
                :class:`~flyte_core.plugins.FlyteFileAccessProvider`).
            path: the URI being accessed, for filesystems that take options from it and for errors.
            kwargs: storage options for the filesystem.

        Raises:
            FileAccessUnavailableError: nothing installed can serve the protocol; the message says what
                to install.
        """
        if not protocol:
            return self.raw_output_fs
        uri = path or f"{protocol}://"
        registration = get_plugin_manager().file_access_providers().get(protocol)
        if registration is None:
            raise _unserved(protocol, uri)
        target, takes_path = self._load(protocol, registration, uri)
        try:
            if isinstance(target, type) and issubclass(target, fsspec.AbstractFileSystem):
                filesystem = target(**{**_options_from_uri(target, path), **kwargs})
            else:
                if takes_path:
                    kwargs["path"] = path
                filesystem = target(protocol=protocol, data_config=self._data_config, anonymous=anonymous, **kwargs)
        except ImportError as exc:
            raise _unusable(uri, registration, exc) from exc
        if not isinstance(filesystem, fsspec.AbstractFileSystem):
            raise TypeError(
                f"the file-access provider for '{protocol}' ({_source(registration)}) returned {filesystem!r}, "
                "not an fsspec filesystem"
            )
        return filesystem

    def get_filesystem_for_path(
        self, path: str = "", anonymous: bool = False, **kwargs: Any
    ) -> fsspec.AbstractFileSystem:
        """The filesystem serving ``path``'s protocol (a path without one is local)."""
        return self.get_filesystem(get_protocol(path), anonymous=anonymous, path=path, **kwargs)

    async def get_async_filesystem_for_path(
        self, path: str = "", anonymous: bool = False, **kwargs: Any
    ) -> fsspec.AbstractFileSystem:
        """The filesystem serving ``path``, in asynchronous mode on the running event loop where it has one."""
        loop = asyncio.get_running_loop()
        return self.get_filesystem_for_path(path, anonymous=anonymous, asynchronous=True, loop=loop, **kwargs)

    def _load(self, protocol: str, registration: FlyteFileAccessProvider, uri: str) -> tuple[Any, bool]:
        """The registration's filesystem class or factory, imported once per protocol, and whether it takes ``path``."""
        cached = self._loaded.get(protocol)
        if cached is not None and cached[0] is registration:
            return cached[1], cached[2]
        try:
            target = registration.load_filesystem()
        except ImportError as exc:
            raise _unusable(uri, registration, exc) from exc
        takes_path = not isinstance(target, type) and "path" in inspect.signature(target).parameters
        self._loaded[protocol] = (registration, target, takes_path)
        return target, takes_path

    def sep(self, file_system: fsspec.AbstractFileSystem | None) -> str:
        """The path separator of ``file_system``: the platform's for local files."""
        if file_system is None:
            return os.sep
        protocols = file_system.protocol if isinstance(file_system.protocol, (tuple, list)) else [file_system.protocol]
        return os.sep if "file" in protocols else str(file_system.sep)

    # ------------------------------------------------------------------------------------------
    # Paths
    # ------------------------------------------------------------------------------------------

    @staticmethod
    def is_remote(path: str | os.PathLike[str]) -> bool:
        """True for a URI of any protocol but ``file`` (a plain path is local)."""
        return bool(get_protocol(str(path)) != "file")

    @staticmethod
    def strip_file_header(path: str, trim_trailing_sep: bool = False) -> str:
        """``path`` without a leading ``file://`` (and without a trailing separator if asked)."""
        stripped = path.removeprefix("file://")
        if trim_trailing_sep and len(stripped) > 1:
            return stripped.rstrip(os.sep) or os.sep
        return stripped

    @staticmethod
    def get_file_tail(file_path_or_file_name: str) -> str:
        """The last component of a path."""
        return os.path.split(file_path_or_file_name)[1]

    @staticmethod
    def get_random_string() -> str:
        """32 random hex digits, for unique path components."""
        return uuid.uuid4().hex

    @staticmethod
    def recursive_paths(f: str, t: str) -> tuple[str, str]:
        """Source and destination of a recursive copy, with trailing separators so contents are copied.

        A local source gets one only if it is a directory; a remote one always does.
        """
        if get_protocol(f) != "file" or os.path.isdir(FileAccessProvider.strip_file_header(f)):
            f = os.path.join(f, "")
        return f, os.path.join(t, "")

    def join(self, *paths: str, unstrip: bool = False, fs: fsspec.AbstractFileSystem | None = None) -> str:
        """``paths`` joined with the separator of ``fs`` (the raw output filesystem by default).

        Args:
            unstrip: return a full URI (``file:///tmp/x`` rather than ``/tmp/x``).
        """
        if not paths:
            raise ValueError("join needs at least one path")
        fs = fs or self.raw_output_fs
        base, *tails = paths
        if base.endswith(fs.sep):
            base = base[: -len(fs.sep)]
        joined = fs.sep.join([base, *tails])
        return str(fs.unstrip_protocol(joined)) if unstrip else joined

    def generate_new_custom_path(
        self, fs: fsspec.AbstractFileSystem | None = None, alt: str | None = None, stem: str | None = None
    ) -> str:
        """A path next to the raw output prefix's last component: ``<prefix>/<stem or random>``.

        Args:
            fs: the filesystem whose separator splits the prefix (the raw output filesystem by default).
            alt: replaces the prefix's third component, the bucket of ``s3://bucket/...``.
            stem: the final component instead of a random string.
        """
        fs = fs or self.raw_output_fs
        parts = self.raw_output_prefix.split(fs.sep)[:-1]
        if alt:
            if len(parts) < 3:
                raise ValueError(
                    f"cannot replace the bucket of raw output prefix '{self.raw_output_prefix}' by '{alt}'"
                )
            parts[2] = alt
        parts.append(stem or self.get_random_string())
        return str(fs.sep.join(parts))

    def get_random_local_path(self, file_path_or_file_name: str | None = None) -> str:
        """A fresh path in the local sandbox: ``<sandbox>/<random>[/<tail of the given name>]``."""
        key = self.get_random_string()
        tail = self.get_file_tail(file_path_or_file_name) if file_path_or_file_name else ""
        if tail:
            return os.path.join(self._local_sandbox_dir, key, tail)
        return os.path.join(self._local_sandbox_dir, key)

    def get_random_local_directory(self) -> str:
        """A fresh, existing directory in the local sandbox."""
        directory = self.get_random_local_path()
        pathlib.Path(directory).mkdir(parents=True, exist_ok=True)
        return directory

    def get_random_remote_path(self, file_path_or_file_name: str | None = None) -> str:
        """A fresh path under the raw output prefix: ``<prefix><random>[/<tail of the given name>]``."""
        if file_path_or_file_name:
            return self.join(
                self.raw_output_prefix, self.get_random_string(), self.get_file_tail(file_path_or_file_name)
            )
        return self.join(self.raw_output_prefix, self.get_random_string())

    def get_random_remote_directory(self) -> str:
        """A fresh directory path under the raw output prefix (nothing is created)."""
        return self.join(self.raw_output_prefix, self.get_random_string())

    # ------------------------------------------------------------------------------------------
    # Transfers
    # ------------------------------------------------------------------------------------------

    def exists(self, path: str) -> bool:
        """Whether ``path`` exists, asking again anonymously if the authenticated check fails."""
        fs = self.get_filesystem_for_path(path)
        try:
            return bool(fs.exists(path))
        except OSError:
            anonymous_fs = self.get_filesystem(get_protocol(path), anonymous=True, path=path)
            if anonymous_fs is fs:
                raise
            return bool(anonymous_fs.exists(path))

    def get(self, from_path: str, to_path: str, recursive: bool = False, **kwargs: Any) -> str:
        """Copy ``from_path`` (any URI) to the local ``to_path``; return where it landed.

        Raises:
            FlyteDataNotFoundException: ``from_path`` does not exist.
            OSError: the copy failed otherwise (after an anonymous retry where that can help).
        """
        fs = self.get_filesystem_for_path(from_path)
        if recursive:
            from_path, to_path = self.recursive_paths(from_path, to_path)
        try:
            return _landed(fs.get(from_path, to_path, recursive=recursive, **kwargs), to_path)
        except OSError as exc:
            if not fs.exists(from_path):
                if isinstance(exc, FileNotFoundError):
                    raise FlyteDataNotFoundException(from_path) from exc
                raise  # unreadable rather than missing (a TLS or permission error): callers report the cause
            anonymous_fs = self.get_filesystem(get_protocol(from_path), anonymous=True, path=from_path)
            if anonymous_fs is fs:
                raise
            return _landed(anonymous_fs.get(from_path, to_path, recursive=recursive, **kwargs), to_path)

    def put(self, from_path: str, to_path: str, recursive: bool = False, **kwargs: Any) -> str:
        """Copy the local ``from_path`` to ``to_path`` (any URI); return where it landed."""
        fs = self.get_filesystem_for_path(to_path)
        from_path = self.strip_file_header(from_path)
        if recursive:
            from_path, to_path = self.recursive_paths(from_path, to_path)
        if self._execution_metadata:
            kwargs["metadata"] = {**kwargs.get("metadata", {}), **self._execution_metadata}
        return _landed(fs.put(from_path, to_path, recursive=recursive, **kwargs), to_path)

    def get_data(self, remote_path: str, local_path: str, is_multipart: bool = False, **kwargs: Any) -> None:
        """Download a file (or, with ``is_multipart``, a directory's contents) to ``local_path``.

        Raises:
            FlyteDataNotFoundException: ``remote_path`` does not exist.
            FlyteDownloadDataException: the copy failed; the message names both paths and the cause.
            FileAccessUnavailableError: nothing installed serves ``remote_path``'s protocol.
        """
        try:
            pathlib.Path(local_path).parent.mkdir(parents=True, exist_ok=True)
            self.get(remote_path, local_path, recursive=is_multipart, **kwargs)
        except (FlyteDataNotFoundException, FileAccessUnavailableError):
            raise
        except Exception as exc:
            raise FlyteDownloadDataException(_failure("download", remote_path, local_path, is_multipart, exc)) from exc

    def put_data(
        self, local_path: str | os.PathLike[str], remote_path: str, is_multipart: bool = False, **kwargs: Any
    ) -> str:
        """Upload a file (or, with ``is_multipart``, a directory's contents) to ``remote_path``; return it.

        For ``flyte://`` destinations the store's own URL of the upload is returned instead.

        Raises:
            FlyteUploadDataException: the copy failed (a missing source included); the message names
                both paths and the cause.
            FileAccessUnavailableError: nothing installed serves ``remote_path``'s protocol.
        """
        source = os.fspath(local_path)
        try:
            landed = self.put(source, remote_path, recursive=is_multipart, **kwargs)
        except FileAccessUnavailableError:
            raise
        except Exception as exc:
            raise FlyteUploadDataException(_failure("upload", source, remote_path, is_multipart, exc)) from exc
        return landed if remote_path.startswith("flyte://") else remote_path

    def put_raw_data(
        self,
        lpath: Uploadable,
        upload_prefix: str | None = None,
        file_name: str | None = None,
        read_chunk_size_bytes: int = 1024,
        encoding: str = "utf-8",
        skip_raw_data_prefix: bool = False,
        **kwargs: Any,
    ) -> str:
        """Write a local file or directory, bytes, or a stream under the raw output prefix; return where.

        The destination is ``<raw output prefix>/<upload_prefix>/<file_name>``.

        Args:
            lpath: a local file or directory (copied recursively), bytes, or a binary or text stream.
            upload_prefix: the middle component; None means a random one, ``""`` none at all.
            file_name: the last component; by default the file's name, or a random one for data.
            read_chunk_size_bytes: how much of a stream is read at a time.
            encoding: how a text stream is encoded.
            skip_raw_data_prefix: use ``upload_prefix`` as the whole destination directory.
            kwargs: passed to the filesystem's ``put`` or ``open``.

        Raises:
            FlyteAssertion: ``lpath`` is missing, a symlink, an unreadable stream or an unsupported type.
            FlyteUploadDataException: the write failed.
        """
        upload_prefix = self.get_random_string() if upload_prefix is None else upload_prefix
        directory = upload_prefix if skip_raw_data_prefix else self.join(self.raw_output_prefix, upload_prefix)
        if isinstance(lpath, (str, os.PathLike)):
            source = os.fspath(lpath)
            to_path = self.join(directory, file_name or self.get_file_tail(source))
            local = pathlib.Path(source)
            if not local.exists():
                raise FlyteAssertion(f"cannot upload '{source}': it does not exist")
            if local.is_symlink():
                raise FlyteAssertion(f"cannot upload '{source}': it is a symlink")
            try:
                return self.put(source, to_path, recursive=local.is_dir(), **kwargs)
            except FileAccessUnavailableError:
                raise
            except Exception as exc:
                raise FlyteUploadDataException(_failure("upload", source, to_path, local.is_dir(), exc)) from exc
        to_path = self.join(directory, file_name or self.get_random_string())
        chunks = _chunks(lpath, read_chunk_size_bytes, encoding)
        fs = self.get_filesystem_for_path(to_path)
        try:
            with fs.open(to_path, "wb", **kwargs) as out:
                for chunk in chunks:
                    out.write(chunk)
        except Exception as exc:
            raise FlyteUploadDataException(_failure("upload", type(lpath).__name__, to_path, False, exc)) from exc
        return to_path

    def download(self, remote_path: str, local_path: str, **kwargs: Any) -> None:
        """Download one file: :meth:`get_data`."""
        self.get_data(remote_path, local_path, **kwargs)

    def download_directory(self, remote_path: str, local_path: str, **kwargs: Any) -> None:
        """Download a directory's contents: :meth:`get_data` with ``is_multipart=True``."""
        self.get_data(remote_path, local_path, is_multipart=True, **kwargs)

    def upload(self, file_path: str, to_path: str, **kwargs: Any) -> str:
        """Upload one file: :meth:`put_data`."""
        return self.put_data(file_path, to_path, **kwargs)

    def upload_directory(self, local_path: str, remote_path: str, **kwargs: Any) -> str:
        """Upload a directory's contents: :meth:`put_data` with ``is_multipart=True``."""
        return self.put_data(local_path, remote_path, is_multipart=True, **kwargs)

    # The asynchronous API flytekit offers: the same transfers, run in a worker thread so that the
    # event loop keeps running while they block.

    async def async_get_data(
        self, remote_path: str, local_path: str, is_multipart: bool = False, **kwargs: Any
    ) -> None:
        """:meth:`get_data`, awaitable."""
        await asyncio.to_thread(self.get_data, remote_path, local_path, is_multipart, **kwargs)

    async def async_put_data(
        self, local_path: str | os.PathLike[str], remote_path: str, is_multipart: bool = False, **kwargs: Any
    ) -> str:
        """:meth:`put_data`, awaitable."""
        return await asyncio.to_thread(self.put_data, local_path, remote_path, is_multipart, **kwargs)

    async def async_put_raw_data(self, lpath: Uploadable, *args: Any, **kwargs: Any) -> str:
        """:meth:`put_raw_data`, awaitable."""
        return await asyncio.to_thread(self.put_raw_data, lpath, *args, **kwargs)


def _options_from_uri(cls: type[fsspec.AbstractFileSystem], path: str | None) -> dict[str, Any]:
    """Storage options a URI carries (an ftp host, a user...), as ``fsspec.url_to_fs`` derives them."""
    return dict(cls._get_kwargs_from_urls(path)) if path else {}


def fsspec_filesystem(
    protocol: str, data_config: DataConfig, anonymous: bool = False, path: str | None = None, **storage_options: Any
) -> fsspec.AbstractFileSystem:
    """fsspec's own filesystem for ``protocol`` (the built-in fallback provider), or an error saying what to install."""
    uri = path or f"{protocol}://"
    try:
        cls = fsspec.get_filesystem_class(protocol)
    except ImportError as exc:
        hint = known_implementations.get(protocol, {}).get("err") or f"cannot import it ({exc.__cause__ or exc})"
        raise FileAccessUnavailableError(
            f"no file-access provider for '{uri}': {hint} (or install a flyte-core plugin serving '{protocol}')"
        ) from exc
    if anonymous and protocol == "gs":
        storage_options = {"token": "anon", **storage_options}  # gcsfs's spelling, as flytekit passes it
    return cls(**{**_options_from_uri(cls, path), **storage_options})


def _unserved(protocol: str, uri: str) -> FileAccessUnavailableError:
    if protocol in _S3_PROTOCOLS:
        return FileAccessUnavailableError(f"no file-access provider for '{uri}': pip install flyte-plugin-s3")
    return FileAccessUnavailableError(
        f"no file-access provider for '{uri}': no installed plugin serves '{protocol}' and fsspec does not "
        f"know it; install a flyte-core plugin (or an fsspec implementation) for '{protocol}'"
    )


def _unusable(uri: str, registration: FlyteFileAccessProvider, exc: ImportError) -> FileAccessUnavailableError:
    return FileAccessUnavailableError(f"cannot access '{uri}' with {_source(registration)}: {exc}")


def _source(registration: FlyteFileAccessProvider) -> str:
    return str(registration.source) if registration.source else "its file-access provider"


def _landed(result: object, to_path: str) -> str:
    """Where a copy landed: what the filesystem says when it says a path, else the destination asked for."""
    return str(result) if isinstance(result, (str, pathlib.Path)) else to_path


def _chunks(stream: object, chunk_size: int, encoding: str) -> Iterator[bytes]:
    """The bytes of ``stream`` (bytes or a readable binary/text stream), from its start, in chunks."""
    if isinstance(stream, bytes):
        return iter((stream,))
    if not isinstance(stream, (io.BufferedIOBase, io.RawIOBase, io.TextIOBase)):
        raise FlyteAssertion(
            f"put_raw_data cannot upload a value of type '{type(stream).__name__}': "
            "it takes a path, bytes, or a binary or text stream"
        )
    if not stream.readable():
        raise FlyteAssertion(f"cannot upload from the {type(stream).__name__}: it is not readable")
    if stream.seekable():
        stream.seek(0)
    return _read(stream, chunk_size, encoding)


def _read(stream: io.IOBase, chunk_size: int, encoding: str) -> Iterator[bytes]:
    while data := stream.read(chunk_size):
        yield data.encode(encoding) if isinstance(data, str) else data


def _failure(verb: str, source: str, destination: str, recursive: bool, exc: BaseException) -> str:
    what = " (recursively)" if recursive else ""
    return f"cannot {verb} '{source}' to '{destination}'{what}: {_describe(exc)}"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
