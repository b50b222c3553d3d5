"""The community's pages of 双报到: applications to approve (members and units), the registered
members and their hours, service records to verify, the posts, the co-building units, the quarterly
feedback. A worker of several communities (a street) picks one with ``?community=``."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grassroots.core import errors
from grassroots.core.services import export_audit
from grassroots.orgs.models import PartyOrg
from grassroots.registers.xlsx import XLSX_MIME, rows_bytes

from .feedback import feedback_request, previous_quarter, quarter_bounds
from .models import Decision, FeedbackJob, Post, ServiceRecord
from .selectors import (
    branches_of,
    co_building_units,
    communities_managed_by,
    feedback_jobs_managed,
    member_registrations_managed,
    posts_of,
    records_managed,
    unit_registrations_managed,
)
from .services import (
    member_registration_decide,
    post_save,
    posts_defaults_create,
    service_record_verify,
    unit_registration_decide,
)
from .views import private


def _community(request: HttpRequest):
    """The community the page is about: ``?community=`` among those the user manages, else the first."""
    managed = communities_managed_by(request.user)
    code = request.GET.get("community") or request.POST.get("community") or ""
    community = managed.filter(code=code).first() if code else managed.first()
    if community is None:
        raise PermissionDenied(_("双报到由社区工作人员管理"))
    return community, managed


def _back(request: HttpRequest, name: str, community) -> HttpResponse:
    return redirect(f"{reverse(name)}?community={community.code}")


def _page(request: HttpRequest, template: str, tab: str, community, managed, **context) -> HttpResponse:
    return private(render(request, template, {"community": community, "managed": managed[:200], "tab": tab,
                                              **context}))


@login_required
@require_GET
def community(request: HttpRequest) -> HttpResponse:
    """待审核: members' and units' applications."""
    place, managed = _community(request)
    members = member_registrations_managed(request.user).filter(community=place, status=Decision.APPLIED)
    units = unit_registrations_managed(request.user).filter(community=place, status=Decision.APPLIED)
    return _page(request, "service/community.html", "apply", place, managed, members=members.prefetch_related(
        "wanted_posts"), units=units, branches=branches_of(place), posts=posts_of(place))


@login_required
@require_POST
def member_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = member_registrations_managed(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这条报到，或不在您的社区"))
    branch = PartyOrg.objects.filter(pk=request.POST.get("branch") or 0).first()
    posts = [int(p) for p in request.POST.getlist("posts") if p.isdigit()]
    try:
        member_registration_decide(registration=row, actor=request.user, approve=request.POST.get("decision") == "yes",
                                   branch=branch, posts=posts, reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已审核：%(name)s") % {"name": row.member.person.name})
    return _back(request, "service:community", row.community)


@login_required
@require_POST
def unit_decide(request: HttpRequest, pk: int) -> HttpResponse:
    row = unit_registrations_managed(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这条单位报到，或不在您的社区"))
    try:
        unit_registration_decide(registration=row, actor=request.user, approve=request.POST.get("decision") == "yes",
                                 reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已审核：%(name)s") % {"name": row.unit.name})
    return _back(request, "service:community", row.community)


@login_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    place, managed = _community(request)
    rows = member_registrations_managed(request.user).filter(community=place, status=Decision.APPROVED).prefetch_related(
        "assignments__post").order_by("branch__name", "member__person__name")
    if request.GET.get("format") == "xlsx":
        headers = ["姓名", "工作单位", "编入党支部", "岗位", "报到日期", "已核实服务时长（小时）"]
        data = [[r.member.person.name, r.member.employer.name if r.member.employer else "", r.branch.name if r.branch else "",
                 "、".join(a.post.name for a in r.assignments.all() if a.until is None),
                 timezone.localtime(r.approved_at).strftime("%Y-%m-%d") if r.approved_at else "",
                 float(r.verified_hours or 0)] for r in rows[:20000]]
        export_audit(actor=request.user, kind="service.members", obj=place, district_code=place.code[:6],
                     rows=len(data), fields=headers, filters={"community": place.code, "status": Decision.APPROVED})
        response = HttpResponse(rows_bytes("报到党员", headers, data), content_type=XLSX_MIME)
        response["Content-Disposition"] = f"attachment; filename=members-{place.code}.xlsx"
        return response
    return _page(request, "service/members.html", "members", place, managed, rows=rows[:500])


@login_required
@require_GET
def records(request: HttpRequest) -> HttpResponse:
    place, managed = _community(request)
    status = request.GET.get("status", ServiceRecord.Status.SUBMITTED)
    rows = records_managed(request.user).filter(registration__community=place)
    if status in ServiceRecord.Status.values:
        rows = rows.filter(status=status)
    return _page(request, "service/records.html", "records", place, managed, rows=rows[:300], status=status,
                 statuses=ServiceRecord.Status.choices)


@login_required
@require_POST
def record_verify(request: HttpRequest, pk: int) -> HttpResponse:
    row = records_managed(request.user).filter(pk=pk).first()
    if row is None:
        raise Http404(_("没有这条记录，或不在您的社区"))
    try:
        service_record_verify(record=row, actor=request.user, verified=request.POST.get("decision") == "yes",
                              reason=request.POST.get("reason", ""))
    except (ValidationError, PermissionDenied) as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("已核实"))
    return _back(request, "service:records", row.registration.community)


@login_required
@require_http_methods(["GET", "POST"])
def posts(request: HttpRequest) -> HttpResponse:
    place, managed = _community(request)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "defaults":
                posts_defaults_create(community=place, actor=request.user)
            else:
                post = Post.objects.filter(pk=request.POST.get("post") or 0, community=place).first()
                post_save(community=place, actor=request.user, name=request.POST.get("name", ""),
                          duties=request.POST.get("duties", ""), takes_cases=request.POST.get("takes_cases") == "on",
                          active=request.POST.get("active", "on") == "on", post=post)
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        else:
            messages.success(request, _("岗位已保存"))
        return _back(request, "service:posts", place)
    return _page(request, "service/posts.html", "posts", place, managed, rows=posts_of(place, active_only=False))


@login_required
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    place, managed = _community(request)
    return _page(request, "service/co_units.html", "units", place, managed, rows=co_building_units(place))


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest) -> HttpResponse:
    place, managed = _community(request)
    if request.method == "POST":
        quarter = request.POST.get("quarter", "")
        try:
            quarter_bounds(quarter)
            job, created = feedback_request(community=place, quarter=quarter, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            errors.flash(request, exc)
        else:
            messages.success(request, _("已开始生成，请稍候") if created else _("正在生成中"))
            return redirect(reverse("service:feedback_job", args=[job.pk]))
        return _back(request, "service:feedback", place)
    jobs = feedback_jobs_managed(request.user).filter(community=place)[:40]
    return _page(request, "service/feedback.html", "feedback", place, managed, jobs=jobs,
                 quarter=previous_quarter(timezone.localdate()))


@login_required
@require_GET
def feedback_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = feedback_jobs_managed(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("没有这份季度反馈"))
    template = "service/_feedback_job.html" if request.headers.get("HX-Request") else "service/feedback_job.html"
    return private(render(request, template, {"job": job, "reports": job.reports.all(), "community": job.community}))


@login_required
@require_GET
def feedback_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    job = feedback_jobs_managed(request.user).filter(pk=pk, status=FeedbackJob.Status.DONE).first()
    if job is None or kind not in ("xlsx", "pdf"):
        raise Http404(_("没有这份季度反馈"))
    field = job.xlsx if kind == "xlsx" else job.pdf
    name = f"{job.community.name}-{job.quarter}-双报到反馈.{kind}"
    mime = XLSX_MIME if kind == "xlsx" else "application/pdf"
    return FileResponse(io.BytesIO(field.read()), content_type=mime, as_attachment=kind == "xlsx", filename=name)

