"""居民台账: residents of households, found by household code or by building code + door number."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.areas.services import area_create
from grassroots.core.i18n import source_label, source_labels
from grassroots.people.models import CareTag, Relation, Resident
from grassroots.people.services import ResidentRow, residents_bulk_create

from .. import cells
from .base import Column, Record, Register, chunked, labels_for
from .persons import ID_NUMBER, NAME, PersonCells, duplicate_in_file, phone_column, read_person

RELATIONS = labels_for(Relation.choices, {"本人": Relation.HEAD, "妻": Relation.SPOUSE, "夫": Relation.SPOUSE,
                                          "子": Relation.CHILD, "女": Relation.CHILD, "儿子": Relation.CHILD,
                                          "女儿": Relation.CHILD, "父亲": Relation.PARENT,
                                          "母亲": Relation.PARENT})
CARE_TAGS = labels_for(CareTag.choices)


@dataclass
class ResidentRecord(Record):
    household_code: str
    building_code: str
    door: str
    person: PersonCells
    relation: str
    care_tags: tuple[str, ...]

    @property
    def household_key(self) -> str | tuple[str, str]:
        return self.household_code or (self.building_code, self.door)


class ResidentRegister(Register):
    key = "residents"
    label = "居民"
    view_capability = Capability.VIEW_RESIDENTS
    columns = (
        Column("户编码", "household_code", as_text=True, width=26,
               hint="已有的户填22位户编码（可从“导出”得到）；新的户留空，改填楼栋编码和门牌"),
        Column("楼栋编码", "building_code", as_text=True, width=22,
               hint="新的户：所在楼栋的18位编码；填了户编码时可以不填"),
        Column("门牌", "door", width=14, hint="新的户：门牌，如“2单元502室”；同一门牌的多行是同一户的家庭成员"),
        NAME,
        ID_NUMBER,
        phone_column(),
        Column("与户主关系", "relation", choices=source_labels(Relation.labels), width=10,
               hint="户主、配偶、子女、父母或其他；不填视为“其他”；一户只能有一个户主"),
        Column("关爱标签", "care_tags", width=20,
               hint="可填多个，用逗号或顿号分开：" + "、".join(source_labels(CareTag.labels)) + "；可以不填"),
    )
    notes = ("每行一位居民。已有的户填“户编码”；新的户填“楼栋编码”和“门牌”，系统自动生成户编码。",)

    def __init__(self, ctx=None):
        super().__init__(ctx)
        self.door_codes: dict[tuple[str, str], str] = {}
        self.residencies: set[tuple[int, str]] = set()
        self.heads: set[str] = set()

    # --- parse ---------------------------------------------------------------------------------------
    def parse(self, row: int, values: Mapping[str, Any]) -> ResidentRecord:
        r = self.reader(row, values)
        household = r.get("household_code", cells.digits, what="户编码") or ""
        building = r.get("building_code", cells.digits, what="楼栋编码") or ""
        door = r.get("door", cells.plain_text, max_len=100) or ""
        self._where(r, household, building, door)
        person = read_person(r)
        relation = r.get("relation", cells.choice, labels=RELATIONS, what="与户主关系") or Relation.OTHER
        tags = r.get("care_tags", cells.choices, labels=CARE_TAGS, what="关爱标签") or []
        return r.done(ResidentRecord(row=row, household_code=household, building_code=building, door=door,
                                     person=person, relation=relation, care_tags=tuple(tags)))

    @staticmethod
    def _where(r, household: str, building: str, door: str) -> None:
        if household and len(household) != 22:
            r.fail("household_code", f"户编码应为22位数字，现为{len(household)}位，请核对")
        if building and len(building) != 18:
            r.fail("building_code", f"楼栋编码应为18位数字，现为{len(building)}位，请核对")
        if household or r.errors:
            return
        if building and not door:
            r.fail("door", "新的户需要填写门牌（或改填户编码）")
        elif door and not building:
            r.fail("building_code", "新的户需要填写楼栋编码（或改填户编码）")
        elif not building:
            r.fail("household_code", "请填写户编码；如果是新的户，请填写楼栋编码和门牌")

    # --- resolve -------------------------------------------------------------------------------------
    def resolve(self, records: Sequence[ResidentRecord]) -> None:
        ctx = self.ctx
        ctx.load_areas([r.household_code for r in records] + [r.building_code for r in records])
        ctx.load_persons(r.person for r in records)
        self._load_doors([r for r in records if not r.household_code])
        person_ids = sorted({ctx.person_ids[r.person.index] for r in records if r.person.index in ctx.person_ids})
        for part in chunked(person_ids):
            self.residencies.update(
                Resident.objects.filter(person_id__in=part).values_list("person_id", "household__code"))
        heads = sorted({r.household_code for r in records if r.household_code and r.relation == Relation.HEAD})
        for part in chunked(heads):
            self.heads.update(Resident.objects.filter(household__code__in=part, relation=Relation.HEAD)
                              .values_list("household__code", flat=True))

    def _load_doors(self, records: Iterable[ResidentRecord]) -> None:
        wanted = {(r.building_code, r.door) for r in records} - set(self.door_codes)
        building_ids = {self.ctx.areas[b].id: b for b, _ in wanted if b in self.ctx.areas}
        for part in chunked(sorted(building_ids)):
            rows = Area.objects.filter(parent_id__in=part, level="household",
                                       name__in={d for _, d in wanted}).values_list("parent_id", "name", "code")
            for parent_id, name, code in rows:
                self.door_codes[(building_ids[parent_id], name)] = code

    # --- check ---------------------------------------------------------------------------------------
    def check(self, rec: ResidentRecord) -> list:
        errors = self._check_household(rec) if self._where_usable(rec) else []
        if problem := duplicate_in_file(self.ctx, kind="person", key=rec.person.index, row=rec.row):
            errors.append(self.error(rec.row, "id_number", rec.person.id_number, problem))
        person_id = self.ctx.person_ids.get(rec.person.index)
        if rec.household_code and (person_id, rec.household_code) in self.residencies:
            errors.append(self.error(rec.row, "id_number", rec.person.id_number,
                                     "该居民已登记在此户，无需重复导入，请删除这一行"))
        if rec.relation == Relation.HEAD:
            errors.extend(self._check_head(rec))
        return errors

    @staticmethod
    def _where_usable(rec: ResidentRecord) -> bool:
        if {"household_code", "building_code", "door"} & rec.failed:
            return False
        return bool(rec.household_code or (rec.building_code and rec.door))

    def _check_household(self, rec: ResidentRecord) -> list:
        ctx, errors = self.ctx, []
        if rec.household_code:
            if problem := ctx.area_problem(rec.household_code, level="household"):
                return [self.error(rec.row, "household_code", rec.household_code, problem)]
            if rec.building_code and rec.building_code != rec.household_code[:18]:
                errors.append(self.error(rec.row, "building_code", rec.building_code,
                                         "楼栋编码与户编码不一致（户编码的前18位是楼栋编码），可以留空"))
            name = ctx.areas[rec.household_code].name
            if rec.door and rec.door != name:
                errors.append(self.error(rec.row, "door", rec.door,
                                         f"门牌与户编码对应的户「{name}」不一致，请核对或留空"))
            return errors
        if problem := ctx.area_problem(rec.building_code, level="building"):
            return [self.error(rec.row, "building_code", rec.building_code, problem)]
        if code := self.door_codes.get((rec.building_code, rec.door)):
            return [self.error(rec.row, "door", rec.door,
                               f"该楼栋已有门牌为「{rec.door}」的户（户编码{code}），"
                               f"不能重复建户；请在「户编码」列填写{code}")]
        return []

    def _check_head(self, rec: ResidentRecord) -> list:
        if rec.household_code in self.heads:
            return [self.error(rec.row, "relation", "户主",
                               "该户已有户主，一户只能有一个户主，请改为其他关系")]
        previous = self.ctx.first_row("head", rec.household_key, rec.row)
        if previous is not None:
            return [self.error(rec.row, "relation", "户主",
                               f"与第{previous}行同为该户户主，一户只能有一个户主，请改为其他关系")]
        return []

    # --- write ---------------------------------------------------------------------------------------
    def write(self, records: Sequence[ResidentRecord]) -> dict[str, int]:
        actor = self.ctx.user
        new_doors = list(dict.fromkeys((r.building_code, r.door) for r in records if not r.household_code))
        buildings = Area.objects.in_bulk({b for b, _ in new_doors}, field_name="code")
        households: dict[Any, tuple[int, str]] = {}
        for building, door in new_doors:
            area = area_create(name=door, parent=buildings[building], actor=actor)
            households[(building, door)] = (area.id, area.code)
        for code, ref in self.ctx.areas.items():
            households[code] = (ref.id, code)
        rows = [
            ResidentRow(household_id=households[r.household_key][0], household_code=households[r.household_key][1],
                        name=r.person.name, id_number=r.person.id_number, phone=r.person.phone,
                        relation=r.relation, care_tags=r.care_tags)
            for r in records
        ]
        counts = residents_bulk_create(rows=rows, actor=actor, source=f"import:{self.ctx.job_id or ''}")
        return {"created": counts["residents_created"], "households_created": len(new_doors), **counts}

    # --- export --------------------------------------------------------------------------------------
    def export_rows(self, user) -> Iterable[list[Any]]:
        scope = scope_for(user)
        residents = (Resident.objects.filter(scope.area_q(Capability.VIEW_RESIDENTS, "household__code"))
                     .select_related("person", "household").order_by("household__code", "id"))
        for res in residents.iterator(chunk_size=2000):
            code = res.household.code
            tags = ([source_label(CareTag, t) for t in res.care_tags if t in CareTag.values]
                    if scope.can_at(Capability.VIEW_CARE_TAGS, code) else [])
            yield [code, code[:18], res.household.name, res.person.name, res.person.id_number_masked,
                   res.person.phone_masked, source_label(Relation, res.relation), "、".join(tags)]
