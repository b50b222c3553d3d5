"""Scoped reads of the intake app: a user sees the hotline imports they uploaded (a superuser, all)."""

from __future__ import annotations

from django.db.models import QuerySet

from grassroots.cases.selectors import cases_visible_to

from .models import HotlineImport, HotlineImportCase, HotlineMapping


def hotline_jobs_visible_to(user) -> QuerySet[HotlineImport]:
    if user is None or not user.is_authenticated or not user.is_active:
        return HotlineImport.objects.none()
    jobs = HotlineImport.objects.select_related("created_by").defer("errors", "notes", "preview")
    return jobs if user.is_superuser else jobs.filter(created_by=user)


def hotline_job_get_for(user, pk: int) -> HotlineImport:
    """One job the user may see, or HotlineImport.DoesNotExist (views answer 404)."""
    jobs = HotlineImport.objects.select_related("created_by")
    if not (user.is_authenticated and user.is_superuser):
        jobs = jobs.filter(created_by=user if user.is_authenticated else None)
    return jobs.get(pk=pk)


def hotline_sources(district_codes: list[str]) -> list[str]:
    """Source names with a saved mapping in these districts (offered on the upload form)."""
    return sorted(set(HotlineMapping.objects.filter(district_code__in=district_codes)
                      .values_list("source", flat=True)))


def hotline_job_cases(user, job: HotlineImport, limit: int = 200) -> list[HotlineImportCase]:
    """The job's rows with their cases; ``visible`` tells whether the user may open the case."""
    rows = list(job.cases.select_related("case", "case__area__parent", "case__assigned_area")[:limit])
    visible = set(cases_visible_to(user).filter(pk__in=[r.case_id for r in rows]).values_list("pk", flat=True))
    for row in rows:
        row.visible = row.case_id in visible
    return rows
