"""Just enough HTTP/1.1 for probes and scrapes: one GET (or HEAD) per connection, no body.

Strict on purpose: anything a kubelet, Prometheus or curl would not send is refused with a 4xx
and the connection closed, so the parser stays a few lines and has nothing to misread.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from http import HTTPStatus

HEAD_END = b"\r\n\r\n"
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_TARGET = re.compile(r"^/[\x21-\x7e]*$")
VERSIONS = frozenset({"HTTP/1.0", "HTTP/1.1"})
METHODS = frozenset({"GET", "HEAD"})
JSON_TYPE = "application/json"


class BadRequestError(Exception):
    """The request cannot be served; `status` says why (400, 405, 431, 505...)."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # without the query string, which no route uses


@dataclass(frozen=True, slots=True)
class Response:
    status: HTTPStatus
    body: bytes
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = field(default=())

    def encode(self, *, head_only: bool = False) -> bytes:
        lines = [
            f"HTTP/1.1 {self.status.value} {self.status.phrase}",
            f"Content-Type: {self.content_type}",
            f"Content-Length: {len(self.body)}",
            "Cache-Control: no-store",
            "Connection: close",
            *(f"{name}: {value}" for name, value in self.headers),
        ]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
        return head if head_only else head + self.body


def json_response(status: HTTPStatus, payload: dict[str, object]) -> Response:
    return Response(status, json.dumps(payload, separators=(",", ":")).encode("ascii"))


def error_response(status: HTTPStatus) -> Response:
    allow = (("Allow", "GET, HEAD"),) if status is HTTPStatus.METHOD_NOT_ALLOWED else ()
    return Response(
        status, json.dumps({"error": status.phrase}).encode("ascii"), headers=allow
    )


def parse_head(head: bytes) -> Request:
    """The request line and headers (up to and including the blank line) → a Request."""
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequestError(HTTPStatus.BAD_REQUEST) from None
    if not text.endswith("\r\n\r\n"):
        raise BadRequestError(HTTPStatus.BAD_REQUEST)
    request_line, *header_lines = text[: -len(HEAD_END)].split("\r\n")
    parts = request_line.split(" ")
    if len(parts) != 3:
        raise BadRequestError(HTTPStatus.BAD_REQUEST)
    method, target, version = parts
    if not _TOKEN.match(method) or not _TARGET.match(target):
        raise BadRequestError(HTTPStatus.BAD_REQUEST)
    if version not in VERSIONS:
        raise BadRequestError(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED)
    headers = _headers(header_lines)
    if version == "HTTP/1.1" and "host" not in headers:
        raise BadRequestError(HTTPStatus.BAD_REQUEST)  # RFC 9112 3.2: Host is mandatory
    if "transfer-encoding" in headers or headers.get("content-length", "0") != "0":
        raise BadRequestError(HTTPStatus.BAD_REQUEST)  # no route takes a body
    if method not in METHODS:
        raise BadRequestError(HTTPStatus.METHOD_NOT_ALLOWED)
    return Request(method, target.partition("?")[0])


def _headers(lines: list[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not _TOKEN.match(name):  # also refuses obsolete line folding
            raise BadRequestError(HTTPStatus.BAD_REQUEST)
        key = name.lower()
        if key in headers and key in {"host", "content-length"}:
            raise BadRequestError(HTTPStatus.BAD_REQUEST)  # ambiguous: a smuggling shape
        headers[key] = value.strip(" \t")
    return headers
