"""What a resident's browser remembers between the portal's pages, in a signed cookie of its own.

* ``cases``: the cases this browser opened with their tracking code (or just reported), newest last, at
  most ``REMEMBER``; their photos are shown to it (see ``views._attachment_for``).
* ``last``: the report just submitted, for the result page.

Not the session: a resident's submit is the intake's hot path, and a database session costs every
anonymous submit a read and a write transaction of its own (with SQLite's one write lock). The cookie is
signed (``SECRET_KEY``, a salt of its own), so a browser cannot add a case it did not open; it lasts as
long as a session (``SESSION_COOKIE_AGE``), is HttpOnly, Secure behind TLS, SameSite=Lax. A note made
while signed in names the account and is ignored once another account — or nobody — is signed in, so
signing out of a shared phone forgets the cases as the session did.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "grassroots_portal"
SALT = "grassroots.portal.note"
REMEMBER = 30
_CACHE = "_portal_note"


def _owner(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def read(request: HttpRequest) -> dict[str, Any]:
    """This browser's note (empty when it has none, it was tampered with or expired, or it belongs to
    another account)."""
    cached = getattr(request, _CACHE, None)
    if cached is not None:
        return cached
    note: dict[str, Any] = {}
    try:
        stored = signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:  # none, tampered with, or expired
        stored = None
    if isinstance(stored, dict) and stored.get("u") == _owner(request):
        cases, last = stored.get("cases"), stored.get("last")
        note = {"cases": [pk for pk in cases if isinstance(pk, int)] if isinstance(cases, list) else [],
                "last": last if isinstance(last, dict) else {}}
    setattr(request, _CACHE, note)
    return note


def opened(request: HttpRequest, case_pk: int) -> bool:
    return case_pk in read(request).get("cases", [])


def remember(request: HttpRequest, case_pk: int) -> None:
    note = read(request)
    cases = [pk for pk in note.get("cases", []) if pk != case_pk]
    note["cases"] = (cases + [case_pk])[-REMEMBER:]
    note["changed"] = True


def last(request: HttpRequest) -> dict[str, Any]:
    return read(request).get("last") or {}


def set_last(request: HttpRequest, value: dict[str, Any]) -> None:
    note = read(request)
    note["last"] = value
    note["changed"] = True


def keep(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Write the note into ``response`` when this request changed it."""
    note = read(request)
    if note.get("changed"):
        value = signing.dumps({"u": _owner(request), "cases": note.get("cases", []), "last": note.get("last", {})},
                              salt=SALT, compress=True)
        response.set_cookie(COOKIE, value, max_age=settings.SESSION_COOKIE_AGE,
                            secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response
