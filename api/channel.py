"""One connection as waitress serves it, with what the API needs on top of waitress.

- problem+json for the server's own errors (400 bad request line, 408, 413, 414, 431, 505, 500),
  in the request's language (Accept-Language, when the headers could be read);
- a body shorter than its Content-Length (client closed early) is a 400, never handed to the app;
- a request that is still being sent after the read deadline is a 408 and closed;
- a closing connection first reads what the client already sent, so the answer is not lost.
"""

from __future__ import annotations

import json
import time
from http import HTTPStatus
from typing import Any

from waitress.channel import HTTPChannel
from waitress.task import ErrorTask
from waitress.utilities import BadRequest, Error, RequestHeaderFieldsTooLarge
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from api.config import API_VERSION
from api.errors import code_for_status
from api.errortexts import problem_title
from api.i18n import N_, Texts, texts_for, texts_for_accept

MAX_BODY_BYTES = 64 * 1024  # the app's MAX_CONTENT_LENGTH; larger bodies are refused unread
MAX_HEADER_BYTES = 16 * 1024  # request line plus headers
MAX_URI_BYTES = 8 * 1024  # path plus query string; longer is 414
PROBLEM_DETAIL = {
    400: N_("The request could not be read."),
    408: N_("The request took too long to arrive. Please try again."),
    413: N_("The request body is too large."),
    414: N_("The address (URI) is too long."),
    431: N_("The request headers are too large."),
    501: N_("The request uses an encoding this server does not support."),
    505: N_("Use HTTP/1.1."),
    500: N_("Something went wrong on our side. Please try again later."),
}
SHORT_BODY = N_("The body is shorter than its Content-Length.")


class RequestTimeout(Error):
    """The client kept sending one request for longer than the read deadline."""

    code = 408
    reason = "Request Timeout"


class UriTooLong(Error):
    """The path and query string together are longer than MAX_URI_BYTES."""

    code = 414
    reason = "URI Too Long"


class VersionNotSupported(Error):
    """Not HTTP/1.0 or HTTP/1.1 (waitress would answer anything else as 1.0)."""

    code = 505
    reason = "HTTP Version Not Supported"


class ShortBody(BadRequest):
    """The client closed the connection before the whole body arrived."""


def problem_body(
    status: int, detail: str | None = None, instance: str = "", texts: Texts | None = None
) -> bytes:
    """The same problem+json shape as api.errors.problem, without a Flask request."""
    texts = texts or texts_for(None)
    phrase = HTTPStatus(status).phrase
    msgid = detail or PROBLEM_DETAIL.get(status)
    text = texts.gettext(msgid) if msgid else problem_title(texts, status)
    body: dict[str, Any] = {
        "type": "https://meedoen.nl/problems/" + phrase.lower().replace(" ", "-"),
        "title": problem_title(texts, status),
        "status": status,
        "detail": text,
        "instance": instance,
        "code": code_for_status(status),
    }
    if status == 400:
        body["invalidParams"] = [{"name": "request", "reason": text}]
    return json.dumps(body).encode()


PROBLEM_HEADERS = [
    ("Content-Type", "application/problem+json"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("API-Version", API_VERSION),
]


class ProblemErrorTask(ErrorTask):
    """The server's own error answers as problem+json (waitress writes text/plain)."""

    def execute(self) -> None:
        err = self.request.error
        code, reason = err.code, err.reason
        if isinstance(err, RequestHeaderFieldsTooLarge) and _line_too_long(self.request):
            code, reason = 414, "URI Too Long"
        detail = None
        if isinstance(err, ShortBody):
            detail = SHORT_BODY
        path = "" if code in (414, 431) else getattr(self.request, "path", "") or ""
        texts = _request_texts(self.request)
        body = problem_body(code, detail, path, texts)
        self.status = f"{code} {reason}"
        self.response_headers.extend(PROBLEM_HEADERS)
        self.response_headers.append(("Content-Language", texts.language.replace("_", "-")))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


def _request_texts(request: Any) -> Texts:
    """The language the request asked for, when its headers were read (else Dutch)."""
    headers = getattr(request, "headers", None) or {}
    asked = headers.get("ACCEPT_LANGUAGE", "") if isinstance(headers, dict) else ""
    return texts_for_accept(parse_accept_header(asked, LanguageAccept))


def _line_too_long(request: Any) -> bool:
    """The header section overflowed before its first line (the request line) ended."""
    seen = bytes(getattr(request, "header_plus", b""))
    return len(seen) >= MAX_URI_BYTES and b"\n" not in seen[:MAX_URI_BYTES]


class GuardedChannel(HTTPChannel):
    """One connection: answers early closes and over-long sends instead of dropping them."""

    error_task_class = ProblemErrorTask
    read_timeout = 30.0
    _reading: tuple[Any, float] | None = None  # (request being received, when it started)
    request: Any  # waitress's parser of the request being received (untyped)

    def handle_read(self) -> None:
        try:
            data = self.socket.recv(self.adj.recv_bytes)
        except OSError:
            self.handle_close()
            return
        if not data:  # the client closed (at least its sending side)
            if self._body_in_progress():
                self._fail(ShortBody("short body"))
            else:
                self.handle_close()
            return
        self.last_activity = now = time.time()
        self.received(data)
        request: Any = self.request
        if request is None or request.completed:
            self._reading = None
        elif self._reading is None or self._reading[0] is not request:
            self._reading = (request, now)
        elif now - self._reading[1] > self.read_timeout:
            self._fail(RequestTimeout("read deadline"))

    def handle_close(self) -> None:
        self._drain()
        super().handle_close()

    def _drain(self) -> None:
        """Read what the client has already sent, so that closing sends FIN, not RST.

        A reset can make the client's kernel throw away the error answer it has just received
        (e.g. a 431 while the rest of the headers still sit in our receive buffer).
        """
        try:
            for _ in range(64):  # at most 64 x recv_bytes
                if not self.socket.recv(self.adj.recv_bytes):
                    break
        except (OSError, AttributeError):  # nothing waiting (EAGAIN), or already closed
            pass

    def service(self) -> None:
        """In a worker thread, for the first queued request: refuse what the API does not take."""
        request = self.requests[0]
        if not request.error:
            if request.version not in ("1.0", "1.1"):
                request.error = VersionNotSupported(request.version)
            elif len(request.path or "") + len(request.query or "") > MAX_URI_BYTES:
                request.error = UriTooLong("uri")
        super().service()

    def _body_in_progress(self) -> bool:
        request: Any = self.request
        return bool(request is not None and request.headers_finished and not request.completed)

    def _fail(self, error: Error) -> None:
        """Queue an error answer for the request being received; the connection closes after."""
        with self.requests_lock:
            request: Any = self.request
            request.error = error
            request.completed = True
            self.request = None
            self._reading = None
            self.requests.append(request)
            if len(self.requests) == 1:
                self.server.add_task(self)
