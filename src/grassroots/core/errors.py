"""One way to hand a service's refusal to a person: into a form's fields (pages), into a flash message,
or into the API's error body and status (400 with the messages keyed by field; 403 for
PermissionDenied; 429, with when to retry, for a throttle). Services raise ValidationError keyed by
field in Chinese (``__all__`` for the whole request); these helpers only carry it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Schema, Status

from .throttle import Throttled


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def by_field(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def text(exc: Exception) -> str:
    """All of a refusal's messages in one line."""
    if isinstance(exc, ValidationError):
        return "；".join(m for ms in by_field(exc).values() for m in ms)
    return str(exc)


def into_form(form, exc: ValidationError) -> None:
    """Each message next to its field (or above the form when the form has no such field)."""
    for key, texts in by_field(exc).items():
        for message in texts:
            form.add_error(key if key in form.fields else None, message)


def flash(request, exc: Exception) -> None:
    messages.error(request, text(exc))


def api_refusal(exc: Exception, status: int = 400) -> Status:
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": str(exc) or "没有权限"})
    if isinstance(exc, Throttled):
        return Status(429, {"detail": text(exc), "errors": by_field(exc)})
    return Status(status, {"detail": text(exc), "errors": by_field(exc)})


def api_call(service: Callable, out: Callable[[Any], dict], *, created: bool = False, **kwargs):
    """Run one service for an API handler: its result through ``out`` (201 when ``created``), or the
    refusal as ``api_refusal`` says."""
    try:
        result = out(service(**kwargs))
    except (PermissionDenied, ValidationError) as exc:
        return api_refusal(exc)
    return Status(201, result) if created else result
