from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.index, name="index"),
    path("a/<int:pk>/", views.activity, name="activity"),
    path("a/<int:pk>/signup/", views.activity_signup, name="signup"),
    path("a/<int:pk>/cancel/", views.activity_cancel, name="cancel"),
    path("a/<int:pk>/check/", views.activity_check, name="check"),
    path("a/<int:pk>/code/<str:kind>/", views.activity_code, name="code"),
    path("a/<int:pk>/confirm/<int:signup_pk>/", views.activity_confirm, name="confirm"),
    path("a/<int:pk>/close/", views.activity_finish, name="close"),
    path("me/", views.me, name="me"),
    path("me/certificate.pdf", views.certificate, name="certificate"),
    path("teams/", views.teams, name="teams"),
    path("manage/", views.manage, name="manage"),
]
