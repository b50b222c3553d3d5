"""Encryption at rest, blind indexes and masking for personal data (ID numbers, phones).

The master key comes from ``GRASSROOTS_DATA_KEY`` (any string of at least 32 characters; keep it
out of the database and out of backups of the database). Two sub-keys are derived from it with
HKDF: one for Fernet (AES-128-CBC + HMAC-SHA256) encryption, one for the HMAC-SHA256 blind index
that lets an exact value (an ID number, a phone) be looked up without decrypting every row.

In development (``GRASSROOTS_DEBUG=1``) a fixed, loudly-named key is used when none is set, so the
demo works on a fresh machine; in production a missing key is a start-up error.

Key rotation (docs/keys.md): ``GRASSROOTS_DATA_KEY_PREVIOUS`` (optional, comma-separated) holds older
keys that are still READ. Encryption and the blind index written to a row always use the current key;
decryption tries the current key, then the previous ones (``MultiFernet``); a look-up by number filters on
``blind_indexes(value)`` (the current key's index first, then the previous keys') so rows that
``grassroots rotate_data_key`` has not reached yet are still found.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DEV_KEY = "grassroots-development-key-NOT-FOR-PRODUCTION-0000"
# The same derivation as core/backup.py's manifest, so a backup and a key rotation name a key alike.
_FINGERPRINT_INFO = b"grassroots/backup-key-fingerprint/v1"


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


def _master_keys() -> tuple[bytes, ...]:
    """The current key, then every key of GRASSROOTS_DATA_KEY_PREVIOUS (comma-separated) not equal to it."""
    keys = [_master_key()]
    for part in os.environ.get("GRASSROOTS_DATA_KEY_PREVIOUS", "").split(","):
        part = part.strip()
        if not part:
            continue
        if len(part) < 32:
            raise DataKeyError("every key in GRASSROOTS_DATA_KEY_PREVIOUS must be at least 32 characters long")
        if part.encode() not in keys:
            keys.append(part.encode())
    return tuple(keys)


def _derive_from(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _derive(info: bytes) -> bytes:
    """A sub-key of the current key (core/backup.py takes its fingerprint this way)."""
    return _derive_from(_master_key(), info)


@dataclass(frozen=True)
class DataKey:
    fernet: Fernet = field(repr=False)
    index_key: bytes = field(repr=False)  # never in a log line or an error report's locals
    fingerprint: str = ""  # 16 hex digits that name the key without revealing it


@lru_cache(maxsize=16)
def _data_key(master: bytes) -> DataKey:
    """The sub-keys of one master key (cached by the key itself: the environment holds it anyway; a new
    value of the variable, in a test or after a restart, is simply another entry)."""
    return DataKey(fernet=Fernet(base64.urlsafe_b64encode(_derive_from(master, b"grassroots/encrypt/v1"))),
                   index_key=_derive_from(master, b"grassroots/blind-index/v1"),
                   fingerprint=hashlib.sha256(_derive_from(master, _FINGERPRINT_INFO)).hexdigest()[:16])


@lru_cache(maxsize=8)
def _ring(masters: tuple[bytes, ...]) -> tuple[tuple[DataKey, ...], MultiFernet]:
    keys = tuple(_data_key(m) for m in masters)
    return keys, MultiFernet([k.fernet for k in keys])


def _current() -> DataKey:
    return _data_key(_master_key())


def data_keys() -> tuple[DataKey, ...]:
    """Every key this process reads: the current one first, then the previous ones."""
    return _ring(_master_keys())[0]


def fingerprints() -> list[str]:
    """The fingerprints of ``data_keys()`` (never the keys)."""
    return [k.fingerprint for k in data_keys()]


def encrypt(value: str, *, key: DataKey | None = None) -> str:
    """A Fernet token of ``value`` under the current key (``key``: one already at hand, in a loop)."""
    if not value:
        return ""
    return (key or _current()).fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _ring(_master_keys())[1].decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or tampered row: never return garbage
        raise DataKeyError("cannot decrypt: wrong GRASSROOTS_DATA_KEY or damaged data") from exc


def open_token(token: str, keys: tuple[DataKey, ...] | None = None) -> tuple[str, int]:
    """``(plain value, n)``: n is 0 when the current key opened the token, k for the k-th previous key
    (of ``keys``, ``data_keys()`` by default). Raises DataKeyError when no key opens it."""
    for n, key in enumerate(keys or data_keys()):
        try:
            return key.fernet.decrypt(token.encode()).decode(), n
        except InvalidToken:
            continue
    raise DataKeyError("cannot decrypt with GRASSROOTS_DATA_KEY nor any key of GRASSROOTS_DATA_KEY_PREVIOUS")


def normalize(value: str) -> str:
    """The canonical form that is indexed: no spaces or dashes, upper-case X in ID numbers."""
    return re.sub(r"[\s\-]", "", value or "").upper()


def blind_index(value: str) -> str:
    """The current key's index of ``value``: what a row stores. Look rows up with ``blind_indexes``."""
    value = normalize(value)
    if not value:
        return ""
    return hmac.new(_current().index_key, value.encode(), hashlib.sha256).hexdigest()


def blind_indexes(value: str, keys: tuple[DataKey, ...] | None = None) -> list[str]:
    """Every index ``value`` may be stored under while a key rotation runs: the current key's first, then
    the previous keys' (one element when GRASSROOTS_DATA_KEY_PREVIOUS is unset; none for an empty value).
    Filter with ``<name>_index__in=blind_indexes(value)``."""
    value = normalize(value)
    if not value:
        return []
    return [hmac.new(k.index_key, value.encode(), hashlib.sha256).hexdigest() for k in keys or data_keys()]


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
