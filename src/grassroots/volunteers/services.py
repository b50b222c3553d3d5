"""Writes of the volunteers app. Sign-up and cancellation lock the activity's row, so the slots are
never over-filled and the waiting list moves up exactly once, whatever arrives at the same moment.

Checking in and out: the organiser's phone shows a code (six digits and a QR code of the same) that
lives ``CODE_SECONDS``; the volunteer types it or scans it. Check-out proposes the hours (the time
between check-in and check-out in half hours, at most the activity's hours); the organiser confirms
them, and other apps hear the confirmation (``signals.hours_confirmed``).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability, Role, RoleAssignment
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.core.events import send
from grassroots.core.services import audit_record
from grassroots.core.throttle import Limit, hit, wait_text
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.people.models import Volunteer

from . import signals
from .models import Activity, CheckCode, Signup, Team, TeamMember

CODE_SECONDS = 120
CODE_TRIES = Limit("volunteers.code", 10, 600)  # wrong codes per volunteer and activity
TAKING = (Signup.Status.SIGNED_UP, Signup.Status.CHECKED_IN, Signup.Status.CHECKED_OUT)  # hold a slot


def may_manage(user, community_code: str) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.DISPATCH_CASES, community_code)


def is_leader(user, team: Team | None) -> bool:
    return team is not None and TeamMember.objects.filter(team=team, role=TeamMember.Role.LEADER,
                                                          volunteer__person__user=user).exists()


def may_organise(user, activity: Activity) -> bool:
    return activity.organiser_id == user.pk or may_manage(user, activity.community.code) or is_leader(user, activity.team)


def volunteer_for(user, community: Area | None = None) -> Volunteer:
    """The register's volunteer record of a verified resident (made the first time they volunteer)."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        raise ValidationError({"__all__": ["请先在“我的”页面核验身份、绑定住户，再报名志愿服务"]})
    volunteer = Volunteer.objects.filter(person=person).first()
    if volunteer is None:
        home = _home_community(user) or community
        if home is None:
            raise ValidationError({"__all__": ["请先核验身份、绑定住户"]})
        volunteer = Volunteer.objects.create(person=person, area=home)
    return volunteer


def _home_community(user) -> Area | None:
    ra = RoleAssignment.objects.filter(user=user, role=Role.RESIDENT).select_related("area").first()
    if ra is None:
        return None
    return Area.objects.filter(code=ra.area.code[:12], level=Level.COMMUNITY).first()


# --- teams -----------------------------------------------------------------------------------------------


def team_create(*, community: Area, actor, name: str, description: str = "", leader: Volunteer | None = None) -> Team:
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError({"community": ["请选择社区"]})
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以成立服务队")
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationError({"name": ["请填写服务队名称（最多60个字）"]})
    try:
        with transaction.atomic():
            team = Team.objects.create(name=name, community=community, description=(description or "").strip()[:300],
                                       district_code=community.code[:6])
            if leader is not None:
                TeamMember.objects.create(team=team, volunteer=leader, role=TeamMember.Role.LEADER,
                                          district_code=team.district_code)
            audit_record(actor=actor, action="volunteers.team_create", obj=team, detail={"name": name})
    except IntegrityError:
        raise ValidationError({"name": [f"本社区已有“{name}”"]}) from None
    return team


def team_join(*, team: Team, user) -> TeamMember:
    volunteer = volunteer_for(user, team.community)
    member, created = TeamMember.objects.get_or_create(team=team, volunteer=volunteer,
                                                       defaults={"district_code": team.district_code})
    if created:
        audit_record(actor=user, action="volunteers.team_join", obj=team, detail={"volunteer": volunteer.pk})
    return member


# --- activities -----------------------------------------------------------------------------------------


def _hours(value, key: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({key: ["时长应为数字，如 2 或 1.5"]}) from None
    if not (Decimal("0.5") <= hours <= Decimal("24")) or hours * 2 != int(hours * 2):
        raise ValidationError({key: ["时长应在0.5到24小时之间，以半小时计"]})
    return hours


def activity_create(*, community: Area, actor, title: str, place: str, starts_at: datetime, ends_at: datetime,
                    slots: int, hours=None, description: str = "", team: Team | None = None) -> Activity:
    """Community staff, or a team's leader for their team, publish an activity."""
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError({"community": ["请选择社区"]})
    if not (may_manage(actor, community.code) or (team is not None and team.community_id == community.pk
                                                 and is_leader(actor, team))):
        raise PermissionDenied("只有社区工作人员或服务队队长可以发布活动")
    errors: dict[str, list[str]] = {}
    title, place = (title or "").strip(), (place or "").strip()
    if not title or len(title) > 100:
        errors["title"] = ["请填写活动名称（最多100个字）"]
    if not place or len(place) > 100:
        errors["place"] = ["请填写活动地点（最多100个字）"]
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        errors["starts_at"] = ["请填写开始和结束时间"]
    elif ends_at <= starts_at or ends_at - starts_at > timedelta(days=2):
        errors["ends_at"] = ["结束时间应晚于开始时间，且活动不超过两天"]
    if not isinstance(slots, int) or isinstance(slots, bool) or not 1 <= slots <= 1000:
        errors["slots"] = ["名额应为1到1000之间的整数"]
    if not errors:
        if hours in (None, ""):
            span = Decimal((ends_at - starts_at).total_seconds() / 3600)
            hours = max(Decimal("0.5"), min(Decimal("24"), (span * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2))
        try:
            hours = _hours(hours)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = Activity.objects.create(
            team=team, community=community, title=title, place=place, starts_at=starts_at, ends_at=ends_at,
            slots=slots, hours=hours, description=(description or "").strip()[:3000], organiser=actor,
            district_code=community.code[:6])
        audit_record(actor=actor, action="volunteers.activity_create", obj=activity, detail={"slots": slots})
    return activity


def _lock(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("community").get(pk=activity.pk)


def signup(*, activity: Activity, user) -> Signup:
    """Sign up (or join the waiting list when the slots are taken); the same person again gets their
    existing sign-up back, and a cancelled one signs up again."""
    volunteer = volunteer_for(user, activity.community)
    with transaction.atomic():
        activity = _lock(activity)
        if activity.status != Activity.Status.OPEN or activity.ends_at <= timezone.now():
            raise ValidationError({"__all__": ["活动已结束或已取消，不能报名"]})
        existing = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
        if existing is not None and existing.status != Signup.Status.CANCELLED:
            return existing
        taken = activity.signups.filter(status__in=TAKING).count()
        status = Signup.Status.SIGNED_UP if taken < activity.slots else Signup.Status.WAITLISTED
        if existing is not None:
            existing.status, existing.signed_up_at = status, timezone.now()
            existing.save(update_fields=["status", "signed_up_at"])
            row = existing
        else:
            row = Signup.objects.create(activity=activity, volunteer=volunteer, user=user, status=status,
                                        district_code=activity.district_code)
        audit_record(actor=user, action="volunteers.signup", obj=row, detail={"status": status})
    return row


def signup_cancel(*, signup_row: Signup, actor) -> Signup:
    """Cancel a sign-up; when it held a slot, the first on the waiting list moves up (and is told)."""
    with transaction.atomic():
        activity = _lock(signup_row.activity)
        row = Signup.objects.select_for_update().get(pk=signup_row.pk)
        if actor.pk != row.user_id and not may_organise(actor, activity):
            raise PermissionDenied("只能取消本人的报名")
        if row.status not in (Signup.Status.SIGNED_UP, Signup.Status.WAITLISTED):
            raise ValidationError({"__all__": [f"已{row.get_status_display()}，不能取消"]})
        held = row.status == Signup.Status.SIGNED_UP
        row.status = Signup.Status.CANCELLED
        row.save(update_fields=["status"])
        audit_record(actor=actor, action="volunteers.cancel", obj=row, detail={})
        if held:
            nxt = (activity.signups.select_for_update().filter(status=Signup.Status.WAITLISTED)
                   .order_by("signed_up_at", "pk").first())
            if nxt is not None:
                nxt.status = Signup.Status.SIGNED_UP
                nxt.save(update_fields=["status"])
                audit_record(actor=None, action="volunteers.promote", obj=nxt, detail={"after": row.pk})
                notify(recipients=[nxt.user], kind=Kind.SYSTEM, title="候补转为正式报名",
                       body=f"有人取消了报名，您已获得“{activity.title}”的名额。",
                       link=reverse("volunteers:activity", args=[activity.pk]), key=f"promote:{nxt.pk}:{row.pk}",
                       obj=nxt, district_code=activity.district_code, audit=False)
    return row


# --- check-in and check-out ----------------------------------------------------------------------------


def code_issue(*, activity: Activity, actor, kind: str) -> CheckCode:
    if kind not in CheckCode.Kind.values:
        raise ValidationError({"kind": ["签到或签退"]})
    if not may_organise(actor, activity):
        raise PermissionDenied("只有活动组织者可以出示签到码")
    if activity.status != Activity.Status.OPEN:
        raise ValidationError({"__all__": ["活动已结束或已取消"]})
    code = f"{secrets.randbelow(1_000_000):06d}"
    return CheckCode.objects.create(activity=activity, kind=kind, code=code, created_by=actor,
                                    district_code=activity.district_code,
                                    expires_at=timezone.now() + timedelta(seconds=CODE_SECONDS))


def _half_hours(seconds: float) -> Decimal:
    return (Decimal(seconds / 3600) * 2).quantize(Decimal(1), ROUND_HALF_UP) / 2


def check(*, activity: Activity, user, code: str) -> Signup:
    """Check in or out with the code the organiser shows (which one it is, the code says)."""
    code = (code or "").strip()
    verdict = hit(CODE_TRIES, f"{activity.pk}:{user.pk}")
    if not verdict.allowed:
        raise ValidationError({"code": [f"输错次数过多，请{wait_text(verdict.retry_after)}再试"]})
    now = timezone.now()
    found = CheckCode.objects.filter(activity=activity, code=code, expires_at__gt=now).order_by("-created_at").first()
    if found is None:
        raise ValidationError({"code": ["签到码不正确或已过期，请看组织者手机上最新的码"]})
    with transaction.atomic():
        activity = _lock(activity)
        row = Signup.objects.select_for_update().filter(activity=activity, user=user).first()
        if row is None:
            raise ValidationError({"code": ["您没有报名这个活动"]})
        if found.kind == CheckCode.Kind.IN:
            if row.status == Signup.Status.CHECKED_IN:
                return row  # scanned twice
            if row.status != Signup.Status.SIGNED_UP:
                raise ValidationError({"code": [f"当前状态为“{row.get_status_display()}”，不能签到"]})
            row.status, row.checked_in_at = Signup.Status.CHECKED_IN, now
            row.save(update_fields=["status", "checked_in_at"])
        else:
            if row.status == Signup.Status.CHECKED_OUT:
                return row
            if row.status != Signup.Status.CHECKED_IN:
                raise ValidationError({"code": ["请先签到，再签退"]})
            spent = _half_hours((now - row.checked_in_at).total_seconds())
            row.status, row.checked_out_at = Signup.Status.CHECKED_OUT, now
            row.hours = max(Decimal("0.5"), min(activity.hours, spent))
            row.save(update_fields=["status", "checked_out_at", "hours"])
        audit_record(actor=user, action=f"volunteers.check_{found.kind}", obj=row, detail={})
    return row


def hours_confirm(*, signup_row: Signup, actor, hours=None) -> Signup:
    """The organiser confirms (or corrects) a checked-out volunteer's hours; they count from now on."""
    with transaction.atomic():
        row = Signup.objects.select_for_update().select_related("activity__community").get(pk=signup_row.pk)
        if not may_organise(actor, row.activity):
            raise PermissionDenied("只有活动组织者可以确认时长")
        if row.status != Signup.Status.CHECKED_OUT:
            raise ValidationError({"__all__": ["签退后才能确认时长"]})
        if row.confirmed_at is not None:
            raise ValidationError({"__all__": ["时长已确认"]})
        row.hours = _hours(hours) if hours not in (None, "") else row.hours
        row.confirmed_by, row.confirmed_at = actor, timezone.now()
        row.save(update_fields=["hours", "confirmed_by", "confirmed_at"])
        audit_record(actor=actor, action="volunteers.hours_confirm", obj=row, detail={"hours": str(row.hours)})
        transaction.on_commit(lambda: send(signals.hours_confirmed, Signup, signup=row))
    return row


def activity_close(*, activity: Activity, actor) -> Activity:
    """After the activity: who signed up and never came is a no-show; who checked in but not out is
    checked out with the activity's hours (the organiser still confirms them)."""
    with transaction.atomic():
        activity = _lock(activity)
        if not may_organise(actor, activity):
            raise PermissionDenied("只有活动组织者可以结束活动")
        if activity.status != Activity.Status.OPEN:
            raise ValidationError({"__all__": [f"活动{activity.get_status_display()}"]})
        now = timezone.now()
        no_shows = activity.signups.filter(status=Signup.Status.SIGNED_UP).update(status=Signup.Status.NO_SHOW)
        activity.signups.filter(status=Signup.Status.CHECKED_IN).update(
            status=Signup.Status.CHECKED_OUT, checked_out_at=now, hours=activity.hours)
        activity.signups.filter(status=Signup.Status.WAITLISTED).update(status=Signup.Status.CANCELLED)
        activity.status = Activity.Status.CLOSED
        activity.save(update_fields=["status"])
        audit_record(actor=actor, action="volunteers.activity_close", obj=activity, detail={"no_shows": no_shows})
    return activity


def confirmed_hours_q() -> Q:
    return Q(status=Signup.Status.CHECKED_OUT, confirmed_at__isnull=False)
