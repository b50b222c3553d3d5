"""The project's URLs plus /worktime/ (until the root urls.py includes it itself)."""

from django.urls import include, path

from grassroots.urls import urlpatterns as root

mounted = any(getattr(p, "namespace", None) == "worktime" for p in root)
urlpatterns = root if mounted else [path("worktime/", include("grassroots.worktime.urls")), *root]
