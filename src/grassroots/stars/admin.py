"""The scheme of a district and year (thresholds, criteria) is edited here by superusers until the
year is published; ratings, scores and their history are read-only (changes go through the services)."""

from django.contrib import admin

from grassroots.accounts.admin_scope import ScopedAdminMixin

from .models import StarCriterion, StarRating, StarRatingEvent, StarScheme


class CriterionInline(admin.TabularInline):
    model = StarCriterion
    extra = 0
    fields = ("order", "basic", "name", "max_points", "source", "target", "guide")

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.published)

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not (obj and obj.published)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.ratings.exists())


@admin.register(StarScheme)
class StarSchemeAdmin(admin.ModelAdmin):
    list_display = ("district_code", "year", "title", "star1", "star2", "star3", "star4", "star5", "published")
    list_filter = ("published", "year")
    readonly_fields = ("published", "published_at")
    inlines = [CriterionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.published:
            return (*self.readonly_fields, "district_code", "year", "star1", "star2", "star3", "star4", "star5")
        return self.readonly_fields


class ReadOnly(ScopedAdminMixin, admin.ModelAdmin):
    """Ratings are read by staff of the branches' areas only (like the pages)."""

    scope_field = "area_code"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StarRating)
class StarRatingAdmin(ReadOnly):
    list_display = ("org", "scheme", "version", "status", "total", "stars", "current")
    list_filter = ("status", "stars", "scheme__year")
    search_fields = ("org__name", "area_code")


@admin.register(StarRatingEvent)
class StarRatingEventAdmin(ReadOnly):
    scope_field = "rating__area_code"
    list_display = ("rating", "action", "actor", "at", "note")
    list_filter = ("action",)
