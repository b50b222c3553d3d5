"""The automatic measures of a rating: each a function of a Party branch and a year that returns
(value, evidence) from what the platform holds. ``value`` is a number (None: nothing to measure);
``evidence`` a small JSON the branch's page shows — a one-line summary, a few figures and up to
``ITEMS`` records with links.

Where a branch's records are: a grid branch (网格党支部) owns its grid; a village branch, or a
community's own branch, its community. Records kept per community (meetings, resolutions, volunteer
activities) count for every branch of the community, unless they name a narrower place (a meeting's
invited building or grid, a resolution's topic area) outside the branch's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from grassroots.areas.models import CODE_LENGTHS, Area, Level
from grassroots.assessment.kpis import compute
from grassroots.assessment.selectors import kpi_settings_for
from grassroots.cases.models import Case
from grassroots.deliberation.models import Meeting, Resolution
from grassroots.orgs.models import PartyLevel, PartyOrg
from grassroots.people.models import PartyMember
from grassroots.service.models import Decision, MemberRegistration, ServiceRecord
from grassroots.volunteers.models import Signup
from grassroots.volunteers.services import confirmed_hours_q

from .models import Source

ITEMS = 8
COMMUNITY_LEN = CODE_LENGTHS[Level.COMMUNITY]
# The Party organisations rated: the branches at grid and village (community) level.
RATED_LEVELS = (PartyLevel.GRID_BRANCH, PartyLevel.VILLAGE_BRANCH)

Result = tuple[Decimal | None, dict]


@dataclass(frozen=True)
class Measure:
    key: str
    unit: str
    fn: Callable[[PartyOrg, int], Result]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year's first instant and the next year's, in local time."""
    return timezone.make_aware(datetime(year, 1, 1)), timezone.make_aware(datetime(year + 1, 1, 1))


def _codes(org: PartyOrg) -> tuple[str, str, list[str]]:
    """(the branch's area code, its community's code, the codes of the area and its ancestors)."""
    code = org.area.code
    return code, code[:COMMUNITY_LEN], org.area.ancestor_codes()


def _for_branch(place: str | None, code: str, ancestors: list[str]) -> bool:
    """A record with no narrower place, or a place that contains or lies within the branch's area.
    (Filtered here, over the few rows of one community's year: one indexed query per measure.)"""
    return place is None or place in ancestors or place.startswith(code)


def _community_id(org: PartyOrg) -> int | None:
    area = org.area
    if area.level == Level.COMMUNITY:
        return area.pk
    if area.level == Level.GRID:
        return area.parent_id
    return Area.objects.filter(code=area.code[:COMMUNITY_LEN]).values_list("pk", flat=True).first()


def _dec(value) -> Decimal:
    return Decimal(str(value or 0))


def meetings(org: PartyOrg, year: int) -> Result:
    """议事协商会议: meetings held in the year in the branch's community (and for its area)."""
    code, community, ancestors = _codes(org)
    start, stop = year_bounds(year)
    rows = [m for m in Meeting.objects.filter(community_id=_community_id(org), status=Meeting.Status.HELD,
                                              starts_at__gte=start, starts_at__lt=stop)
            .order_by("-starts_at").values("pk", "title", "starts_at", "invite_area__code")
            if _for_branch(m["invite_area__code"], code, ancestors)]
    n = len(rows)
    tz = timezone.get_current_timezone()
    items = [{"text": f"{m['starts_at'].astimezone(tz):%Y-%m-%d} {m['title']}",
              "url": reverse("deliberation:meeting_public", args=[m["pk"]])} for m in rows[:ITEMS]]
    return _dec(n), {"summary": f"全年召开议事协商会议 {n} 次", "figures": {"会议": n}, "items": items}


def service_hours(org: PartyOrg, year: int) -> Result:
    """党员服务时长: verified service records (双报到纪实) of the members placed in the branch."""
    qs = ServiceRecord.objects.filter(registration__branch=org, status=ServiceRecord.Status.VERIFIED,
                                      served_on__year=year)
    agg = qs.aggregate(hours=Sum("hours"), n=Count("pk"), members=Count("registration", distinct=True))
    hours = _dec(agg["hours"])
    items = [{"text": f"{r.served_on:%Y-%m-%d} {r.what}（{r.hours} 小时）"} for r in qs.order_by("-served_on")[:ITEMS]]
    return hours, {"summary": f"{agg['members']} 名党员服务 {agg['n']} 次，共 {hours} 小时",
                   "figures": {"党员": agg["members"], "服务次数": agg["n"], "小时": float(hours)}, "items": items}


def _kpi(org: PartyOrg, year: int):
    """The KPIs of the year's cases in the branch's area (within ``measure_all``, computed once for
    the two measures that read them)."""
    memo = org.__dict__.get("_stars_kpi")
    if memo is None:
        memo = {}
    if year not in memo:
        code = org.area.code
        start, stop = year_bounds(year)
        cases = Case.objects.filter(area_code__startswith=code, created_at__gte=start, created_at__lt=stop)
        memo[year] = compute(cases, params=kpi_settings_for(code[:6]), now=timezone.now())[""]
    return memo[year]


def _rate(value: float | None) -> Decimal | None:
    return None if value is None else (Decimal(str(value)) * 100).quantize(Decimal("0.01"))


def resolution_rate(org: PartyOrg, year: int) -> Result:
    """诉求解决率: the resolution rate of the year's cases in the branch's area (docs/kpi.md)."""
    k = _kpi(org, year)
    rate = _rate(k.resolution_rate)
    summary = (f"受理 {k.counted} 件，解决 {k.resolved} 件，解决率 {rate}%" if rate is not None
               else "全年本区域没有计入考核的诉求（按满分计）")
    return rate, {"summary": summary, "figures": {"上报": k.received, "计入考核": k.counted, "已解决": k.resolved},
                  "items": [{"text": "考核排名", "url": f"{reverse('assessment:index')}?area={org.area.code}"}]}


def satisfaction(org: PartyOrg, year: int) -> Result:
    """群众满意率: (满意 + 0.9 × 基本满意) ÷ 已评价, of the year's cases in the branch's area."""
    k = _kpi(org, year)
    rate = _rate(k.satisfaction_rate)
    summary = (f"已评价 {k.rated} 件：满意 {k.satisfied}、基本满意 {k.basic}、不满意 {k.unsatisfied}，满意率 {rate}%"
               if rate is not None else "全年本区域没有评价过的诉求（按满分计）")
    return rate, {"summary": summary, "figures": {"已评价": k.rated, "满意": k.satisfied, "基本满意": k.basic,
                                                  "不满意": k.unsatisfied}, "items": []}


def resolutions_done(org: PartyOrg, year: int) -> Result:
    """议事决议办结: resolutions of the branch's community done in the year (for its area)."""
    code, community, ancestors = _codes(org)
    start, stop = year_bounds(year)
    rows = [r for r in Resolution.objects.filter(community_id=_community_id(org), status=Resolution.Status.DONE,
                                                 parent__isnull=True, done_at__gte=start, done_at__lt=stop)
            .order_by("-done_at").values("pk", "title", "done_at", "topic__area__code")
            if _for_branch(r["topic__area__code"], code, ancestors)]
    n = len(rows)
    tz = timezone.get_current_timezone()
    items = [{"text": f"{r['done_at'].astimezone(tz):%Y-%m-%d} {r['title']}",
              "url": reverse("deliberation:resolution", args=[r["pk"]])} for r in rows[:ITEMS]]
    return _dec(n), {"summary": f"全年办结议事决议 {n} 项", "figures": {"办结": n}, "items": items}


def members(org: PartyOrg, year: int) -> Result:
    """党员人数: members whose Party relation is in the branch or in its groups and households."""
    qs = PartyMember.objects.filter(Q(org=org) | Q(org__parent=org) | Q(org__parent__parent=org))
    agg = qs.aggregate(n=Count("pk"), in_service=Count("pk", filter=Q(in_service=True)))
    registered = MemberRegistration.objects.filter(branch=org, status=Decision.APPROVED).count()
    n = agg["n"]
    return _dec(n), {"summary": f"组织关系在本支部的党员 {n} 名（在职 {agg['in_service']} 名），"
                                f"双报到编入本支部 {registered} 名",
                     "figures": {"党员": n, "在职党员": agg["in_service"], "双报到": registered}, "items": []}


def members_on_post(org: PartyOrg, year: int) -> Result:
    """在岗党员: members placed in the branch (双报到) who hold a post (设岗定责) in the year."""
    start, stop = date(year, 1, 1), date(year, 12, 31)
    held = Q(assignments__since__lte=stop) & (Q(assignments__until__isnull=True) | Q(assignments__until__gte=start))
    qs = MemberRegistration.objects.filter(branch=org, status__in=(Decision.APPROVED, Decision.ENDED)).filter(held)
    n = qs.values("pk").distinct().count()
    posts = (qs.values("assignments__post__name").annotate(n=Count("pk", distinct=True))
             .order_by("-n", "assignments__post__name")[:ITEMS])
    items = [{"text": f"{p['assignments__post__name']}：{p['n']} 名"} for p in posts]
    return _dec(n), {"summary": f"设岗定责、在岗的党员 {n} 名", "figures": {"在岗党员": n}, "items": items}


def volunteer_hours(org: PartyOrg, year: int) -> Result:
    """志愿服务时长: confirmed hours of the year's volunteer activities in the branch's community."""
    start, stop = year_bounds(year)
    qs = Signup.objects.filter(confirmed_hours_q(), activity__community_id=_community_id(org),
                               activity__starts_at__gte=start, activity__starts_at__lt=stop)
    agg = qs.aggregate(hours=Sum("hours"), people=Count("volunteer", distinct=True),
                       activities=Count("activity", distinct=True))
    hours = _dec(agg["hours"])
    top = (qs.values("activity_id", "activity__title").annotate(h=Sum("hours"))
           .order_by("-h", "activity_id")[:ITEMS])
    items = [{"text": f"{a['activity__title']}（{a['h']} 小时）", "url": reverse("volunteers:activity",
                                                                               args=[a["activity_id"]])} for a in top]
    return hours, {"summary": f"{agg['activities']} 场活动、{agg['people']} 名志愿者，共 {hours} 小时",
                   "figures": {"活动": agg["activities"], "志愿者": agg["people"], "小时": float(hours)},
                   "items": items}


MEASURES: dict[str, Measure] = {m.key: m for m in (
    Measure(Source.MEETINGS, "次", meetings),
    Measure(Source.SERVICE_HOURS, "小时", service_hours),
    Measure(Source.RESOLUTION_RATE, "%", resolution_rate),
    Measure(Source.SATISFACTION, "%", satisfaction),
    Measure(Source.RESOLUTIONS_DONE, "项", resolutions_done),
    Measure(Source.MEMBERS, "名", members),
    Measure(Source.MEMBERS_ON_POST, "名", members_on_post),
    Measure(Source.VOLUNTEER_HOURS, "小时", volunteer_hours),
)}
