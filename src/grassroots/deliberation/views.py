"""议事协商 pages. Public (no login): a community's topics, meetings with their minutes and
resolutions, votes with their results, conventions, and the 为民办实事 list of a community or street.
A verified resident (on the phone): propose, support, vote, check in. Staff: plan meetings, take the
minutes, record resolutions, open and close votes. Owners: report progress with evidence. The grid
worker: enter a paper ballot."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.areas.models import Area, Level, outlines_unread
from grassroots.cases.views_shared import case_or_404
from grassroots.core import errors
from grassroots.core.params import bounded_date, bounded_datetime
from grassroots.deliberation.services import COMMUNITY_LEN
from grassroots.matching.models import Project
from grassroots.matching.selectors import practical_projects
from grassroots.portal.views import _district

from . import selectors
from .models import AgendaItem, Convention, Meeting, Resolution, Series, Topic, Vote
from .services import (
    agenda_add_case,
    agenda_add_topic,
    checkin,
    checkin_code,
    convention_create,
    lives_under,
    may_manage,
    may_report,
    meeting_plan,
    meeting_record,
    open_similar_cases,
    resolution_add,
    resolution_drop,
    resolution_progress,
    results,
    rules_for,
    rules_save,
    series_create,
    topic_close,
    topic_propose,
    topic_support,
    verified_household,
    version_propose,
    vote_cast,
    vote_close,
    vote_open,
    vote_paper,
)


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    return response


def _when(raw: str, label: str = "时间") -> datetime | None:
    """A moment typed in a form (Asia/Shanghai unless it says otherwise); empty is None, a wrong one
    (or year 1, 9999: it would overflow on its way to UTC) a ValidationError."""
    moment = bounded_datetime(raw, label=label)
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


def _community(code: str) -> Area:
    found = Area.objects.filter(code=code, level=Level.COMMUNITY).select_related("parent").first()
    if found is None:
        raise Http404(_("没有这个社区"))
    return found


# --- public and residents ---------------------------------------------------------------------------------

@require_GET
def index(request: HttpRequest) -> HttpResponse:
    household = verified_household(request.user)
    if household is not None:
        return redirect("deliberation:community", code=household.code[:COMMUNITY_LEN])
    district = _district(request)
    communities = Area.objects.under(district.code).filter(level=Level.COMMUNITY).select_related("parent").order_by("code")
    return render(request, "deliberation/index.html", {"communities": communities, "active": "deliberation"})


@require_GET
def community(request: HttpRequest, code: str) -> HttpResponse:
    place = _community(code)
    household = verified_household(request.user)
    mine = household is not None and household.code.startswith(place.code)
    return render(request, "deliberation/community.html", {
        "community": place, "mine": mine, "household": household, "active": "deliberation",
        "topics": selectors.topics(place)[:50], "votes": selectors.votes(place)[:20],
        "meetings": selectors.meetings(place)[:12], "conventions": Convention.objects.filter(community=place),
        "overdue": selectors.overdue(place)[:20], "manager": may_manage(request.user, place.code)})


@login_required(login_url="portal:signin")
@require_http_methods(["GET", "POST"])
def topic_new(request: HttpRequest) -> HttpResponse:
    household = verified_household(request.user)
    areas = selectors.proposal_areas(request.user, household)
    if not areas:
        raise PermissionDenied(_("议题由已核验的居民（或在此服务的党员、共建单位）提出：请先在“我的”完成住户核验"))
    problems: dict = {}
    if request.method == "POST":
        area = next((a for a in areas if a.code == request.POST.get("area")), None)
        try:
            if area is None:
                raise ValidationError({"area": [_("请选择议题范围")]})
            topic = topic_propose(user=request.user, area=area, title=request.POST.get("title", ""),
                                  body=request.POST.get("body", ""))
            messages.success(request, _("议题已提出，邀请邻居们来支持吧"))
            return redirect("deliberation:topic", pk=topic.pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return _private(render(request, "deliberation/topic_new.html", {
        "areas": areas, "errors": problems, "data": request.POST, "active": "deliberation"},
        status=400 if problems else 200))


@require_http_methods(["GET", "POST"])
def topic(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Topic.objects.select_related("community", "area")).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这个议题"))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/r/login/?next={request.path}")
        try:
            topic_support(topic=row, user=request.user)
            messages.success(request, _("已支持"))
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        return redirect("deliberation:topic", pk=pk)
    can_support = lives_under(request.user, row.area) is not None
    supported = request.user.is_authenticated and row.support_rows.filter(user=request.user).exists()
    return _private(render(request, "deliberation/topic.html", {
        "topic": row, "can_support": can_support, "supported": supported, "active": "deliberation",
        "threshold": rules_for(row.community).topic_threshold, "votes": row.votes.all(),
        "resolutions": row.resolutions.all(), "manager": may_manage(request.user, row.community.code)}))


@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Vote.objects.select_related("community", "area", "topic")).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这个表决"))
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/r/login/?next={request.path}")
        try:
            if request.POST.get("action") == "close":
                vote_close(vote=row, actor=request.user)
                messages.success(request, _("表决已结束，结果已公布"))
            else:
                vote_cast(vote=row, user=request.user, choice=request.POST.get("choice", ""))
                messages.success(request, _("投票成功"))
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        return redirect("deliberation:vote", pk=pk)
    household = lives_under(request.user, row.area)
    voted = selectors.has_voted(row, request.user, household)
    shown = row.status == Vote.Status.CLOSED or may_manage(request.user, row.community.code)
    return _private(render(request, "deliberation/vote.html", {
        "vote": row, "household": household, "voted": voted, "results": results(row) if shown else None,
        "choices": Vote.CHOICES, "manager": may_manage(request.user, row.community.code),
        "can_paper": selectors.paper_households(request.user, row) is not None, "active": "deliberation"}))


@login_required
@require_http_methods(["GET", "POST"])
def vote_paper_entry(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Vote.objects.select_related("community", "area")).filter(pk=pk).first()
    households = selectors.paper_households(request.user, row) if row else None
    if row is None or households is None:
        raise Http404(_("没有这个表决，或您不负责这里的入户收票"))
    if request.method == "POST":
        home = households.filter(pk=request.POST.get("household") or 0).first()
        try:
            if home is None:
                raise ValidationError({"household": [_("请选择住户")]})
            vote_paper(vote=row, actor=request.user, household=home, choice=request.POST.get("choice", ""))
            messages.success(request, _("已录入 %(h)s 的纸质选票") % {"h": home.name})
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        return redirect("deliberation:vote_paper", pk=pk)
    voted = set(row.roll.filter(household__isnull=False).values_list("household_id", flat=True))
    return _private(render(request, "deliberation/vote_paper.html", {
        "vote": row, "households": [(h, h.pk in voted) for h in households[:500]], "choices": Vote.CHOICES}))


@login_required(login_url="portal:signin")
@require_http_methods(["GET", "POST"])
def attend(request: HttpRequest) -> HttpResponse:
    meetings = selectors.checkin_meetings(request.user)
    if request.method == "POST":
        meeting = next((m for m in meetings if str(m.pk) == request.POST.get("meeting")), None)
        try:
            if meeting is None:
                raise ValidationError({"meeting": [_("请选择会议")]})
            checkin(meeting=meeting, user=request.user, code=request.POST.get("code", ""))
            messages.success(request, _("签到成功：%(t)s") % {"t": meeting.title})
            return redirect("deliberation:meeting_public", pk=meeting.pk)
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
    return _private(render(request, "deliberation/checkin.html", {"meetings": meetings, "active": "deliberation"}))


@require_GET
def meeting_public(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Meeting.objects.select_related("community", "series")).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这个会议"))
    return render(request, "deliberation/meeting_public.html", {
        "meeting": row, "agenda": row.agenda.select_related("topic", "resolution", "case"),
        "case_items": row.agenda.filter(kind=AgendaItem.Kind.CASE, resolution__isnull=True),
        "resolutions": row.resolutions.filter(parent__isnull=True).select_related("owner_unit", "owner_user"),
        "attended": row.attendance.count(), "active": "deliberation",
        "manager": may_manage(request.user, row.community.code)})


@require_GET
def practical(request: HttpRequest, code: str) -> HttpResponse:
    """为民办实事: a community's or a street's public list."""
    place = Area.objects.filter(code=code, level__in=(Level.STREET, Level.COMMUNITY)).first()
    if place is None:
        raise Http404(_("没有这个街道或社区"))
    rows = selectors.practical(place)
    projects = list(practical_projects(place))
    return render(request, "deliberation/practical.html", {
        "place": place, "rows": rows, "projects": projects, "today": timezone.localdate(), "active": "deliberation",
        "total": len(rows) + len(projects),
        "done": sum(1 for r in rows if r.status == Resolution.Status.DONE)
        + sum(1 for p in projects if p.status == Project.Status.DONE)})


@require_GET
def convention(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Convention.objects.select_related("community", "area")).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这个公约"))
    return render(request, "deliberation/convention.html", {
        "convention": row, "versions": row.versions.select_related("vote"), "active": "deliberation"})


@require_http_methods(["GET", "POST"])
def resolution(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Resolution.objects.select_related(
        "community", "meeting", "parent", "owner_unit", "owner_user")).filter(
        pk=pk).first()
    if row is None:
        raise Http404(_("没有这项决议"))
    manager = may_manage(request.user, row.community.code)
    reporter = request.user.is_authenticated and may_report(request.user, row)
    problems: dict = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        action = request.POST.get("action", "")
        try:
            if action == "progress":
                resolution_progress(resolution=row, actor=request.user, text=request.POST.get("text", ""),
                                    progress=request.POST.get("progress", ""), photo=request.FILES.get("photo"))
            elif action == "child":
                _resolution_from_form(request, row.community, parent=row)
            elif action == "drop":
                resolution_drop(resolution=row, actor=request.user, reason=request.POST.get("reason", ""))
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect("deliberation:resolution", pk=pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return _private(render(request, "deliberation/resolution.html", {
        "resolution": row, "children": row.children.select_related("owner_unit", "owner_user"),
        "notes": row.notes.select_related("author")[:100], "manager": manager, "reporter": reporter,
        "leaf": not row.children.exclude(status=Resolution.Status.DROPPED).exists(), "errors": problems,
        "owner_kinds": Resolution.Owner.choices, "units": selectors.units_of(row.community), "active": "deliberation"},
        status=400 if problems else 200))


@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import FileResponse

    from .models import ProgressNote

    note = ProgressNote.objects.filter(pk=pk).exclude(photo="").first()
    if note is None:
        raise Http404(_("没有这张照片"))
    response = FileResponse(note.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- staff -----------------------------------------------------------------------------------------------------

def _resolution_from_form(request: HttpRequest, community: Area, **links) -> Resolution:
    data = request.POST
    unit = selectors.units_of(community).filter(pk=data.get("owner_unit") or 0).first()
    owner = get_user_model().objects.filter(username=(data.get("owner_user") or "").strip()).first()
    return resolution_add(community=community, actor=request.user, title=data.get("title", ""),
                          detail=data.get("detail", ""), deadline=bounded_date(data.get("deadline", ""), label="完成时限"),
                          owner_kind=data.get("owner_kind", "community"), owner_unit=unit, owner_user=owner,
                          practical=bool(data.get("practical")), **links)


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    places = list(selectors.managed_communities(request.user)[:200])
    if not places:
        raise PermissionDenied(_("议事协商由社区工作人员组织"))
    place = next((c for c in places if c.code == (request.GET.get("c") or request.POST.get("community"))), places[0])
    problems: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        data = request.POST
        try:
            if action == "rules":
                rules_save(community=place, actor=request.user, topic_threshold=data.get("topic_threshold"))
            elif action == "series":
                series_create(community=place, actor=request.user, kind=data.get("kind", ""), title=data.get("title", ""))
            elif action == "meeting":
                series = place.meeting_series.filter(pk=data.get("series") or 0).first()
                if series is None:
                    raise ValidationError({"series": [_("请先选择会议系列")]})
                area = Area.objects.filter(code=data.get("invite_area") or "", code__startswith=place.code).first()
                made = meeting_plan(series=series, actor=request.user, starts_at=_when(data.get("starts_at", ""), "开会时间"),
                                    place=data.get("place", ""), title=data.get("title", ""),
                                    invite_seats=bool(data.get("invite_seats")),
                                    units=selectors.units_of(place).filter(pk__in=data.getlist("units")),
                                    invite_area=area)
                messages.success(request, _("会议已安排，邀请已发出"))
                return redirect("deliberation:meeting", pk=made.pk)
            elif action == "close_topic":
                found = Topic.objects.filter(community=place, pk=data.get("topic") or 0).first()
                if found is None:
                    raise Http404(_("没有这个议题"))
                topic_close(topic=found, actor=request.user, reason=data.get("reason", ""))
            elif action == "convention":
                area = Area.objects.filter(code=data.get("area") or place.code, code__startswith=place.code).first()
                made = convention_create(area=area or place, actor=request.user, kind=data.get("kind", ""),
                                         title=data.get("title", ""))
                version_propose(convention=made, actor=request.user, text=data.get("text", ""),
                                closes_at=_when(data.get("closes_at", ""), "截止时间"))
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            messages.success(request, _("已保存"))
            return redirect(f"{request.path}?c={place.code}")
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    return _private(render(request, "deliberation/manage.html", {
        "community": place, "communities": places, "series": place.meeting_series.all(),
        "kinds": Series.Kind.choices, "meetings": selectors.meetings(place)[:20],
        "topics": Topic.objects.filter(community=place, status__in=(Topic.Status.GATHERING, Topic.Status.READY,
                                                                    Topic.Status.AGENDA))[:50],
        "votes": selectors.votes(place)[:20], "resolutions": selectors.open_resolutions(place)[:100],
        "units": selectors.units_of(place), "areas": Area.objects.under(place.code).filter(
            level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING)).order_by("code")[:300],
        "convention_kinds": Convention.Kind.choices, "errors": problems, "data": request.POST,
        "rules": rules_for(place)},
        status=400 if problems else 200))


@login_required
@require_http_methods(["GET", "POST"])
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    row = outlines_unread(Meeting.objects.select_related("community", "series")).filter(pk=pk).first()
    if row is None or not may_manage(request.user, row.community.code):
        raise Http404(_("没有这个会议，或不在您的管辖范围"))
    problems: dict = {}
    code = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        data = request.POST
        try:
            if action == "code":
                code = checkin_code(meeting=row, actor=request.user)
            elif action == "minutes":
                meeting_record(meeting=row, actor=request.user, minutes=data.get("minutes", ""))
            elif action == "agenda":
                found = Topic.objects.filter(community=row.community, pk=data.get("topic") or 0).first()
                if found is None:
                    raise ValidationError({"topic": [_("请选择议题")]})
                agenda_add_topic(meeting=row, topic=found, actor=request.user)
            elif action == "resolution":
                found = Topic.objects.filter(community=row.community, pk=data.get("topic") or 0).first()
                item = row.agenda.filter(pk=data.get("item") or 0, kind=AgendaItem.Kind.CASE).select_related(
                    "case__area").first()
                cases = []
                if item is not None and item.case is not None:
                    cases = open_similar_cases(item.case)
                made = _resolution_from_form(request, row.community, meeting=row, topic=found, cases=cases)
                if item is not None:
                    AgendaItem.objects.filter(pk=item.pk).update(resolution=made)
            elif action == "vote":
                found = Topic.objects.filter(community=row.community, pk=data.get("topic") or 0).first()
                area = Area.objects.filter(code=data.get("area") or row.community.code,
                                           code__startswith=row.community.code).first()
                made = vote_open(actor=request.user, area=area or row.community, question=data.get("question", ""),
                                 closes_at=_when(data.get("closes_at", ""), "截止时间"), unit=data.get("unit", "household"),
                                 secret=bool(data.get("secret")), quorum_percent=data.get("quorum_percent", "50"),
                                 majority=data.get("majority", "simple"), topic=found, meeting=row)
                messages.success(request, _("表决已发起"))
                return redirect("deliberation:vote", pk=made.pk)
            else:
                raise ValidationError({"__all__": [_("未知操作")]})
            if action != "code":
                messages.success(request, _("已保存"))
                return redirect("deliberation:meeting", pk=pk)
        except PermissionDenied as exc:
            problems = {"__all__": [str(exc)]}
        except ValidationError as exc:
            problems = errors.by_field(exc)
    row.refresh_from_db()
    return _private(render(request, "deliberation/meeting.html", {
        "meeting": row, "agenda": row.agenda.select_related("topic", "resolution"), "code": code or row.checkin_code,
        "attendance": row.attendance.select_related("user")[:300], "errors": problems, "data": request.POST,
        "resolutions": row.resolutions.select_related("owner_unit", "owner_user"), "votes": row.votes.all(),
        "topics": Topic.objects.filter(community=row.community).filter(
            Q(status__in=(Topic.Status.GATHERING, Topic.Status.READY, Topic.Status.AGENDA)))[:50],
        "owner_kinds": Resolution.Owner.choices, "units": selectors.units_of(row.community),
        "areas": Area.objects.under(row.community.code).filter(
            level__in=(Level.COMMUNITY, Level.GRID, Level.BUILDING)).order_by("code")[:300],
        "vote_units": Vote.Unit.choices, "majorities": Vote.Majority.choices}, status=400 if problems else 200))



@login_required
@require_POST
def case_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's button: put a (recurring) problem on a planned meeting's agenda."""
    case = case_or_404(request.user, pk)
    found = outlines_unread(Meeting.objects.select_related("community")).filter(pk=request.POST.get("meeting") or 0).first()
    try:
        if found is None:
            raise ValidationError({"meeting": [_("请选择会议")]})
        agenda_add_case(meeting=found, case=case, actor=request.user)
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, f"{case.code}：{errors.text(exc)}")
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("已列入“%(m)s”的议程") % {"m": found.title})
    return redirect("cases:detail", pk=case.pk)
