"""网格人员台账: grid leaders, grid workers and grid assistants of each grid."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area
from grassroots.core.i18n import source_label, source_labels
from grassroots.people.models import GridStaff, StaffRole
from grassroots.people.services import grid_staff_create

from .. import cells
from .base import Column, Record, Register, chunked, labels_for
from .persons import ID_NUMBER, NAME, PersonCells, phone_column, read_person

ROLES = labels_for(StaffRole.choices, {"专职网格员": StaffRole.GRID_WORKER, "网格协管员": StaffRole.GRID_ASSISTANT})


@dataclass
class GridStaffRecord(Record):
    grid_code: str
    person: PersonCells
    role: str


class GridStaffRegister(Register):
    key = "grid_staff"
    label = "网格人员"
    view_capability = Capability.VIEW_AREAS
    columns = (
        Column("网格编码", "grid_code", required=True, as_text=True, width=20,
               hint="15位网格编码，须在您的管辖范围内"),
        NAME,
        ID_NUMBER,
        phone_column(required=True),
        Column("岗位", "role", required=True, choices=source_labels(StaffRole.labels), width=12,
               hint="、".join(source_labels(StaffRole.labels))),
    )
    notes = ("每行一个岗位。同一人在同一网格只填一行。",)

    def __init__(self, ctx=None):
        super().__init__(ctx)
        self.posts: set[tuple[int, str]] = set()  # (person id, grid code) already posted

    def parse(self, row: int, values: Mapping[str, Any]) -> GridStaffRecord:
        r = self.reader(row, values)
        grid = r.get("grid_code", cells.digits, what="网格编码") or ""
        person = read_person(r)
        role = r.get("role", cells.choice, labels=ROLES, what="岗位") or ""
        return r.done(GridStaffRecord(row=row, grid_code=grid, person=person, role=role))

    def resolve(self, records: Sequence[GridStaffRecord]) -> None:
        self.ctx.load_areas(r.grid_code for r in records)
        self.ctx.load_persons(r.person for r in records)
        ids = sorted({self.ctx.person_ids[r.person.index] for r in records if r.person.index in self.ctx.person_ids})
        for part in chunked(ids):
            self.posts.update(GridStaff.objects.filter(person_id__in=part).values_list("person_id", "grid__code"))

    def check(self, rec: GridStaffRecord) -> list:
        if not rec.usable("grid_code"):
            return []
        if problem := self.ctx.area_problem(rec.grid_code, level="grid"):
            return [self.error(rec.row, "grid_code", rec.grid_code, problem)]
        if not rec.person.index:
            return []
        previous = self.ctx.first_row("post", (rec.person.index, rec.grid_code), rec.row)
        if previous is not None:
            return [self.error(rec.row, "id_number", rec.person.id_number,
                               f"与第{previous}行是同一人同一网格，同一人在同一网格只填一行，请删除重复的行")]
        if (self.ctx.person_ids.get(rec.person.index), rec.grid_code) in self.posts:
            return [self.error(rec.row, "id_number", rec.person.id_number,
                               "此人已是该网格的网格人员，不能重复导入，请删除这一行")]
        return []

    def write(self, records: Sequence[GridStaffRecord]) -> dict[str, int]:
        grids = Area.objects.in_bulk({r.grid_code for r in records}, field_name="code")
        created = self.write_each(records, lambda rec: grid_staff_create(
            grid=grids[rec.grid_code], name=rec.person.name, id_number=rec.person.id_number,
            phone=rec.person.phone, role=rec.role, actor=self.ctx.user,
        ))
        return {"created": created}

    def export_rows(self, user) -> Iterable[list[Any]]:
        staff = (GridStaff.objects.filter(scope_for(user).area_q(Capability.VIEW_AREAS, "grid__code"))
                 .select_related("person", "grid").order_by("grid__code", "role", "person__name"))
        for s in staff.iterator(chunk_size=2000):
            yield [s.grid.code, s.person.name, s.person.id_number_masked, s.person.phone_masked,
                   source_label(StaffRole, s.role)]
