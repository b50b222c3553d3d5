"""Where points come from: the events other parts of the platform already write.

Each source turns one durable row into an ``Earning`` (who, which community, when, for what), or
None when the row does not earn (a report judged invalid, a dispatcher's call-back rating). The
ledger pays an earning once: its ``source`` ("woodpeckers.report:12") is the award's unique key.

Receivers (connected in ``apps.py``) hear the events as they happen; ``missed(since)`` reads the same
rows back for the worker's catch-up, so an event whose signal was lost (a process died between the
commit and the receiver) is still paid, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.models import CaseAttachment, CaseEvent
from grassroots.deliberation.models import Attendance
from grassroots.service.models import ServiceRecord
from grassroots.volunteers.models import Signup
from grassroots.wishes.models import Wish
from grassroots.woodpeckers.models import QuickReport

from .models import Award, Event

COMMUNITY_LEN = CODE_LENGTHS[Level.COMMUNITY]


@dataclass
class Earning:
    source: str
    event: str
    user: object
    community: Area
    area_code: str
    occurred_at: datetime
    title: str
    units: Decimal = Decimal(1)
    photo: object = None  # a file to fingerprint (a quick report's photo)
    lat: float | None = None
    lng: float | None = None
    extra: dict = field(default_factory=dict)


def _community(code: str) -> Area | None:
    return Area.objects.filter(code=code[:COMMUNITY_LEN], level=Level.COMMUNITY).first()


def from_report(report: QuickReport) -> Earning | None:
    if report.status != QuickReport.Status.VALID or report.woodpecker_id is None or report.decided_at is None:
        return None
    case = report.case
    community = report.woodpecker.community if report.woodpecker.community.code == report.area_code[:COMMUNITY_LEN] \
        else _community(report.area_code) or report.woodpecker.community
    photo = CaseAttachment.objects.filter(case=case, stage="report").order_by("pk").first()
    return Earning(source=f"woodpeckers.report:{report.pk}", event=Event.WOODPECKER_REPORT, user=report.reporter,
                   community=community, area_code=report.area_code, occurred_at=report.decided_at,
                   title=case.title[:60] if case.title.startswith("随手拍") else f"随手拍：{case.title[:50]}", photo=photo.file if photo else None, lat=case.lat, lng=case.lng)


def from_signup(signup: Signup) -> Earning | None:
    if signup.confirmed_at is None or not signup.hours:
        return None
    activity = signup.activity
    return Earning(source=f"volunteers.signup:{signup.pk}", event=Event.VOLUNTEER_HOUR, user=signup.user,
                   community=activity.community, area_code=activity.community.code, occurred_at=signup.confirmed_at,
                   title=f"志愿服务：{activity.title[:40]}（{signup.hours}小时）", units=Decimal(signup.hours))


def from_record(record: ServiceRecord) -> Earning | None:
    if record.status != ServiceRecord.Status.VERIFIED or record.verified_at is None:
        return None
    registration = record.registration
    return Earning(source=f"service.record:{record.pk}", event=Event.SERVICE_RECORD, user=registration.user,
                   community=registration.community, area_code=registration.community.code,
                   occurred_at=record.verified_at, title=f"双报到服务：{record.what[:40]}")


def from_wish(wish: Wish) -> Earning | None:
    if wish.status != Wish.Status.CONFIRMED or wish.claimed_by_id is None or wish.confirmed_at is None:
        return None
    return Earning(source=f"wishes.wish:{wish.pk}", event=Event.WISH_FULFILLED, user=wish.claimed_by,
                   community=wish.community, area_code=wish.community.code, occurred_at=wish.confirmed_at,
                   title=f"微心愿：{wish.title[:40]}")


def from_attendance(attendance: Attendance) -> Earning | None:
    meeting = attendance.meeting
    return Earning(source=f"deliberation.attendance:{attendance.pk}", event=Event.MEETING_ATTENDED,
                   user=attendance.user, community=meeting.community, area_code=meeting.community.code,
                   occurred_at=attendance.at, title=f"参加会议：{meeting.title[:50]}")


RATING_ACTIONS = ("rate", "rate_unsatisfied")


def from_case_event(event: CaseEvent, case) -> Earning | None:
    """The resident who raised a case rates it (a dispatcher's call-back earns nobody anything)."""
    if event.action not in RATING_ACTIONS or case.reporter_user_id is None:
        return None
    if event.actor_id not in (None, case.reporter_user_id):
        return None
    community = _community(case.area_code or "")
    if community is None:
        return None
    return Earning(source=f"cases.rated:{case.pk}", event=Event.CASE_RATED, user=case.reporter_user,
                   community=community, area_code=case.area_code, occurred_at=event.at,
                   title=f"评价诉求 {case.code}")


def missed(since: datetime, *, until: datetime | None = None, limit: int = 500) -> list[Earning]:
    """Earning rows written since ``since`` that have no award yet (oldest first)."""
    found: list[Earning] = []
    reports = (QuickReport.objects.filter(status=QuickReport.Status.VALID, woodpecker__isnull=False,
                                          decided_at__gte=since, **({"decided_at__lte": until} if until else {}))
               .select_related("case", "woodpecker__community", "reporter").order_by("decided_at")[:limit])
    found += [e for r in reports if (e := from_report(r))]
    signups = (Signup.objects.filter(confirmed_at__gte=since, hours__isnull=False,
                                     **({"confirmed_at__lte": until} if until else {}))
               .select_related("activity__community", "user").order_by("confirmed_at")[:limit])
    found += [e for s in signups if (e := from_signup(s))]
    records = (ServiceRecord.objects.filter(status=ServiceRecord.Status.VERIFIED, verified_at__gte=since,
                                            **({"verified_at__lte": until} if until else {}))
               .select_related("registration__community", "registration__user").order_by("verified_at")[:limit])
    found += [e for r in records if (e := from_record(r))]
    wishes = (Wish.objects.filter(status=Wish.Status.CONFIRMED, confirmed_at__gte=since,
                                  **({"confirmed_at__lte": until} if until else {}))
              .select_related("community", "claimed_by").order_by("confirmed_at")[:limit])
    found += [e for w in wishes if (e := from_wish(w))]
    attended = (Attendance.objects.filter(at__gte=since, **({"at__lte": until} if until else {}))
                .select_related("meeting__community", "user").order_by("at")[:limit])
    found += [e for a in attended if (e := from_attendance(a))]
    ratings = (CaseEvent.objects.filter(action__in=RATING_ACTIONS, at__gte=since, **({"at__lte": until} if until else {}))
               .select_related("case__reporter_user").order_by("at")[:limit])
    found += [e for ev in ratings if (e := from_case_event(ev, ev.case))]
    paid = set(Award.objects.filter(source__in=[e.source for e in found]).values_list("source", flat=True))
    return sorted((e for e in found if e.source not in paid), key=lambda e: e.occurred_at)
