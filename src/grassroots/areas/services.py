"""Writes to the Area tree. Each is one transaction that also appends its audit row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from grassroots.core.services import audit_record

from .models import CODE_LENGTHS, CODE_WIDTHS, LEVEL_ORDER, Area, child_level, level_of_code


def next_child_code(parent: Area) -> str:
    """The next free code under ``parent`` (children are numbered 001, 002, … in creation order)."""
    level = child_level(parent.level)
    if level is None:
        raise ValidationError("户是最低层级，不能再添加下级")
    width = CODE_WIDTHS[level]
    last = (
        Area.objects.filter(parent=parent).order_by("-code").values_list("code", flat=True).first()
    )
    number = int(last[-width:]) + 1 if last else 1
    if number >= 10**width:
        raise ValidationError(f"{parent.name}的下级编号已用完（最多{10**width - 1}个）")
    return f"{parent.code}{number:0{width}d}"


def validate_area(*, code: str, name: str, level: str, parent: Area | None) -> None:
    """Raise ValidationError (Chinese messages) unless the area can be created as given."""
    if not name or not name.strip():
        raise ValidationError({"name": "名称不能为空"})
    if len(name) > 100:
        raise ValidationError({"name": "名称不能超过100个字"})
    if level not in LEVEL_ORDER:
        raise ValidationError({"level": f"层级“{level}”不存在"})
    if not code.isdigit() or len(code) != CODE_LENGTHS[level]:
        raise ValidationError({"code": f"{level}编码应为{CODE_LENGTHS[level]}位数字"})
    if level == "district":
        if parent is not None:
            raise ValidationError({"parent": "区/县不能有上级"})
    else:
        if parent is None:
            raise ValidationError({"parent": "缺少上级区域"})
        if child_level(parent.level) != level:
            raise ValidationError({"parent": f"{parent.name}的下级应为{child_level(parent.level)}"})
        if not code.startswith(parent.code):
            raise ValidationError({"code": f"编码{code}应以上级编码{parent.code}开头"})
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": f"编码{code}已存在"})


@transaction.atomic
def area_create(
    *, name: str, parent: Area | None = None, level: str | None = None, code: str | None = None,
    actor=None, rural: bool | None = None, boundary: dict | None = None,
    lat: float | None = None, lng: float | None = None, address: str = "",
) -> Area:
    if parent is None and code and level is None:
        level = level_of_code(code)
    if parent is not None:
        level = level or child_level(parent.level)
        code = code or next_child_code(parent)
    if level is None or code is None:
        raise ValidationError("新建区县需要给出6位行政区划代码")
    name = (name or "").strip()
    validate_area(code=code, name=name, level=level, parent=parent)
    area = Area.objects.create(
        code=code, name=name, level=level, parent=parent,
        rural=parent.rural if rural is None and parent is not None else bool(rural),
        boundary=boundary, lat=lat, lng=lng, address=address,
    )
    audit_record(actor=actor, action="area.create", obj=area, district_code=code[:6],
                 detail={"code": code, "name": name, "level": level})
    return area


@transaction.atomic
def area_rename(*, area: Area, name: str, actor=None) -> Area:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "名称不能为空"})
    old = area.name
    area.name = name
    area.save(update_fields=["name", "updated_at"])
    audit_record(actor=actor, action="area.rename", obj=area, district_code=area.code[:6],
                 detail={"from": old, "to": name})
    return area
