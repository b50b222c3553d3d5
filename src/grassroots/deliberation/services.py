"""Writes of 议事协商. Each checks who may, validates with messages a person can act on, writes in
one transaction and records the audit row.

Vote integrity: a ballot is one row in the roll — unique per (vote, household) for 一户一票, per
(vote, person) for 一人一票 — written in the same transaction as the tally's ``count + 1``. Two
accounts of one household, two clicks at once, a paper ballot after an online one: the unique index
lets one in and the others are told. A secret ballot's choice goes only into the tally (a count per
choice and channel): nothing links a voter to it.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.areas.selectors import community_of
from grassroots.cases.attachments import photo_check
from grassroots.cases.errors import CaseError
from grassroots.cases.models import Case
from grassroots.cases.services import case_comment, case_reply
from grassroots.cases.transitions import RUNNING, TRANSITIONS
from grassroots.core.events import send
from grassroots.core.services import audit_record
from grassroots.core.validate import percent
from grassroots.core.validate import text as clean_text
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.portal.models import ResidentAccount

from . import rollup, signals
from .models import (
    AgendaItem,
    Attendance,
    Convention,
    ConventionVersion,
    Meeting,
    ProgressNote,
    Resolution,
    Rules,
    Series,
    Support,
    Tally,
    Topic,
    Vote,
    VoterRoll,
)

COMMUNITY_LEN = CODE_LENGTHS[Level.COMMUNITY]
CHOICES = [c for c, _label in Vote.CHOICES]
CODE_MINUTES = 180  # a meeting's check-in code is good for three hours from when it is shown


# --- who may ----------------------------------------------------------------------------------------------

def may_manage(user, community_code: str) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.DISPATCH_CASES, community_code)


def verified_household(user) -> Area | None:
    """The household of a verified resident account, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    account = ResidentAccount.objects.filter(user=user, status=ResidentAccount.Status.VERIFIED).select_related(
        "household").first()
    return account.household if account and account.household_id else None


def lives_under(user, area: Area) -> Area | None:
    household = verified_household(user)
    return household if household is not None and household.code.startswith(area.code) else None


def _mask(name: str) -> str:
    return name[0] + "*" * max(1, len(name) - 1) if name else "居民"


def rules_for(community: Area) -> Rules:
    return Rules.objects.filter(community=community).first() or Rules(community=community)


def rules_save(*, community: Area, actor, topic_threshold) -> Rules:
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以修改议事规则")
    raw = str(topic_threshold or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 10000:
        raise ValidationError({"topic_threshold": ["议题上会所需支持数请填写 1–10000 的整数"]})
    with transaction.atomic():
        rules, _created = Rules.objects.get_or_create(community=community,
                                                      defaults={"district_code": community.code[:6]})
        rules.topic_threshold = int(raw)
        rules.save(update_fields=["topic_threshold"])
        audit_record(actor=actor, action="deliberation.rules", obj=rules, district_code=community.code[:6],
                     detail={"topic_threshold": rules.topic_threshold})
    return rules




# --- meetings ------------------------------------------------------------------------------------------------

def series_create(*, community: Area, actor, kind: str, title: str = "") -> Series:
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以设置会议")
    if kind not in Series.Kind.values:
        raise ValidationError({"kind": ["请选择会议类型"]})
    title = (title or "").strip()[:60] or str(Series.Kind(kind).label).split("（")[0]
    with transaction.atomic():
        series = Series.objects.create(community=community, kind=kind, title=title, district_code=community.code[:6])
        audit_record(actor=actor, action="deliberation.series", obj=series, district_code=series.district_code,
                     detail={"kind": kind})
    return series


def meeting_plan(*, series: Series, actor, starts_at: datetime, place: str, title: str = "",
                 invite_seats: bool = False, units=(), invite_area: Area | None = None) -> Meeting:
    """Call the next meeting of a series. Its agenda opens with the open resolutions of the series'
    last meeting and the topics that gathered enough support."""
    community = series.community
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以召集会议")
    errors: dict[str, list[str]] = {}
    place = clean_text(place, "place", "地点", 100, errors)
    title = (title or "").strip()[:80] or f"{series.title} {timezone.localtime(starts_at):%Y-%m-%d}"
    if starts_at is None:
        errors["starts_at"] = ["请填写会议时间"]
    if invite_area is not None and not invite_area.code.startswith(community.code):
        errors["invite_area"] = ["只能邀请本社区的居民"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        last = series.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("-starts_at").first()
        meeting = Meeting.objects.create(series=series, community=community, title=title, starts_at=starts_at,
                                         place=place, invite_seats=invite_seats, invite_area=invite_area,
                                         created_by=actor, district_code=community.code[:6])
        meeting.invite_units.set(units, through_defaults={"district_code": meeting.district_code})
        order = 0
        if last is not None:
            for carried in last.resolutions.filter(status=Resolution.Status.OPEN, parent__isnull=True):
                order += 1
                AgendaItem.objects.create(meeting=meeting, order=order, kind=AgendaItem.Kind.CARRIED,
                                          title=f"未办结：{carried.title}"[:120], resolution=carried,
                                          district_code=meeting.district_code)
        for topic in Topic.objects.filter(community=community, status=Topic.Status.READY).order_by("created_at")[:20]:
            order += 1
            _put_on_agenda(meeting, topic, order)
        audit_record(actor=actor, action="deliberation.meeting_plan", obj=meeting, district_code=meeting.district_code,
                     detail={"series": series.pk, "carried": order})
        _invite(meeting)
    return meeting


def _invite(meeting: Meeting) -> None:
    """An inbox message to the invited: units' contacts and verified residents of the area."""
    from grassroots.accounts.models import RoleAssignment

    unit_ids = set(meeting.invite_units.values_list("pk", flat=True))
    if meeting.invite_seats:
        from grassroots.orgs.models import CommitteeSeat

        unit_ids |= set(CommitteeSeat.objects.filter(committee__area=meeting.community).values_list("unit_id", flat=True))
    users = set(RoleAssignment.objects.filter(unit_id__in=unit_ids).values_list("user_id", flat=True))
    if meeting.invite_area_id:
        users |= set(ResidentAccount.objects.filter(status=ResidentAccount.Status.VERIFIED,
                                                    household__code__startswith=meeting.invite_area.code)
                     .values_list("user_id", flat=True)[:2000])
    if users:
        from django.contrib.auth import get_user_model

        notify(recipients=get_user_model().objects.filter(pk__in=users), kind=Kind.SYSTEM,
               title=f"会议邀请：{meeting.title}"[:100],
               body=f"{timezone.localtime(meeting.starts_at):%m月%d日 %H:%M}，{meeting.place}",
               link=reverse("deliberation:meeting_public", args=[meeting.pk]), key=f"meeting:{meeting.pk}:invite",
               obj=meeting, district_code=meeting.district_code, audit=False)


def _put_on_agenda(meeting: Meeting, topic: Topic, order: int) -> AgendaItem:
    item = AgendaItem.objects.create(meeting=meeting, order=order, kind=AgendaItem.Kind.TOPIC,
                                     title=topic.title, topic=topic, district_code=meeting.district_code)
    Topic.objects.filter(pk=topic.pk).update(status=Topic.Status.AGENDA)
    return item


def agenda_add_topic(*, meeting: Meeting, topic: Topic, actor) -> AgendaItem:
    if not may_manage(actor, meeting.community.code):
        raise PermissionDenied("只有社区工作人员可以安排议程")
    if topic.community_id != meeting.community_id:
        raise ValidationError({"topic": ["只能安排本社区的议题"]})
    if topic.status not in (Topic.Status.GATHERING, Topic.Status.READY):
        raise ValidationError({"topic": [f"议题{topic.get_status_display()}"]})
    with transaction.atomic():
        item = _put_on_agenda(meeting, topic, meeting.agenda.count() + 1)
        audit_record(actor=actor, action="deliberation.agenda", obj=meeting, district_code=meeting.district_code,
                     detail={"topic": topic.pk})
    return item


def checkin_code(*, meeting: Meeting, actor) -> str:
    """Show a six-digit code at the meeting; attendees type it (or scan it) to check in."""
    if not may_manage(actor, meeting.community.code):
        raise PermissionDenied("只有社区工作人员可以发签到码")
    code = f"{secrets.randbelow(10**6):06d}"
    Meeting.objects.filter(pk=meeting.pk).update(checkin_code=code)
    meeting.checkin_code = code
    return code


def checkin(*, meeting: Meeting, user, code: str) -> Attendance:
    if not user.is_authenticated:
        raise PermissionDenied("请先登录")
    row = Meeting.objects.get(pk=meeting.pk)
    if row.status == Meeting.Status.CANCELLED:
        raise ValidationError({"code": ["会议已取消"]})
    window = timedelta(minutes=CODE_MINUTES)
    if not (row.starts_at - window <= timezone.now() <= row.starts_at + window):
        raise ValidationError({"code": ["不在会议签到时间内"]})
    if not row.checkin_code or (code or "").strip() != row.checkin_code:
        raise ValidationError({"code": ["签到码不正确"]})
    with transaction.atomic():
        found = Attendance.objects.filter(meeting=row, user=user).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                made = Attendance.objects.create(meeting=row, user=user, district_code=row.district_code)
        except IntegrityError:
            return Attendance.objects.get(meeting=row, user=user)
        transaction.on_commit(lambda: send(signals.attended, Attendance, attendance=made))
    return made


def meeting_record(*, meeting: Meeting, actor, minutes: str) -> Meeting:
    """The minutes: the meeting was held."""
    if not may_manage(actor, meeting.community.code):
        raise PermissionDenied("只有社区工作人员可以记录会议纪要")
    errors: dict[str, list[str]] = {}
    minutes = clean_text(minutes, "minutes", "会议纪要", 20000, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if row.status == Meeting.Status.CANCELLED:
            raise ValidationError({"__all__": ["会议已取消"]})
        row.minutes, row.minutes_by, row.status = minutes, actor, Meeting.Status.HELD
        row.held_at = row.held_at or timezone.now()
        row.save(update_fields=["minutes", "minutes_by", "status", "held_at"])
        audit_record(actor=actor, action="deliberation.minutes", obj=row, district_code=row.district_code, detail={})
    return row


# --- resolutions -------------------------------------------------------------------------------------------

def resolution_add(*, community: Area, actor, title: str, deadline: date, detail: str = "",
                   owner_kind: str = Resolution.Owner.COMMUNITY, owner_unit=None, owner_user=None,
                   meeting: Meeting | None = None, parent: Resolution | None = None, topic: Topic | None = None,
                   practical: bool = False, cases=()) -> Resolution:
    """``cases``: the cases the resolution answers (a problem raised again and again); when it is
    done they receive the answer."""
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以登记决议")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, "title", "决议事项", 120, errors)
    detail = clean_text(detail, "detail", "内容与承诺", 2000, errors, required=False)
    if not isinstance(deadline, date):
        errors["deadline"] = ["请填写完成时限"]
    if owner_kind not in Resolution.Owner.values:
        errors["owner_kind"] = ["请选择责任方"]
    elif owner_kind == Resolution.Owner.UNIT and owner_unit is None:
        errors["owner_unit"] = ["请选择责任单位"]
    elif owner_kind == Resolution.Owner.MEMBER and owner_user is None:
        errors["owner_user"] = ["请填写责任人账号"]
    for link, name in ((meeting, "meeting"), (parent, "parent"), (topic, "topic")):
        if link is not None and link.community_id != community.pk:
            errors[name] = ["只能关联本社区的会议、决议和议题"]
    cases = list(cases)
    if any(not (c.area_id and c.area.code.startswith(community.code)) for c in cases):
        errors["cases"] = ["只能关联本社区的诉求"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Resolution.objects.create(
            community=community, meeting=meeting, parent=parent, topic=topic, title=title, detail=detail,
            owner_kind=owner_kind, owner_unit=owner_unit if owner_kind == Resolution.Owner.UNIT else None,
            owner_user=owner_user if owner_kind == Resolution.Owner.MEMBER else None, deadline=deadline,
            practical=practical or bool(parent and parent.practical), district_code=community.code[:6])
        if topic is not None and topic.status in (Topic.Status.AGENDA, Topic.Status.READY, Topic.Status.GATHERING):
            Topic.objects.filter(pk=topic.pk).update(status=Topic.Status.DECIDED)
        if cases:
            row.cases.set(cases, through_defaults={"district_code": row.district_code})
        if parent is not None:
            _roll_up(parent)
        audit_record(actor=actor, action="deliberation.resolution", obj=row, district_code=row.district_code,
                     detail={"title": title, "parent": parent.pk if parent else None, "cases": [c.pk for c in cases]})
        owners = _owner_users(row)
        if owners:
            notify(recipients=owners, kind=Kind.SYSTEM, title=f"新的决议事项：{title}"[:100],
                   body=f"完成时限 {deadline}", link=reverse("deliberation:resolution", args=[row.pk]),
                   key=f"resolution:{row.pk}:owner", obj=row, district_code=row.district_code, audit=False)
    return row


def _owner_users(row: Resolution) -> list:
    from django.contrib.auth import get_user_model

    if row.owner_kind == Resolution.Owner.MEMBER and row.owner_user_id:
        return [row.owner_user]
    if row.owner_kind == Resolution.Owner.UNIT and row.owner_unit_id:
        return list(get_user_model().objects.filter(roles__unit_id=row.owner_unit_id).distinct())
    return []


def may_report(user, row: Resolution) -> bool:
    """The owner reports progress (the member, the unit's contacts), or the community's staff."""
    if may_manage(user, row.community.code):
        return True
    if row.owner_kind == Resolution.Owner.MEMBER:
        return row.owner_user_id == user.pk
    if row.owner_kind == Resolution.Owner.UNIT and row.owner_unit_id:
        return row.owner_unit_id in scope_for(user).unit_ids.get(Capability.HANDLE_CASES, frozenset())
    return False


def _tree(row: Resolution) -> rollup.Node:
    return rollup.Node(progress=row.progress, dropped=row.status == Resolution.Status.DROPPED,
                       children=[_tree(c) for c in row.children.all()])


def _roll_up(parent: Resolution | None) -> None:
    """Recompute each ancestor's progress and status from its children."""
    while parent is not None:
        parent = Resolution.objects.select_for_update().get(pk=parent.pk)
        live = parent.children.exclude(status=Resolution.Status.DROPPED)
        if live.exists():
            parent.progress = rollup.rolled(_tree(parent))
            all_done = not live.exclude(status=Resolution.Status.DONE).exists()
            if all_done and parent.status == Resolution.Status.OPEN:
                parent.status, parent.done_at = Resolution.Status.DONE, timezone.now()
                _answer_cases(parent, "各项分解事项均已完成")
            elif not all_done and parent.status == Resolution.Status.DONE:
                parent.status, parent.done_at = Resolution.Status.OPEN, None
            parent.save(update_fields=["progress", "status", "done_at"])
        parent = parent.parent


def resolution_progress(*, resolution: Resolution, actor, text: str, progress, photo=None) -> ProgressNote:
    """The owner reports progress with evidence; at 100 % the resolution is done. A resolution with
    children takes its progress from them (report on the children)."""
    errors: dict[str, list[str]] = {}
    text = clean_text(text, "text", "进展说明", 500, errors)
    value = percent(progress, errors)
    if errors:
        raise ValidationError(errors)
    checked = photo_check(photo) if photo else None
    with transaction.atomic():
        row = Resolution.objects.select_for_update().select_related("community").get(pk=resolution.pk)
        if not may_report(actor, row):
            raise PermissionDenied("只有责任方或社区工作人员可以填报进展")
        if row.status != Resolution.Status.OPEN:
            raise ValidationError({"__all__": [f"决议{row.get_status_display()}"]})
        if row.children.exclude(status=Resolution.Status.DROPPED).exists():
            raise ValidationError({"progress": ["这项决议的进度由下级事项汇总，请在下级事项中填报"]})
        note = ProgressNote(resolution=row, author=actor, text=text, progress=value, district_code=row.district_code)
        if checked is not None:
            note.photo.save(f"evidence.{checked.ext}", ContentFile(checked.content), save=False)
        note.save()
        row.progress = value
        if value == 100:
            row.status, row.done_at = Resolution.Status.DONE, timezone.now()
        row.save(update_fields=["progress", "status", "done_at"])
        if value == 100:
            _answer_cases(row, text)
        _roll_up(row.parent)
        audit_record(actor=actor, action="deliberation.progress", obj=row, district_code=row.district_code,
                     detail={"progress": value})
    return note


# The cases still waiting for an answer (the case table's running statuses, and parked ones); those
# the table lets the system reply to get the answer itself.
OPEN_CASE = RUNNING | {Case.Status.PARKED}
ANSWERABLE = TRANSITIONS["reply"].sources


def _answer_cases(row: Resolution, last: str) -> int:
    """A resolution is done: each case it answers gets the answer — a reply (答复, by the system on
    the resolution's behalf) where the case is being handled, so the place's staff verify it and the
    resident rates it as any other; a note for its holder where it is not (yet) at that step. Each
    case in its own savepoint: one that cannot take the step does not undo the resolution."""
    answer = f"经{row.meeting.title if row.meeting_id else '社区议事'}议定的“{row.title}”已办结：{last}"[:2000]
    answered = 0
    for case in row.cases.filter(status__in=OPEN_CASE).order_by("pk"):
        try:
            with transaction.atomic():
                if case.status in ANSWERABLE:
                    case_reply(case=case, reply=answer, actor=None)
                    answered += 1
                else:
                    case_comment(case=case, note=f"{answer}（请据此答复居民）", actor=None)
        except (ValidationError, PermissionDenied, CaseError):
            continue
    return answered


def similar_cases(case: Case, *, days: int = 180, limit: int = 50) -> list[Case]:
    """Cases of the same category in the same community in the last ``days`` (the case itself
    included), newest first: how often a problem came back. Bounded: at most ``limit``."""
    if case.area_id is None or case.category_id is None:
        return [case]
    since = timezone.now() - timedelta(days=days)
    rows = list(Case.objects.filter(area__code__startswith=case.area.code[:COMMUNITY_LEN], category_id=case.category_id,
                                    created_at__gte=since).exclude(status=Case.Status.MERGED)
                .order_by("-created_at")[:limit])
    return rows if any(c.pk == case.pk for c in rows) else [case, *rows[:limit - 1]]


def open_similar_cases(case: Case) -> list[Case]:
    """The cases of ``similar_cases`` still waiting for an answer: those a resolution on the problem
    answers."""
    return [c for c in similar_cases(case) if c.status in OPEN_CASE]


def agenda_add_case(*, meeting: Meeting, case: Case, actor) -> AgendaItem:
    """A problem raised again and again becomes an agenda item of the community's next meeting;
    a resolution made on it answers its cases when done."""
    if not may_manage(actor, meeting.community.code):
        raise PermissionDenied("只有社区工作人员可以安排议程")
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError({"meeting": ["只能列入待召开的会议"]})
    if not (case.area_id and case.area.code.startswith(meeting.community.code)):
        raise ValidationError({"case": ["只能把本社区的诉求提交本社区的会议"]})
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        found = meeting.agenda.filter(case=case).first()
        if found is not None:
            return found
        n = len(similar_cases(case))
        title = f"反复反映的问题（近半年同类 {n} 件）：{case.title}" if n > 1 else f"居民反映的问题：{case.title}"
        item = AgendaItem.objects.create(meeting=meeting, order=meeting.agenda.count() + 1, kind=AgendaItem.Kind.CASE,
                                         title=title[:120], case=case, district_code=meeting.district_code)
        audit_record(actor=actor, action="deliberation.agenda_case", obj=meeting, district_code=meeting.district_code,
                     detail={"case": case.pk, "similar": n})
    return item


def resolution_drop(*, resolution: Resolution, actor, reason: str) -> Resolution:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError({"reason": ["撤销决议须说明原因"]})
    with transaction.atomic():
        row = Resolution.objects.select_for_update().select_related("community").get(pk=resolution.pk)
        if not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以撤销决议")
        if row.status != Resolution.Status.OPEN:
            raise ValidationError({"__all__": [f"决议{row.get_status_display()}"]})
        row.status = Resolution.Status.DROPPED
        row.save(update_fields=["status"])
        ProgressNote.objects.create(resolution=row, author=actor, text=f"撤销：{reason}", progress=row.progress,
                                    district_code=row.district_code)
        _roll_up(row.parent)
        audit_record(actor=actor, action="deliberation.drop", obj=row, district_code=row.district_code,
                     detail={"reason": reason})
    return row


def notify_overdue(*, today: date | None = None, limit: int = 500) -> int:
    """Tell each overdue resolution's owner once (the worker; idempotent by the message key)."""
    today = today or timezone.localdate()
    told = 0
    for row in (Resolution.objects.filter(status=Resolution.Status.OPEN, deadline__lt=today)
                .select_related("community", "owner_user", "owner_unit").order_by("deadline")[:limit]):
        recipients = _owner_users(row)
        if recipients and notify(recipients=recipients, kind=Kind.WARNING, title=f"决议已超期：{row.title}"[:100],
                                 body=f"完成时限 {row.deadline}，请填报进展",
                                 link=reverse("deliberation:resolution", args=[row.pk]),
                                 key=f"resolution:{row.pk}:overdue", obj=row, district_code=row.district_code,
                                 audit=False):
            told += 1
    return told


# --- topics ------------------------------------------------------------------------------------------------

def _proposer_label(user, community: Area) -> str | None:
    from grassroots.service.models import Decision, UnitRegistration

    household = verified_household(user)
    if household is not None and household.code.startswith(community.code):
        account = ResidentAccount.objects.filter(user=user).select_related("person").first()
        return f"居民 {_mask(account.person.name if account and account.person_id else '')}"
    scope = scope_for(user)
    if scope.can_at(Capability.TAKE_CASES, community.code) or any(
            root.startswith(community.code) for root in scope.codes(Capability.TAKE_CASES)):
        return "党员"
    units = scope.unit_ids.get(Capability.HANDLE_CASES, frozenset())
    registered = UnitRegistration.objects.filter(unit_id__in=units, community=community,
                                                 status=Decision.APPROVED).select_related("unit").first()
    if registered is not None:
        return f"共建单位 {registered.unit.name}"
    if may_manage(user, community.code):
        return "社区"
    return None


def topic_propose(*, user, area: Area, title: str, body: str) -> Topic:
    """A resident of the area (verified), a Party member serving there or a co-building unit proposes."""
    community = community_of(area)
    label = _proposer_label(user, community)
    if label is None:
        raise PermissionDenied("议题由本社区已核验的居民、在此服务的党员或共建单位提出")
    household = verified_household(user)
    if label.startswith("居民") and not household.code.startswith(area.code):
        raise PermissionDenied("只能为自己居住的楼栋、网格或社区提出议题")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, "title", "议题", 60, errors)
    body = clean_text(body, "body", "说明", 2000, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        topic = Topic.objects.create(community=community, area=area, title=title, body=body, proposer=user,
                                     proposer_label=label, district_code=community.code[:6])
        if lives_under(user, area) is not None:  # a resident proposer is its first supporter
            Support.objects.create(topic=topic, user=user, district_code=topic.district_code)
            topic.supports = 1
            topic.save(update_fields=["supports"])
        audit_record(actor=user, action="deliberation.topic", obj=topic, district_code=topic.district_code,
                     detail={"title": title})
    return topic


def topic_support(*, topic: Topic, user) -> Topic:
    """A verified resident living where the topic is supports it, once. Enough support makes it
    ready for an agenda (the community's threshold)."""
    if lives_under(user, topic.area) is None:
        raise PermissionDenied("只有住在议题范围内、已核验的居民可以支持")
    with transaction.atomic():
        row = Topic.objects.select_for_update().select_related("community").get(pk=topic.pk)
        if row.status not in (Topic.Status.GATHERING, Topic.Status.READY):
            raise ValidationError({"__all__": [f"议题{row.get_status_display()}，不再征集支持"]})
        try:
            with transaction.atomic():
                Support.objects.create(topic=row, user=user, district_code=row.district_code)
        except IntegrityError:
            raise ValidationError({"__all__": ["您已经支持过这个议题"]}) from None
        row.supports = F("supports") + 1
        row.save(update_fields=["supports"])
        row.refresh_from_db(fields=["supports"])
        if row.status == Topic.Status.GATHERING and row.supports >= rules_for(row.community).topic_threshold:
            row.status = Topic.Status.READY
            row.save(update_fields=["status"])
            from django.contrib.auth import get_user_model

            staff = [u for u in get_user_model().objects.filter(
                roles__area__code=row.community.code).distinct() if may_manage(u, row.community.code)]
            if staff:
                notify(recipients=staff, kind=Kind.APPROVAL, title=f"议题支持已够：{row.title}"[:100],
                       body=f"{row.supports} 位居民支持，请安排上会", link=reverse("deliberation:manage"),
                       key=f"topic:{row.pk}:ready", obj=row, district_code=row.district_code, audit=False)
    return row


def topic_close(*, topic: Topic, actor, reason: str) -> Topic:
    reason = (reason or "").strip()[:200]
    if not may_manage(actor, topic.community.code):
        raise PermissionDenied("只有社区工作人员可以处理议题")
    if not reason:
        raise ValidationError({"reason": ["请说明不采纳的原因（会公开显示）"]})
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(status=Topic.Status.CLOSED)
        audit_record(actor=actor, action="deliberation.topic_close", obj=topic, district_code=topic.district_code,
                     detail={"reason": reason})
    topic.refresh_from_db()
    return topic


# --- votes ---------------------------------------------------------------------------------------------------

def electorate(area: Area, unit: str) -> int:
    accounts = ResidentAccount.objects.filter(status=ResidentAccount.Status.VERIFIED,
                                              household__code__startswith=area.code)
    if unit == Vote.Unit.HOUSEHOLD:
        return accounts.values("household_id").distinct().count()
    return accounts.count()


def vote_open(*, actor, area: Area, question: str, closes_at: datetime, unit: str = Vote.Unit.HOUSEHOLD,
              secret: bool = True, quorum_percent: int = 50, majority: str = Vote.Majority.SIMPLE,
              topic: Topic | None = None, meeting: Meeting | None = None) -> Vote:
    community = community_of(area)
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以发起表决")
    errors: dict[str, list[str]] = {}
    question = clean_text(question, "question", "表决事项", 120, errors)
    if unit not in Vote.Unit.values:
        errors["unit"] = ["请选择计票单位"]
    if majority not in Vote.Majority.values:
        errors["majority"] = ["请选择通过规则"]
    try:
        quorum_percent = int(quorum_percent)
        if not 0 <= quorum_percent <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["quorum_percent"] = ["参与率下限请填写 0–100"]
    if closes_at is None or closes_at <= timezone.now():
        errors["closes_at"] = ["截止时间须晚于现在"]
    if topic is not None and topic.community_id != community.pk:
        errors["topic"] = ["只能就本社区的议题表决"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        vote = Vote.objects.create(community=community, area=area, topic=topic, meeting=meeting, question=question,
                                   unit=unit, secret=secret, quorum_percent=quorum_percent, majority=majority,
                                   electorate=electorate(area, unit), closes_at=closes_at, created_by=actor,
                                   district_code=community.code[:6])
        Tally.objects.bulk_create([Tally(vote=vote, choice=c, channel=ch, district_code=vote.district_code)
                                   for c in CHOICES for ch in VoterRoll.Channel.values])
        audit_record(actor=actor, action="deliberation.vote_open", obj=vote, district_code=vote.district_code,
                     detail={"question": question, "unit": unit, "secret": secret, "electorate": vote.electorate})
    return vote


def _ballot(vote: Vote, *, household: Area | None, user, choice: str, channel: str) -> VoterRoll:
    if choice not in CHOICES:
        raise ValidationError({"choice": ["请选择同意、反对或弃权"]})
    with transaction.atomic():
        row = Vote.objects.select_related("area").get(pk=vote.pk)
        if row.status != Vote.Status.OPEN or timezone.now() >= row.closes_at:
            raise ValidationError({"__all__": ["表决已结束"]})
        if timezone.now() < row.opens_at:
            raise ValidationError({"__all__": ["表决还没有开始"]})
        try:
            with transaction.atomic():
                roll = VoterRoll.objects.create(vote=row, household=household, user=user, channel=channel,
                                                open_choice="" if row.secret else choice,
                                                district_code=row.district_code)
        except IntegrityError:
            earlier = VoterRoll.objects.filter(vote=row, household=household) if household else \
                VoterRoll.objects.filter(vote=row, user=user, household__isnull=True)
            how = earlier.values_list("channel", flat=True).first()
            who = "您家" if household else "您"
            raise ValidationError({"__all__": [
                f"{who}已经投过票了（{VoterRoll.Channel(how).label if how else '线上'}），每{'户' if household else '人'}只有一票"]}) \
                from None
        Tally.objects.filter(vote=row, choice=choice, channel=channel).update(count=F("count") + 1)
    return roll


def vote_cast(*, vote: Vote, user, choice: str) -> VoterRoll:
    """A verified resident living in the vote's area votes online: for their household (一户一票) or
    for themselves (一人一票), once."""
    household = lives_under(user, vote.area)
    if household is None:
        raise PermissionDenied("只有住在表决范围内、已核验的居民可以投票")
    return _ballot(vote, household=household if vote.unit == Vote.Unit.HOUSEHOLD else None, user=user,
                   choice=choice, channel=VoterRoll.Channel.ONLINE)


def vote_paper(*, vote: Vote, actor, household: Area, choice: str) -> VoterRoll:
    """A paper ballot collected at a household's door, entered by the grid worker of that grid. A
    household that voted online cannot vote on paper (and the other way round)."""
    if vote.unit != Vote.Unit.HOUSEHOLD:
        raise ValidationError({"__all__": ["一人一票的表决请本人在线投票"]})
    if household is None or household.level != Level.HOUSEHOLD or not household.code.startswith(vote.area.code):
        raise ValidationError({"household": ["请选择表决范围内的住户"]})
    scope = scope_for(actor)
    if not (scope.is_superuser or scope.can_at(Capability.HANDLE_CASES, household.code)):
        raise PermissionDenied("纸质选票由该户所在网格的网格员录入")
    roll = _ballot(vote, household=household, user=actor, choice=choice, channel=VoterRoll.Channel.PAPER)
    audit_record(actor=actor, action="deliberation.paper_ballot", obj=vote, district_code=vote.district_code,
                 detail={"household": household.code})
    return roll


def results(vote: Vote) -> dict:
    """Counts per choice (online and paper together), turnout and whether quorum and majority hold."""
    counts = {c: 0 for c in CHOICES}
    paper = 0
    for choice, channel, count in Tally.objects.filter(vote=vote).values_list("choice", "channel", "count"):
        counts[choice] = counts.get(choice, 0) + count
        if channel == VoterRoll.Channel.PAPER:
            paper += count
    cast = sum(counts.values())
    turnout = round(100 * cast / vote.electorate, 1) if vote.electorate else 0.0
    quorum = vote.electorate > 0 and cast * 100 >= vote.quorum_percent * vote.electorate
    if vote.majority == Vote.Majority.TWO_THIRDS:
        majority = cast > 0 and counts["yes"] * 3 >= cast * 2
    else:
        majority = counts["yes"] * 2 > cast
    return {"counts": counts, "cast": cast, "paper": paper, "electorate": vote.electorate, "turnout": turnout,
            "quorum": quorum, "majority": majority, "passed": bool(quorum and majority)}


def vote_close(*, vote: Vote, actor=None) -> Vote:
    """Close a vote (the convener, or the worker at its deadline) and publish the result."""
    with transaction.atomic():
        row = Vote.objects.select_for_update(of=("self",)).select_related("community", "topic").get(pk=vote.pk)
        if actor is not None and not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以结束表决")
        if row.status == Vote.Status.CLOSED:
            return row
        outcome = results(row)
        row.status, row.passed = Vote.Status.CLOSED, outcome["passed"]
        why = "通过" if outcome["passed"] else ("参与率不足" if not outcome["quorum"] else "同意票未达规定比例")
        row.result_note = (f"{why}：同意 {outcome['counts']['yes']}，反对 {outcome['counts']['no']}，"
                           f"弃权 {outcome['counts']['abstain']}；参与率 {outcome['turnout']}%")[:200]
        if timezone.now() < row.closes_at:
            row.closes_at = timezone.now()
        row.save(update_fields=["status", "passed", "result_note", "closes_at"])
        if row.topic_id and not row.passed and row.topic.status in (Topic.Status.AGENDA, Topic.Status.READY):
            Topic.objects.filter(pk=row.topic_id).update(status=Topic.Status.CLOSED)
        version = ConventionVersion.objects.filter(vote=row).first()
        if version is not None:
            version.status = ConventionVersion.Status.ADOPTED if row.passed else ConventionVersion.Status.REJECTED
            version.adopted_at = timezone.now() if row.passed else None
            version.save(update_fields=["status", "adopted_at"])
        audit_record(actor=actor, action="deliberation.vote_close", obj=row, district_code=row.district_code,
                     detail={"passed": row.passed, "cast": outcome["cast"], "turnout": outcome["turnout"]})
    return row


def close_due_votes(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    done = 0
    for vote in Vote.objects.filter(status=Vote.Status.OPEN, closes_at__lte=now)[:100]:
        vote_close(vote=vote)
        done += 1
    return done


# --- conventions ---------------------------------------------------------------------------------------------

def convention_create(*, area: Area, actor, kind: str, title: str) -> Convention:
    community = community_of(area)
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以起草公约")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, "title", "名称", 60, errors)
    if kind not in Convention.Kind.values:
        errors["kind"] = ["请选择类型"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Convention.objects.create(community=community, area=area, kind=kind, title=title,
                                        district_code=community.code[:6])
        audit_record(actor=actor, action="deliberation.convention", obj=row, district_code=row.district_code,
                     detail={"title": title})
    return row


def version_propose(*, convention: Convention, actor, text: str, closes_at: datetime,
                    quorum_percent: int = 50, majority: str = Vote.Majority.TWO_THIRDS) -> ConventionVersion:
    """A new version of the text, put to the residents' vote at once (一户一票, secret)."""
    errors: dict[str, list[str]] = {}
    text = clean_text(text, "text", "条文", 20000, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        number = (convention.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        vote = vote_open(actor=actor, area=convention.area, question=f"表决：{convention.title}（第{number}版）"[:120],
                         closes_at=closes_at, quorum_percent=quorum_percent, majority=majority)
        version = ConventionVersion.objects.create(convention=convention, number=number, text=text,
                                                   status=ConventionVersion.Status.VOTING, vote=vote,
                                                   district_code=convention.district_code)
    return version
