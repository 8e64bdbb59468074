"""The sandbox's ``DataProxyService``: signed upload and download URLs into the blob store, and ``flyte://`` data.

Upload targets are ``uploads/<project>/<domain>/<base32 of content_md5, or filename_root>/<filename>`` as in
flyteadmin; the signed URL is a PUT to the sandbox's HTTP side (``http_base_url``), ``native_url`` the blob's
``file://`` URI (what tasks read), and ``headers`` the ``Content-MD5`` the client must send when it gave one.
``GetData`` resolves ``flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o|d>[/<name>]``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import string
from typing import Any

from flyteidl.core import identifier_pb2
from flyteidl.service import dataproxy_pb2, dataproxy_pb2_grpc
from google.protobuf import duration_pb2

from flyte_core.sandbox import events
from flyte_core.sandbox.blobs import BlobPathError
from flyte_core.sandbox.control_plane import ControlPlane
from flyte_core.sandbox.errors import AlreadyExists, InvalidArgument, NotFound, guard_servicer

MAX_UPLOAD_EXPIRY = 3600.0
"""flyteadmin's default ``dataProxy.upload.maxExpiresIn`` (1 hour), also the default expiry."""
MAX_DOWNLOAD_EXPIRY = 3600.0
_FILENAME_LENGTH = 20
_FLYTE_URL = re.compile(
    r"^flyte://v1/(?:org/(?P<org>[a-zA-Z0-9_-]+)/)?(?P<project>[a-zA-Z0-9_-]+)/(?P<domain>[a-zA-Z0-9_-]+)/"
    r"(?P<execution>[a-zA-Z0-9_-]+)/(?P<node>[a-zA-Z0-9_-]+)(?:/(?P<attempt>[0-9]+))?/(?P<kind>[iod])"
    r"(?:/(?P<name>[a-zA-Z0-9_-]+))?$"
)


def _expiry(duration: duration_pb2.Duration, has: bool, maximum: float, what: str) -> float:
    if not has:
        return maximum
    seconds = duration.seconds + duration.nanos / 1e9
    if seconds < 0:
        raise InvalidArgument(f"{what} [{seconds}s] should not be less than 0")
    if seconds > maximum:
        raise InvalidArgument(f"{what} [{seconds}s] cannot exceed max allowed expiration [{maximum:.0f}s]")
    return seconds or maximum


def _expires_at(moment: float) -> Any:
    return events.timestamp(moment)


@guard_servicer
class DataProxyService(dataproxy_pb2_grpc.DataProxyServiceServicer):
    """flyteadmin's data proxy over the sandbox's blob store; URLs are signed for ``http_base_url``."""

    def __init__(self, control_plane: ControlPlane, http_base_url: str) -> None:
        self.cp = control_plane
        self.blobs = control_plane.blobs
        self.http_base_url = http_base_url

    def CreateUploadLocation(
        self, request: dataproxy_pb2.CreateUploadLocationRequest, context: Any
    ) -> dataproxy_pb2.CreateUploadLocationResponse:
        if not request.project or not request.domain:
            raise InvalidArgument("project and domain are required parameters")
        if not request.filename_root and not request.content_md5:
            raise InvalidArgument("content_md5 or filename_root is a required parameter")
        expires_in = _expiry(request.expires_in, request.HasField("expires_in"), MAX_UPLOAD_EXPIRY, "expiresIn")
        filename = request.filename or "".join(
            secrets.choice(string.ascii_lowercase + string.digits) for _ in range(_FILENAME_LENGTH)
        )
        prefix = request.filename_root or base64.b32encode(request.content_md5).decode()
        try:
            relative = self.blobs.relative_path("uploads", request.project, request.domain, prefix, filename)
        except BlobPathError as error:
            raise InvalidArgument(f"invalid upload location: {error}") from None
        if request.filename and request.filename_root and self.blobs.exists(relative):
            # A user-chosen name is only rewritten when the caller proves it has the same content.
            if not request.content_md5:
                raise AlreadyExists(
                    f"file already exists at location [{self.blobs.uri(relative)}], specify a matching hash if you "
                    "wish to rewrite"
                )
            if hashlib.md5(self.blobs.read_bytes(relative)).digest() != request.content_md5:
                raise AlreadyExists(
                    f"file already exists at location [{self.blobs.uri(relative)}] with a different content_md5"
                )
        signed_url, expires_at = self.blobs.signed_url(self.http_base_url, "PUT", relative, expires_in)
        response = dataproxy_pb2.CreateUploadLocationResponse(
            signed_url=signed_url, native_url=self.blobs.uri(relative), expires_at=_expires_at(expires_at)
        )
        if request.content_md5:
            response.headers["Content-MD5"] = base64.b64encode(request.content_md5).decode()
        return response

    def CreateDownloadLocation(
        self, request: dataproxy_pb2.CreateDownloadLocationRequest, context: Any
    ) -> dataproxy_pb2.CreateDownloadLocationResponse:
        expires_in = _expiry(request.expires_in, request.HasField("expires_in"), MAX_DOWNLOAD_EXPIRY, "expiresIn")
        url, expires_at = self._signed_get(request.native_url, expires_in)
        return dataproxy_pb2.CreateDownloadLocationResponse(signed_url=url, expires_at=_expires_at(expires_at))

    def _signed_get(self, native_url: str, expires_in: float) -> tuple[str, int]:
        try:
            relative = self.blobs.relative(native_url)
        except BlobPathError as error:
            raise InvalidArgument(f"error while validating request: {error}") from None
        return self.blobs.signed_url(self.http_base_url, "GET", relative, expires_in)

    def CreateDownloadLink(
        self, request: dataproxy_pb2.CreateDownloadLinkRequest, context: Any
    ) -> dataproxy_pb2.CreateDownloadLinkResponse:
        expires_in = _expiry(request.expires_in, request.HasField("expires_in"), MAX_DOWNLOAD_EXPIRY, "expiresIn")
        if request.artifact_type != dataproxy_pb2.ARTIFACT_TYPE_DECK:
            raise InvalidArgument(
                f"invalid artifact type [{dataproxy_pb2.ArtifactType.Name(request.artifact_type)}]: only "
                "ARTIFACT_TYPE_DECK can be downloaded"
            )
        if not request.HasField("node_execution_id"):
            raise InvalidArgument("source is required: give the node_execution_id whose deck to download")
        return self._deck_link(request.node_execution_id, expires_in)

    def _deck_link(
        self, node_id: identifier_pb2.NodeExecutionIdentifier, expires_in: float
    ) -> dataproxy_pb2.CreateDownloadLinkResponse:
        node = self.cp.node_execution(node_id)
        deck = node.closure.deck_uri
        if not deck:
            raise NotFound(f"{events.describe_node(node_id)} has no deck (the task wrote none, or has not finished)")
        try:
            exists = self.blobs.exists(deck)
        except BlobPathError:
            exists = False
        if not exists:
            raise NotFound(
                f"URL [{deck}] does not exist yet. Please try again later. If you are using the real-time deck, "
                "this could be because the 'persist' function has not been called yet."
            )
        url, expires_at = self._signed_get(deck, expires_in)
        stamp = _expires_at(expires_at)
        return dataproxy_pb2.CreateDownloadLinkResponse(
            signed_url=[url],
            expires_at=stamp,
            pre_signed_urls=dataproxy_pb2.PreSignedURLs(signed_url=[url], expires_at=stamp),
        )

    def GetData(self, request: dataproxy_pb2.GetDataRequest, context: Any) -> dataproxy_pb2.GetDataResponse:
        match = _FLYTE_URL.match(request.flyte_url)
        if not match:
            raise InvalidArgument(
                f"failed to parse flyte url [{request.flyte_url}]: expected "
                "flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o|d>[/<name>]"
            )
        parts = match.groupdict()
        node_id = identifier_pb2.NodeExecutionIdentifier(
            node_id=parts["node"],
            execution_id=identifier_pb2.WorkflowExecutionIdentifier(
                project=parts["project"], domain=parts["domain"], name=parts["execution"], org=parts["org"] or ""
            ),
        )
        kind, name = parts["kind"], parts["name"]
        if kind == "d":
            if parts["attempt"] is not None:
                raise InvalidArgument("deck type cannot be specified with a retry attempt, just use the node instead")
            if name:
                raise InvalidArgument("a deck URL names no literal: drop the trailing name")
            link = self._deck_link(node_id, MAX_DOWNLOAD_EXPIRY)
            return dataproxy_pb2.GetDataResponse(pre_signed_urls=link.pre_signed_urls)
        if parts["attempt"] is None:
            data = self.cp.node_execution_data(node_id)
            where = events.describe_node(node_id)
        else:
            data = self.cp.task_execution_data(self._task_execution_id(node_id, int(parts["attempt"])))
            where = f"attempt {parts['attempt']} of {events.describe_node(node_id)}"
        literals = data.full_inputs if kind == "i" else data.full_outputs
        if name:
            if name not in literals.literals:
                raise InvalidArgument(f"name [{name}] not found in {where}")
            return dataproxy_pb2.GetDataResponse(literal=literals.literals[name])
        return dataproxy_pb2.GetDataResponse(literal_map=literals)

    def _task_execution_id(
        self, node_id: identifier_pb2.NodeExecutionIdentifier, attempt: int
    ) -> identifier_pb2.TaskExecutionIdentifier:
        """The full id of a node's attempt (the URL does not name the task), as flyteadmin looks it up."""
        key = events.node_key(node_id)
        row = self.cp.state.one(
            "SELECT task_project, task_domain, task_name, task_version FROM task_executions WHERE project = ? AND "
            "domain = ? AND execution_name = ? AND node_id = ? AND retry_attempt = ? ORDER BY created_at LIMIT 1",
            (*key.values(), attempt),
        )
        if row is None:
            raise InvalidArgument(
                f"no task executions were listed for attempt {attempt} of {events.describe_node(node_id)}"
            )
        return identifier_pb2.TaskExecutionIdentifier(
            task_id=identifier_pb2.Identifier(
                resource_type=identifier_pb2.TASK,
                project=row[0],
                domain=row[1],
                name=row[2],
                version=row[3],
            ),
            node_execution_id=node_id,
            retry_attempt=attempt,
        )
