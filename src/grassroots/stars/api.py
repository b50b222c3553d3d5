"""JSON API of the star ratings: the year's ratings of the branches in the caller's scope, one
branch's rating with each criterion's evidence, and an inspector's points for one criterion.
A branch outside the caller's scope is "not found" (404)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.core.errors import ErrorOut, api_call

from . import selectors
from .models import Basic, StarCriterion, StarRating
from .services import star_inspector_score, star_rating_compute

router = Router(auth=django_auth, tags=["stars"])
BIGGEST = 2**63 - 1
NOT_YOURS = {"detail": "没有这个党支部，或不在您的管辖范围"}


class RatingOut(Schema):
    org: int
    name: str
    area: str
    area_code: str
    year: int
    status: str
    version: int | None
    total: Decimal | None
    stars: int | None
    subtotals: dict[str, Decimal]
    last_year_total: Decimal | None
    last_year_stars: int | None


class ScoreOut(Schema):
    criterion: int
    basic: str
    name: str
    max_points: int
    source: str
    target: Decimal | None
    value: Decimal | None
    points: Decimal | None
    note: str
    evidence: dict


class RatingDetailOut(RatingOut):
    computed_at: datetime | None
    published_at: datetime | None
    scores: list[ScoreOut]


class ScoreIn(Schema):
    year: int
    criterion: int
    points: str
    note: str = ""


def _row(r: selectors.Row, year: int) -> dict:
    rt = r.rating
    return {"org": r.org.pk, "name": r.org.name, "area": r.org.area.name, "area_code": r.org.area.code, "year": year,
            "status": rt.status if rt else "unrated", "version": rt.version if rt else None,
            "total": rt.total if rt else None, "stars": rt.stars if rt else None,
            "subtotals": {k: Decimal(v) for k, v in (rt.subtotals if rt else {}).items() if k in Basic.values},
            "last_year_total": r.last.total if r.last else None, "last_year_stars": r.last.stars if r.last else None}


def _detail(org, scheme, rating: StarRating | None) -> dict:
    last = selectors.published_ratings(selectors.scheme_of(scheme.district_code, scheme.year - 1), [org.pk]).get(org.pk)
    out = _row(selectors.Row(org=org, rating=rating, last=last), scheme.year)
    scores = {s.criterion_id: s for s in rating.scores.all()} if rating else {}
    out.update(computed_at=rating.computed_at if rating else None, published_at=rating.published_at if rating else None,
               scores=[{"criterion": c.pk, "basic": c.basic, "name": c.name, "max_points": c.max_points,
                        "source": c.source, "target": c.target,
                        "value": scores[c.pk].value if c.pk in scores else None,
                        "points": scores[c.pk].points if c.pk in scores else None,
                        "note": scores[c.pk].note if c.pk in scores else "",
                        "evidence": scores[c.pk].evidence if c.pk in scores else {}}
                       for c in scheme.criteria.all()])
    return out


@router.get("/ratings", response={200: list[RatingOut], 403: ErrorOut, 404: ErrorOut}, url_name="stars_ratings",
            summary="一个年度本人管辖范围内各党支部的星级评定（area：街道或社区编码，可选）")
def ratings(request, year: int, area: str = "", district: str = ""):
    districts = selectors.districts_of(request.user)
    if not districts:
        return Status(403, {"detail": "没有查看星级评定的权限"})
    place = next((d for d in districts if d.code == district), districts[0])
    scheme = selectors.scheme_of(place.code, year)
    if scheme is None:
        return Status(404, {"detail": f"{year} 年度还没有评定方案"})
    under = area[:22] if area.startswith(place.code) else ""
    return [_row(r, year) for r in selectors.year_table(request.user, place.code, scheme, under)]


def _scheme_for(org, year: int):
    return selectors.scheme_of(org.area.code[:6], year)


@router.get("/ratings/{org_id}", response={200: RatingDetailOut, 404: ErrorOut}, url_name="stars_rating",
            summary="一个党支部的评定：各项得分与佐证")
def rating(request, org_id: int, year: int):
    org = selectors.branch_visible(request.user, min(org_id, BIGGEST))
    if org is None:
        return Status(404, NOT_YOURS)
    scheme = _scheme_for(org, year)
    if scheme is None:
        return Status(404, {"detail": f"{year} 年度还没有评定方案"})
    return _detail(org, scheme, selectors.current_ratings(scheme, [org.pk]).get(org.pk))


@router.post("/ratings/{org_id}/scores", response={200: RatingDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="stars_score", summary="考评人员评分（0 至该项分值；重复提交相同得分无副作用）")
def score(request, org_id: int, payload: ScoreIn):
    org = selectors.branch_visible(request.user, min(org_id, BIGGEST))
    if org is None or not selectors.access_for(request.user).can_rate(org.area.code):
        return Status(404, NOT_YOURS)
    scheme = _scheme_for(org, payload.year)
    if scheme is None:
        return Status(404, {"detail": f"{payload.year} 年度还没有评定方案"})
    criterion = StarCriterion.objects.filter(scheme=scheme, pk=min(payload.criterion, BIGGEST)).first()
    if criterion is None:
        return Status(400, {"detail": "请选择本年度评定方案中的评定内容", "errors": {"criterion": ["请选择本年度评定方案中的评定内容"]}})
    current = selectors.current_ratings(scheme, [org.pk]).get(org.pk)
    if current is None:
        result = api_call(star_rating_compute, lambda r: r, scheme=scheme, org=org, actor=request.user)
        if isinstance(result, Status):
            return result
        current = result
    return api_call(star_inspector_score, lambda _s: _detail(org, scheme, StarRating.objects.get(pk=current.pk)),
                    rating=current, criterion=criterion, points=payload.points, note=payload.note, actor=request.user)
