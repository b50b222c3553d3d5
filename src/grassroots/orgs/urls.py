from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("party/", views.party, name="party"),
    path("party/<int:pk>/", views.party_org_detail, name="party_org"),
    path("units/", views.units, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
]
