"""Turning one spreadsheet cell into a clean value, or a Chinese sentence saying what is wrong.

Every cleaner takes the raw cell value (str, int, float, datetime, bool or None) and returns the
clean value or raises ``CellProblem`` with the problem and the fix. Cleaners never touch the
database; checks that need it (does this code exist, is it in scope) live in the register specs.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from grassroots.core import crypto


class CellProblem(ValueError):
    """A cell's value is unusable; ``str(exc)`` is the problem and the fix, in Chinese."""


_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_NUMBER_AS_TEXT_HINT = "请把该列设置为「文本」格式后重新填写（Excel 会把超过15位的数字改掉）"


def text(value: Any) -> str:
    """The cell as trimmed text: integers without ``.0``, dates as YYYY-MM-DD, None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return _INVISIBLE.sub("", str(value)).strip()


def shown(value: Any, limit: int = 30) -> str:
    """A cell value short enough to quote in an error message."""
    value = text(value)
    if len(value) > limit:
        return f"{value[:limit]}…（共{len(value)}字）"
    return value


def plain_text(value: Any, *, max_len: int) -> str:
    value = text(value)
    if len(value) > max_len:
        raise CellProblem(f"内容过长（{len(value)}字），最多{max_len}字，请删减")
    return value


def digits(value: Any, *, what: str) -> str:
    """A code made of digits (area codes): full-width digits are accepted, floats are refused."""
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
        raise CellProblem(f"{what}被存成了数字，后几位可能已丢失；{_NUMBER_AS_TEXT_HINT}")
    value = unicodedata.normalize("NFKC", text(value)).replace(" ", "")
    if not value.isdigit() or not value.isascii():
        raise CellProblem(f"{what}应只包含数字，请核对")
    return value


def id_number(value: Any) -> str:
    if isinstance(value, float) and abs(value) >= 1e15:
        raise CellProblem(f"身份证号被存成了数字，后几位已丢失；{_NUMBER_AS_TEXT_HINT}")
    value = crypto.normalize(unicodedata.normalize("NFKC", text(value)))
    if problem := crypto.id_number_problem(value):
        if not problem.endswith("号码"):
            problem += "，请核对号码"
        raise CellProblem(problem)
    return value


def phone(value: Any) -> str:
    value = crypto.normalize(unicodedata.normalize("NFKC", text(value)))
    value = value.removeprefix("+86")
    if problem := crypto.phone_problem(value):
        raise CellProblem(f"{problem}，请核对号码")
    return value


def choice(value: Any, *, labels: Mapping[str, str], what: str) -> str:
    """The code for a Chinese label (``labels`` maps every accepted spelling to the code)."""
    key = unicodedata.normalize("NFKC", text(value)).replace(" ", "")
    if key in labels:
        return labels[key]
    allowed = "、".join(dict.fromkeys(_canonical_labels(labels)))
    raise CellProblem(f"{what}只能填写：{allowed}")


def choices(value: Any, *, labels: Mapping[str, str], what: str) -> list[str]:
    """Several labels separated by commas (，,、;；or spaces); empty gives []."""
    parts = [p for p in re.split(r"[,，、;；\s]+", text(value)) if p]
    out: list[str] = []
    for part in parts:
        code = choice(part, labels=labels, what=what)
        if code not in out:
            out.append(code)
    return out


def _canonical_labels(labels: Mapping[str, str]) -> list[str]:
    first: dict[str, str] = {}
    for label, code in labels.items():
        first.setdefault(code, label)
    return list(first.values())


_TRUE = {"是", "在职", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "不在职", "离职", "退休", "n", "no", "false", "0", "×", ""}


def yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = text(value).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellProblem("只能填写“是”或“否”")


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def date(value: Any, *, earliest: datetime.date, latest: datetime.date | None = None) -> datetime.date:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        day = _parse_date(text(value))
    latest = latest or datetime.date.today()
    if not earliest <= day <= latest:
        raise CellProblem(f"日期应在{earliest:%Y-%m-%d}到{latest:%Y-%m-%d}之间，请核对")
    return day


def _parse_date(raw: str) -> datetime.date:
    raw = unicodedata.normalize("NFKC", raw).replace(" ", "")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise CellProblem("日期格式不对，请填写如 2001-07-01 的日期")


def number(value: Any, *, low: float, high: float, what: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        result = float(value)
    else:
        try:
            result = float(unicodedata.normalize("NFKC", text(value)))
        except ValueError:
            raise CellProblem(f"{what}应为数字（如 {low + (high - low) / 2:.4f}）") from None
    if not low <= result <= high:
        raise CellProblem(f"{what}应在{low}到{high}之间，请核对是否填反或多打了位数")
    return result


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(value: Any) -> str:
    """A unified social credit code (GB 32100-2015): 18 characters with a check character."""
    value = crypto.normalize(unicodedata.normalize("NFKC", text(value)))
    if len(value) != 18 or any(c not in _CREDIT_CHARS for c in value):
        raise CellProblem("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V），请核对")
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(value[:17], _CREDIT_WEIGHTS, strict=True))
    check = _CREDIT_CHARS[(31 - total % 31) % 31]
    if value[17] != check:
        raise CellProblem(f"统一社会信用代码校验位错误（最后一位应为{check}），请核对")
    return value


def credit_code_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (for tests and examples)."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]
