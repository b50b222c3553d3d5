"""Encryption at rest, blind indexes and masking for personal data (ID numbers, phones).

The master key comes from ``GRASSROOTS_DATA_KEY`` (any string of at least 32 characters; keep it
out of the database and out of backups of the database). Two sub-keys are derived from it with
HKDF: one for Fernet (AES-128-CBC + HMAC-SHA256) encryption, one for the HMAC-SHA256 blind index
that lets an exact value (an ID number, a phone) be looked up without decrypting every row.

In development (``GRASSROOTS_DEBUG=1``) a fixed, loudly-named key is used when none is set, so the
demo works on a fresh machine; in production a missing key is a start-up error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DEV_KEY = "grassroots-development-key-NOT-FOR-PRODUCTION-0000"


class DataKeyError(RuntimeError):
    pass


def _master_key() -> bytes:
    key = os.environ.get("GRASSROOTS_DATA_KEY", "")
    if not key:
        if os.environ.get("GRASSROOTS_DEBUG", "1") != "1":
            raise DataKeyError("GRASSROOTS_DATA_KEY must be set in production")
        key = DEV_KEY
    if len(key) < 32:
        raise DataKeyError("GRASSROOTS_DATA_KEY must be at least 32 characters long")
    return key.encode()


def _derive(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(_master_key())


@lru_cache(maxsize=4)
def _keys(master_fingerprint: bytes) -> tuple[Fernet, bytes]:
    fernet = Fernet(base64.urlsafe_b64encode(_derive(b"grassroots/encrypt/v1")))
    return fernet, _derive(b"grassroots/blind-index/v1")


def _current() -> tuple[Fernet, bytes]:
    return _keys(hashlib.sha256(_master_key()).digest())


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _current()[0].encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _current()[0].decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered row: never return garbage
        raise DataKeyError("cannot decrypt: wrong GRASSROOTS_DATA_KEY or damaged data") from exc


def normalize(value: str) -> str:
    """The canonical form that is indexed: no spaces or dashes, upper-case X in ID numbers."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def blind_index(value: str) -> str:
    value = normalize(value)
    if not value:
        return ""
    return hmac.new(_current()[1], value.encode(), hashlib.sha256).hexdigest()


def mask_phone(value: str) -> str:
    """138****1234 — the form shown everywhere by default."""
    value = normalize(value)
    if len(value) >= 7:
        return f"{value[:3]}****{value[-4:]}"
    return "*" * len(value)


def mask_id_number(value: str) -> str:
    """420303********123X — region and check tail only."""
    value = normalize(value)
    if len(value) >= 10:
        return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"
    return "*" * len(value)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_problem(value: str) -> str | None:
    """Why an 18-digit resident ID number (GB 11643) is invalid, in Chinese; None when valid."""
    value = normalize(value)
    if len(value) != 18:
        return f"身份证号应为18位，现为{len(value)}位"
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "身份证号前17位应为数字，最后一位为数字或X"
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    import datetime

    try:
        born = datetime.date(year, month, day)
    except ValueError:
        return f"身份证号中的出生日期{value[6:14]}不存在"
    if born.year < 1900 or born > datetime.date.today():
        return f"身份证号中的出生日期{value[6:14]}不合理"
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True)) % 11]
    if value[17] != check:
        return f"身份证号校验位错误（最后一位应为{check}），请核对号码"
    return None


def id_number_with_check(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check character (used by the demo generator)."""
    return first17 + _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def phone_problem(value: str) -> str | None:
    value = normalize(value)
    if re.fullmatch(r"1[3-9]\d{9}", value) or re.fullmatch(r"0\d{2,3}\d{7,8}", value):
        return None
    return "手机号应为11位数字（以1开头），固定电话应带区号"


_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![\dXx])(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")


def mask_numbers(value: str) -> str:
    """Mobile and ID numbers inside free text (a description, a cell of an uploaded file), masked
    (138****1234, 420303********123X) for anything shown or stored outside the encrypted columns."""
    value = _ID_IN_TEXT.sub(lambda m: m[1] + "********" + m[2], value or "")
    return _PHONE_IN_TEXT.sub(lambda m: m[1] + "****" + m[2], value)
