"""单位台账: co-building units, departments, utilities, property companies, social organisations."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.core.i18n import source_label, source_labels
from grassroots.orgs.models import PartyOrg, Unit, UnitKind
from grassroots.orgs.services import unit_create

from .. import cells
from .base import Column, Record, Register, chunked, labels_for

KINDS = labels_for(UnitKind.choices, {
    "驻区单位": UnitKind.COBUILD, "共建单位": UnitKind.COBUILD, "职能部门": UnitKind.DEPARTMENT,
    "部门": UnitKind.DEPARTMENT, "公用事业": UnitKind.UTILITY, "物业": UnitKind.PROPERTY,
    "物业公司": UnitKind.PROPERTY, "社会组织": UnitKind.SOCIAL,
})


@dataclass
class UnitRecord(Record):
    name: str
    kind: str
    area_code: str
    credit_code: str
    contact: str
    address: str
    party_org_name: str
    party_org_id: int | None = None

    @property
    def district(self) -> str:
        return self.area_code[:6]


class UnitRegister(Register):
    key = "units"
    label = "单位"
    view_capability = Capability.VIEW_UNITS
    columns = (
        Column("名称", "name", required=True, width=24, hint="单位全称，最多120个字；同一区县内不能重名"),
        Column("类型", "kind", required=True, choices=source_labels(UnitKind.labels), width=18,
               hint="、".join(source_labels(UnitKind.labels))),
        Column("所在区域编码", "area_code", required=True, as_text=True, width=22,
               hint="单位所在或服务的区域（街道、社区、网格等）的编码，须在您的管辖范围内"),
        Column("统一社会信用代码", "credit_code", as_text=True, width=22, hint="18位；可以不填"),
        Column("联系人", "contact", width=10, hint="最多50个字；可以不填"),
        Column("地址", "address", width=28, hint="最多200个字；可以不填"),
        Column("党组织名称", "party_org_name", width=24,
               hint="单位党组织的名称（须已在党组织中登记，如物业公司党支部即“红色物业”）；可以不填"),
    )
    notes = ("每行一个单位。", )

    def __init__(self, ctx=None):
        super().__init__(ctx)
        self.existing: set[tuple[str, str]] = set()  # (district, name) of units already registered
        self.party_orgs: dict[tuple[str, str], list[int]] = {}  # (district, name) → ids

    def parse(self, row: int, values: Mapping[str, Any]) -> UnitRecord:
        r = self.reader(row, values)
        record = UnitRecord(
            row=row,
            name=r.get("name", cells.plain_text, max_len=120) or "",
            kind=r.get("kind", cells.choice, labels=KINDS, what="类型") or "",
            area_code=r.get("area_code", cells.digits, what="所在区域编码") or "",
            credit_code=r.get("credit_code", cells.credit_code) or "",
            contact=r.get("contact", cells.plain_text, max_len=50) or "",
            address=r.get("address", cells.plain_text, max_len=200) or "",
            party_org_name=r.get("party_org_name", cells.plain_text, max_len=120) or "",
        )
        return r.done(record)

    def resolve(self, records: Sequence[UnitRecord]) -> None:
        self.ctx.load_areas(r.area_code for r in records)
        names = sorted({r.name for r in records})
        for part in chunked(names):
            self.existing.update(Unit.objects.filter(name__in=part).values_list("district_code", "name"))
        org_names = sorted({r.party_org_name for r in records if r.party_org_name})
        for part in chunked(org_names):
            for pk, name, district in PartyOrg.objects.filter(name__in=part).values_list(
                    "id", "name", "district_code"):
                ids = self.party_orgs.setdefault((district, name), [])
                if pk not in ids:
                    ids.append(pk)

    def check(self, rec: UnitRecord) -> list:
        errors = []
        if not rec.usable("area_code"):
            return []
        if problem := self.ctx.area_problem(rec.area_code, level=None):
            return [self.error(rec.row, "area_code", rec.area_code, problem)]
        if rec.usable("name") and (problem := self._name_problem(rec)):
            errors.append(self.error(rec.row, "name", rec.name, problem))
        if rec.usable("party_org_name"):
            ids = self.party_orgs.get((rec.district, rec.party_org_name), [])
            if len(ids) != 1:
                problem = ("党组织不存在，请核对名称，或先登记该党组织；也可以留空" if not ids
                           else f"本区县有{len(ids)}个同名党组织，无法确定是哪一个，请留空后在系统中指定")
                errors.append(self.error(rec.row, "party_org_name", rec.party_org_name, problem))
            else:
                rec.party_org_id = ids[0]
        return errors

    def _name_problem(self, rec: UnitRecord) -> str | None:
        if (rec.district, rec.name) in self.existing:
            return "本区县已有同名单位，不能重复导入，请删除这一行"
        previous = self.ctx.first_row("unit", (rec.district, rec.name), rec.row)
        return f"与第{previous}行的单位重名，请删除或改名" if previous is not None else None

    def write(self, records: Sequence[UnitRecord]) -> dict[str, int]:
        areas = Area.objects.in_bulk({r.area_code for r in records}, field_name="code")
        orgs = PartyOrg.objects.in_bulk({r.party_org_id for r in records if r.party_org_id})
        created = self.write_each(records, lambda rec: unit_create(
            name=rec.name, kind=rec.kind, area=areas[rec.area_code], credit_code=rec.credit_code,
            contact=rec.contact, address=rec.address, party_org=orgs.get(rec.party_org_id), actor=self.ctx.user,
        ))
        return {"created": created}

    def export_rows(self, user) -> Iterable[list[Any]]:
        scope = scope_for(user)
        visible = scope.area_q(Capability.VIEW_UNITS, "area__code")
        unit_ids = scope.unit_ids.get(Capability.VIEW_UNITS)
        if unit_ids and not scope.is_superuser:
            visible |= Q(pk__in=unit_ids)
        units = Unit.objects.filter(visible).select_related("area", "party_org").order_by("area__code", "name")
        for unit in units.iterator(chunk_size=2000):
            yield [unit.name, source_label(UnitKind, unit.kind), unit.area.code, unit.credit_code, unit.contact,
                   unit.address, unit.party_org.name if unit.party_org else ""]
