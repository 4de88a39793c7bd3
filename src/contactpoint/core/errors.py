"""Domain errors, rendered by the API as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError


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


def field_errors(exc: ValidationError, whole: str = "(input)") -> list[dict[str, Any]]:
    """Pydantic errors as [{"field": "loss_currency", "message": ...}] (problem+json shape);
    ``whole`` names an error about the input as a whole."""
    out = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or whole
        msg = err["msg"].removeprefix("Value error, ")
        out.append({"field": name, "message": msg})
    return out


def form_errors(exc: ValidationError | ContactpointError) -> list[dict[str, Any]]:
    """What a refused form shows beside its fields, whichever layer refused it."""
    if isinstance(exc, ValidationError):
        return field_errors(exc)
    return exc.errors or [{"field": "", "message": exc.detail}]
