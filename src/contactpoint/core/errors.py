"""Domain errors, rendered by the API as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from typing import Any


class ContactpointError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(ContactpointError):
    status = 404
    title = "Not found"


class Unauthorized(ContactpointError):
    status = 401
    title = "Unauthorized"


class Forbidden(ContactpointError):
    status = 403
    title = "Forbidden"


class Conflict(ContactpointError):
    status = 409
    title = "Conflict"


class InvalidInput(ContactpointError):
    status = 422
    title = "Invalid input"


class TooLarge(ContactpointError):
    status = 413
    title = "Payload too large"


class RateLimited(ContactpointError):
    status = 429
    title = "Too many requests"


def problem(
    status: int, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body
