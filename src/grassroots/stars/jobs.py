"""全部重新计算 in the background: a scope of more than ``SYNC_LIMIT`` branches is queued for
``grassroots worker`` (measured on the demo district: 335 branches take about 20 s on SQLite, a
street of about 100 about 7 s). Each branch is computed in its own transaction, so a job that dies is
simply claimed again and computes what it had not (computing a branch twice changes nothing)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from grassroots.core.jobs import claim_next
from grassroots.core.services import audit_record

from .models import StarComputeJob, StarScheme
from .selectors import access_for, branches
from .services import star_rating_compute, star_ratings_compute_all

log = logging.getLogger(__name__)
SYNC_LIMIT = 120
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
J = StarComputeJob.Status


def _scope(scheme: StarScheme, actor, under: str):
    return (branches(scheme.district_code).filter(access_for(actor).rate_q("area__code"))
            .filter(area__code__startswith=under or scheme.district_code))


def star_compute_request(*, scheme: StarScheme, actor, under: str = "") -> tuple[StarComputeJob | None, int]:
    """Compute the actor's branches now (few) or queue a job (many): (the job or None, branches).
    Asking again while a job of the same scope waits returns that job."""
    n = _scope(scheme, actor, under).count()
    if n == 0:
        raise PermissionDenied("您管辖的范围内没有可评定的党支部")
    if n <= SYNC_LIMIT:
        return None, star_ratings_compute_all(scheme=scheme, actor=actor, under=under)
    waiting = StarComputeJob.objects.filter(scheme=scheme, under=under, status__in=(J.QUEUED, J.RUNNING)).first()
    if waiting is not None:
        return waiting, n
    try:
        with transaction.atomic():
            job = StarComputeJob.objects.create(scheme=scheme, under=under, requested_by=actor, total=n,
                                                district_code=scheme.district_code)
            audit_record(actor=actor, action="stars.compute_queued", obj=job, district_code=scheme.district_code,
                         detail={"year": scheme.year, "under": under, "branches": n})
    except IntegrityError:  # a second click at the same moment
        job = StarComputeJob.objects.get(scheme=scheme, under=under, status__in=(J.QUEUED, J.RUNNING))
    return job, n


def latest_job(scheme: StarScheme, under: str = "") -> StarComputeJob | None:
    return StarComputeJob.objects.filter(scheme=scheme, under=under).order_by("-queued_at", "-pk").first()


def star_compute_run(job: StarComputeJob) -> None:
    actor, scheme = job.requested_by, StarScheme.objects.prefetch_related("criteria").get(pk=job.scheme_id)
    try:
        orgs = list(_scope(scheme, actor, job.under).select_related("area").order_by("area__code", "pk"))
        done = 0
        for org in orgs:
            star_rating_compute(scheme=scheme, org=org, actor=actor)
            done += 1
            if done % 20 == 0:
                StarComputeJob.objects.filter(pk=job.pk).update(processed_rows=done, heartbeat_at=timezone.now())
        with transaction.atomic():
            StarComputeJob.objects.filter(pk=job.pk).update(status=J.DONE, processed_rows=done, total=len(orgs),
                                                           finished_at=timezone.now())
            audit_record(actor=actor, action="stars.compute_all", obj=scheme, district_code=scheme.district_code,
                         detail={"year": scheme.year, "under": job.under, "branches": done, "job": job.pk})
    except Exception as exc:
        log.exception("star compute job %s failed", job.pk)
        StarComputeJob.objects.filter(pk=job.pk).update(status=J.FAILED, error=str(exc)[:2000],
                                                       finished_at=timezone.now())


def stars_task(worker: str) -> bool:
    """The worker's task: run one waiting compute job."""
    def give_up(pk: int, status: str, attempts: int) -> None:
        StarComputeJob.objects.filter(pk=pk, status=status, attempts=attempts).update(
            status=J.FAILED, error="多次尝试均未完成", finished_at=timezone.now())

    job = claim_next(StarComputeJob.objects, worker=worker, stale_after=STALE_AFTER, order_by=("queued_at", "pk"),
                     max_attempts=MAX_ATTEMPTS, give_up=give_up, queued=J.QUEUED, running=(J.RUNNING,),
                     claimed=J.RUNNING)
    if job is None:
        return False
    star_compute_run(job)
    return True
