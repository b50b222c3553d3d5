from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.units, name="index"),
    path("dispatches/", views.dispatches, name="dispatches"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("export.xlsx", views.export, name="export"),
    path("cases/<int:pk>/units/<int:unit_id>/", views.rate_unit, name="rate_unit"),
    path("cases/<int:pk>/dispatches/<int:unit_id>/", views.rate_dispatch, name="rate_dispatch"),
]
