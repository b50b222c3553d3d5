"""Counts of what is in the database, as one JSON-able dict (``grassroots stats --json``)."""

from __future__ import annotations

from django.db.models import Count

from grassroots.areas.models import Area, Level
from grassroots.cases.models import Case, Channel
from grassroots.core.i18n import source_label
from grassroots.orgs.models import CommitteeSeat, Duty, PartyLevel, PartyOrg, Unit, UnitKind
from grassroots.people.models import GridStaff, PartyMember, Person, Resident, Volunteer

PEOPLE_LABELS = {
    "persons": "人员", "residents": "居民", "party_members": "党员",
    "in_service_party_members": "在职党员", "grid_staff": "网格人员", "volunteers": "志愿者",
}
OTHER_LABELS = {"committee_seats": "兼职委员", "duties": "职责清单"}


def _by(qs, field: str, keys) -> dict[str, int]:
    found = dict(qs.values_list(field).annotate(n=Count("pk")).order_by())
    return {k: found.get(k, 0) for k in keys}


def collect_stats(district: str | None = None) -> dict:
    """Counts per area level, Party-org level, unit kind, kind of person, case status and channel;
    all of them, or those of one district (its 6-digit code)."""

    def scoped(qs, field: str = "district_code"):
        return qs.filter(**{field: district}) if district else qs

    areas = Area.objects.filter(code__startswith=district) if district else Area.objects.all()
    members = scoped(PartyMember.objects)
    return {
        "district": district or "",
        "areas": _by(areas, "level", Level.values),
        "party_orgs": _by(scoped(PartyOrg.objects), "level", PartyLevel.values),
        "units": _by(scoped(Unit.objects), "kind", UnitKind.values),
        "people": {
            "persons": scoped(Person.objects).count(),
            "residents": scoped(Resident.objects).count(),
            "party_members": members.count(),
            "in_service_party_members": members.filter(in_service=True).count(),
            "grid_staff": scoped(GridStaff.objects).count(),
            "volunteers": scoped(Volunteer.objects).count(),
        },
        "committee_seats": scoped(CommitteeSeat.objects, "unit__district_code").count(),
        "duties": scoped(Duty.objects, "unit__district_code").count(),
        "cases": _by(scoped(Case.objects), "status", Case.Status.values),
        "cases_by_channel": _by(scoped(Case.objects), "channel", Channel.values),
    }


def stats_table(stats: dict) -> str:
    """The same numbers as a readable Chinese table."""
    sections = [
        ("区域", {source_label(Level, k): v for k, v in stats["areas"].items()}),
        ("党组织", {source_label(PartyLevel, k): v for k, v in stats["party_orgs"].items()}),
        ("单位", {source_label(UnitKind, k): v for k, v in stats["units"].items()}),
        ("人员", {PEOPLE_LABELS[k]: v for k, v in stats["people"].items()}),
        ("共建", {OTHER_LABELS[k]: stats[k] for k in OTHER_LABELS}),
        ("诉求", {source_label(Case.Status, k): v for k, v in stats["cases"].items()}),
        ("诉求来源", {source_label(Channel, k): v for k, v in stats["cases_by_channel"].items()}),
    ]
    title = f"统计（区县 {stats['district']}）" if stats["district"] else "统计（全部区县）"
    lines = [title]
    for heading, rows in sections:
        lines.append(f"\n【{heading}】")
        width = max(_display_width(k) for k in rows)
        for label, value in rows.items():
            lines.append(f"  {label}{' ' * (width - _display_width(label))}  {value:>8,}")
    return "\n".join(lines)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
