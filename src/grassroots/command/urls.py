from django.urls import path

from . import views

app_name = "command"
urlpatterns = [
    path("", views.center, name="center"),
    path("grid/<str:code>/", views.grid, name="grid"),
    path("export.xlsx", views.export, name="export"),
]
