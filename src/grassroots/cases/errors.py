"""Errors of the case services. Their messages are in Chinese and meant for the person acting."""

from __future__ import annotations


class CaseError(Exception):
    """A case operation that cannot be done as asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionNotAllowed(CaseError):
    """The case is not in a state where this action is possible (or the process forbids it now)."""
