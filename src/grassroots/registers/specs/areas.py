"""区域台账: streets, communities, grids, buildings and households under an existing parent.

A row's parent is an existing area in the importer's scope, or an area given with an explicit code
in an earlier row of the same file; an empty code is numbered automatically when written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, LEVEL_ORDER, Area, Level, child_level
from grassroots.areas.services import area_create
from grassroots.core.i18n import source_labels

from .. import cells
from .base import LEVEL_LABELS, OUT_OF_SCOPE, Column, Record, Register, chunked, labels_for

LEVELS = labels_for(Level.choices, {
    "区": "district", "县": "district", "区县": "district", "街道": "street", "乡镇": "street",
    "乡": "street", "镇": "street", "社区": "community", "村": "community", "网格": "grid", "小区": "grid",
    "村民小组": "grid", "楼": "building", "栋": "building",
})
PARENT_LEVEL = {child_level(level): level for level in LEVEL_ORDER if child_level(level)}
CHINA_LAT, CHINA_LNG = (3.0, 54.0), (73.0, 136.0)


@dataclass
class AreaRecord(Record):
    parent_code: str
    name: str
    level: str
    code: str  # "" = numbered automatically when written
    address: str
    lat: float | None
    lng: float | None


class AreaRegister(Register):
    key = "areas"
    label = "区域"
    view_capability = Capability.VIEW_AREAS
    columns = (
        Column("上级编码", "parent_code", as_text=True, width=22,
               hint="上级区域的编码（已有的，或本文件前面的行中给出编码的）；区/县不填"),
        Column("名称", "name", required=True, width=18, hint="最多100个字；户的名称即门牌，如“2单元502室”"),
        Column("层级", "level", required=True, choices=source_labels(Level.labels), width=10,
               hint="区/县、街道/乡镇、社区/村、网格/小区、楼栋、户，必须是上级的下一级"),
        Column("编码", "code", as_text=True, width=24,
               hint="可以不填，系统按上级编码自动编号；填写时须以上级编码开头（街道+3位、社区+3位、网格+3位、楼栋+3位、户+4位）"),
        Column("地址", "address", width=24, hint="最多200个字，可以不填"),
        Column("纬度", "lat", width=10, hint="WGS84 十进制度数，如 32.6521；可以不填"),
        Column("经度", "lng", width=10, hint="WGS84 十进制度数，如 110.7982；可以不填"),
    )
    notes = ("每行一个区域。先写上级、后写下级；下级要引用本文件中新建的上级时，上级必须填写编码。",)

    def __init__(self, ctx=None):
        super().__init__(ctx)
        self.file_codes: dict[str, tuple[int, str]] = {}  # code given in this file → (row, level)
        self.sibling_names: dict[tuple[str, str], str] = {}  # (parent code, name) → existing code

    # --- parse ---------------------------------------------------------------------------------------
    def parse(self, row: int, values: Mapping[str, Any]) -> AreaRecord:
        r = self.reader(row, values)
        parent_code = r.get("parent_code", cells.digits, what="上级编码") or ""
        name = r.get("name", cells.plain_text, max_len=100) or ""
        level = r.get("level", cells.choice, labels=LEVELS, what="层级") or ""
        code = r.get("code", cells.digits, what="编码") or ""
        address = r.get("address", cells.plain_text, max_len=200) or ""
        lat = r.get("lat", cells.number, low=CHINA_LAT[0], high=CHINA_LAT[1], what="纬度")
        lng = r.get("lng", cells.number, low=CHINA_LNG[0], high=CHINA_LNG[1], what="经度")
        if (lat is None) != (lng is None) and not r.errors:
            r.fail("lng" if lng is None else "lat", "纬度和经度要么都填，要么都不填")
        if level and not r.errors:
            self._check_codes(r, level, parent_code, code)
        return r.done(AreaRecord(row=row, parent_code=parent_code, name=name, level=level, code=code,
                                 address=address, lat=lat, lng=lng))

    @staticmethod
    def _check_codes(r, level: str, parent_code: str, code: str) -> None:
        label = LEVEL_LABELS[level]
        if code and len(code) != CODE_LENGTHS[level]:
            r.fail("code", f"{label}的编码应为{CODE_LENGTHS[level]}位数字，现为{len(code)}位；也可以留空自动编号")
        if level == "district":
            if parent_code:
                r.fail("parent_code", "区/县没有上级，请把上级编码留空")
            if not code:
                r.fail("code", "新建区/县需要填写6位行政区划代码")
            return
        parent_level = PARENT_LEVEL[level]
        if not parent_code:
            r.fail("parent_code", f"不能为空，请填写所属{LEVEL_LABELS[parent_level]}的编码")
        elif len(parent_code) != CODE_LENGTHS[parent_level]:
            r.fail("parent_code", f"{label}的上级是{LEVEL_LABELS[parent_level]}，"
                                  f"上级编码应为{CODE_LENGTHS[parent_level]}位数字，现为{len(parent_code)}位")
        elif code and not code.startswith(parent_code):
            r.fail("code", f"编码应以上级编码{parent_code}开头；也可以留空自动编号")

    # --- resolve -------------------------------------------------------------------------------------
    def resolve(self, records: Sequence[AreaRecord]) -> None:
        self.ctx.load_areas([r.parent_code for r in records] + [r.code for r in records])
        wanted = {(r.parent_code, r.name) for r in records if r.parent_code} - set(self.sibling_names)
        parents = sorted({p for p, _ in wanted})
        for part in chunked(parents):
            rows = Area.objects.filter(parent__code__in=part, name__in={n for _, n in wanted}).values_list(
                "parent__code", "name", "code")
            for parent_code, name, code in rows:
                self.sibling_names[(parent_code, name)] = code

    # --- check ---------------------------------------------------------------------------------------
    def check(self, rec: AreaRecord) -> list:
        if not rec.usable("level") or {"parent_code", "code"} & rec.failed:
            return []  # the codes are reported already; checking the rest would only add noise
        errors = []
        if problem := self._parent_problem(rec):
            errors.append(self.error(rec.row, "parent_code", rec.parent_code, problem))
        if rec.code and (problem := self._code_problem(rec)):
            errors.append(self.error(rec.row, "code", rec.code, problem))
        if rec.usable("parent_code", "name") and (problem := self._name_problem(rec)):
            errors.append(self.error(rec.row, "name", rec.name, problem))
        return errors

    def _parent_problem(self, rec: AreaRecord) -> str | None:
        if rec.level == "district":
            return None if self.ctx.can_import_at(rec.code) else "只有系统管理员可以新建区/县"
        if rec.parent_code in self.file_codes:
            return None
        problem = self.ctx.area_problem(rec.parent_code, level=PARENT_LEVEL[rec.level])
        if problem == OUT_OF_SCOPE.format(code=rec.parent_code):
            problem += "（上级如果也在本文件中，请给它填写编码并放在前面的行）"
        return problem

    def _code_problem(self, rec: AreaRecord) -> str | None:
        previous = self.file_codes.get(rec.code)
        if previous is not None:
            return f"与第{previous[0]}行的编码重复，请修改或留空自动编号"
        self.file_codes[rec.code] = (rec.row, rec.level)
        if rec.code in self.ctx.areas:
            return f"编码{rec.code}已被使用，请换一个编码或留空自动编号"
        return None

    def _name_problem(self, rec: AreaRecord) -> str | None:
        label = LEVEL_LABELS[rec.level]
        if existing := self.sibling_names.get((rec.parent_code, rec.name)):
            return f"上级区域下已有名为「{rec.name}」的区域（编码{existing}），不能重复建{label}，请删除这一行"
        previous = self.ctx.first_row("area-name", (rec.parent_code, rec.name), rec.row)
        if previous is not None:
            return f"与第{previous}行重复：同一上级下不能有两个名为「{rec.name}」的{label}，请删除或改名"
        return None

    # --- write ---------------------------------------------------------------------------------------
    def write(self, records: Sequence[AreaRecord]) -> dict[str, int]:
        ordered = sorted(records, key=lambda r: (LEVEL_ORDER.index(r.level), r.code == "", r.row))
        known = Area.objects.in_bulk({r.parent_code for r in records if r.parent_code}, field_name="code")

        def write_one(rec: AreaRecord) -> None:
            area = area_create(
                name=rec.name, parent=known.get(rec.parent_code), level=rec.level, code=rec.code or None,
                address=rec.address, lat=rec.lat, lng=rec.lng, actor=self.ctx.user,
            )
            known[area.code] = area

        return {"created": self.write_each(ordered, write_one)}

    # --- export --------------------------------------------------------------------------------------
    def export_rows(self, user) -> Iterable[list[Any]]:
        areas = Area.objects.filter(scope_for(user).area_q(Capability.VIEW_AREAS)).order_by("code")
        fields = ("code", "name", "level", "address", "lat", "lng")
        for code, name, level, address, lat, lng in areas.values_list(*fields).iterator(chunk_size=5000):
            parent = code[:CODE_LENGTHS[PARENT_LEVEL[level]]] if level != "district" else ""
            yield [parent, name, LEVEL_LABELS[level], code, address, lat, lng]
