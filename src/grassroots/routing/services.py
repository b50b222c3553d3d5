"""Writes of the routing app: a dispatcher categorising a case or applying a suggestion, a street's
auto-dispatch settings, and training runs (asked for by staff or by the schedule, run by the worker).
Each is one transaction with its event or audit row; messages are Chinese, keyed by field."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grassroots.areas.models import Area, Level
from grassroots.cases.errors import TransitionNotAllowed
from grassroots.cases.models import Case, CaseEvent, Category
from grassroots.cases.services import case_transition
from grassroots.core.jobs import claim_next
from grassroots.core.services import audit_record
from grassroots.orgs.models import Unit

from . import store
from .intake import DISPATCH_LEVELS, percent
from .models import CategoryThreshold, RoutingModel, RoutingSuggestion, StreetSettings, TrainingJob
from .selectors import can_edit_street

log = logging.getLogger(__name__)
S = Case.Status
THRESHOLD_MIN, THRESHOLD_MAX = 0.3, 1.0
RETRAIN_EVERY = timedelta(days=7)
RETRAIN_AFTER_CASES = 200  # newly closed cases since the active model
RETRAIN_AFTER_CORRECTIONS = 20
STALE_AFTER = timedelta(minutes=10)
CHECK_EVERY = timedelta(minutes=5)
MAX_ATTEMPTS = 2


def case_categorize(*, case: Case, category: Category | int, actor, note: str = "", confidence: float | None = None,
                    model_version: str = "") -> CaseEvent:
    """分类: set (or correct) the case's category; a correction of routing's choice is kept."""
    data = {"category": category}
    if confidence is not None:
        data.update(confidence=confidence, model_version=model_version)
    return case_transition(case=case, action="categorize", actor=actor, note=note, **data)


def suggestion_apply(*, case: Case, rank: int, actor) -> RoutingSuggestion:
    """Apply suggestion ``rank`` (1–3) in one go: its category, 受理 if still reported, and 派单 to its
    unit (or the owning team). All or nothing."""
    suggestion = RoutingSuggestion.objects.filter(case=case).first()
    if suggestion is None or not 1 <= rank <= len(suggestion.items):
        raise ValidationError({"rank": "该诉求没有这条分派建议，请刷新页面后重试"})
    item = suggestion.items[rank - 1]
    if case.status not in (S.REPORTED, S.ACCEPTED, S.RETURNED, S.ESCALATED):
        raise TransitionNotAllowed(f"诉求“{case.code}”当前状态为“{case.get_status_display()}”，不能再按建议派单"
                                   "（可能已被他人处理，请刷新后查看最新状态）")
    with transaction.atomic():
        if case.category_id != item["category"]:
            case_categorize(case=case, category=item["category"], actor=actor, confidence=item["p"],
                            model_version=suggestion.model_version,
                            note=f"采用智能分派建议第 {rank} 条：「{item['path']}」（置信度 {percent(item['p'])}）")
        if case.status == S.REPORTED:
            case_transition(case=case, action="accept", actor=actor)
        if case.status in (S.ACCEPTED, S.RETURNED, S.ESCALATED):
            unit = Unit.objects.filter(pk=item["unit"]).first() if item.get("unit") else None
            if unit is not None:
                case_transition(case=case, action="dispatch", actor=actor, to_unit=unit)
            elif case.assigned_area is not None and case.assigned_area.level in DISPATCH_LEVELS:
                case_transition(case=case, action="dispatch", actor=actor, to_area=case.assigned_area)
        suggestion.applied_rank, suggestion.applied_by = rank, actor
        suggestion.save(update_fields=["applied_rank", "applied_by"])
    return suggestion


def _threshold(value, key: str, label: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({key: f"{label}应为 {THRESHOLD_MIN:.0%} 到 {THRESHOLD_MAX:.0%} 之间的数"}) from None
    if number > 1:  # typed as a percentage
        number /= 100
    if not math.isfinite(number) or not THRESHOLD_MIN <= number <= THRESHOLD_MAX:
        raise ValidationError({key: f"{label}应在 {THRESHOLD_MIN:.0%} 到 {THRESHOLD_MAX:.0%} 之间（现为 {value}）"})
    return round(number, 4)


def street_settings_update(*, street: Area, actor, policy: str, default_threshold, thresholds: dict) -> StreetSettings:
    """A street's policy, default threshold and per-category thresholds (``{category id: value or
    None to remove}``), by its street (or district) staff; all or nothing, audited."""
    if street.level != Level.STREET:
        raise ValidationError({"street": "请选择街道"})
    if not can_edit_street(actor, street):
        raise PermissionDenied("只有本街道（或区级）的受理派单人员可以修改自动派单设置")
    if policy not in StreetSettings.Policy.values:
        raise ValidationError({"policy": f"未知的自动派单方式：{policy}"})
    default = _threshold(default_threshold, "default_threshold", "默认置信度阈值")
    cleaned: dict[int, float | None] = {}
    categories = {c.pk: c for c in Category.objects.filter(pk__in=[k for k in thresholds if str(k).isdigit()])}
    for key, value in thresholds.items():
        category = categories.get(int(key)) if str(key).isdigit() else None
        if category is None:
            raise ValidationError({"thresholds": f"找不到编号为 {key} 的事项类别"})
        cleaned[category.pk] = None if value in (None, "") else _threshold(
            value, f"threshold_{category.pk}", f"“{category.name}”的置信度阈值")
    with transaction.atomic():
        row, _created = StreetSettings.objects.update_or_create(
            street=street, defaults={"policy": policy, "default_threshold": default, "updated_by": actor,
                                     "district_code": street.code[:6]})
        for category_id, value in cleaned.items():
            if value is None:
                CategoryThreshold.objects.filter(street=street, category_id=category_id).delete()
            else:
                CategoryThreshold.objects.update_or_create(street=street, category_id=category_id, defaults={
                    "threshold": value, "district_code": street.code[:6]})
        audit_record(actor=actor, action="routing.settings", obj=row,
                     detail={"street": street.code, "policy": policy, "default_threshold": default,
                             "thresholds": {str(k): v for k, v in cleaned.items()}})
    return row


# --- training as a job ---------------------------------------------------------------------------------


def training_request(*, actor, reason: str = "") -> tuple[TrainingJob, bool]:
    """Queue a training run; (the waiting or running job, False) when one is already there — a
    double click queues one."""
    with transaction.atomic():
        waiting = TrainingJob.objects.select_for_update().filter(
            status__in=[TrainingJob.Status.QUEUED, TrainingJob.Status.RUNNING]).first()
        if waiting is not None:
            return waiting, False
        job = TrainingJob.objects.create(requested_by=actor if getattr(actor, "pk", None) else None,
                                         reason=(reason or ("人工发起" if actor else "定期"))[:200])
        audit_record(actor=actor, action="routing.train_request", obj=job, detail={"reason": job.reason})
    return job, True


def training_claim(*, worker: str) -> TrainingJob | None:
    def give_up(pk: int, status: str, attempts: int) -> None:
        TrainingJob.objects.filter(pk=pk, status=status, attempts=attempts).update(
            status=TrainingJob.Status.FAILED, error="多次尝试均未完成", finished_at=timezone.now())

    return claim_next(TrainingJob.objects, worker=worker, stale_after=STALE_AFTER, order_by=("queued_at", "pk"),
                      max_attempts=MAX_ATTEMPTS, give_up=give_up, queued=TrainingJob.Status.QUEUED,
                      running=(TrainingJob.Status.RUNNING,), claimed=TrainingJob.Status.RUNNING)


def training_run(*, job: TrainingJob) -> TrainingJob:
    from .training import routing_train

    def progress(pct: int, stage: str) -> None:
        TrainingJob.objects.filter(pk=job.pk).update(progress=pct, stage=stage[:60], heartbeat_at=timezone.now())

    try:
        result = routing_train(actor=job.requested_by, progress=progress)
    except Exception as exc:  # noqa: BLE001 — the job says why; the old model stays active
        log.exception("routing training job %s failed", job.pk)
        TrainingJob.objects.filter(pk=job.pk).update(status=TrainingJob.Status.FAILED, error=str(exc)[:2000],
                                                     finished_at=timezone.now())
    else:
        TrainingJob.objects.filter(pk=job.pk).update(status=TrainingJob.Status.DONE, progress=100, result=result,
                                                     stage="完成", finished_at=timezone.now())
    job.refresh_from_db()
    return job


def training_due(now=None) -> str:
    """Why a scheduled training is due now ("" when it is not): no model yet while cases exist, a
    week since the last one, or enough newly closed cases or corrections since."""
    from .models import RoutingCorrection

    now = now or timezone.now()
    last = RoutingModel.objects.filter(kind=RoutingModel.Kind.CATEGORY, active=True).first()
    if last is None:
        return "尚无模型，按冷启动样本训练" if Case.objects.exists() else ""
    if store.active().classifier is None:
        return "当前模型由旧版本训练、无法读取，重新训练"
    if now - last.trained_at >= RETRAIN_EVERY:
        return "距上次训练已满一周"
    closed = Case.objects.filter(status=S.CLOSED, closed_at__gt=last.trained_at).count()
    if closed >= RETRAIN_AFTER_CASES:
        return f"上次训练后新办结 {closed} 件"
    corrections = RoutingCorrection.objects.filter(used_in_version="").count()
    if corrections >= RETRAIN_AFTER_CORRECTIONS:
        return f"上次训练后新增人工纠正 {corrections} 条"
    return ""


_last_check: list = [None]


def routing_task(worker: str) -> bool:
    """The worker's task: run a waiting training job; every few minutes, queue one when due."""
    job = training_claim(worker=worker)
    if job is not None:
        training_run(job=job)
        return True
    now = timezone.now()
    if _last_check[0] is not None and now - _last_check[0] < CHECK_EVERY:
        return False
    _last_check[0] = now
    reason = training_due(now)
    if not reason:
        return False
    job, _created = training_request(actor=None, reason=reason)
    claimed = training_claim(worker=worker)
    if claimed is not None:
        training_run(job=claimed)
    return True
