"""议事协商 in the admin: superusers read here; every change goes through the pages' services (a
ballot and its tally move together; a secret ballot's choice exists only as a count)."""

from django.contrib import admin

from grassroots.ledger.admin import ReadOnly

from .models import Convention, Meeting, Resolution, Series, Topic, Vote


@admin.register(Series)
class SeriesAdmin(ReadOnly):
    list_display = ("title", "kind", "community", "active")


@admin.register(Meeting)
class MeetingAdmin(ReadOnly):
    list_display = ("title", "starts_at", "status", "community")


@admin.register(Resolution)
class ResolutionAdmin(ReadOnly):
    list_display = ("title", "community", "deadline", "progress", "status", "practical")
    list_filter = ("status", "practical")


@admin.register(Topic)
class TopicAdmin(ReadOnly):
    list_display = ("title", "community", "supports", "status")


@admin.register(Vote)
class VoteAdmin(ReadOnly):
    list_display = ("question", "community", "unit", "secret", "status", "passed")


@admin.register(Convention)
class ConventionAdmin(ReadOnly):
    list_display = ("title", "kind", "community")
