"""JSON API of 议事协商: the public list of practical matters and a community's topics and votes (no
login; public fields only: a proposer as "居民 王*", a secret vote's counts only once it is closed),
proposing and supporting topics and casting a ballot (verified residents), and the resolutions a
community's staff track and their owners report on."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status
from ninja.security import django_auth

from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.core.errors import ErrorOut, api_call

from . import selectors
from .models import Resolution, Topic, Vote
from .services import (
    may_manage,
    may_report,
    resolution_progress,
    results,
    topic_propose,
    topic_support,
    vote_cast,
)

router = Router(auth=django_auth, tags=["deliberation"])
BIGGEST = 2**63 - 1


class TopicOut(Schema):
    id: int
    title: str
    body: str
    area: str
    proposer: str
    status: str
    supports: int
    created_at: datetime


class TopicIn(Schema):
    area: str
    title: str
    body: str


class VoteOut(Schema):
    id: int
    question: str
    unit: str
    secret: bool
    status: str
    opens_at: datetime
    closes_at: datetime
    passed: bool | None
    result: str
    counts: dict[str, int] | None = None
    turnout: float | None = None


class BallotIn(Schema):
    choice: str


class BallotOut(Schema):
    vote: int
    channel: str


class ResolutionOut(Schema):
    id: int
    community: str
    title: str
    detail: str
    owner: str
    deadline: date
    progress: int
    status: str
    practical: bool
    overdue: bool
    kind: str = "resolution"


class ProgressIn(Schema):
    text: str
    progress: int


def _topic(t: Topic) -> dict:
    return {"id": t.pk, "title": t.title, "body": t.body, "area": t.area.name, "proposer": t.proposer_label,
            "status": t.status, "supports": t.supports, "created_at": t.created_at}


def _vote(v: Vote, *, shown: bool) -> dict:
    out = {"id": v.pk, "question": v.question, "unit": v.unit, "secret": v.secret, "status": v.status,
           "opens_at": v.opens_at, "closes_at": v.closes_at, "passed": v.passed, "result": v.result_note}
    if shown:
        outcome = results(v)
        out |= {"counts": outcome["counts"], "turnout": outcome["turnout"]}
    return out


def _resolution(r: Resolution) -> dict:
    return {"id": r.pk, "community": r.community.name, "title": r.title, "detail": r.detail, "owner": r.owner_label(),
            "deadline": r.deadline, "progress": r.progress, "status": r.status, "practical": r.practical,
            "overdue": r.overdue}


def _community(code: str) -> Area | None:
    return Area.objects.filter(code=(code or "")[:30], level=Level.COMMUNITY).first()


@router.get("/practical", auth=None, response={200: list[ResolutionOut], 404: ErrorOut},
            url_name="deliberation_practical", summary="为民办实事清单（公开；社区或街道编码）")
def practical(request, place: str):
    from grassroots.matching.selectors import practical_projects

    area = Area.objects.filter(code=(place or "")[:30], level__in=(Level.STREET, Level.COMMUNITY)).first()
    if area is None:
        return Status(404, {"detail": "没有这个街道或社区"})
    rows = [_resolution(r) for r in selectors.practical(area)]
    rows += [{"id": p.pk, "community": p.community.name, "title": p.title, "detail": p.detail,
              "owner": p.owner_label(), "deadline": p.deadline, "progress": p.progress, "status": p.status,
              "practical": True, "overdue": p.overdue, "kind": "project"} for p in practical_projects(area)]
    return rows


@router.get("/topics", auth=None, response={200: list[TopicOut], 404: ErrorOut}, url_name="deliberation_topics",
            summary="社区的居民议题（公开）")
def topics(request, community: str):
    place = _community(community)
    if place is None:
        return Status(404, {"detail": "没有这个社区"})
    return [_topic(t) for t in selectors.topics(place)[:100]]


@router.post("/topics", response={201: TopicOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="deliberation_topic_propose", summary="提出议题（实名认证的居民，为自己所在的楼栋、网格或社区）")
def propose(request, payload: TopicIn):
    area = Area.objects.filter(code=(payload.area or "")[:30],
                               level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING)).first()
    if area is None:
        return Status(404, {"detail": "没有这个范围（请给出社区、网格或楼栋编码）"})
    return api_call(topic_propose, _topic, created=True, user=request.user, area=area, title=payload.title,
                    body=payload.body)


@router.post("/topics/{pk}/support", response={200: TopicOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="deliberation_topic_support", summary="支持议题（同一人只计一次）")
def support(request, pk: int):
    topic = outlines_unread(Topic.objects.select_related("area", "community")).filter(pk=min(pk, BIGGEST)).first()
    if topic is None:
        return Status(404, {"detail": "没有这个议题"})
    return api_call(topic_support, _topic, topic=topic, user=request.user)


@router.get("/votes/{pk}", auth=None, response={200: VoteOut, 404: ErrorOut}, url_name="deliberation_vote",
            summary="表决（结束后公布各选项票数和参与率；无记名投票从不公开谁投了什么）")
def vote(request, pk: int):
    row = outlines_unread(Vote.objects.select_related("community")).filter(pk=min(pk, BIGGEST)).first()
    if row is None:
        return Status(404, {"detail": "没有这个表决"})
    shown = row.status == Vote.Status.CLOSED or (request.user.is_authenticated
                                                 and may_manage(request.user, row.community.code))
    return _vote(row, shown=shown)


@router.post("/votes/{pk}/ballot", response={201: BallotOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="deliberation_ballot", summary="投票（一户一票或一人一票；重复投票被拒绝）")
def ballot(request, pk: int, payload: BallotIn):
    row = outlines_unread(Vote.objects.select_related("community", "area")).filter(pk=min(pk, BIGGEST)).first()
    if row is None:
        return Status(404, {"detail": "没有这个表决"})
    return api_call(vote_cast, lambda r: {"vote": row.pk, "channel": r.channel}, created=True, vote=row,
                    user=request.user, choice=payload.choice)


@router.get("/resolutions", response={200: list[ResolutionOut], 404: ErrorOut}, url_name="deliberation_resolutions",
            summary="社区推进中的决议（社区工作人员）")
def resolutions(request, community: str):
    place = _community(community)
    if place is None or not may_manage(request.user, place.code):
        return Status(404, {"detail": "没有这个社区，或不在您的管辖范围"})
    return [_resolution(r) for r in selectors.open_resolutions(place)[:300]]


@router.post("/resolutions/{pk}/progress", response={200: ResolutionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             url_name="deliberation_progress", summary="填报决议进展（责任方或社区工作人员；100 即办结）")
def progress(request, pk: int, payload: ProgressIn):
    row = outlines_unread(Resolution.objects.select_related("community", "owner_unit", "owner_user")).filter(pk=min(pk, BIGGEST)).first()
    if row is None or not may_report(request.user, row):
        return Status(404, {"detail": "没有这项决议，或您不是它的责任方"})
    return api_call(resolution_progress, lambda _note: _resolution(Resolution.objects.select_related(
        "community", "owner_unit", "owner_user").get(pk=row.pk)), resolution=row, actor=request.user,
        text=payload.text, progress=payload.progress)
