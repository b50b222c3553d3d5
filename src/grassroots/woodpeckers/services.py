"""Writes of the woodpeckers app: joining the roster, the quick report, the grid worker's judgement.

``quick_report_submit`` is the phone's one call: a photo, the phone's location, one category and the
key the phone made when the photo was taken. The case goes in through the case loop's own
``case_receive`` (channel 啄木鸟随手拍; 网格巡查 when grid staff use the app) with the photo in the
same transaction; sent again with the same key (the connection dropped after the server saved it)
it answers with the first case and stores nothing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability, Role
from grassroots.accounts.scope import scope_for
from grassroots.areas.geo import GridLocateError, PointOutsideGrids, check_coordinates, grid_locate
from grassroots.areas.models import Area, Level
from grassroots.cases.attachments import attachments_add, attachments_discard, photos_check
from grassroots.cases.models import Channel
from grassroots.cases.selectors import category_by_code
from grassroots.cases.services import case_receive
from grassroots.cases.taxonomy import category_code_by_path
from grassroots.core import events
from grassroots.core.services import audit_record
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify

from . import signals
from .models import Duty, Group, QuickReport, Woodpecker

NOTE_MAX = 500
NAME_MAX = 50
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")

# The tiles of the quick report: (key, label, taxonomy path or None).
QUICK_CATEGORIES: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("sanitation", "环境卫生", ("城乡建设", "城市建设和市政管理", "环境卫生")),
    ("facility", "设施损坏", ("城乡建设", "城市建设和市政管理", "城市公共设施")),
    ("street", "占道乱摆", ("城乡建设", "城市建设和市政管理", "城管执法")),
    ("estate", "小区停车楼道", ("城乡建设", "城市建设和市政管理", "小区管理")),
    ("hazard", "安全隐患", ("城乡建设", "安全生产", "安全隐患")),
    ("fire", "消防通道", ("政法", "社会治安", "消防安全")),
    ("noise", "噪音扰民", ("环境保护", "环境污染", "噪音污染")),
    ("other", "其他", None),
]
QUICK_LABELS = {key: label for key, label, _path in QUICK_CATEGORIES}


# --- the roster --------------------------------------------------------------------------------------


def _community(area: Area | None) -> Area:
    if area is None or area.level != Level.COMMUNITY:
        raise ValidationError({"community": ["请选择所在社区"]})
    return area


def woodpecker_apply(*, user, name: str, community: Area, group: str, duties: list[str], platform: str = "") -> Woodpecker:
    """A signed-in account asks to join a community's woodpeckers (again, after a refusal or leaving)."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        errors["name"] = [f"请填写姓名（最多{NAME_MAX}个字）"]
    if group not in Group.values:
        errors["group"] = ["请选择身份"]
    duties = sorted({d for d in duties or [] if d in Duty.values})
    if not duties:
        errors["duties"] = ["请至少选择一项：巡查员、监督员、代办员、守护员、宣传员"]
    platform = (platform or "").strip()
    if len(platform) > 50:
        errors["platform"] = ["平台或单位名称最多50个字"]
    try:
        community = _community(community)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = Woodpecker.objects.select_for_update().filter(user=user).first()
        if existing is not None and existing.status in (Woodpecker.Status.APPLIED, Woodpecker.Status.ACTIVE):
            raise ValidationError({"__all__": [f"您已{existing.get_status_display()}（{existing.community.name}），无需重复申请"]})
        row = existing or Woodpecker(user=user)
        row.name, row.community, row.group, row.duties, row.platform = name, community, group, duties, platform
        row.status, row.reason, row.decided_by, row.joined_at = Woodpecker.Status.APPLIED, "", None, None
        row.district_code = community.code[:6]
        row.save()
        audit_record(actor=user, action="woodpecker.apply", obj=row, detail={"community": community.code, "group": group})
        staff = [ra.user for ra in community.role_assignments.filter(role=Role.COMMUNITY_WORKER, user__is_active=True)
                 .select_related("user")]
        notify(recipients=staff, kind=Kind.APPROVAL, title="啄木鸟队员申请待审核",
               body=f"{name}（{Group(group).label}）申请加入{community.name}啄木鸟队伍。",
               link=reverse("woodpeckers:roster"), key=f"woodpecker:{row.pk}:{timezone.now():%Y%m%d%H%M%S}",
               obj=row, district_code=row.district_code, audit=False)
    return row


def may_manage_roster(user, community_code: str) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.DISPATCH_CASES, community_code) and scope.can_at(
        Capability.VIEW_RESIDENTS, community_code)


def woodpecker_decide(*, woodpecker: Woodpecker, actor, approve: bool, reason: str = "") -> Woodpecker:
    """The community approves an application (the account then may file quick reports) or refuses it."""
    reason = (reason or "").strip()[:200]
    if not approve and not reason:
        raise ValidationError({"reason": ["请说明未通过的原因"]})
    with transaction.atomic():
        row = Woodpecker.objects.select_for_update().select_related("community").get(pk=woodpecker.pk)
        if not may_manage_roster(actor, row.community.code):
            raise PermissionDenied("只有该社区的工作人员可以审核啄木鸟队员")
        if row.status != Woodpecker.Status.APPLIED:
            raise ValidationError({"__all__": [f"该申请已{row.get_status_display()}"]})
        row.status = Woodpecker.Status.ACTIVE if approve else Woodpecker.Status.REFUSED
        row.reason, row.decided_by = ("" if approve else reason), actor
        row.joined_at = timezone.now() if approve else None
        row.save(update_fields=["status", "reason", "decided_by", "joined_at"])
        audit_record(actor=actor, action=f"woodpecker.{'approve' if approve else 'refuse'}", obj=row,
                     detail={"reason": reason})
        notify(recipients=[row.user], kind=Kind.SYSTEM, title="已加入啄木鸟队伍" if approve else "啄木鸟申请未通过",
               body=(f"欢迎加入{row.community.name}啄木鸟队伍，发现问题随手拍。" if approve else f"原因：{reason}"),
               link=reverse("woodpeckers:app"), key=f"woodpecker:{row.pk}:{row.status}:{timezone.now():%Y%m%d%H%M%S}",
               obj=row, district_code=row.district_code, audit=False)
    return row


def woodpecker_leave(*, woodpecker: Woodpecker, actor) -> Woodpecker:
    if actor != woodpecker.user and not may_manage_roster(actor, woodpecker.community.code):
        raise PermissionDenied("只能由本人或社区工作人员办理退出")
    with transaction.atomic():
        Woodpecker.objects.filter(pk=woodpecker.pk).update(status=Woodpecker.Status.LEFT)
        audit_record(actor=actor, action="woodpecker.leave", obj=woodpecker, detail={})
    woodpecker.status = Woodpecker.Status.LEFT
    return woodpecker


# --- the quick report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submitted:
    report: QuickReport
    created: bool


def _stored_key(user_pk: int, key: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"woodpecker:{user_pk}:{key}".encode(), hashlib.sha256)
    return "w:" + digest.hexdigest()[:40]


def _is_grid_staff(user, code: str) -> bool:
    return scope_for(user).can_at(Capability.HANDLE_CASES, code)


def _place(lat, lng, photo) -> tuple[Area, float, float]:
    """The grid of the phone's location, else of the photo's own (EXIF) location."""
    given = [str(v).strip() for v in (lat, lng) if v is not None and str(v).strip()]
    if len(given) != 2 and photo.has_location:
        lat, lng = photo.exif_lat, photo.exif_lng
    elif len(given) != 2:
        raise ValidationError({"location": ["没有取得位置：请打开手机定位（或相机的位置信息）后重拍"]})
    try:
        lat_f, lng_f = check_coordinates(str(lat).strip(), str(lng).strip())
        return grid_locate(lat_f, lng_f), lat_f, lng_f
    except PointOutsideGrids:
        raise ValidationError({"location": ["拍摄位置不在本平台任何网格内，无法上报"]}) from None
    except GridLocateError as exc:
        raise ValidationError({"location": [f"位置有误：{exc}，请打开手机定位后重拍"]}) from None


def quick_report_submit(*, reporter, key: str, category: str, lat, lng, photo, note: str = "",
                        taken_at: datetime | None = None) -> Submitted:
    """File one quick report; see the module docstring. ValidationError keyed by field, PermissionDenied
    for an account that is neither an active woodpecker nor staff of the grid."""
    errors: dict[str, list[str]] = {}
    key = (key or "").strip()
    if not KEY.fullmatch(key):
        errors["key"] = ["上报编号无效，请在手机上重新拍照上报"]
    if category not in QUICK_LABELS:
        errors["category"] = ["请选择问题类别"]
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [f"补充说明最多{NOTE_MAX}个字（现有{len(note)}个字）"]
    if errors:
        raise ValidationError(errors)
    earlier = QuickReport.objects.select_related("case").filter(reporter=reporter, client_key=key).first()
    if earlier is not None:  # sent again after the answer was lost: the same case, nothing new
        return Submitted(report=earlier, created=False)
    if photo is None:
        raise ValidationError({"photos": ["请先拍一张照片"]})
    photos = photos_check([photo])
    grid, lat_f, lng_f = _place(lat, lng, photos[0])
    woodpecker = Woodpecker.objects.filter(user=reporter, status=Woodpecker.Status.ACTIVE).first()
    staff = _is_grid_staff(reporter, grid.code)
    if woodpecker is None and not staff:
        raise PermissionDenied("您还不是啄木鸟队员（或申请尚未通过），不能随手拍上报")
    label = QUICK_LABELS[category]
    path = next(p for k, _l, p in QUICK_CATEGORIES if k == category)
    category_row = category_by_code(category_code_by_path().get(path, "")) if path else None
    when = taken_at if isinstance(taken_at, datetime) else None
    title = f"随手拍：{label}" + (f"——{note[:30]}" if note else "")
    body = note or f"{'网格员巡查' if staff and woodpecker is None else '啄木鸟队员'}随手拍发现：{label}。"
    stored = []
    try:
        with transaction.atomic():
            case, created = case_receive(
                title=title[:200], body=body, channel=Channel.PATROL if woodpecker is None else Channel.WOODPECKER,
                actor=reporter, area=grid, lat=lat_f, lng=lng_f, category=category_row,
                intake_key=_stored_key(reporter.pk, key), received_at=when)
            if created:
                stored = attachments_add(case=case, files=photos, actor=reporter, stage="report")
            report, made = QuickReport.objects.get_or_create(
                reporter=reporter, client_key=key, defaults={
                    "woodpecker": woodpecker, "case": case, "quick_category": category, "taken_at": when,
                    "status": QuickReport.Status.PENDING if woodpecker else QuickReport.Status.PATROL,
                    "area_code": grid.code, "district_code": case.district_code})
    except IntegrityError:  # the same key from two requests at once: the other one won
        attachments_discard(stored)
        return Submitted(report=QuickReport.objects.select_related("case").get(reporter=reporter, client_key=key),
                         created=False)
    except BaseException:
        attachments_discard(stored)
        raise
    return Submitted(report=report, created=made)


def may_judge(user, report: QuickReport) -> bool:
    return _is_grid_staff(user, report.area_code)


def quick_report_judge(*, report: QuickReport, actor, valid: bool, reason: str = "") -> QuickReport:
    """The grid worker says whether a woodpecker's report found a real problem. Other apps hear it
    after commit (``signals.report_judged``)."""
    reason = (reason or "").strip()
    if not valid and not reason:
        raise ValidationError({"reason": ["请说明无效的原因（如：重复上报、不属实、不在辖区），队员会看到"]})
    if len(reason) > 200:
        raise ValidationError({"reason": ["原因最多200个字"]})
    with transaction.atomic():
        row = QuickReport.objects.select_for_update().get(pk=report.pk)
        if not may_judge(actor, row):
            raise PermissionDenied("只有该网格的网格员或社区工作人员可以核实")
        if row.status != QuickReport.Status.PENDING:
            raise ValidationError({"__all__": [f"该随手拍已核实为“{row.get_status_display()}”"]})
        row.status = QuickReport.Status.VALID if valid else QuickReport.Status.INVALID
        row.reason, row.decided_by, row.decided_at = ("" if valid else reason), actor, timezone.now()
        row.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action=f"woodpecker.report_{row.status}", obj=row,
                     detail={"case": row.case_id, "reason": row.reason})
        notify(recipients=[row.reporter], kind=Kind.SYSTEM,
               title="随手拍已核实：有效" if valid else "随手拍核实为无效",
               body=(f"感谢您发现问题（{QUICK_LABELS.get(row.quick_category, '')}）。" if valid else f"原因：{reason}"),
               link=reverse("woodpeckers:app"), key=f"quick:{row.pk}:{row.status}", obj=row,
               district_code=row.district_code, audit=False)
        transaction.on_commit(lambda: events.send(signals.report_judged, QuickReport, report=row))
    return row
