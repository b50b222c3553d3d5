"""Writes of 双报到: unit and member registrations, posts, service records. Each is one transaction
with its audit row; bad input raises ValidationError keyed by field, in Chinese.

The 接单 post is the only way a Party member comes to take cases: approving a member who asked for
it, or a member taking it later, gives the account the party_member role at the community;
leaving the post or the registration takes the role away again (``_sync_case_role``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability, Role, RoleAssignment
from grassroots.accounts.scope import scope_for
from grassroots.accounts.services import role_grant, roles_revoke
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.cases.attachments import photo_check
from grassroots.core import crypto
from grassroots.core.events import send
from grassroots.core.services import audit_record
from grassroots.notifications.models import Kind
from grassroots.notifications.services import notify
from grassroots.orgs.models import PartyLevel, PartyOrg, Unit
from grassroots.people.models import Person

from . import signals
from .models import Decision, MemberRegistration, Post, PostAssignment, ServiceRecord, UnitRegistration

DEFAULT_POSTS = [
    ("政策宣传岗", "宣传政策法规，入户解读惠民政策", False),
    ("环境监督岗", "监督小区环境卫生、楼道堆物和车辆停放", False),
    ("矛盾调解岗", "参与邻里纠纷、物业矛盾调解", False),
    ("关爱帮扶岗", "结对帮扶独居老人、困难家庭和留守儿童", False),
    ("接单岗", "接收社区派发的群众诉求并办理（点单-派单-接单）", True),
]
TEXT_MAX = 1000
WHAT_MAX = 300
RECORD_DAYS_BACK = 92  # a member logs service of the last quarter at most


def may_manage(user, community_code: str) -> bool:
    """Community (street, district) workers manage a community's registrations, posts and records."""
    scope = scope_for(user)
    return scope.is_superuser or (scope.can_at(Capability.DISPATCH_CASES, community_code)
                                  and scope.can_at(Capability.VIEW_PARTY, community_code))


def _require_manager(user, community: Area) -> None:
    if not may_manage(user, community.code):
        raise PermissionDenied("只有该社区的工作人员可以办理")


def _community(area: Area | None, field: str = "community") -> Area:
    if area is None or area.level != Level.COMMUNITY:
        raise ValidationError({field: ["请选择社区"]})
    return area


def _managers(community: Area) -> list:
    return [ra.user for ra in RoleAssignment.objects.filter(
        role=Role.COMMUNITY_WORKER, area=community, user__is_active=True).select_related("user")]


def _text(value: str, label: str, key: str, maximum: int, errors: dict, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(key, []).append(f"请填写{label}")
    elif len(value) > maximum:
        errors.setdefault(key, []).append(f"{label}最多{maximum}个字（现有{len(value)}个字）")
    return value


# --- posts ---------------------------------------------------------------------------------------------


@transaction.atomic
def posts_defaults_create(*, community: Area, actor) -> list[Post]:
    """The usual posts (政策宣传、环境监督、矛盾调解、关爱帮扶、接单), for a community to edit."""
    _require_manager(actor, _community(community))
    made = []
    for order, (name, duties, takes_cases) in enumerate(DEFAULT_POSTS):
        post, created = Post.objects.get_or_create(community=community, name=name, defaults={
            "duties": duties, "takes_cases": takes_cases, "order": order, "district_code": community.code[:6]})
        if created:
            made.append(post)
    audit_record(actor=actor, action="service.posts_defaults", obj=community, detail={"created": len(made)})
    return made


def post_save(*, community: Area, actor, name: str, duties: str = "", takes_cases: bool = False,
              active: bool = True, post: Post | None = None) -> Post:
    _require_manager(actor, _community(community))
    errors: dict[str, list[str]] = {}
    name = _text(name, "岗位名称", "name", 40, errors, required=True)
    duties = _text(duties, "职责", "duties", 300, errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            row = post or Post(community=community, district_code=community.code[:6],
                               order=Post.objects.filter(community=community).count())
            if row.community_id != community.pk:
                raise PermissionDenied("岗位不属于该社区")
            row.name, row.duties, row.takes_cases, row.active = name, duties, bool(takes_cases), bool(active)
            row.save()
            audit_record(actor=actor, action="service.post_save", obj=row,
                         detail={"name": name, "takes_cases": row.takes_cases, "active": row.active})
    except IntegrityError:
        raise ValidationError({"name": [f"本社区已有“{name}”岗位"]}) from None
    return row


def _posts_of(community: Area, posts: Iterable) -> list[Post]:
    ids = {int(getattr(p, "pk", p)) for p in posts or []}
    found = list(Post.objects.filter(community=community, active=True, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError({"posts": ["所选岗位不存在或已停用，请重新选择"]})
    return found


# --- units ------------------------------------------------------------------------------------------------


def may_act_for_unit(user, unit: Unit) -> bool:
    return user.is_superuser or RoleAssignment.objects.filter(user=user, unit=unit).exists()


def unit_register(*, unit: Unit, community: Area, actor, resources: str = "", services: str = "",
                  volunteers: int = 0, venue_hours: str = "", contact_name: str = "",
                  contact_phone: str = "") -> UnitRegistration:
    """A unit (its own staff, or the community on its behalf) registers with a community."""
    community = _community(community)
    if not (may_act_for_unit(actor, unit) or may_manage(actor, community.code)):
        raise PermissionDenied("只有该单位的经办人或社区工作人员可以办理单位报到")
    errors: dict[str, list[str]] = {}
    resources = _text(resources, "可提供的资源", "resources", TEXT_MAX, errors)
    services = _text(services, "可提供的服务", "services", TEXT_MAX, errors)
    venue_hours = _text(venue_hours, "场地开放时间", "venue_hours", 200, errors)
    contact_name = _text(contact_name, "联系人", "contact_name", 50, errors, required=True)
    contact_phone = crypto.normalize(contact_phone)
    if not contact_phone or crypto.phone_problem(contact_phone):
        errors["contact_phone"] = ["请填写联系人的手机号或带区号的固定电话"]
    if not isinstance(volunteers, int) or isinstance(volunteers, bool) or not 0 <= volunteers <= 10000:
        errors["volunteers"] = ["可派志愿者人数应为0到10000之间的整数"]
    if not (resources or services or volunteers or venue_hours):
        errors["__all__"] = ["请至少填写一项承诺：可提供的资源、服务、志愿者或场地"]
    if errors:
        raise ValidationError(errors)
    row = UnitRegistration(unit=unit, community=community, resources=resources, services=services,
                           volunteers=volunteers, venue_hours=venue_hours, contact_name=contact_name,
                           submitted_by=actor, district_code=community.code[:6])
    row.set_contact_phone(contact_phone)
    try:
        with transaction.atomic():
            row.save()
            audit_record(actor=actor, action="service.unit_register", obj=row,
                         detail={"unit": unit.pk, "community": community.code})
            notify(recipients=_managers(community), kind=Kind.APPROVAL, title="单位报到待审核",
                   body=f"{unit.name}申请到{community.name}报到。", link=reverse("service:community"),
                   key=f"unitreg:{row.pk}", obj=row, district_code=row.district_code, audit=False)
    except IntegrityError:
        raise ValidationError({"__all__": [f"{unit.name}已在{community.name}报到（或正在审核）"]}) from None
    return row


def unit_registration_decide(*, registration: UnitRegistration, actor, approve: bool, reason: str = "") -> UnitRegistration:
    reason = (reason or "").strip()[:200]
    if not approve and not reason:
        raise ValidationError({"reason": ["请说明未通过的原因"]})
    with transaction.atomic():
        row = UnitRegistration.objects.select_for_update().select_related("community", "unit").get(pk=registration.pk)
        _require_manager(actor, row.community)
        if row.status != Decision.APPLIED:
            raise ValidationError({"__all__": [f"该报到已{row.get_status_display()}"]})
        row.status = Decision.APPROVED if approve else Decision.REFUSED
        row.reason, row.decided_by, row.decided_at = ("" if approve else reason), actor, timezone.now()
        row.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit_record(actor=actor, action=f"service.unit_{row.status}", obj=row, detail={"reason": reason})
        recipients = [ra.user for ra in RoleAssignment.objects.filter(unit=row.unit).select_related("user")]
        notify(recipients=recipients, kind=Kind.SYSTEM, title="单位报到已通过" if approve else "单位报到未通过",
               body=f"{row.community.name}：" + ("欢迎成为共建单位。" if approve else f"原因：{reason}"),
               link=reverse("service:units"), key=f"unitreg:{row.pk}:{row.status}", obj=row,
               district_code=row.district_code, audit=False)
    return row


# --- members --------------------------------------------------------------------------------------------


def grid_branch_of(household: Area | None) -> PartyOrg | None:
    """The grid Party branch of the grid a household lies in."""
    if household is None:
        return None
    grid = household.code[:CODE_LENGTHS[Level.GRID]]
    # A red property company's branch may sit on the same grid: the grid's own branch is the one no unit
    # holds; the oldest first, so the answer does not depend on the database's row order.
    return (PartyOrg.objects.filter(level=PartyLevel.GRID_BRANCH, area__code=grid)
            .annotate(of_unit=Exists(Unit.objects.filter(party_org=OuterRef("pk"))))
            .order_by("of_unit", "pk").first())


def member_register(*, user, name: str, id_number: str, community: Area, household: Area | None = None,
                    posts: Iterable = ()) -> MemberRegistration:
    """An in-service Party member registers with their residential community (self-service). They are
    found in the Party member register by name and ID number; the community approves."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    id_number = crypto.normalize(id_number)
    if not name:
        errors["name"] = ["请填写姓名"]
    problem = crypto.id_number_problem(id_number) if id_number else "请填写身份证号"
    if problem:
        errors["id_number"] = [problem]
    try:
        community = _community(community)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if household is not None and (household.level != Level.HOUSEHOLD or not household.code.startswith(
            getattr(community, "code", "-"))):
        errors["household"] = ["居住地址应为该社区内的住户"]
    if errors:
        raise ValidationError(errors)
    wanted = _posts_of(community, posts)
    person = Person.objects.select_related("party_member__employer").filter(
        id_number_index__in=crypto.blind_indexes(id_number), name=name).first()
    member = getattr(person, "party_member", None) if person else None
    if member is None or not member.in_service:
        raise ValidationError({"__all__": ["党员名册中没有找到与姓名、身份证号一致的在职党员，请核对，或联系您所在单位的党组织"]})
    if person.user_id and person.user_id != user.pk:
        raise ValidationError({"__all__": ["该党员已绑定其他账号，请联系社区"]})
    if household is None:  # where the register says they live in that community, if it does
        residency = person.residencies.filter(household__code__startswith=community.code).select_related(
            "household").first()
        household = residency.household if residency else None
    try:
        with transaction.atomic():
            if not person.user_id:
                Person.objects.filter(pk=person.pk, user__isnull=True).update(user=user)
            row = MemberRegistration.objects.create(member=member, user=user, community=community, household=household,
                                                    branch=grid_branch_of(household), district_code=community.code[:6])
            row.wanted_posts.set(wanted, through_defaults={"district_code": row.district_code})
            audit_record(actor=user, action="service.member_register", obj=row,
                         detail={"community": community.code, "posts": [p.pk for p in wanted]})
            notify(recipients=_managers(community), kind=Kind.APPROVAL, title="在职党员报到待审核",
                   body=f"{name}（{member.employer.name if member.employer else '在职党员'}）申请到{community.name}报到。",
                   link=reverse("service:community"), key=f"memberreg:{row.pk}", obj=row,
                   district_code=row.district_code, audit=False)
    except IntegrityError:
        raise ValidationError({"__all__": ["您已在一个社区报到（或正在审核），同一时间只能在一个居住社区报到"]}) from None
    return row


def _sync_case_role(row: MemberRegistration, actor) -> None:
    """The party_member role at the community exactly while the member holds the 接单 post (audited)."""
    holds = row.status == Decision.APPROVED and row.assignments.filter(until__isnull=True, post__takes_cases=True).exists()
    if holds:
        role_grant(user=row.user, role=Role.PARTY_MEMBER, area=row.community, actor=actor)
    else:
        roles_revoke(actor=actor, queryset=RoleAssignment.objects.filter(user=row.user, role=Role.PARTY_MEMBER,
                                                                         area=row.community))


def _set_posts(row: MemberRegistration, posts: list[Post], actor) -> None:
    today = timezone.localdate()
    keep = {p.pk for p in posts}
    row.assignments.filter(until__isnull=True).exclude(post_id__in=keep).update(until=today)
    held = set(row.assignments.filter(until__isnull=True).values_list("post_id", flat=True))
    PostAssignment.objects.bulk_create([PostAssignment(registration=row, post=p, since=today,
                                                       district_code=row.district_code)
                                        for p in posts if p.pk not in held])
    _sync_case_role(row, actor)


def member_registration_decide(*, registration: MemberRegistration, actor, approve: bool, branch: PartyOrg | None = None,
                               posts: Iterable | None = None, reason: str = "") -> MemberRegistration:
    """Approve (placing the member in a grid Party branch of the community and on their posts) or refuse."""
    reason = (reason or "").strip()[:200]
    if not approve and not reason:
        raise ValidationError({"reason": ["请说明未通过的原因"]})
    with transaction.atomic():
        row = MemberRegistration.objects.select_for_update().select_related("community", "member__person").get(
            pk=registration.pk)
        _require_manager(actor, row.community)
        if row.status != Decision.APPLIED:
            raise ValidationError({"__all__": [f"该报到已{row.get_status_display()}"]})
        now = timezone.now()
        if approve:
            branch = branch or row.branch
            if branch is None or not branch.area.code.startswith(row.community.code) or branch.level not in (
                    PartyLevel.GRID_BRANCH, PartyLevel.COMMUNITY_COMMITTEE):
                raise ValidationError({"branch": ["请选择本社区的网格（小区）党支部，把该党员编入"]})
            chosen = _posts_of(row.community, row.wanted_posts.all() if posts is None else posts)
            row.status, row.branch, row.approved_at = Decision.APPROVED, branch, now
            row.reason, row.decided_by = "", actor
            row.save(update_fields=["status", "branch", "approved_at", "reason", "decided_by"])
            _set_posts(row, chosen, actor)
        else:
            row.status, row.reason, row.decided_by = Decision.REFUSED, reason, actor
            row.save(update_fields=["status", "reason", "decided_by"])
        audit_record(actor=actor, action=f"service.member_{row.status}", obj=row,
                     detail={"branch": row.branch_id, "reason": reason})
        notify(recipients=[row.user], kind=Kind.SYSTEM, title="报到已通过" if approve else "报到未通过",
               body=(f"您已在{row.community.name}报到，编入{row.branch.name}。" if approve else f"原因：{reason}"),
               link=reverse("service:me"), key=f"memberreg:{row.pk}:{row.status}", obj=row,
               district_code=row.district_code, audit=False)
    return row


def member_posts_set(*, registration: MemberRegistration, actor, posts: Iterable) -> MemberRegistration:
    """The posts a registered member holds from today (the member, or the community, changes them)."""
    with transaction.atomic():
        row = MemberRegistration.objects.select_for_update().select_related("community").get(pk=registration.pk)
        if actor.pk != row.user_id and not may_manage(actor, row.community.code):
            raise PermissionDenied("只能由本人或社区工作人员调整岗位")
        if row.status != Decision.APPROVED:
            raise ValidationError({"__all__": ["报到通过后才能上岗"]})
        chosen = _posts_of(row.community, posts)
        _set_posts(row, chosen, actor)
        audit_record(actor=actor, action="service.member_posts", obj=row, detail={"posts": [p.pk for p in chosen]})
    return row


def member_registration_end(*, registration: MemberRegistration, actor, reason: str = "") -> MemberRegistration:
    with transaction.atomic():
        row = MemberRegistration.objects.select_for_update().select_related("community").get(pk=registration.pk)
        if actor.pk != row.user_id and not may_manage(actor, row.community.code):
            raise PermissionDenied("只能由本人或社区工作人员办理")
        row.status, row.reason = Decision.ENDED, (reason or "").strip()[:200]
        row.save(update_fields=["status", "reason"])
        row.assignments.filter(until__isnull=True).update(until=timezone.localdate())
        _sync_case_role(row, actor)
        audit_record(actor=actor, action="service.member_end", obj=row, detail={"reason": row.reason})
    return row


# --- service records --------------------------------------------------------------------------------------


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": ["时长应为数字，如 1.5"]}) from None
    if not (Decimal("0.5") <= hours <= Decimal("24")) or hours * 2 != int(hours * 2):
        raise ValidationError({"hours": ["时长应在0.5到24小时之间，以半小时计（如 0.5、1、2.5）"]})
    return hours


def service_record_submit(*, registration: MemberRegistration, actor, what: str, served_on: date, hours,
                          post: Post | None = None, photo=None) -> ServiceRecord:
    """A member logs what they did (纪实); the community verifies it."""
    if actor.pk != registration.user_id:
        raise PermissionDenied("只能记录本人的服务")
    if registration.status != Decision.APPROVED:
        raise ValidationError({"__all__": ["报到通过后才能记录服务"]})
    errors: dict[str, list[str]] = {}
    what = _text(what, "服务内容", "what", WHAT_MAX, errors, required=True)
    today = timezone.localdate()
    if not isinstance(served_on, date):
        errors["served_on"] = ["请选择服务日期"]
    elif served_on > today or (today - served_on).days > RECORD_DAYS_BACK:
        errors["served_on"] = [f"服务日期应在今天及之前的{RECORD_DAYS_BACK}天内"]
    try:
        hours = _hours(hours)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if post is not None and post.community_id != registration.community_id:
        errors["post"] = ["岗位不属于您报到的社区"]
    checked = None
    if photo is not None:
        try:
            checked = photo_check(photo)
        except ValidationError as exc:
            errors["photo"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = ServiceRecord(registration=registration, post=post, what=what, served_on=served_on, hours=hours,
                            district_code=registration.district_code)
        if checked is not None:
            row.photo.save(f"evidence.{checked.ext}", ContentFile(checked.content), save=False)
        row.save()
        audit_record(actor=actor, action="service.record_submit", obj=row, detail={"hours": str(hours)})
    return row


def service_record_verify(*, record: ServiceRecord, actor, verified: bool, reason: str = "") -> ServiceRecord:
    """The community confirms (the hours count) or rejects (with a reason the member sees) a record.
    Other apps hear a verified record after commit (``signals.record_verified``)."""
    reason = (reason or "").strip()[:200]
    if not verified and not reason:
        raise ValidationError({"reason": ["请说明未通过的原因"]})
    with transaction.atomic():
        row = ServiceRecord.objects.select_for_update().select_related("registration__community").get(pk=record.pk)
        _require_manager(actor, row.registration.community)
        if row.status != ServiceRecord.Status.SUBMITTED:
            raise ValidationError({"__all__": [f"该记录已{row.get_status_display()}"]})
        row.status = ServiceRecord.Status.VERIFIED if verified else ServiceRecord.Status.REJECTED
        row.reason, row.verified_by, row.verified_at = ("" if verified else reason), actor, timezone.now()
        row.save(update_fields=["status", "reason", "verified_by", "verified_at"])
        audit_record(actor=actor, action=f"service.record_{row.status}", obj=row, detail={"reason": reason})
        if verified:
            transaction.on_commit(lambda: send(signals.record_verified, ServiceRecord, record=row))
    return row
