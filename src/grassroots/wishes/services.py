"""Writes of 微心愿. Claiming locks the wish's row: of two people tapping 认领 at once, one gets it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import Area, Level
from grassroots.cases.attachments import photo_check
from grassroots.core import crypto
from grassroots.core.events import send
from grassroots.core.services import audit_record
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.people.models import Volunteer

from . import signals
from .models import Wish


def may_manage(user, community_code: str) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.DISPATCH_CASES, community_code)


def claimer_label(user) -> str | None:
    """"党员 王*明" / "志愿者 李*": who may claim (a Party member or a volunteer of the register), shown masked."""
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return None
    name = person.name
    masked = name[0] + "*" * max(1, len(name) - 2) + (name[-1] if len(name) > 2 else "")
    if getattr(person, "party_member", None) is not None:
        return f"党员 {masked}"
    if Volunteer.objects.filter(person=person).exists():
        return f"志愿者 {masked}"
    return None


def wish_publish(*, community: Area, actor, title: str, story: str, private_name: str, private_contact: str = "",
                 kind: str = Wish.Kind.GOODS) -> Wish:
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError({"community": ["请选择社区"]})
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以发布微心愿")
    errors: dict[str, list[str]] = {}
    title, story = (title or "").strip(), (story or "").strip()
    private_name, private_contact = (private_name or "").strip(), (private_contact or "").strip()
    if not title or len(title) > 60:
        errors["title"] = ["请填写心愿（最多60个字）"]
    if not story or len(story) > 300:
        errors["story"] = ["请填写心愿说明（最多300个字）"]
    elif private_name and private_name in story or crypto.mask_numbers(story) != story:
        errors["story"] = ["心愿说明会公开显示，请不要写姓名、电话或身份证号"]
    if not private_name or len(private_name) > 50:
        errors["private_name"] = ["请填写心愿人姓名（不公开）"]
    if len(private_contact) > 300:
        errors["private_contact"] = ["联系方式与住址最多300个字"]
    if kind not in Wish.Kind.values:
        errors["kind"] = ["请选择类别"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        wish = Wish.objects.create(community=community, title=title, story=story, kind=kind, private_name=private_name,
                                   private_contact_enc=crypto.encrypt(private_contact) if private_contact else "",
                                   published_by=actor, district_code=community.code[:6])
        audit_record(actor=actor, action="wishes.publish", obj=wish, detail={"title": title})
    return wish


def _lock(wish: Wish) -> Wish:
    return Wish.objects.select_for_update().select_related("community").get(pk=wish.pk)


def wish_claim(*, wish: Wish, user) -> Wish:
    label = claimer_label(user)
    if label is None:
        raise PermissionDenied("微心愿由党员或志愿者认领：请先核验身份，并在“志愿服务”加入服务队或报名活动")
    with transaction.atomic():
        row = _lock(wish)
        if row.status != Wish.Status.PUBLISHED:
            raise ValidationError({"__all__": ["这个心愿已被认领"]})
        row.status, row.claimed_by, row.claimer_label, row.claimed_at = Wish.Status.CLAIMED, user, label, timezone.now()
        row.save(update_fields=["status", "claimed_by", "claimer_label", "claimed_at"])
        audit_record(actor=user, action="wishes.claim", obj=row, detail={})
        notify(recipients=[row.published_by], kind=Kind.SYSTEM, title="微心愿已被认领",
               body=f"“{row.title}”由{label}认领。", link=reverse("wishes:manage"), key=f"wish:{row.pk}:claimed",
               obj=row, district_code=row.district_code, audit=False)
    return row


def wish_release(*, wish: Wish, user) -> Wish:
    """The claimer cannot make it after all: the wish goes back on the wall."""
    with transaction.atomic():
        row = _lock(wish)
        if row.claimed_by_id != user.pk and not may_manage(user, row.community.code):
            raise PermissionDenied("只能放弃本人认领的心愿")
        if row.status != Wish.Status.CLAIMED:
            raise ValidationError({"__all__": ["只有已认领、未完成的心愿可以放弃"]})
        row.status, row.claimed_by, row.claimer_label, row.claimed_at = Wish.Status.PUBLISHED, None, "", None
        row.save(update_fields=["status", "claimed_by", "claimer_label", "claimed_at"])
        audit_record(actor=user, action="wishes.release", obj=row, detail={})
    return row


def wish_fulfil(*, wish: Wish, user, photo, note: str = "") -> Wish:
    """The claimer says it is done, with a photo as proof (taken so that no face or door number shows)."""
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": ["说明最多300个字"]})
    if photo is None:
        raise ValidationError({"photo": ["请上传一张完成照片作为凭证"]})
    checked = photo_check(photo)
    with transaction.atomic():
        row = _lock(wish)
        if row.claimed_by_id != user.pk:
            raise PermissionDenied("只能完成本人认领的心愿")
        if row.status != Wish.Status.CLAIMED:
            raise ValidationError({"__all__": [f"心愿{row.get_status_display()}"]})
        row.proof.save(f"proof.{checked.ext}", ContentFile(checked.content), save=False)
        row.status, row.fulfilled_at, row.fulfil_note = Wish.Status.FULFILLED, timezone.now(), note
        row.save(update_fields=["proof", "status", "fulfilled_at", "fulfil_note"])
        audit_record(actor=user, action="wishes.fulfil", obj=row, detail={})
    return row


def wish_confirm(*, wish: Wish, actor, confirmed: bool = True, reason: str = "") -> Wish:
    """The community checks with the person and confirms; or sends it back to the claimer with a reason."""
    with transaction.atomic():
        row = _lock(wish)
        if not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以确认")
        if row.status != Wish.Status.FULFILLED:
            raise ValidationError({"__all__": ["只有已完成的心愿可以确认"]})
        if confirmed:
            row.status, row.confirmed_by, row.confirmed_at = Wish.Status.CONFIRMED, actor, timezone.now()
            row.save(update_fields=["status", "confirmed_by", "confirmed_at"])
            transaction.on_commit(lambda: send(signals.wish_confirmed, Wish, wish=row))
        else:
            reason = (reason or "").strip()[:200]
            if not reason:
                raise ValidationError({"reason": ["请说明需要补充的情况"]})
            row.status, row.fulfilled_at = Wish.Status.CLAIMED, None
            row.save(update_fields=["status", "fulfilled_at"])
            notify(recipients=[row.claimed_by], kind=Kind.SYSTEM, title="微心愿需要补充",
                   body=f"“{row.title}”：{reason}", link=reverse("wishes:mine"), key=f"wish:{row.pk}:back:{timezone.now():%s}",
                   obj=row, district_code=row.district_code, audit=False)
        audit_record(actor=actor, action="wishes.confirm" if confirmed else "wishes.send_back", obj=row,
                     detail={"reason": reason})
    return row


def wish_cancel(*, wish: Wish, actor, reason: str = "") -> Wish:
    with transaction.atomic():
        row = _lock(wish)
        if not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以撤下心愿")
        if row.status in (Wish.Status.CONFIRMED, Wish.Status.CANCELLED):
            raise ValidationError({"__all__": [f"心愿{row.get_status_display()}"]})
        row.status = Wish.Status.CANCELLED
        row.save(update_fields=["status"])
        audit_record(actor=actor, action="wishes.cancel", obj=row, detail={"reason": (reason or "")[:200]})
    return row
