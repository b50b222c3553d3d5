"""Writes of the star ratings. Each checks who may (``selectors.access_for``), validates with
messages a person can act on, writes in one transaction and appends a ``StarRatingEvent`` with the
figures before and after (and an ``AuditEntry`` for whole-scheme steps).

The life of a rating: draft (评定中) → submitted (已上报, by the street or district) → published
(已发布, the district's whole year at once). A published rating is frozen: computing it again makes
the next version, a draft carrying the inspectors' points over; publishing that version marks the old
one superseded. Changing a submitted rating sends it back to draft.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.core.services import audit_record
from grassroots.orgs.models import PartyOrg

from . import formula
from .measures import MEASURES, RATED_LEVELS
from .models import (
    INSPECTOR,
    Basic,
    Source,
    StarCriterion,
    StarRating,
    StarRatingEvent,
    StarScheme,
    StarScore,
)
from .selectors import access_for, branches

S = StarRating.Status
TRANSITIONS = {
    S.DRAFT: {S.SUBMITTED},
    S.SUBMITTED: {S.DRAFT, S.PUBLISHED},
    S.PUBLISHED: {S.SUPERSEDED},
    S.SUPERSEDED: set(),
}
NAMES_SHOWN = 5

# The default scheme: the five basics, twenty points each (basic, name, points, source, target, guide).
DEFAULT_CRITERIA = [
    (Basic.ORGANISATION, "党员队伍规模", 10, Source.MEMBERS, 10, "组织关系在本支部（含党小组、党员中心户）的党员数"),
    (Basic.ORGANISATION, "组织设置与换届", 10, INSPECTOR, None, "支部设置规范、按期换届、支委分工明确"),
    (Basic.TEAM, "党员设岗定责", 10, Source.MEMBERS_ON_POST, 5, "双报到编入本支部并在岗的党员数"),
    (Basic.TEAM, "党员服务时长", 10, Source.SERVICE_HOURS, 100, "经社区核实的党员服务纪实时长"),
    (Basic.ACTIVITIES, "议事协商会议", 10, Source.MEETINGS, 12, "本区域召开的议事协商会议次数"),
    (Basic.ACTIVITIES, "志愿服务时长", 10, Source.VOLUNTEER_HOURS, 200, "本社区志愿活动确认的时长"),
    (Basic.SYSTEM, "“三会一课”落实", 10, INSPECTOR, None, "查阅会议记录、主题党日、组织生活会"),
    (Basic.SYSTEM, "议事决议办结", 10, Source.RESOLUTIONS_DONE, 6, "本区域议事决议全年办结的项数"),
    (Basic.POSITION, "党群服务阵地建设", 10, INSPECTOR, None, "阵地有场所、有标识、有制度、常开放"),
    (Basic.POSITION, "诉求解决率", 5, Source.RESOLUTION_RATE, 90, "本区域全年诉求的解决率（%）"),
    (Basic.POSITION, "群众满意率", 5, Source.SATISFACTION, 95, "本区域全年诉求的满意率（%）"),
]


# --- the scheme -------------------------------------------------------------------------------------------------

def scheme_ensure(*, district_code: str, year: int, actor) -> StarScheme:
    """The district's scheme for the year, made when missing: last year's criteria and thresholds,
    or the default (eleven criteria, 100 points, 50/60/70/80/90 for one to five stars)."""
    access = access_for(actor)
    if not (access.superuser or any(c.startswith(district_code) or district_code.startswith(c) for c in access.rate)):
        raise PermissionDenied("只有街道、区级组织部门管理员可以建立评定方案")
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": ["年度应为 2000–2100 之间的年份"]})
    existing = StarScheme.objects.filter(district_code=district_code, year=year).first()
    if existing is not None:
        return existing
    previous = StarScheme.objects.filter(district_code=district_code, year__lt=year).order_by("-year").first()
    with transaction.atomic():
        scheme, created = StarScheme.objects.get_or_create(
            district_code=district_code, year=year,
            defaults={f"star{n}": getattr(previous, f"star{n}") for n in range(1, 6)} if previous else {})
        if not created:
            return scheme
        if previous is not None:
            rows = [StarCriterion(scheme=scheme, district_code=scheme.district_code, order=c.order, basic=c.basic, name=c.name, max_points=c.max_points,
                                  source=c.source, target=c.target, guide=c.guide) for c in previous.criteria.all()]
        else:
            rows = [StarCriterion(scheme=scheme, district_code=scheme.district_code, order=i, basic=basic, name=name, max_points=points, source=source,
                                  target=target, guide=guide)
                    for i, (basic, name, points, source, target, guide) in enumerate(DEFAULT_CRITERIA, start=1)]
        StarCriterion.objects.bulk_create(rows)
        audit_record(actor=actor, action="stars.scheme", obj=scheme, district_code=district_code,
                     detail={"year": year, "from": previous.year if previous else "default", "criteria": len(rows)})
    return scheme


# --- one rating -------------------------------------------------------------------------------------------------

def _snapshot(rating: StarRating, scores=None) -> dict:
    out = {"version": rating.version, "status": rating.status, "total": str(rating.total), "stars": rating.stars}
    if scores is not None:
        out["scores"] = {str(s.criterion_id): None if s.points is None else str(s.points) for s in scores}
    return out


def _event(rating: StarRating, action: str, actor, before: dict, after: dict, note: str = "") -> None:
    StarRatingEvent.objects.create(rating=rating, action=action, actor=actor if getattr(actor, "pk", None) else None,
                                   before=before, after=after, note=note[:300])


def _retotal(rating: StarRating, scores: list[StarScore]) -> None:
    criteria = {c.pk: c for c in rating.scheme.criteria.all()}
    subtotals = {b: Decimal(0) for b in Basic.values}
    pairs = []
    for s in scores:
        c = criteria[s.criterion_id]
        pairs.append((s.points, c.max_points))
        subtotals[c.basic] += formula.capped(s.points, c.max_points)
    rating.total = formula.total(pairs)
    rating.stars = formula.stars_for(rating.total, rating.scheme.thresholds)
    rating.subtotals = {k: str(formula.tenth(v)) for k, v in subtotals.items()}


def _check_branch(scheme: StarScheme, org: PartyOrg, actor) -> None:
    if org.level not in RATED_LEVELS or not org.area.code.startswith(scheme.district_code):
        raise ValidationError({"org": ["只评定本区县网格、村（社区）一级的党支部"]})
    if not access_for(actor).can_rate(org.area.code):
        raise PermissionDenied("只有所在街道或区级组织部门管理员可以评定这个党支部")


def measure_all(scheme: StarScheme, org: PartyOrg) -> dict[int, tuple]:
    """criterion id → (value, evidence, points) for the scheme's automatic criteria."""
    out = {}
    org._stars_kpi = {}  # one KPI computation for the measures that share it
    try:
        for c in scheme.criteria.all():
            if c.automatic and c.source in MEASURES:
                value, evidence = MEASURES[c.source].fn(org, scheme.year)
                out[c.pk] = (value, evidence, formula.auto_points(value, c.target, c.max_points))
    finally:
        del org._stars_kpi
    return out


def _new_version(old: StarRating, actor) -> StarRating:
    """The next version of a frozen rating: a draft with the inspectors' points carried over."""
    old.current = False
    old.save(update_fields=["current"])
    row = StarRating.objects.create(scheme=old.scheme, org=old.org, version=old.version + 1, area_code=old.area_code,
                                    district_code=old.district_code, total=old.total, stars=old.stars,
                                    subtotals=old.subtotals)
    StarScore.objects.bulk_create([StarScore(rating=row, district_code=row.district_code, criterion_id=s.criterion_id, value=s.value, points=s.points,
                                             evidence=s.evidence, note=s.note, scored_by_id=s.scored_by_id,
                                             scored_at=s.scored_at) for s in old.scores.all()])
    _event(row, StarRatingEvent.Action.VERSIONED, actor, _snapshot(old), _snapshot(row),
           note=f"第 {old.version} 版已发布，生成第 {row.version} 版")
    return row


def star_rating_compute(*, scheme: StarScheme, org: PartyOrg, actor, measured: dict | None = None) -> StarRating:
    """(Re)compute the automatic criteria of a branch's rating, keeping the inspectors' points.
    ``measured`` (from ``measure_all``) lets a caller measure outside the lock."""
    _check_branch(scheme, org, actor)
    measured = measure_all(scheme, org) if measured is None else measured
    now = timezone.now()
    with transaction.atomic():
        PartyOrg.objects.select_for_update().filter(pk=org.pk).first()  # one writer per branch
        rating = StarRating.objects.select_for_update().filter(scheme=scheme, org=org, current=True).first()
        if rating is None:
            rating = StarRating.objects.create(scheme=scheme, org=org, area_code=org.area.code,
                                               district_code=scheme.district_code)
        elif rating.frozen:
            rating = _new_version(rating, actor)
        rating.scheme = scheme
        scores = {s.criterion_id: s for s in rating.scores.all()}
        before = _snapshot(rating, scores.values())
        new, changed = [], []
        for c in scheme.criteria.all():
            s = scores.get(c.pk)
            if s is None:
                s = scores[c.pk] = StarScore(rating=rating, district_code=rating.district_code, criterion=c)
                new.append(s)
            elif c.pk in measured:
                changed.append(s)
            if c.pk in measured:
                s.value, s.evidence, s.points = measured[c.pk]
                s.scored_at = now
        StarScore.objects.bulk_create(new)
        StarScore.objects.bulk_update(changed, ["value", "evidence", "points", "scored_at"])
        _retotal(rating, list(scores.values()))
        was = rating.status
        rating.status, rating.computed_at = S.DRAFT, now
        rating.save(update_fields=["total", "stars", "subtotals", "status", "computed_at"])
        _event(rating, StarRatingEvent.Action.COMPUTED, actor, before, _snapshot(rating, scores.values()),
               note="已上报的评定重新计算后退回评定中" if was == S.SUBMITTED else "")
    return rating


def star_ratings_compute_all(*, scheme: StarScheme, actor, under: str = "") -> int:
    """Compute every branch the actor rates (under ``under``, a street or community code), all or none."""
    access = access_for(actor)
    orgs = list(branches(scheme.district_code).filter(access.rate_q("area__code"))
                .filter(area__code__startswith=under or scheme.district_code).select_related("area"))
    if not orgs:
        raise PermissionDenied("您管辖的范围内没有可评定的党支部")
    scheme = StarScheme.objects.prefetch_related("criteria").get(pk=scheme.pk)  # criteria read once
    with transaction.atomic():
        for org in orgs:
            star_rating_compute(scheme=scheme, org=org, actor=actor)
        audit_record(actor=actor, action="stars.compute_all", obj=scheme, district_code=scheme.district_code,
                     detail={"year": scheme.year, "under": under, "branches": len(orgs)})
    return len(orgs)


def _points(raw, c: StarCriterion, errors: dict) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    if not text:
        errors["points"] = [f"请填写“{c.name}”的得分（0–{c.max_points} 分）"]
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors["points"] = [f"得分须为数字，如 8 或 8.5（“{c.name}”满分 {c.max_points} 分）"]
        return None
    if not value.is_finite() or not 0 <= value <= c.max_points:
        errors["points"] = [f"得分须在 0–{c.max_points} 分之间（“{c.name}”满分 {c.max_points} 分）"]
        return None
    if value != formula.tenth(value):
        errors["points"] = ["得分最多保留一位小数"]
        return None
    return formula.tenth(value)


def star_inspector_score(*, rating: StarRating, criterion: StarCriterion, points, note: str = "", actor) -> StarScore:
    """An inspector's points (0 … max) for one criterion scored by hand."""
    if not access_for(actor).can_rate(rating.area_code):
        raise PermissionDenied("只有所在街道或区级组织部门管理员可以评分")
    errors: dict[str, list[str]] = {}
    if criterion.scheme_id != rating.scheme_id:
        errors["criterion"] = ["这项评定内容不属于本年度的评定方案"]
    elif criterion.automatic:
        errors["criterion"] = [f"“{criterion.name}”由系统根据平台数据自动计算，不能手工评分"]
    value = _points(points, criterion, errors) if "criterion" not in errors else None
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = [f"评分说明最多300个字（现有{len(note)}个字）"]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rating = StarRating.objects.select_for_update().select_related("scheme").get(pk=rating.pk)
        if not rating.current or rating.frozen:
            raise ValidationError({"__all__": ["这份评定已发布，不能再修改；如需更正，请先“重新计算”生成新版本后再评分"]})
        scores = {s.criterion_id: s for s in rating.scores.all()}
        score = scores.get(criterion.pk) or StarScore(rating=rating, criterion=criterion)
        if score.pk and score.points == value and score.note == note:
            return score  # the same form sent twice
        before = _snapshot(rating, scores.values())
        old_points = score.points
        score.points, score.note, score.scored_by, score.scored_at = value, note, actor, timezone.now()
        score.save()
        scores[criterion.pk] = score
        _retotal(rating, list(scores.values()))
        was = rating.status
        rating.status = S.DRAFT
        rating.save(update_fields=["total", "stars", "subtotals", "status"])
        _event(rating, StarRatingEvent.Action.SCORED, actor, before, _snapshot(rating, scores.values()),
               note=f"{criterion.name}：{'—' if old_points is None else old_points} → {value}"
                    + ("（已上报的评定退回评定中）" if was == S.SUBMITTED else ""))
    return score


# --- the year ---------------------------------------------------------------------------------------------------

def _names(ratings) -> str:
    names = [r.org.name for r in ratings[:NAMES_SHOWN]]
    return "、".join(names) + ("等" if len(ratings) > NAMES_SHOWN else "")


def star_rating_submit(*, scheme: StarScheme, actor, under: str = "") -> int:
    """Submit (上报) every draft the actor rates, under ``under``; each needs all inspectors' points."""
    access = access_for(actor)
    if not access.superuser and not any(c.startswith(scheme.district_code) for c in access.rate):
        raise PermissionDenied("只有街道、区级组织部门管理员可以上报评定结果")
    with transaction.atomic():
        drafts = list(StarRating.objects.select_for_update().filter(
            access.rate_q(), scheme=scheme, current=True, status=S.DRAFT,
            area_code__startswith=under or scheme.district_code).select_related("org").order_by("area_code"))
        inspector_ids = set(scheme.criteria.filter(source=INSPECTOR).values_list("pk", flat=True))
        missing = [r for r in drafts if set(r.scores.filter(points__isnull=False, criterion_id__in=inspector_ids)
                                            .values_list("criterion_id", flat=True)) != inspector_ids]
        if missing:
            raise ValidationError({"__all__": [f"{len(missing)} 个党支部还有考评项未评分：{_names(missing)}。"
                                               "请在党支部页面填写考评得分后再上报"]})
        for r in drafts:
            r.status = S.SUBMITTED
            r.save(update_fields=["status"])
            _event(r, StarRatingEvent.Action.SUBMITTED, actor, {"status": S.DRAFT}, {"status": S.SUBMITTED})
    return len(drafts)


def star_rating_publish(*, scheme: StarScheme, actor) -> int:
    """Publish the year's ratings of the whole district at once (the district administrator).
    Every branch needs a submitted rating; the ratings published before for the same branches are
    superseded. Publishing again with nothing new changes nothing."""
    if not access_for(actor).can_publish(scheme.district_code):
        raise PermissionDenied("只有区级管理员可以发布星级评定结果")
    now = timezone.now()
    with transaction.atomic():
        scheme = StarScheme.objects.select_for_update().get(pk=scheme.pk)
        current = {r.org_id: r for r in StarRating.objects.select_for_update().filter(scheme=scheme, current=True)
                   .select_related("org").order_by("area_code")}
        orgs = list(branches(scheme.district_code).order_by("area__code"))
        unrated = [o for o in orgs if o.pk not in current]
        drafts = [r for r in current.values() if r.status == S.DRAFT]
        problems = []
        if unrated:
            names = "、".join(o.name for o in unrated[:NAMES_SHOWN]) + ("等" if len(unrated) > NAMES_SHOWN else "")
            problems.append(f"{len(unrated)} 个党支部还没有评定：{names}")
        if drafts:
            problems.append(f"{len(drafts)} 个党支部的评定还未上报：{_names(drafts)}")
        if problems:
            raise ValidationError({"__all__": ["；".join(problems) + "。全部上报后才能发布"]})
        todo = [r for r in current.values() if r.status == S.SUBMITTED]
        old = {r.org_id: r for r in StarRating.objects.select_for_update().filter(
            scheme=scheme, status=S.PUBLISHED, org_id__in=[r.org_id for r in todo])}
        for r in todo:
            if r.org_id in old:
                prev = old[r.org_id]
                prev.status = S.SUPERSEDED
                prev.save(update_fields=["status"])
                _event(prev, StarRatingEvent.Action.SUPERSEDED, actor, {"status": S.PUBLISHED},
                       {"status": S.SUPERSEDED}, note=f"由第 {r.version} 版替代")
            r.status, r.published_at = S.PUBLISHED, now
            r.save(update_fields=["status", "published_at"])
            _event(r, StarRatingEvent.Action.PUBLISHED, actor, {"status": S.SUBMITTED},
                   {"status": S.PUBLISHED, "total": str(r.total), "stars": r.stars})
        if todo or not scheme.published:
            scheme.published, scheme.published_at = True, now
            scheme.save(update_fields=["published", "published_at"])
            audit_record(actor=actor, action="stars.publish", obj=scheme, district_code=scheme.district_code,
                         detail={"year": scheme.year, "published": len(todo)})
    return len(todo)
