"""People of the demo district: residents in households, Party members, grid staff, volunteers.

ID numbers are real-format (GB 11643): district code + birth date + sequence whose last digit
encodes the gender + check character; unique within the plan. Phones are 1[3-9] + 9 digits.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from grassroots.core.crypto import id_number_with_check

from . import names
from .plan import (
    REFERENCE_DATE,
    MemberRow,
    PersonRow,
    Plan,
    ResidentRow,
    Scale,
    StaffRow,
    VolunteerRow,
    org_key,
    rng_for,
)

PHONE_PREFIXES = ([f"13{d}" for d in range(10)] + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
                  + ["166", "173", "176", "177", "178", "191", "198", "199"]
                  + [f"18{d}" for d in range(10)])
_SURNAME_WEIGHTS = [1 / (i + 8) for i in range(len(names.SURNAMES))]


def pick_name(rng: random.Random, gender: str | None = None, surname: str | None = None) -> str:
    gender = gender or rng.choice("MF")
    surname = surname or rng.choices(names.SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    chars = names.GIVEN_MALE if gender == "M" else names.GIVEN_FEMALE
    given = rng.choice(chars) if rng.random() < 0.35 else rng.choice(chars) + rng.choice(chars)
    return surname + given


class PersonFactory:
    """Makes PersonRows with unique ID numbers and phones, appending them to the plan."""

    def __init__(self, plan: Plan, rng: random.Random):
        self.plan, self.rng = plan, rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def birth(self, age_min: int, age_max: int) -> date:
        age = self.rng.randint(age_min, age_max)
        return REFERENCE_DATE - timedelta(days=365 * age + self.rng.randint(1, 364) + age // 4)

    def make(self, *, birth: date, gender: str, name: str) -> int:
        while True:
            gender_digit = self.rng.choice("13579" if gender == "M" else "02468")
            first17 = f"{self.plan.district_code}{birth:%Y%m%d}{self.rng.randint(0, 99):02d}{gender_digit}"
            if first17 not in self.ids:
                self.ids.add(first17)
                break
        while True:
            phone = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                break
        self.plan.persons.append(PersonRow(name, gender, birth, id_number_with_check(first17), phone))
        return len(self.plan.persons) - 1


def age_of(birth: date) -> int:
    return REFERENCE_DATE.year - birth.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (birth.month, birth.day))


def _household(plan: Plan, code: str, people: PersonFactory, rng: random.Random) -> None:
    size = rng.choices((1, 2, 3, 4), weights=(15, 35, 30, 20))[0] if plan.people == "full" else rng.randint(1, 2)
    head_age = rng.choices((rng.randint(25, 40), rng.randint(41, 60), rng.randint(61, 88)), weights=(3, 4, 3))[0]
    if size == 1 and rng.random() < 0.5:
        head_age = rng.randint(66, 90)
    gender = rng.choice("MF")
    head_birth = people.birth(head_age, head_age)
    moved_in = max(head_birth + timedelta(days=365 * 20), date(1990, 1, 1)) + timedelta(days=rng.randint(0, 3000))
    moved_in = min(moved_in, REFERENCE_DATE - timedelta(days=30))
    surname = rng.choices(names.SURNAMES, weights=_SURNAME_WEIGHTS)[0]
    low_income = rng.random() < 0.03
    members: list[tuple[int, str, list[str]]] = []

    def add(idx: int, relation: str, tags: list[str]) -> None:
        members.append((idx, relation, tags))

    head = people.make(birth=head_birth, gender=gender, name=pick_name(rng, gender, surname))
    tags = []
    if size == 1 and head_age >= 70 and rng.random() < 0.6:
        tags.append("elderly_alone")
    add(head, "head", tags)
    family_surname = surname
    if size >= 2:
        sg = "F" if gender == "M" else "M"
        sage = max(20, min(95, head_age + rng.randint(-5, 5)))
        spouse = people.make(birth=people.birth(sage, sage), gender=sg, name=pick_name(rng, sg))
        add(spouse, "spouse", [])
        if sg == "M":
            family_surname = plan.persons[spouse].name[0]
    for _ in range(size - 2):
        g = rng.choice("MF")
        if head_age >= 55 and rng.random() < 0.3:  # grandparents raising a grandchild
            age = rng.randint(3, 15)
            child = people.make(birth=people.birth(age, age), gender=g, name=pick_name(rng, g, family_surname))
            add(child, "other", ["left_behind_child"] if rng.random() < 0.5 else [])
        elif head_age <= 60 or rng.random() < 0.5:
            age = max(0, head_age - rng.randint(22, 35))
            child = people.make(birth=people.birth(age, age), gender=g, name=pick_name(rng, g, family_surname))
            add(child, "child", [])
        else:
            age = min(98, head_age + rng.randint(22, 30))
            parent = people.make(birth=people.birth(age, age), gender=g, name=pick_name(rng, g))
            add(parent, "parent", [])
    for idx, relation, tags in members:
        if rng.random() < 0.015:
            tags.append("disabled")
        if low_income and relation == "head":
            tags.append("low_income")
        plan.residents.append(ResidentRow(idx, code, relation, tags, moved_in))


def build_people(plan: Plan, scale: Scale, seed: int) -> None:
    if plan.people == "none":
        return
    rng = rng_for(seed, "people")
    people = PersonFactory(plan, rng)
    for area in plan.areas:
        if area.level == "household":
            _household(plan, area.code, people, rng)
    _members(plan, scale, rng)
    _staff(plan, people, rng)
    _volunteers(plan, rng)


def _members(plan: Plan, scale: Scale, rng: random.Random) -> None:
    """In-service members (working in a unit, registered at home), retired members, members
    without a post; every one belongs to the Party branch of the grid they live in."""
    employers = [u.key for u in plan.units if u.kind in ("cobuild", "department")]
    weights = [3.0 if u.kind == "department" else 1.0 for u in plan.units if u.kind in ("cobuild", "department")]
    working, retired = [], []
    for r in plan.residents:
        age = age_of(plan.persons[r.person].birth)
        if 23 <= age <= 59:
            working.append(r)
        elif age >= 60:
            retired.append(r)
    n_in_service = scale.in_service or round(len(working) * 0.08)
    chosen_working = rng.sample(working, min(len(working), n_in_service + n_in_service // 5))
    n_retired = round(len(retired) * 0.12)
    for i, r in enumerate(chosen_working + rng.sample(retired, n_retired)):
        in_service = i < n_in_service
        birth = plan.persons[r.person].birth
        joined_age = rng.randint(18, max(18, min(45, age_of(birth) - 1)))
        joined = birth + timedelta(days=365 * joined_age + rng.randint(0, 364))
        plan.members.append(MemberRow(
            r.person, org_key("grid_branch", r.household[:15]),
            rng.choices(employers, weights=weights)[0] if in_service else None,
            in_service, min(joined, REFERENCE_DATE - timedelta(days=1)),
        ))


def _staff(plan: Plan, people: PersonFactory, rng: random.Random) -> None:
    """A 网格长 and a 网格员 per grid; 网格辅助员 in about a third of the grids (always in the first)."""
    for i, grid in enumerate(plan.at_level("grid")):
        roles = ["grid_leader", "grid_worker"]
        if i == 0 or rng.random() < 0.33:
            roles.append("grid_assistant")
        for role in roles:
            g = rng.choice("MF")
            idx = people.make(birth=people.birth(25, 55), gender=g, name=pick_name(rng, g))
            plan.staff.append(StaffRow(idx, grid.code, role))


def _volunteers(plan: Plan, rng: random.Random) -> None:
    streets = {a.code: a.name for a in plan.at_level("street")}
    communities = {a.code: a.name for a in plan.at_level("community")}
    retired_members = {m.person for m in plan.members if not m.in_service}
    seen: set[int] = set()
    for r in plan.residents:
        if r.person in seen:
            continue
        age = age_of(plan.persons[r.person].birth)
        share = 0.3 if r.person in retired_members else 0.07
        if not 16 <= age <= 78 or rng.random() >= share:
            continue
        seen.add(r.person)
        ccode = r.household[:12]
        community = communities[ccode]
        team = (names.KNOWN_TEAMS_BY_STREET.get(streets[r.household[:9]])
                or names.KNOWN_TEAMS_BY_COMMUNITY.get(community))
        if team is None or rng.random() < 0.3:
            team = community + rng.choice(names.GENERIC_TEAMS)
        skills = "、".join(rng.sample(names.VOLUNTEER_SKILLS, rng.randint(1, 2)))
        plan.volunteers.append(VolunteerRow(r.person, ccode, skills, team))
