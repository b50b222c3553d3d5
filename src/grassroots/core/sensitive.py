"""A sensitive value (ID number, phone) is stored as three columns: ciphertext, blind index, mask.

The mask is stored so that lists and exports never decrypt; the plain value is only read through
a reveal service that checks the permission and writes an audit row.
"""

from __future__ import annotations

from . import crypto


def set_sensitive(obj, name: str, value: str, masker) -> None:
    value = crypto.normalize(value)
    setattr(obj, f"{name}_enc", crypto.encrypt(value))
    setattr(obj, f"{name}_index", crypto.blind_index(value))
    setattr(obj, f"{name}_masked", masker(value) if value else "")


def get_sensitive(obj, name: str) -> str:
    return crypto.decrypt(getattr(obj, f"{name}_enc"))
