"""Counts of what is in the database, as one JSON-able dict (``grassroots stats --json``)."""

from __future__ import annotations

from django.db.models import Count

from grassroots.areas.models import Area, Level
from grassroots.cases.models import Case, Channel
from grassroots.core.i18n import source_label
from grassroots.orgs.models import CommitteeSeat, Duty, PartyLevel, PartyOrg, Unit, UnitKind
from grassroots.people.models import GridStaff, PartyMember, Person, Resident, Volunteer
from grassroots.portal.models import ResidentAccount

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
    matching = _matching(scoped)
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
        "resident_accounts": _by(scoped(ResidentAccount.objects), "status", ResidentAccount.Status.values),
        **_serving(scoped),
        "points": _points(scoped),
        "deliberation": _deliberation(scoped) | {"matches": matching["matches"]},  # needs met by resources
        "matching": matching,
    }


def _deliberation(scoped) -> dict:
    """Meetings, topics, votes, resolutions (open, overdue, done)."""
    from django.utils import timezone

    from grassroots.deliberation.models import Convention, ConventionVersion, Meeting, Resolution, Topic, Vote

    resolutions = scoped(Resolution.objects)
    votes = scoped(Vote.objects)
    return {
        "meetings": _by(scoped(Meeting.objects), "status", Meeting.Status.values),
        "topics": _by(scoped(Topic.objects), "status", Topic.Status.values),
        "votes": {"open": votes.filter(status="open").count(), "passed": votes.filter(passed=True).count(),
                  "not_passed": votes.filter(passed=False).count()},
        "resolutions": {"open": resolutions.filter(status="open").count(),
                        "overdue": resolutions.filter(status="open", deadline__lt=timezone.localdate()).count(),
                        "done": resolutions.filter(status="done").count(),
                        "dropped": resolutions.filter(status="dropped").count(),
                        "practical": resolutions.filter(practical=True, parent__isnull=True).count()},
        "conventions": scoped(Convention.objects).count(),
        "convention_versions_adopted": scoped(ConventionVersion.objects, "convention__district_code").filter(
            status=ConventionVersion.Status.ADOPTED).count(),
    }


def _matching(scoped) -> dict:
    """The three lists: resources, needs by status, accepted matches, projects, agreements."""
    from grassroots.matching.models import AgreementItem, Match, Need, Project, Resource

    items = scoped(AgreementItem.objects, "agreement__district_code")
    return {
        "resources": scoped(Resource.objects).filter(available=True).count(),
        "needs": _by(scoped(Need.objects), "status", Need.Status.values),
        "matches": scoped(Match.objects).filter(status=Match.Status.ACCEPTED).count(),
        "projects": _by(scoped(Project.objects), "status", Project.Status.values),
        "practical_projects": scoped(Project.objects).filter(practical=True).count(),
        "agreements": items.values("agreement").distinct().count(),
        "promises": items.count(), "delivered": items.filter(delivered_at__isnull=False).count(),
    }


def _points(scoped) -> dict:
    """The points books: issued, redeemed, expired and outstanding from the accounts' balances, and
    the check that the ledger sums to zero (every entry, every account)."""
    from django.db.models import Sum

    from grassroots.ledger.models import Account, Entry
    from grassroots.points.models import Award, Merchant, Offer, Redemption

    accounts = scoped(Account.objects)
    by_kind = {k: int(v or 0) for k, v in accounts.values_list("kind").annotate(s=Sum("posted")).order_by()}
    held = int(accounts.filter(kind=Account.Kind.PERSON).aggregate(s=Sum("held"))["s"] or 0)
    issued, redeemed = -by_kind.get("issuer", 0), by_kind.get("merchant", 0)
    expired, outstanding = by_kind.get("expiry", 0), by_kind.get("person", 0)
    entries = scoped(Entry.objects, "account__district_code")
    return {
        "issued": issued, "redeemed": redeemed, "expired": expired, "outstanding": outstanding, "held": held,
        "balanced": issued == redeemed + expired + outstanding,
        "ledger_sum": int(entries.aggregate(s=Sum("amount"))["s"] or 0),
        "accounts_sum": int(accounts.aggregate(s=Sum("posted"))["s"] or 0),
        "accounts": accounts.count(), "transfers": entries.count() // 2,
        "merchants": scoped(Merchant.objects).count(), "offers": scoped(Offer.objects).count(),
        "fee_vouchers": scoped(Offer.objects).filter(kind=Offer.Kind.FEE_VOUCHER).count(),
        "redemptions": _by(scoped(Redemption.objects), "status", Redemption.Status.values),
        "awards": _by(scoped(Award.objects), "status", Award.Status.values),
    }


def _serving(scoped) -> dict:
    """The people who serve: 双报到, volunteering, woodpeckers, micro-wishes."""
    from django.db.models import Q, Sum

    from grassroots.service.models import (
        Decision,
        FeedbackJob,
        MemberRegistration,
        ServiceRecord,
        UnitRegistration,
    )
    from grassroots.volunteers.models import Activity, Signup, Team
    from grassroots.wishes.models import Wish
    from grassroots.woodpeckers.models import QuickReport, Woodpecker

    records = scoped(ServiceRecord.objects)
    signups = scoped(Signup.objects)
    return {
        "unit_registrations": _by(scoped(UnitRegistration.objects), "status", Decision.values),
        "member_registrations": _by(scoped(MemberRegistration.objects), "status", Decision.values),
        "service_records": _by(records, "status", ServiceRecord.Status.values),
        "service_hours_verified": float(records.filter(status="verified").aggregate(h=Sum("hours"))["h"] or 0),
        "feedback_jobs": scoped(FeedbackJob.objects).count(),
        "volunteer_teams": scoped(Team.objects).count(),
        "volunteer_activities": _by(scoped(Activity.objects), "status", Activity.Status.values),
        "volunteer_signups": _by(signups, "status", Signup.Status.values),
        "volunteer_hours_confirmed": float(signups.filter(~Q(confirmed_at=None)).aggregate(h=Sum("hours"))["h"] or 0),
        "woodpeckers": _by(scoped(Woodpecker.objects), "status", Woodpecker.Status.values),
        "quick_reports": _by(scoped(QuickReport.objects), "status", QuickReport.Status.values),
        "wishes": _by(scoped(Wish.objects), "status", Wish.Status.values),
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
        ("居民账号", {source_label(ResidentAccount.Status, k): v for k, v in stats["resident_accounts"].items()}),
        ("双报到", {"单位报到（已报到）": stats["unit_registrations"]["approved"],
                    "在职党员报到（已报到）": stats["member_registrations"]["approved"],
                    "服务纪实（已核实）": stats["service_records"]["verified"],
                    "已核实服务时长（小时）": round(stats["service_hours_verified"]), "季度反馈": stats["feedback_jobs"]}),
        ("志愿服务", {"服务队": stats["volunteer_teams"], "活动": sum(stats["volunteer_activities"].values()),
                      "签退人次": stats["volunteer_signups"]["checked_out"], "缺席人次": stats["volunteer_signups"]["no_show"],
                      "已确认时长（小时）": round(stats["volunteer_hours_confirmed"])}),
        ("啄木鸟与微心愿", {"啄木鸟（在队）": stats["woodpeckers"]["active"], "随手拍": sum(stats["quick_reports"].values()),
                          "随手拍（有效）": stats["quick_reports"]["valid"], "微心愿": sum(stats["wishes"].values()),
                          "微心愿（已实现）": stats["wishes"]["confirmed"]}),
        ("积分", {"累计发放": stats["points"]["issued"], "兑换核销": stats["points"]["redeemed"],
                  "到期作废": stats["points"]["expired"], "居民持有": stats["points"]["outstanding"],
                  "兑换冻结": stats["points"]["held"], "积分商家": stats["points"]["merchants"],
                  "兑换项目": stats["points"]["offers"], "兑换（已核销）": stats["points"]["redemptions"]["settled"],
                  "账本合计（应为0）": stats["points"]["ledger_sum"]}),
        ("议事协商", {"会议（已召开）": stats["deliberation"]["meetings"]["held"],
                    "议题": sum(stats["deliberation"]["topics"].values()),
                    "表决（通过）": stats["deliberation"]["votes"]["passed"],
                    "决议（推进中）": stats["deliberation"]["resolutions"]["open"],
                    "决议（超期）": stats["deliberation"]["resolutions"]["overdue"],
                    "决议（已办结）": stats["deliberation"]["resolutions"]["done"],
                    "为民办实事": stats["deliberation"]["resolutions"]["practical"],
                    "公约（已通过版本）": stats["deliberation"]["convention_versions_adopted"]}),
        ("三张清单", {"可用资源": stats["matching"]["resources"], "需求（待对接）": stats["matching"]["needs"]["open"],
                   "需求（已满足）": stats["matching"]["needs"]["met"], "供需对接": stats["matching"]["matches"],
                   "项目（已完成）": stats["matching"]["projects"]["done"],
                   "双向服务协议": stats["matching"]["agreements"],
                   "协议承诺": stats["matching"]["promises"], "协议承诺（已兑现）": stats["matching"]["delivered"]}),
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


def account_work() -> list[str]:
    """What the demo accounts find to do (printed after ``load_demo``), in Chinese."""
    from grassroots.accounts.models import User
    from grassroots.cases.selectors import cases_visible_to
    from grassroots.notifications.models import Notification

    users = {u.username: u for u in User.objects.filter(
        username__in=["grid", "community", "dept", "member", "resident"])}
    lines = []
    if "grid" in users:
        mine = cases_visible_to(users["grid"])
        unread = Notification.objects.filter(recipient=users["grid"], read_at=None).count()
        lines.append(f"grid：网格内新上报 {mine.filter(status='reported').count()} 件、办理中 "
                     f"{mine.filter(status='in_progress').count()} 件，未读消息 {unread} 条")
    if "community" in users:
        board = cases_visible_to(users["community"]).filter(assigned_area__level="community")
        lines.append(f"community：待受理 {board.filter(status='reported').count()} 件、待派单 "
                     f"{board.filter(status='accepted').count()} 件、退单 {board.filter(status='returned').count()} 件")
    if "dept" in users:
        held = Case.objects.filter(assigned_unit__role_assignments__user=users["dept"])
        lines.append(f"dept：待接单 {held.filter(status='dispatched').count()} 件、办理中 "
                     f"{held.filter(status='in_progress').count()} 件")
    if "member" in users:
        taken = Case.objects.filter(assigned_user=users["member"])
        lines.append(f"member：待接单 {taken.filter(status='dispatched').count()} 件、办理中 "
                     f"{taken.filter(status='in_progress').count()} 件")
    if "resident" in users:
        own = Case.objects.filter(reporter_user=users["resident"])
        lines.append(f"resident：本人诉求 {own.count()} 件，待评价 {own.filter(status='verified').count()} 件")
    return lines
