"""Residents' data rights (docs/privacy.md): what we hold about a person, correction and deletion
requests decided by their community, who revealed their numbers, and retention. Every write appends an
audit row in its transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.cases.models import Case
from grassroots.cases.services import anonymise_personal_data
from grassroots.core import crypto
from grassroots.core.models import AuditEntry
from grassroots.core.services import audit_record, export_audit
from grassroots.people.models import Person, Resident
from grassroots.people.services import REVEALABLE

from .models import AnonymisedCase, PrivacyRequest

DECIDE = Capability.MANAGE_REGISTERS  # who keeps the register decides: community workers and above
REASON_MAX = 500
ANON_NAME = "已注销居民"


def person_of(user) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def _household(person: Person):
    row = Resident.objects.filter(person=person).select_related("household").order_by("pk").first()
    return row.household if row else None


def _cases_of(person: Person, user) -> Q:
    q = Q(reporter=person)
    if user is not None:
        q |= Q(reporter_user=user)
    return q


# --- reading ---------------------------------------------------------------------------------------

def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# The headings and labels of ``my_data``, marked for the catalogue: the page shows them in its language.
DATA_LABELS = (
    gettext_noop("户"), gettext_noop("与户主关系"), gettext_noop("入住日期"), gettext_noop("编号"), gettext_noop("标题"),
    gettext_noop("状态"), gettext_noop("地址"), gettext_noop("联系人"), gettext_noop("联系电话"), gettext_noop("上报时间"),
    gettext_noop("办结时间"), gettext_noop("活动"), gettext_noop("报名时间"), gettext_noop("时长"), gettext_noop("社区"),
    gettext_noop("余额"), gettext_noop("人员"), gettext_noop("姓名"), gettext_noop("性别"), gettext_noop("出生日期"),
    gettext_noop("身份证号"), gettext_noop("手机号"), gettext_noop("户籍/居住"), gettext_noop("诉求"), gettext_noop("志愿报名"),
    gettext_noop("积分"),
)


def my_data(user) -> dict:
    """Everything held about the user's person, numbers masked (the downloads' content: their headings stay
    Chinese like every spreadsheet of the platform; the page shows them translated, see ``DATA_LABELS``)."""
    person = person_of(user)
    if person is None:
        raise PermissionDenied("请先核验身份")
    from grassroots.points.selectors import my_accounts, statement
    from grassroots.volunteers.selectors import my_signups

    households = [
        {"户": r.household.name, "与户主关系": r.get_relation_display(),
         "入住日期": str(r.moved_in or "")}
        for r in Resident.objects.filter(person=person).select_related("household")
    ]
    cases = [
        {"编号": c.code, "标题": c.title, "状态": c.get_status_display(), "地址": c.address,
         "联系人": c.contact_name_masked, "联系电话": c.contact_phone_masked,
         "上报时间": _when(c.created_at), "办结时间": _when(c.closed_at)}
        for c in Case.objects.filter(_cases_of(person, user)).order_by("-created_at")[:500]
    ]
    signups = [
        {"活动": s.activity.title, "状态": s.get_status_display(), "报名时间": _when(s.signed_up_at),
         "时长": str(s.hours or "")}
        for s in my_signups(user).select_related("activity")[:500]
    ]
    points = []
    for account, community in my_accounts(user):
        rows = statement(account, limit=1)
        points.append({"社区": community.name if community else account.community_code,
                       "余额": rows[0].get("balance_after", "") if rows else 0})
    return {
        "人员": {"姓名": person.name, "性别": person.get_gender_display(),
                   "出生日期": str(person.birth_date or ""), "身份证号": person.id_number_masked,
                   "手机号": person.phone_masked},
        "户籍/居住": households, "诉求": cases, "志愿报名": signups, "积分": points,
    }


def my_data_export(user, *, fmt: str) -> dict:
    """``my_data`` for a download (``fmt``: xlsx or json), audited like every export of personal data
    (``privacy.my_data.export``): the resident's own data leaves the system all the same."""
    content = my_data(user)
    rows = sum(1 if isinstance(v, dict) else len(v) for v in content.values())
    export_audit(actor=user, kind="privacy.my_data", obj=person_of(user), rows=rows, fields=list(content),
                 filters={"format": fmt})
    return content


def reveals_of(user) -> list[dict]:
    """Who revealed this person's full ID number or phone, and when: staff name and role, no username."""
    person = person_of(user)
    if person is None:
        return []
    from grassroots.accounts.models import RoleAssignment

    case_ids = [str(pk) for pk in Case.objects.filter(_cases_of(person, user)).values_list("pk", flat=True)[:1000]]
    rows = list(AuditEntry.objects.filter(
        Q(action="person.reveal", object_type="people.person", object_id=str(person.pk))
        | Q(action="case.contact_reveal", object_type="cases.case", object_id__in=case_ids),
    ).select_related("actor").order_by("-at")[:200])
    roles: dict[int, str] = {}
    for ra in RoleAssignment.objects.filter(user_id__in={r.actor_id for r in rows if r.actor_id}):
        roles.setdefault(ra.user_id, ra.get_role_display())
    return [{"at": r.at, "who": (getattr(r.actor, "display_name", "") or gettext_noop("工作人员")) if r.actor else gettext_noop("系统"),
             "role": roles.get(r.actor_id, ""), "field": REVEALABLE.get(r.detail.get("field"), "")
             if r.action == "person.reveal" else f"诉求{r.detail.get('code', '')}的联系方式",
             "case": r.detail.get("code", "") if r.action == "case.contact_reveal" else ""}
            for r in rows]


def pending_for(user):
    """Requests a staff user may decide: those under the areas where they keep the register."""
    return (PrivacyRequest.objects.filter(scope_for(user).area_q(DECIDE, "area_code"))
            .select_related("person", "user").order_by("status", "-created_at"))


# --- resident's requests ---------------------------------------------------------------------------

def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写理由")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("理由不能超过%(n)d个字") % {"n": REASON_MAX}})
    return reason


def _create(*, user, kind: str, reason: str, **values) -> PrivacyRequest:
    person = person_of(user)
    household = _household(person) if person else None
    if person is None or household is None:
        raise PermissionDenied("请先核验身份")
    try:
        with transaction.atomic():
            item = PrivacyRequest(kind=kind, person=person, user=user, reason=reason,
                                  area_code=household.code, district_code=person.district_code, **values)
            item.save()
            audit_record(actor=user, action=f"privacy.{kind}.request", obj=item,
                         detail={"field": item.field} if item.field else {})
    except IntegrityError:
        raise ValidationError(_("您已有一项同类申请在审核中，请等待社区处理")) from None
    return item


def correction_request(*, user, field: str, new_value: str, reason: str) -> PrivacyRequest:
    reason = _clean_reason(reason)
    new_value = (new_value or "").strip()
    if field not in PrivacyRequest.Field.values:
        raise ValidationError({"field": _("请选择要更正的项目")})
    if not new_value:
        raise ValidationError({"new_value": _("请填写正确的内容")})
    if field == "name" and len(new_value) > 50:
        raise ValidationError({"new_value": _("姓名不能超过%(n)d个字") % {"n": 50}})
    if field == "phone" and (problem := crypto.phone_problem(new_value)):
        raise ValidationError({"new_value": problem})
    masked = crypto.mask_phone(new_value) if field == "phone" else new_value
    return _create(user=user, kind=PrivacyRequest.Kind.CORRECTION, reason=reason, field=field,
                   new_value_enc=crypto.encrypt(new_value), new_value_masked=masked)


def deletion_request(*, user, reason: str) -> PrivacyRequest:
    return _create(user=user, kind=PrivacyRequest.Kind.DELETION, reason=_clean_reason(reason))


# --- staff's decision ------------------------------------------------------------------------------

def legal_holds(person: Person) -> list[str]:
    """Why the person record itself must stay (it is then anonymised only in the cases)."""
    holds = []
    if person.grid_posts.exists():
        holds.append("网格员任职记录")
    if hasattr(person, "party_member"):
        holds.append("党员组织关系")
    return holds


@transaction.atomic
def request_decide(*, item: PrivacyRequest, actor, approve: bool, reason: str = "") -> PrivacyRequest:
    item = PrivacyRequest.objects.select_for_update().get(pk=item.pk)
    if not scope_for(actor).can_at(DECIDE, item.area_code):
        raise PermissionDenied(_("您无权处理该申请"))
    if item.status != PrivacyRequest.Status.PENDING:
        raise ValidationError(_("该申请已处理"))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("意见不能超过%(n)d个字") % {"n": REASON_MAX}})
    if not approve and not reason:
        raise ValidationError({"reason": _("驳回时请填写理由")})
    outcome: dict = {}
    if approve and item.person is not None:
        if item.kind == PrivacyRequest.Kind.CORRECTION:
            outcome = _apply_correction(item, actor)
        else:
            outcome = anonymise_person(item.person, user=item.user, actor=actor)
    item.status = PrivacyRequest.Status.APPROVED if approve else PrivacyRequest.Status.REJECTED
    item.decided_by, item.decided_at, item.decision_reason, item.outcome = actor, timezone.now(), reason, outcome
    item.save()
    audit_record(actor=actor, action=f"privacy.{item.kind}.{item.status}", obj=item, detail=outcome)
    return item


def _apply_correction(item: PrivacyRequest, actor) -> dict:
    person = item.person
    value = crypto.decrypt(item.new_value_enc)
    if item.field == "name":
        person.name = value
        person.save(update_fields=["name"])
        audit_record(actor=actor, action="person.update", obj=person, detail={"name": value})
    else:
        if Person.objects.filter(phone_index__in=crypto.blind_indexes(value)).exclude(pk=person.pk).exists():
            raise ValidationError(_("该手机号已登记在另一位居民名下，请核实"))
        person.set_phone(value)
        person.save(update_fields=["phone_enc", "phone_index", "phone_masked"])
        audit_record(actor=actor, action="person.update", obj=person, detail={"phone": person.phone_masked})
    return {"field": item.field}


# --- anonymising -----------------------------------------------------------------------------------

def _anonymise_cases(cases, why: str, *, actor) -> int:
    """Remove the personal data of these cases through the case service (one ``case.anonymise`` audit row
    each, no event, the KPI rollups untouched) and mark them done; a case marked before is skipped."""
    todo = list(cases.exclude(pk__in=AnonymisedCase.objects.values("case_id")).only("pk", "code", "district_code"))
    if not todo:
        return 0
    for case in todo:
        anonymise_personal_data(case, actor=actor, reason=str(why))
    AnonymisedCase.objects.bulk_create([AnonymisedCase(case_id=c.pk, why=why, district_code=c.district_code)
                                        for c in todo], ignore_conflicts=True)
    return len(todo)


def anonymise_person(person: Person, *, user, actor) -> dict:
    n = _anonymise_cases(Case.objects.filter(_cases_of(person, user)), AnonymisedCase.Why.REQUEST, actor=actor)
    holds = legal_holds(person)
    if not holds:
        Resident.objects.filter(person=person).delete()
        Person.objects.filter(pk=person.pk).update(
            name=ANON_NAME, gender="", birth_date=None, id_number_enc="", id_number_index="", id_number_masked="",
            phone_enc="", phone_index="", phone_masked="")
    audit_record(actor=actor, action="person.anonymise", obj=person, detail={"cases": n, "holds": holds})
    return {"cases": n, "person": "kept" if holds else "anonymised", "holds": holds}


def retention_years() -> int:
    return int(getattr(settings, "GRASSROOTS_RETENTION_YEARS", 3))


def retention_run(*, batch: int = 200, now=None) -> int:
    """Anonymise one batch of cases closed more than the retention period ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=365 * retention_years())
    with transaction.atomic():
        due = (Case.objects.filter(status=Case.Status.CLOSED, closed_at__lt=cutoff)
               .exclude(pk__in=AnonymisedCase.objects.values("case_id")).order_by("pk"))
        ids = list(due.values_list("pk", flat=True)[:batch])
        n = _anonymise_cases(Case.objects.filter(pk__in=ids), AnonymisedCase.Why.RETENTION, actor=None)
        if n:
            audit_record(actor=None, action="privacy.retention", object_type="cases.case", object_id="",
                         detail={"cases": n, "cutoff": cutoff.isoformat()})
    return n


def retention_task(worker=None) -> bool:
    """The worker's task: True when it did something (the worker asks again at once)."""
    return retention_run() > 0


def me_section(request, account):
    if account is None or not getattr(account, "verified", False):
        return None
    return {}
