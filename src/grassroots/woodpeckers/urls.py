from django.urls import path

from . import views

app_name = "woodpeckers"
urlpatterns = [
    path("", views.app, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="sw"),
    path("join/", views.join, name="join"),
    path("roster/", views.roster, name="roster"),
    path("roster.xlsx", views.roster_xlsx, name="roster_xlsx"),
    path("roster/<int:pk>/decide/", views.roster_decide, name="roster_decide"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/judge/", views.judge, name="judge"),
]
