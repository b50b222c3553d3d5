"""Checking what another system sends (the push API and Open311): each check returns the clean value
or adds a Chinese message under the field's name to ``errors`` — every problem is reported at once,
and nothing is written while there is one."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from grassroots.cases.models import Category
from grassroots.cases.services import ADDRESS_MAX, BODY_MAX, CONTACT_NAME_MAX, TITLE_MAX
from grassroots.core import crypto
from grassroots.core.i18n import source_text
from grassroots.worktime.models import Urgency

from .hotline_fields import URGENCY_LABELS

Errors = dict[str, str]
EXTERNAL_ID_MAX = 64
IDEMPOTENCY_KEY_MAX = 200
MEDIA_URL_MAX = 500
EMAIL_MAX = 254

__all__ = ["ADDRESS_MAX", "BODY_MAX", "TITLE_MAX", "Errors", "text_field", "choice_field", "category_field",
           "phone_field", "email_field", "url_field"]


def text_field(errors: Errors, data: dict, key: str, label: str, *, maximum: int, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = f"{label}（{key}）应为文字"
        return ""
    value = value.replace("\r\n", "\n").strip()
    if required and not value:
        errors[key] = f"{label}（{key}）不能为空"
    elif len(value) > maximum:
        errors[key] = f"{label}（{key}）最多{maximum}个字（收到{len(value):,}个字），请删减"
    return value


def choice_field(errors: Errors, data: dict, key: str) -> str:
    """An urgency as its code (emergency …) or its Chinese label; empty gives general."""
    value = data.get(key)
    if value in (None, ""):
        return Urgency.GENERAL
    found = URGENCY_LABELS.get(unicodedata.normalize("NFKC", str(value)).strip())
    if found is None:
        allowed = "、".join(f"{v}（{source_text(label)}）" for v, label in Urgency.choices)
        errors[key] = f"紧急程度（{key}）只能是：{allowed}"
        return Urgency.GENERAL
    return found


def category_field(errors: Errors, data: dict, key: str) -> Category | None:
    """A category by its code, or by a name only one category has."""
    value = data.get(key)
    if value in (None, ""):
        return None
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    found = Category.objects.filter(code=raw).first()
    if found is None:
        named = list(Category.objects.filter(name=raw)[:2])
        found = named[0] if len(named) == 1 else None
    if found is None:
        errors[key] = (f"事项类别（{key}）“{raw[:40]}”不存在：请填写平台的类别编码（见 /open311/v2/services.json 的 "
                       "service_code）或准确的类别名称")
    return found


def phone_field(errors: Errors, data: dict, key: str, label: str = "联系电话") -> str:
    value = data.get(key)
    if value in (None, ""):
        return ""
    raw = crypto.normalize(unicodedata.normalize("NFKC", str(value))).removeprefix("+86")
    if problem := crypto.phone_problem(raw):
        errors[key] = f"{label}（{key}）：{problem}"
        return ""
    return raw


def email_field(errors: Errors, data: dict, key: str) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        return ""
    try:
        if len(value) > EMAIL_MAX:
            raise ValidationError("too long")
        EmailValidator()(value)
    except ValidationError:
        errors[key] = f"电子邮箱（{key}）格式不对，应如 name@example.com"
        return ""
    return value


def url_field(errors: Errors, data: dict, key: str) -> str:
    value = str(data.get(key) or "").strip()
    if not value:
        return ""
    try:
        if len(value) > MEDIA_URL_MAX:
            raise ValidationError("too long")
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors[key] = f"媒体链接（{key}）应为 http:// 或 https:// 开头、最长{MEDIA_URL_MAX}字符的网址"
        return ""
    return value


def contact_name(errors: Errors, first: str, last: str, key: str = "first_name") -> str:
    """Family name first when the names are Chinese, "First Last" otherwise."""
    first, last = (first or "").strip(), (last or "").strip()
    cjk = re.search(r"[\u4e00-\u9fff]", first + last)
    name = (last + first) if cjk else " ".join(p for p in (first, last) if p)
    if len(name) > CONTACT_NAME_MAX:
        errors[key] = f"姓名最多{CONTACT_NAME_MAX}个字"
        return ""
    return name


def first_words(value: str, size: int = 20) -> str:
    line = (value or "").strip().split("\n", 1)[0].strip()
    return line[:size] + ("…" if len(line) > size else "")


def as_text(value: Any) -> str:
    return "" if value is None else str(value)
