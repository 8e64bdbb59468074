"""``--trace-rpcs FILE``: every gRPC request the sandbox receives, one JSON line each (method and message).

For comparing what two clients send for the same action (the tests record flytekit and flyte-core) and for
debugging a client; off by default.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict


class RpcTrace(grpc.ServerInterceptor):  # type: ignore[misc]
    """Appends ``{"time", "method", "request"}`` for each unary request to ``path``."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary
        method = handler_call_details.method

        def traced(request: Any, context: Any) -> Any:
            self._write(method, request)
            return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            traced, request_deserializer=handler.request_deserializer, response_serializer=handler.response_serializer
        )

    def _write(self, method: str, request: Any) -> None:
        line = json.dumps({"time": time.time(), "method": method, "request": MessageToDict(request)})
        with self._lock, self._path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
