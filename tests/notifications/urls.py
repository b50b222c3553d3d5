"""The project's URLs plus /notifications/ and /api/notifications/ (until the root urls and api mount them)."""

from django.urls import Resolver404, include, path, resolve
from ninja import NinjaAPI
from ninja.security import django_auth

from grassroots.notifications.api import router
from grassroots.urls import urlpatterns as root


def _mounted(url: str) -> bool:
    try:
        resolve(url, urlconf="grassroots.urls")
    except Resolver404:
        return False
    return True


urlpatterns = list(root)
if not _mounted("/notifications/"):
    urlpatterns.insert(0, path("notifications/", include("grassroots.notifications.urls")))
if not _mounted("/api/notifications/"):
    api = NinjaAPI(title="notifications (tests)", auth=django_auth, urls_namespace="notifications_test_api")
    api.add_router("/notifications", router)
    urlpatterns.insert(0, path("api/", api.urls))
