"""Scoped reads of import jobs: a user sees their own jobs; a superuser sees all."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ImportJob


def jobs_visible_to(user) -> QuerySet[ImportJob]:
    if user is None or not user.is_authenticated:
        return ImportJob.objects.none()
    jobs = ImportJob.objects.select_related("created_by").defer("errors")
    return jobs if user.is_superuser else jobs.filter(created_by=user)


def job_get_for(user, pk: int) -> ImportJob:
    """One job the user may see (with its errors), or ImportJob.DoesNotExist."""
    jobs = ImportJob.objects.select_related("created_by")
    if not user.is_superuser:
        jobs = jobs.filter(created_by=user)
    return jobs.get(pk=pk)
