from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/errors.xlsx", views.job_errors, name="job_errors"),
    path("<slug:register>/template.xlsx", views.template, name="template"),
    path("<slug:register>/export.xlsx", views.export, name="export"),
    path("<slug:register>/upload/", views.upload, name="upload"),
]
