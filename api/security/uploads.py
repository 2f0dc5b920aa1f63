"""Upload limits: read uploads and request bodies in chunks, refuse (413) past the limit.

:class:`RequestSizeLimitMiddleware` refuses a larger request body before any route parses it
(``LINKPLAN_MAX_UPLOAD_MB``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fastapi import Request, UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gis.errors import UploadTooLargeError

if TYPE_CHECKING:
    from api.settings import Settings


_MIB = 1024 * 1024
_CHUNK = _MIB


def max_upload_bytes(settings: Settings) -> int:
    """Return the upload limit in bytes (``LINKPLAN_MAX_UPLOAD_MB``)."""
    return int(settings.max_upload_mb) * _MIB


def _too_large(what: str, max_bytes: int) -> UploadTooLargeError:
    mb = max_bytes / _MIB
    msg = (
        f"{what} is larger than the upload limit of {max_bytes:,} bytes ({mb:g} MB, "
        "LINKPLAN_MAX_UPLOAD_MB)"
    )
    return UploadTooLargeError(msg)


async def read_upload(file: UploadFile, *, max_bytes: int) -> bytes:
    """Read an uploaded file in chunks, refusing it as soon as it passes ``max_bytes``.

    At most ``max_bytes + 1`` bytes are read: the file is never read whole first.

    Raises
    ------
    UploadTooLargeError
        If the file (its declared size, or what was read) is over ``max_bytes``.
    """
    what = f"upload {file.filename!r}" if file.filename else "the upload"
    if file.size is not None and file.size > max_bytes:
        raise _too_large(what, max_bytes)
    parts: list[bytes] = []
    total = 0
    while chunk := await file.read(min(_CHUNK, max_bytes + 1 - total)):
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(what, max_bytes)
        parts.append(chunk)
    return b"".join(parts)


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """Read a request body (a raw upload) as it streams in, refusing it past ``max_bytes``."""
    what = "the request body"
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise _too_large(what, max_bytes)
    parts: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(what, max_bytes)
        parts.append(chunk)
    return b"".join(parts)


class RequestSizeLimitMiddleware:
    """Refuse (413) any request whose body is over ``max_bytes``, before a route parses it.

    FastAPI parses a multipart form (spooling its files to disk) before any dependency runs, so
    :func:`read_upload` alone cannot stop a huge upload from being received. This ASGI
    middleware checks ``Content-Length`` and counts the body as it streams in; past the limit
    it stops reading, drops whatever the app answers and answers 413 itself.

    Parameters
    ----------
    app
        The ASGI app.
    max_bytes
        Largest body accepted (e.g. :func:`max_upload_bytes` plus some room for the form).
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request, counting its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to a cut-off body is replaced by the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = _too_large("the request body", self.max_bytes)
        body = json.dumps(
            {"detail": str(error), "error": type(error).__name__}, ensure_ascii=False
        ).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
