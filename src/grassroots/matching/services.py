"""Writes of the three lists and the two-way agreements. Each checks who may, validates with
messages a person can act on, writes in one transaction and records the audit row.

Who may:
* the community's staff (``DISPATCH_CASES`` at the community) — everything of their community;
* a unit's own staff (``VIEW_UNITS`` at the unit) — offer the unit's resources to a community where
  the unit is registered (双报到), report progress on the unit's projects, report the unit's side of its
  agreements as delivered; they see nothing of other units;
* a verified resident — raise a need for their own building.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from grassroots.accounts.models import Capability
from grassroots.accounts.scope import scope_for
from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.areas.selectors import community_of
from grassroots.cases.attachments import photo_check
from grassroots.cases.models import Case
from grassroots.core.services import audit_record
from grassroots.core.validate import percent
from grassroots.core.validate import text as clean_text
from grassroots.notifications.models import Kind as NoticeKind
from grassroots.notifications.services import notify
from grassroots.orgs.models import Unit
from grassroots.portal.models import ResidentAccount
from grassroots.registers.xlsx import Sheet, sheets_bytes
from grassroots.service.models import UnitRegistration
from grassroots.service.selectors import co_building_units

from .models import Agreement, AgreementItem, Category, Kind, Match, Need, Project, ProjectNote, Resource

COMMUNITY_LEN = CODE_LENGTHS[Level.COMMUNITY]

# Words that say which field of service a text is about (a commitment, a need, a case's title).
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    Category.ELDERLY: ("老人", "老年", "养老", "助老", "敬老", "助餐", "独居", "适老"),
    Category.CHILDREN: ("儿童", "孩子", "学生", "课后", "托管", "四点半", "青少年", "小学", "幼儿"),
    Category.HEALTH: ("义诊", "医疗", "体检", "健康", "医院", "药", "康复", "中医", "血压", "看病"),
    Category.LEGAL: ("法律", "律师", "调解", "纠纷", "普法", "维权", "合同"),
    Category.FACILITIES: ("维修", "修缮", "电梯", "路灯", "水管", "管道", "漏水", "线路", "屋顶", "道路", "井盖"),
    Category.ENVIRONMENT: ("卫生", "垃圾", "清洁", "绿化", "环境", "清运", "污水", "异味", "杂物"),
    Category.EMPLOYMENT: ("就业", "招聘", "培训", "技能", "岗位", "创业"),
    Category.CULTURE: ("文体", "活动", "文艺", "健身", "图书", "书画", "舞蹈", "球", "读书"),
    Category.SAFETY: ("消防", "安全", "治安", "监控", "防诈", "隐患", "电动车"),
}


def guess_category(text: str) -> str:
    best, hits = Category.OTHER, 0
    for category, words in CATEGORY_WORDS.items():
        n = sum(1 for w in words if w in text)
        if n > hits:
            best, hits = category, n
    return str(best)


# --- who may ----------------------------------------------------------------------------------------------

def may_manage(user, community_code: str) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or scope.can_at(Capability.DISPATCH_CASES, community_code)


def unit_ids_of(user) -> frozenset[int]:
    """The units whose own staff the user is."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(scope_for(user).unit_ids.get(Capability.VIEW_UNITS, frozenset()))


def registered(unit: Unit, community: Area) -> bool:
    return co_building_units(community).filter(unit=unit).exists()




def _choice(value, choices, field: str, label: str, errors: dict, *, required: bool = True) -> str:
    value = (value or "").strip()
    if value and value not in choices or required and not value:
        errors[field] = [f"请选择{label}"]
    return value



# --- resources ---------------------------------------------------------------------------------------------

def resource_add(*, community: Area, actor, kind: str, title: str, detail: str = "", category: str = "",
                 area: Area | None = None, unit: Unit | None = None) -> Resource:
    """The community's staff enter a resource (a unit's, or the community's own); a unit's staff
    offer their own unit's, to a community where the unit is registered."""
    manager = may_manage(actor, community.code)
    if not manager and (unit is None or unit.pk not in unit_ids_of(actor)):
        raise PermissionDenied("只有社区工作人员或提供资源的单位可以登记资源")
    errors: dict[str, list[str]] = {}
    kind = _choice(kind, Kind.values, "kind", "资源类型", errors)
    title = clean_text(title, "title", "资源名称", 80, errors)
    detail = clean_text(detail, "detail", "说明", 500, errors, required=False)
    category = _choice(category, Category.values, "category", "服务领域", errors, required=False) or guess_category(
        f"{title}{detail}")
    area = area or community
    if not area.code.startswith(community.code):
        errors["area"] = ["服务范围须在本社区内"]
    if unit is not None and not manager and not registered(unit, community):
        errors["unit"] = ["单位须先到这个社区报到（双报到），才能提供资源"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Resource.objects.create(community=community, area=area, unit=unit, kind=kind, category=category,
                                      title=title, detail=detail, created_by=actor, district_code=community.code[:6])
        audit_record(actor=actor, action="matching.resource", obj=row, district_code=row.district_code,
                     detail={"kind": kind, "unit": unit.pk if unit else None})
    return row


def _commitments(reg: UnitRegistration) -> list[tuple[str, str, str]]:
    """(kind, title, detail) for each filled field of a 双报到 commitment."""
    out = []
    if reg.venue_hours.strip():
        out.append((Kind.VENUE, f"{reg.unit.name}场地开放", reg.venue_hours.strip()))
    if reg.services.strip():
        out.append((Kind.SERVICE, f"{reg.unit.name}：{reg.services.strip()}"[:80], reg.services.strip()))
    if reg.resources.strip():
        out.append((Kind.EQUIPMENT, f"{reg.unit.name}：{reg.resources.strip()}"[:80], reg.resources.strip()))
    if reg.volunteers:
        out.append((Kind.VOLUNTEERS, f"{reg.unit.name}志愿者 {reg.volunteers} 人", ""))
    return out


def resources_from_commitments(*, community: Area, actor) -> int:
    """Put each approved 双报到 commitment of the community's units on the resource list (venue
    hours, services, equipment, volunteers). Run again, it adds only what is new."""
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以导入报到承诺")
    made = 0
    regs = co_building_units(community)
    with transaction.atomic():
        have = set(Resource.objects.filter(community=community, registration__isnull=False)
                   .values_list("registration_id", "kind"))
        for reg in regs:
            for kind, title, detail in _commitments(reg):
                if (reg.pk, kind) in have:
                    continue
                Resource.objects.create(community=community, area=community, unit=reg.unit, registration=reg,
                                        kind=kind, category=guess_category(f"{title}{detail}"), title=title,
                                        detail=detail[:500], created_by=actor, district_code=community.code[:6])
                made += 1
        if made:
            audit_record(actor=actor, action="matching.commitments", obj=community, district_code=community.code[:6],
                         detail={"made": made})
    return made


def resource_set_available(*, resource: Resource, actor, available: bool) -> Resource:
    if not (may_manage(actor, resource.community.code) or (resource.unit_id and resource.unit_id in unit_ids_of(actor))):
        raise PermissionDenied("只有社区工作人员或提供资源的单位可以修改")
    with transaction.atomic():
        Resource.objects.filter(pk=resource.pk).update(available=bool(available))
        audit_record(actor=actor, action="matching.resource_available", obj=resource,
                     district_code=resource.district_code, detail={"available": bool(available)})
    resource.available = bool(available)
    return resource


# --- needs -----------------------------------------------------------------------------------------------------

def _verified_household(user) -> Area | None:
    if not getattr(user, "is_authenticated", False):
        return None
    account = ResidentAccount.objects.filter(user=user, status=ResidentAccount.Status.VERIFIED).select_related(
        "household").first()
    return account.household if account and account.household_id else None


def need_add(*, actor, area: Area | None, title: str, detail: str = "", kind: str = "", category: str = "",
             people=1, source: str = Need.Source.RESIDENT, case: Case | None = None) -> Need:
    """A verified resident raises a need where they live (their building); the community's staff
    enter one from a visit, a survey or a case."""
    errors: dict[str, list[str]] = {}
    household = _verified_household(actor)
    if area is None:
        if household is None:
            raise ValidationError({"area": ["请选择需求所在的社区、网格或楼栋"]})
        area = household.parent if household.parent_id else household
    community = community_of(area)
    manager = may_manage(actor, community.code)
    if not manager:
        if household is None:
            raise PermissionDenied("请先完成实名认证并认领住址，再提出需求")
        if not household.code.startswith(area.code):
            raise PermissionDenied("只能为自己居住的楼栋、网格或社区提出需求")
        source, case = Need.Source.RESIDENT, None
    title = clean_text(title, "title", "需求", 80, errors)
    detail = clean_text(detail, "detail", "说明", 1000, errors, required=False)
    kind = _choice(kind, Kind.values, "kind", "需要的资源", errors, required=False)
    category = _choice(category, Category.values, "category", "服务领域", errors, required=False) or guess_category(
        f"{title}{detail}")
    source = _choice(source, Need.Source.values, "source", "来源", errors)
    raw = str(people if people not in (None, "") else 1).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 100000:
        errors["people"] = ["涉及人数请填写 1–100000 的整数"]
        raw = "1"
    if case is not None and not (case.area_id and case.area.code.startswith(community.code)):
        errors["case"] = ["只能登记本社区的诉求"]
    if errors:
        raise ValidationError(errors)
    if case is not None:
        existing = Need.objects.filter(case=case).first()
        if existing is not None:
            return existing  # a second click, or a colleague was quicker
    try:
        with transaction.atomic():
            row = Need.objects.create(community=community, area=area, source=source, case=case, kind=kind,
                                      category=category, title=title, detail=detail, people=int(raw),
                                      submitted_by=actor, district_code=community.code[:6])
            audit_record(actor=actor, action="matching.need", obj=row, district_code=row.district_code,
                         detail={"source": source, "case": case.pk if case else None})
    except IntegrityError:
        found = Need.objects.filter(case=case).first() if case is not None else None
        if found is None:
            raise
        return found
    return row


def need_from_case(*, case: Case, actor) -> Need:
    """A case that shows a lasting need (no lift for an old building, no place for children after
    school) goes onto the need list, once."""
    area = case.area
    if area is None:
        raise ValidationError({"case": ["诉求没有地点，无法列入需求清单"]})
    return need_add(actor=actor, area=area if area.level != Level.HOUSEHOLD else area.parent, title=case.title[:80],
                    detail=(case.body or "")[:1000], source=Need.Source.CASE, case=case,
                    category=guess_category(f"{case.title}{case.body or ''}"))


def need_close(*, need: Need, actor, reason: str) -> Need:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValidationError({"reason": ["请说明不予对接的原因（提出人会看到）"]})
    with transaction.atomic():
        row = Need.objects.select_for_update(of=("self",)).select_related("community").get(pk=need.pk)
        if not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以处理需求")
        if row.status != Need.Status.OPEN:
            raise ValidationError({"__all__": [f"需求{row.get_status_display()}"]})
        row.status, row.reason = Need.Status.CLOSED, reason
        row.save(update_fields=["status", "reason"])
        audit_record(actor=actor, action="matching.need_close", obj=row, district_code=row.district_code,
                     detail={"reason": reason})
        _tell_submitter(row, f"您提出的需求未能对接：{row.title}", reason, "closed")
    return row


def _tell_submitter(need: Need, title: str, body: str, what: str) -> None:
    if need.submitted_by_id and need.source == Need.Source.RESIDENT:
        notify(recipients=[need.submitted_by], kind=NoticeKind.SYSTEM, title=title[:100], body=body[:500],
               link=reverse("matching:need", args=[need.pk]), key=f"need:{need.pk}:{what}", obj=need,
               district_code=need.district_code, audit=False)


# --- matches and projects ---------------------------------------------------------------------------------------

def _deadline(value, errors: dict) -> date | None:
    if not isinstance(value, date):
        errors["deadline"] = ["请填写完成时限"]
        return None
    return value


def project_add(*, community: Area, actor, title: str, deadline, detail: str = "", owner_unit: Unit | None = None,
                practical: bool = False, needs=(), resources=()) -> Project:
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以立项")
    errors: dict[str, list[str]] = {}
    title = clean_text(title, "title", "项目名称", 80, errors)
    detail = clean_text(detail, "detail", "内容与承诺", 1000, errors, required=False)
    deadline = _deadline(deadline, errors)
    needs, resources = list(needs), list(resources)
    if any(n.community_id != community.pk for n in needs) or any(r.community_id != community.pk for r in resources):
        errors["needs"] = ["只能对接本社区的需求和资源"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Project.objects.create(community=community, title=title, detail=detail, owner_unit=owner_unit,
                                     deadline=deadline, practical=practical, created_by=actor,
                                     district_code=community.code[:6])
        row.needs.set(needs, through_defaults={"district_code": row.district_code})
        row.resources.set(resources, through_defaults={"district_code": row.district_code})
        Need.objects.filter(pk__in=[n.pk for n in needs], status=Need.Status.OPEN).update(status=Need.Status.MATCHED)
        audit_record(actor=actor, action="matching.project", obj=row, district_code=row.district_code,
                     detail={"needs": [n.pk for n in needs], "resources": [r.pk for r in resources]})
    return row


def match_accept(*, need: Need, resource: Resource, actor, deadline, title: str = "", practical: bool = False,
                 project: Project | None = None) -> Match:
    """Pair a need with a resource: a new project owned by the resource's unit (or an existing
    project of the community takes both). A second click finds the pair already made."""
    errors: dict[str, list[str]] = {}
    if resource.community_id != need.community_id:
        errors["resource"] = ["只能对接本社区的资源"]
    if project is not None and project.community_id != need.community_id:
        errors["project"] = ["只能并入本社区的项目"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Need.objects.select_for_update(of=("self",)).select_related("community").get(pk=need.pk)
        if not may_manage(actor, row.community.code):
            raise PermissionDenied("只有社区工作人员可以对接供需")
        done = Match.objects.filter(need=row, resource=resource).first()
        if done is not None and done.status == Match.Status.ACCEPTED:
            return done
        if row.status in (Need.Status.MET, Need.Status.CLOSED):
            raise ValidationError({"__all__": [f"需求{row.get_status_display()}，无需再对接"]})
        if project is None:
            project = project_add(community=row.community, actor=actor, title=title or row.title, deadline=deadline,
                                  detail=f"{resource.title}（{resource.detail}）"[:1000] if resource.detail
                                  else resource.title, owner_unit=resource.unit, practical=practical,
                                  needs=[row], resources=[resource])
        else:
            project.needs.add(row, through_defaults={"district_code": project.district_code})
            project.resources.add(resource, through_defaults={"district_code": project.district_code})
        row.status = Need.Status.MATCHED
        row.save(update_fields=["status"])
        score = next((s.score for s in _scored(row, [resource])), 0)
        match, _created = Match.objects.update_or_create(
            need=row, resource=resource, defaults={"status": Match.Status.ACCEPTED, "project": project, "by": actor,
                                                   "score": score, "at": timezone.now(),
                                                   "district_code": row.district_code})
        audit_record(actor=actor, action="matching.match", obj=match, district_code=row.district_code,
                     detail={"need": row.pk, "resource": resource.pk, "project": project.pk})
        _tell_submitter(row, f"您提出的需求已对接：{row.title}", f"项目：{project.title}，承接：{project.owner_label()}",
                        "matched")
    return match


def match_decline(*, need: Need, resource: Resource, actor) -> Match:
    """The suggestion does not fit: it is not offered for this need again."""
    if not may_manage(actor, need.community.code):
        raise PermissionDenied("只有社区工作人员可以对接供需")
    with transaction.atomic():
        match, created = Match.objects.get_or_create(
            need=need, resource=resource, defaults={"status": Match.Status.DECLINED, "by": actor,
                                                    "district_code": need.district_code})
        if created:
            audit_record(actor=actor, action="matching.decline", obj=match, district_code=need.district_code,
                         detail={"need": need.pk, "resource": resource.pk})
    return match


def may_report(user, project: Project) -> bool:
    return may_manage(user, project.community.code) or bool(
        project.owner_unit_id and project.owner_unit_id in unit_ids_of(user))


def project_progress(*, project: Project, actor, text: str, progress, photo=None) -> ProjectNote:
    """The owner unit or the community reports progress with evidence; at 100 % the project is done
    and its needs are met (their residents are told)."""
    errors: dict[str, list[str]] = {}
    text = clean_text(text, "text", "进展说明", 500, errors)
    value = percent(progress, errors)
    if errors:
        raise ValidationError(errors)
    checked = photo_check(photo) if photo else None
    with transaction.atomic():
        row = Project.objects.select_for_update(of=("self",)).select_related("community", "owner_unit").get(pk=project.pk)
        if not may_report(actor, row):
            raise PermissionDenied("只有承接单位或社区工作人员可以填报进展")
        if row.status != Project.Status.ONGOING:
            raise ValidationError({"__all__": [f"项目{row.get_status_display()}"]})
        note = ProjectNote(project=row, author=actor, text=text, progress=value, district_code=row.district_code)
        if checked is not None:
            note.photo.save(f"evidence.{checked.ext}", ContentFile(checked.content), save=False)
        note.save()
        row.progress = value
        if value == 100:
            row.status, row.done_at = Project.Status.DONE, timezone.now()
        row.save(update_fields=["progress", "status", "done_at"])
        if value == 100:
            for need in row.needs.filter(status=Need.Status.MATCHED):
                Need.objects.filter(pk=need.pk).update(status=Need.Status.MET)
                _tell_submitter(need, f"您提出的需求已满足：{need.title}", text, "met")
        audit_record(actor=actor, action="matching.progress", obj=row, district_code=row.district_code,
                     detail={"progress": value})
    return note


# --- two-way service agreements ----------------------------------------------------------------------------------

def agreement_create(*, unit: Unit, community: Area, actor, year, signed_on, items=()) -> Agreement:
    """双向服务协议 for a year: ``items`` are (side, what, due) — what the unit promises the community
    and what the community promises the unit."""
    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以登记双向服务协议")
    errors: dict[str, list[str]] = {}
    try:
        year = int(str(year).strip())
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = ["年度请填写四位年份"]
    if not isinstance(signed_on, date):
        errors["signed_on"] = ["请填写签订日期"]
    if not registered(unit, community):
        errors["unit"] = ["单位须先到这个社区报到（双报到）"]
    rows = []
    for n, (side, what, due) in enumerate(items, 1):
        what = (what or "").strip()
        if not what:
            continue
        if side not in AgreementItem.Side.values:
            errors[f"item{n}"] = [f"第{n}项：请选择承诺方"]
        elif len(what) > 200:
            errors[f"item{n}"] = [f"第{n}项：承诺事项最多200个字"]
        rows.append((side, what, due if isinstance(due, date) else None))
    if not rows:
        errors.setdefault("items", ["请至少填写一项承诺"])
    if not errors and Agreement.objects.filter(unit=unit, community=community, year=year).exists():
        errors["year"] = [f"{unit.name} 与本社区 {year} 年的协议已登记，请在协议页补充事项"]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(unit=unit, community=community, year=year, signed_on=signed_on,
                                                 created_by=actor, district_code=community.code[:6])
            AgreementItem.objects.bulk_create([AgreementItem(agreement=agreement, side=s, what=w, due=d,
                                                             district_code=agreement.district_code)
                                               for s, w, d in rows])
            audit_record(actor=actor, action="matching.agreement", obj=agreement, district_code=agreement.district_code,
                         detail={"unit": unit.pk, "year": year, "items": len(rows)})
    except IntegrityError:
        raise ValidationError({"year": [f"{unit.name} 与本社区 {year} 年的协议已登记"]}) from None
    return agreement


def item_add(*, agreement: Agreement, actor, side: str, what: str, due=None) -> AgreementItem:
    if not may_manage(actor, agreement.community.code):
        raise PermissionDenied("只有社区工作人员可以补充协议事项")
    errors: dict[str, list[str]] = {}
    side = _choice(side, AgreementItem.Side.values, "side", "承诺方", errors)
    what = clean_text(what, "what", "承诺事项", 200, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        item = AgreementItem.objects.create(agreement=agreement, side=side, what=what,
                                            due=due if isinstance(due, date) else None)
        audit_record(actor=actor, action="matching.item", obj=agreement, district_code=agreement.district_code,
                     detail={"side": side, "what": what})
    return item


def may_deliver(user, item: AgreementItem) -> bool:
    """Each side reports its own promise kept; the community may also record the unit's."""
    agreement = item.agreement
    if may_manage(user, agreement.community.code):
        return True
    return item.side == AgreementItem.Side.UNIT and agreement.unit_id in unit_ids_of(user)


def item_deliver(*, item: AgreementItem, actor, evidence: str) -> AgreementItem:
    errors: dict[str, list[str]] = {}
    evidence = clean_text(evidence, "evidence", "兑现情况", 500, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = AgreementItem.objects.select_for_update(of=("self",)).select_related("agreement__community").get(pk=item.pk)
        if not may_deliver(actor, row):
            raise PermissionDenied("只能填报本方承诺的兑现情况")
        if row.delivered_at is not None:
            raise ValidationError({"__all__": [f"这项承诺已于 {timezone.localtime(row.delivered_at):%Y-%m-%d} 兑现"]})
        row.delivered_at, row.evidence, row.delivered_by = timezone.now(), evidence, actor
        row.save(update_fields=["delivered_at", "evidence", "delivered_by"])
        audit_record(actor=actor, action="matching.deliver", obj=row.agreement,
                     district_code=row.agreement.district_code, detail={"item": row.pk})
    return row


# --- suggestions (read, but the services need the score) ----------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Scored:
    resource: Resource
    score: int
    reasons: list[str]


def _scored(need: Need, candidates) -> list[Scored]:
    """Score each resource for a need: the same field of service counts most, then the kind of
    resource asked for, then how close its area is (the need's own grid or building over the whole
    community). A resource that shares neither field nor kind is not suggested."""
    out = []
    for r in candidates:
        reasons, score = [], 0
        if r.category == need.category and need.category != Category.OTHER:
            score += 3
            reasons.append(f"同属{r.get_category_display()}")
        if need.kind and r.kind == need.kind:
            score += 2
            reasons.append(f"正需{r.get_kind_display()}")
        if not score:
            continue
        if need.area.code.startswith(r.area.code):
            if r.area.level != Level.COMMUNITY:
                score += 2
                reasons.append(f"服务{r.area.name}")
            else:
                score += 1
                reasons.append("服务全社区")
        else:
            continue  # the resource serves another grid or building of the community
        out.append(Scored(r, score, reasons))
    out.sort(key=lambda s: (-s.score, -s.resource.pk))
    return out


# --- a survey sheet ----------------------------------------------------------------------------------------------

SURVEY_COLUMNS = ["需求", "说明", "位置（社区/网格/楼栋名称或编码）", "服务领域", "需要的资源", "涉及人数"]
SURVEY_MAX_ROWS = 2000


def survey_template() -> bytes:
    """The blank sheet a community fills in on its door-to-door visits (with one example row)."""
    return sheets_bytes([Sheet("走访需求", SURVEY_COLUMNS, [["独居老人希望有助餐服务", "3栋有8位独居老人", "1栋", "为老服务", "服务", 8]],
                               (28, 36, 28, 12, 12, 10))])


def needs_import(*, community: Area, actor, upload) -> int:
    """The needs of a survey sheet (``survey_template``), all or nothing: every row is checked first;
    any broken row is named with what to fix and nothing is written. Returns the number written."""
    import zipfile

    from openpyxl import load_workbook

    if not may_manage(actor, community.code):
        raise PermissionDenied("只有社区工作人员可以导入走访需求")
    try:
        sheet = load_workbook(upload, read_only=True, data_only=True).worksheets[0]
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, IndexError):
        raise ValidationError({"file": ["文件不是有效的 Excel（.xlsx）表格，请用“下载模板”填写后上传"]}) from None
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    if header[:1] != SURVEY_COLUMNS[:1]:
        raise ValidationError({"file": [f"第一行应为表头：{'、'.join(SURVEY_COLUMNS)}"]})
    areas = {a.code: a for a in Area.objects.under(community.code).filter(
        level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING))}
    by_name: dict[str, Area | None] = {}
    for a in areas.values():
        by_name[a.name] = None if a.name in by_name else a  # a name used twice needs its code
    labels = {str(label): value for value, label in Category.choices}
    kinds = {str(label): value for value, label in Kind.choices}
    problems: list[str] = []
    parsed = []
    for n, row in enumerate(rows, start=2):
        cells = [str(c).strip() if c is not None else "" for c in (list(row) + [None] * 6)[:6]]
        if not any(cells):
            continue
        if len(parsed) >= SURVEY_MAX_ROWS:
            problems.append(f"一次最多导入 {SURVEY_MAX_ROWS} 行，请分成几个文件")
            break
        title, detail, place, category, kind, people = cells
        errors: dict[str, list[str]] = {}
        title = clean_text(title, "title", "需求", 80, errors)
        detail = clean_text(detail, "detail", "说明", 1000, errors, required=False)
        area = areas.get(place) or by_name.get(place) if place else community
        if area is None:
            errors["area"] = [f"位置“{place[:30]}”不在本社区（同名的请填编码）"]
        if category and category not in labels:
            errors["category"] = [f"服务领域请填：{'、'.join(labels)}"]
        if kind and kind not in kinds:
            errors["kind"] = [f"需要的资源请填：{'、'.join(kinds)}"]
        count = people.removesuffix(".0") or "1"
        if not count.isdigit() or not 1 <= int(count) <= 100000:
            errors["people"] = ["涉及人数请填 1–100000 的整数"]
        if errors:
            problems.append(f"第{n}行：" + "；".join(m for ms in errors.values() for m in ms))
            continue
        parsed.append((title, detail, area, labels.get(category) or guess_category(f"{title}{detail}"),
                       kinds.get(kind, ""), int(count)))
    if problems:
        raise ValidationError({"file": problems[:50] + ([f"……另有 {len(problems) - 50} 行有误"] if len(problems) > 50
                                                       else [])})
    if not parsed:
        raise ValidationError({"file": ["表格里没有需求（从第二行起填写）"]})
    with transaction.atomic():
        Need.objects.bulk_create([Need(community=community, area=area, source=Need.Source.SURVEY, kind=kind,
                                       category=category, title=title, detail=detail, people=people,
                                       submitted_by=actor, district_code=community.code[:6])
                                  for title, detail, area, category, kind, people in parsed])
        audit_record(actor=actor, action="matching.needs_import", obj=community, district_code=community.code[:6],
                     detail={"rows": len(parsed)})
    return len(parsed)
