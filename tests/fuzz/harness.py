"""Sending schemathesis's generated requests into Django in-process, as a logged-in staff user.

Django's own test handler (``ClientHandler``) serves them: it keeps the test's database connection
open between requests (a plain ``WSGIHandler`` closes it at the end of each request, which would end
the test's transaction) and does not enforce CSRF (every POST would be refused before its handler —
CSRF has its own tests). A server error is caught as the 500 response Django gives a browser; the
exception is kept so a failing run says where it happened.
"""

from __future__ import annotations

import traceback

from django.core.signals import got_request_exception
from django.test.client import ClientHandler


class InProcessApp:
    """A WSGI application around Django's test handler; ``errors`` holds the tracebacks of 5xx."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=False)
        self.errors: list[str] = []
        got_request_exception.connect(self._record, weak=False, dispatch_uid="fuzz-harness")

    def _record(self, sender, request=None, **kwargs):
        self.errors.append(f"{request.method if request else ''} {request.get_full_path() if request else ''}\n"
                           f"{traceback.format_exc()}")

    def close(self) -> None:
        got_request_exception.disconnect(dispatch_uid="fuzz-harness")

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return [b"".join(response.streaming_content)]
        return [response.content]
