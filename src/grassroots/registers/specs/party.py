"""党员台账: Party members with their organisation, employer and in-service flag.

The organisation is given by its name, or by the code of its area followed by its level
(“420303001001 社区大党委”) when names are not unique.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.core.i18n import source_labels
from grassroots.orgs.models import PartyLevel, PartyOrg, Unit
from grassroots.people.models import PartyMember
from grassroots.people.services import party_member_create

from .. import cells
from .base import Column, Record, Register, chunked, labels_for
from .persons import ID_NUMBER, NAME, PersonCells, duplicate_in_file, phone_column, read_person

PARTY_LEVELS = labels_for(PartyLevel.choices, {
    "党工委": PartyLevel.STREET_COMMITTEE, "大工委": PartyLevel.STREET_COMMITTEE,
    "街道党工委": PartyLevel.STREET_COMMITTEE, "大党委": PartyLevel.COMMUNITY_COMMITTEE,
    "网格党支部": PartyLevel.GRID_BRANCH, "小区党支部": PartyLevel.GRID_BRANCH,
    "党小组": PartyLevel.BUILDING_GROUP,
})
FOUNDED = datetime.date(1921, 7, 1)
_CODE_AND_LEVEL = re.compile(r"^(\d{6,22})\s*(.*)$")


@dataclass
class PartyMemberRecord(Record):
    person: PersonCells
    org_text: str
    employer_name: str
    in_service: bool
    joined_on: datetime.date | None
    org_id: int | None = None
    employer_id: int | None = None


@dataclass(frozen=True)
class OrgRef:
    id: int
    name: str
    level: str
    code: str
    district: str


class PartyMemberRegister(Register):
    key = "party_members"
    label = "党员"
    view_capability = Capability.VIEW_PARTY
    columns = (
        NAME,
        ID_NUMBER,
        phone_column(),
        Column("所在党组织", "org_text", required=True, width=28,
               hint="组织关系所在党组织的名称；名称有重复时填写“区域编码 层级”，如“420303001001 社区大党委”"),
        Column("工作单位", "employer_name", width=24, hint="须已在单位台账中登记；可以不填"),
        Column("是否在职", "in_service", choices=("是", "否"), width=10, hint="是或否；不填视为“否”"),
        Column("入党日期", "joined_on", width=12, hint="如 2001-07-01；可以不填"),
    )
    notes = ("每行一名党员。一名党员只能登记一次（按身份证号识别）。",)

    def __init__(self, ctx=None):
        super().__init__(ctx)
        self.orgs_by_name: dict[str, list[OrgRef]] | None = None
        self.orgs_by_code: dict[str, list[OrgRef]] = {}
        self.members: set[int] = set()  # person ids of registered Party members
        self.units: dict[tuple[str, str], int] = {}  # (district, name) → id

    def parse(self, row: int, values: Mapping[str, Any]) -> PartyMemberRecord:
        r = self.reader(row, values)
        person = read_person(r)
        org_text = r.get("org_text", cells.plain_text, max_len=120) or ""
        employer = r.get("employer_name", cells.plain_text, max_len=120) or ""
        in_service = r.get("in_service", cells.yes_no) or False
        joined_on = r.get("joined_on", cells.date, earliest=FOUNDED)
        return r.done(PartyMemberRecord(row=row, person=person, org_text=org_text, employer_name=employer,
                                        in_service=in_service, joined_on=joined_on))

    def resolve(self, records: Sequence[PartyMemberRecord]) -> None:
        if self.orgs_by_name is None:
            self._load_orgs()
        self.ctx.load_persons(r.person for r in records)
        ids = sorted({self.ctx.person_ids[r.person.index] for r in records if r.person.index in self.ctx.person_ids})
        for part in chunked(ids):
            self.members.update(PartyMember.objects.filter(person_id__in=part).values_list("person_id", flat=True))
        names = sorted({r.employer_name for r in records if r.employer_name})
        for part in chunked(names):
            for pk, name, district in Unit.objects.filter(name__in=part).values_list("id", "name", "district_code"):
                self.units[(district, name)] = pk

    def _load_orgs(self) -> None:
        """The Party organisations in the importer's scope, by name and by area code."""
        q = self.ctx.scope.area_q(Capability.MANAGE_REGISTERS, "area__code")
        self.orgs_by_name = {}
        for row in PartyOrg.objects.filter(q).values_list("id", "name", "level", "area__code", "district_code"):
            org = OrgRef(*row)
            self.orgs_by_name.setdefault(org.name, []).append(org)
            self.orgs_by_code.setdefault(org.code, []).append(org)

    def check(self, rec: PartyMemberRecord) -> list:
        errors = self._check_org(rec) if rec.usable("org_text") else []
        if problem := duplicate_in_file(self.ctx, kind="person", key=rec.person.index, row=rec.row):
            errors.append(self.error(rec.row, "id_number", rec.person.id_number, problem))
        elif rec.person.index and self.ctx.person_ids.get(rec.person.index) in self.members:
            errors.append(self.error(rec.row, "id_number", rec.person.id_number,
                                     "该身份证号的党员已登记，不能重复导入，请删除这一行"))
        return errors

    def _check_org(self, rec: PartyMemberRecord) -> list:
        org, problem = self._find_org(rec.org_text)
        if problem:
            return [self.error(rec.row, "org_text", rec.org_text, problem)]
        rec.org_id = org.id
        if rec.usable("employer_name"):
            rec.employer_id = self.units.get((org.district, rec.employer_name))
            if rec.employer_id is None:
                return [self.error(rec.row, "employer_name", rec.employer_name,
                                   "本区县没有这个单位，请先在单位台账中导入，或留空")]
        return []

    def _find_org(self, text: str) -> tuple[OrgRef | None, str | None]:
        not_found = "党组织不存在或不在您的管辖范围内，请核对名称，或填写“区域编码 层级”如“420303001001 社区大党委”"
        match = _CODE_AND_LEVEL.match(unicodedata.normalize("NFKC", text))
        if match:
            code, level_text = match.group(1), match.group(2).replace(" ", "")
            level = PARTY_LEVELS.get(level_text) if level_text else None
            if level_text and level is None:
                return None, "编码后的层级只能是：" + "、".join(source_labels(PartyLevel.labels))
            found = [o for o in self.orgs_by_code.get(code, []) if level is None or o.level == level]
            many = "该区域有多个党组织，请在编码后写上层级，如“420303001001 社区大党委”"
        else:
            found = self.orgs_by_name.get(text, [])
            many = f"有{len(found)}个名为「{text}」的党组织，请改填“区域编码 层级”"
        if not found:
            return None, not_found
        return (found[0], None) if len(found) == 1 else (None, many)

    def write(self, records: Sequence[PartyMemberRecord]) -> dict[str, int]:
        orgs = PartyOrg.objects.in_bulk({r.org_id for r in records})
        units = Unit.objects.in_bulk({r.employer_id for r in records if r.employer_id})
        created = self.write_each(records, lambda rec: party_member_create(
            org=orgs[rec.org_id], name=rec.person.name, id_number=rec.person.id_number, phone=rec.person.phone,
            employer=units.get(rec.employer_id), in_service=rec.in_service, joined_on=rec.joined_on,
            actor=self.ctx.user,
        ))
        return {"created": created}

    def export_rows(self, user) -> Iterable[list[Any]]:
        members = (PartyMember.objects.filter(scope_for(user).area_q(Capability.VIEW_PARTY, "org__area__code"))
                   .select_related("person", "org", "employer").order_by("org__area__code", "person__name"))
        for m in members.iterator(chunk_size=2000):
            yield [m.person.name, m.person.id_number_masked, m.person.phone_masked, m.org.name,
                   m.employer.name if m.employer else "", "是" if m.in_service else "否", m.joined_on]
