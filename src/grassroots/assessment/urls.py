from django.urls import path

from . import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("units/", views.units, name="units"),
    path("units/export.xlsx", views.units_export, name="units_export"),
    path("weights/", views.weights, name="weights"),
]
