from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("hotline/", views.index, name="hotline"),
    path("hotline/upload/", views.upload, name="hotline_upload"),
    path("hotline/<int:pk>/", views.job, name="hotline_job"),
    path("hotline/<int:pk>/mapping/", views.mapping, name="hotline_mapping"),
    path("hotline/<int:pk>/errors.xlsx", views.job_errors, name="hotline_errors"),
]
