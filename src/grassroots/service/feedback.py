"""The quarterly feedback (双报到季度反馈): each quarter a community tells the Party organisation of
every employer unit how its in-service members served there — registration, branch, posts, verified
hours, cases taken — with a random-check list (随机抽查) of members for the unit to call.

One ``FeedbackJob`` per community and quarter makes one .xlsx (a summary sheet, then a sheet per
unit) and one printable PDF (a section per unit), with progress, in the worker: asked for on the
community's page, or queued by the schedule for the quarter just ended. Re-running a job makes the
same files: the random-check list is drawn with a seed of the community, quarter and unit.
"""

from __future__ import annotations

import io
import logging
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from grassroots.areas.models import Area, Level
from grassroots.cases.models import CaseEvent
from grassroots.core.jobs import claim_next
from grassroots.core.pdf import Document
from grassroots.core.services import audit_record

from .models import Decision, FeedbackJob, FeedbackReport, MemberRegistration, PostAssignment, ServiceRecord
from .services import may_manage

log = logging.getLogger(__name__)
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
CHECK_SHARE = 0.2  # the random check: a fifth of a unit's members, at least two
CHECK_MIN = 2
SCHEDULE_EVERY = timedelta(minutes=30)
NO_EMPLOYER = "（未登记工作单位）"


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter(day: date) -> str:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return quarter_of(first - timedelta(days=1))


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """The first day and the day after the last of "2026-Q3"; ValidationError for anything else."""
    try:
        year, q = quarter.split("-Q")
        year_i, q_i = int(year), int(q)
        if not (2000 <= year_i <= 2100 and 1 <= q_i <= 4):
            raise ValueError
    except (ValueError, AttributeError):
        raise ValidationError({"quarter": ["季度格式应为“2026-Q3”"]}) from None
    start = date(year_i, 3 * q_i - 2, 1)
    end = date(year_i + (q_i == 4), 1 if q_i == 4 else 3 * q_i + 1, 1)
    return start, end


def quarter_label(quarter: str) -> str:
    year, q = quarter.split("-Q")
    return f"{year}年第{q}季度"


# --- the content ------------------------------------------------------------------------------------------


@dataclass
class MemberLine:
    name: str
    phone: str  # masked
    branch: str
    posts: str
    registered: str
    hours: Decimal
    records: int
    cases: int


@dataclass
class UnitPart:
    unit_id: int | None
    unit_name: str
    party_org: str
    lines: list[MemberLine] = field(default_factory=list)
    random_check: list[dict] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return sum((m.hours for m in self.lines), Decimal(0))

    @property
    def cases(self) -> int:
        return sum(m.cases for m in self.lines)


def build(community: Area, quarter: str) -> list[UnitPart]:
    """Every employer unit's members registered with ``community`` in the quarter, with their figures."""
    start, end = quarter_bounds(quarter)
    tz = timezone.get_current_timezone()
    begins, ends = datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)
    regs = (MemberRegistration.objects.filter(community=community, status__in=[Decision.APPROVED, Decision.ENDED],
                                              approved_at__lt=ends)
            .select_related("member__person", "member__employer__party_org", "branch")
            .prefetch_related(Prefetch("assignments", to_attr="quarter_posts", queryset=PostAssignment.objects.filter(
                since__lt=end).filter(Q(until__isnull=True) | Q(until__gte=start)).select_related("post")))
            .annotate(quarter_hours=Sum("records__hours", filter=Q(
                records__status=ServiceRecord.Status.VERIFIED, records__served_on__gte=start, records__served_on__lt=end))))
    regs = list(regs)
    takes = dict(CaseEvent.objects.filter(action="take", actor_id__in=[r.user_id for r in regs], at__gte=begins,
                                          at__lt=ends).values_list("actor_id").annotate(n=Count("pk")).order_by())
    records = dict(ServiceRecord.objects.filter(registration__in=regs, status=ServiceRecord.Status.VERIFIED,
                                                served_on__gte=start, served_on__lt=end)
                   .values_list("registration_id").annotate(n=Count("pk")).order_by())
    parts: dict[int | None, UnitPart] = {}
    for reg in regs:
        employer = reg.member.employer
        key = employer.pk if employer else None
        part = parts.setdefault(key, UnitPart(
            unit_id=key, unit_name=employer.name if employer else NO_EMPLOYER,
            party_org=employer.party_org.name if employer and employer.party_org else ""))
        posts = "、".join(a.post.name for a in reg.quarter_posts)
        part.lines.append(MemberLine(
            name=reg.member.person.name, phone=reg.member.person.phone_masked or "", branch=reg.branch.name if reg.branch else "",
            posts=posts, registered=reg.approved_at.astimezone(tz).strftime("%Y-%m-%d") if reg.approved_at else "",
            hours=reg.quarter_hours or Decimal(0), records=records.get(reg.pk, 0), cases=takes.get(reg.user_id, 0)))
    out = sorted(parts.values(), key=lambda p: (p.unit_id is None, p.unit_name))
    for part in out:
        part.lines.sort(key=lambda m: (-m.hours, m.name))
        size = min(len(part.lines), max(CHECK_MIN, math.ceil(len(part.lines) * CHECK_SHARE)))
        rng = random.Random(f"{community.code}:{quarter}:{part.unit_id}")  # noqa: S311 — a fair draw, not a secret
        part.random_check = [{"name": m.name, "phone": m.phone, "posts": m.posts}
                             for m in rng.sample(part.lines, size)]
    return out


# --- the files ---------------------------------------------------------------------------------------------

HEADERS = ["姓名", "联系电话", "编入党支部", "所在岗位", "报到日期", "本季度服务时长（小时）", "服务记录（条）", "接单诉求（件）"]


def _line_row(m: MemberLine) -> list:
    return [m.name, m.phone, m.branch, m.posts, m.registered, float(m.hours), m.records, m.cases]


def xlsx_bytes(community: Area, quarter: str, parts: list[UnitPart]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([f"{community.name} 在职党员双报到季度反馈（{quarter_label(quarter)}）"])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append(["工作单位", "单位党组织", "报到党员（人）", "服务时长（小时）", "接单诉求（件）", "随机抽查（人）"])
    for part in parts:
        summary.append([part.unit_name, part.party_org, len(part.lines), float(part.hours), part.cases,
                        len(part.random_check)])
    used: set[str] = {"汇总"}
    for part in parts:
        title = _sheet_title(part.unit_name, used)
        sheet = book.create_sheet(title)
        sheet.append([f"{part.unit_name}{('（' + part.party_org + '）') if part.party_org else ''}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append(HEADERS)
        for m in part.lines:
            sheet.append(_line_row(m))
        sheet.append([])
        sheet.append(["随机抽查名单（请单位党组织电话回访）"])
        for c in part.random_check:
            sheet.append([c["name"], c["phone"], "", c["posts"]])
        for col, width in zip("ABCDEFGH", (10, 15, 24, 28, 12, 12, 10, 10), strict=True):
            sheet.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "单位"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]}({n})", n + 1
    used.add(title)
    return title


def pdf_bytes(community: Area, quarter: str, parts: list[UnitPart]) -> bytes:
    doc = Document(title=f"{community.name}在职党员双报到季度反馈", subtitle=quarter_label(quarter))
    doc.table(["工作单位", "报到党员", "服务时长", "接单诉求"],
              [[p.unit_name, len(p.lines), f"{p.hours} 小时", p.cases] for p in parts], widths=[6, 2, 2, 2])
    for part in parts:
        doc.new_page()
        doc.heading(f"致：{part.party_org or part.unit_name}")
        doc.paragraph(f"贵单位共有 {len(part.lines)} 名在职党员到{community.name}报到，{quarter_label(quarter)}累计服务 "
                      f"{part.hours} 小时，接单办理群众诉求 {part.cases} 件。明细如下：")
        doc.table(["姓名", "党支部", "岗位", "时长", "记录", "接单"],
                  [[m.name, m.branch, m.posts, m.hours, m.records, m.cases] for m in part.lines],
                  widths=[2, 4, 4, 1.3, 1.2, 1.2])
        doc.heading("随机抽查名单")
        doc.paragraph("请单位党组织电话回访以下党员，核实其在社区的报到和服务情况：")
        doc.table(["姓名", "联系电话", "岗位"], [[c["name"], c["phone"], c["posts"]] for c in part.random_check],
                  widths=[2, 3, 6])
    return doc.bytes()


# --- jobs ------------------------------------------------------------------------------------------------------


def feedback_request(*, community: Area, quarter: str, actor=None) -> tuple[FeedbackJob, bool]:
    """Queue the feedback of ``community`` for ``quarter`` (the waiting or running one if there is one)."""
    quarter_bounds(quarter)
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": ["请选择社区"]})
    if actor is not None and not may_manage(actor, community.code):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有该社区的工作人员可以生成季度反馈")
    with transaction.atomic():
        busy = FeedbackJob.objects.select_for_update().filter(
            community=community, quarter=quarter, status__in=[FeedbackJob.Status.QUEUED, FeedbackJob.Status.RUNNING]).first()
        if busy is not None:
            return busy, False
        job = FeedbackJob.objects.create(community=community, quarter=quarter, requested_by=actor,
                                         district_code=community.code[:6])
        audit_record(actor=actor, action="service.feedback_request", obj=job, detail={"quarter": quarter})
    return job, True


def feedback_run(job: FeedbackJob) -> FeedbackJob:
    def progress(pct: int, stage: str) -> None:
        FeedbackJob.objects.filter(pk=job.pk).update(progress=pct, stage=stage, heartbeat_at=timezone.now())

    try:
        progress(10, "汇总报到党员")
        parts = build(job.community, job.quarter)
        progress(50, "生成Excel")
        name = f"{job.community.code}-{job.quarter}"
        xlsx = xlsx_bytes(job.community, job.quarter, parts)
        progress(70, "生成PDF")
        pdf = pdf_bytes(job.community, job.quarter, parts)
        with transaction.atomic():
            job.reports.all().delete()
            FeedbackReport.objects.bulk_create([FeedbackReport(
                job=job, unit_id=p.unit_id, unit_name=p.unit_name, members=len(p.lines), hours=p.hours,
                cases=p.cases, random_check=p.random_check, district_code=job.district_code) for p in parts])
            job.xlsx.save(f"{name}.xlsx", ContentFile(xlsx), save=False)
            job.pdf.save(f"{name}.pdf", ContentFile(pdf), save=False)
            job.status, job.progress, job.stage, job.finished_at = FeedbackJob.Status.DONE, 100, "完成", timezone.now()
            job.processed_rows = sum(len(p.lines) for p in parts)
            job.save(update_fields=["xlsx", "pdf", "status", "progress", "stage", "finished_at", "processed_rows"])
    except Exception as exc:  # noqa: BLE001 — the job says why
        log.exception("feedback job %s failed", job.pk)
        FeedbackJob.objects.filter(pk=job.pk).update(status=FeedbackJob.Status.FAILED, error=str(exc)[:2000],
                                                     finished_at=timezone.now())
    job.refresh_from_db()
    return job


def feedback_claim(worker: str) -> FeedbackJob | None:
    def give_up(pk: int, status: str, attempts: int) -> None:
        FeedbackJob.objects.filter(pk=pk, status=status, attempts=attempts).update(
            status=FeedbackJob.Status.FAILED, error="多次尝试均未完成", finished_at=timezone.now())

    return claim_next(FeedbackJob.objects, worker=worker, stale_after=STALE_AFTER, order_by=("queued_at", "pk"),
                      max_attempts=MAX_ATTEMPTS, give_up=give_up, queued=FeedbackJob.Status.QUEUED,
                      running=(FeedbackJob.Status.RUNNING,), claimed=FeedbackJob.Status.RUNNING)


def feedback_schedule(today: date | None = None) -> int:
    """Queue the feedback of the quarter just ended for every community with registered members that
    has none yet (run by the worker; idempotent). The number queued."""
    quarter = previous_quarter(today or timezone.localdate())
    _start, end = quarter_bounds(quarter)
    done = set(FeedbackJob.objects.filter(quarter=quarter).values_list("community_id", flat=True))
    ids = (MemberRegistration.objects.filter(status__in=[Decision.APPROVED, Decision.ENDED], approved_at__date__lt=end)
           .exclude(community_id__in=done).values_list("community_id", flat=True).distinct())
    queued = 0
    for community in Area.objects.filter(pk__in=list(ids)):
        _job, created = feedback_request(community=community, quarter=quarter)
        queued += created
    return queued


_last_schedule: list = [None]


def feedback_task(worker: str) -> bool:
    """The worker's task: run a waiting feedback job; every half hour, queue the quarter's when due."""
    job = feedback_claim(worker)
    if job is not None:
        feedback_run(job)
        return True
    now = timezone.now()
    if _last_schedule[0] is not None and now - _last_schedule[0] < SCHEDULE_EVERY:
        return False
    _last_schedule[0] = now
    return feedback_schedule() > 0
