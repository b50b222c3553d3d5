"""Helpers for text that must stay in the source language (Simplified Chinese) whatever the user picked.

Model labels (choices, verbose names) are lazily translated for the pages, but the registers'
spreadsheets are Chinese on purpose: their headers, drop-downs, exports and error messages must keep
the Chinese labels, so that a file exported in an English session can be imported again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import translation
from django.utils.functional import Promise


def source_text(text: str | Promise) -> str:
    """The text as written in the source (the msgid), not its translation into the active language."""
    if not isinstance(text, Promise):
        return text
    with translation.override(None):
        return str(text)


def source_labels(labels: Iterable[str | Promise]) -> tuple[str, ...]:
    """``source_text`` of each label, e.g. ``source_labels(UnitKind.labels)``."""
    return tuple(source_text(label) for label in labels)


def source_label(choices, value: str) -> str:
    """The source label of one value of a ``TextChoices`` class, e.g. ``source_label(Level, "grid")``;
    a value that is not a choice is returned as it is (as ``get_FOO_display`` does)."""
    if value not in choices.values:
        return value
    return source_text(choices(value).label)
