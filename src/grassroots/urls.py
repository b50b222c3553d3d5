from django.contrib import admin
from django.urls import include, path

from grassroots.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("areas/", include("grassroots.areas.urls")),
    path("orgs/", include("grassroots.orgs.urls")),
    path("people/", include("grassroots.people.urls")),
    path("registers/", include("grassroots.registers.urls")),
    path("worktime/", include("grassroots.worktime.urls")),
    path("notifications/", include("grassroots.notifications.urls")),
    path("cases/", include("grassroots.cases.urls")),
    path("duplicates/", include("grassroots.duplicates.urls")),
    path("r/", include("grassroots.portal.urls")),
    path("intake/", include("grassroots.intake.urls")),
    path("open311/v2/", include("grassroots.intake.open311_urls")),
    path("evaluation/", include("grassroots.evaluation.urls")),
    path("assessment/", include("grassroots.assessment.urls")),
    path("command/", include("grassroots.command.urls")),
    path("hotspots/", include("grassroots.hotspots.urls")),
    path("routing/", include("grassroots.routing.urls")),
    path("w/", include("grassroots.woodpeckers.urls")),
    path("s/", include("grassroots.service.urls")),
    path("v/", include("grassroots.volunteers.urls")),
    path("wishes/", include("grassroots.wishes.urls")),
    path("m/", include("grassroots.matching.urls")),
    path("d/", include("grassroots.deliberation.urls")),
    path("points/", include("grassroots.points.urls")),
    path("reports/", include("grassroots.reports.urls")),
    path("stars/", include("grassroots.stars.urls")),
    path("privacy/", include("grassroots.privacy.urls")),
    path("", include("grassroots.web.urls")),
]
