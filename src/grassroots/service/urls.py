from django.urls import path

from . import views, views_community

app_name = "service"
urlpatterns = [
    path("", views.me, name="me"),
    path("register/", views.register, name="register"),
    path("posts/", views.posts_set, name="posts_set"),
    path("records/new/", views.record_new, name="record_new"),
    path("records/<int:pk>/photo/", views.record_photo, name="record_photo"),
    path("units/", views.units, name="units"),
    path("community/", views_community.community, name="community"),
    path("community/members/<int:pk>/decide/", views_community.member_decide, name="member_decide"),
    path("community/units/<int:pk>/decide/", views_community.unit_decide, name="unit_decide"),
    path("community/members/", views_community.members, name="members"),
    path("community/records/", views_community.records, name="records"),
    path("community/records/<int:pk>/verify/", views_community.record_verify, name="record_verify"),
    path("community/posts/", views_community.posts, name="posts"),
    path("community/units/", views_community.units, name="co_units"),
    path("community/feedback/", views_community.feedback, name="feedback"),
    path("community/feedback/<int:pk>/", views_community.feedback_job, name="feedback_job"),
    path("community/feedback/<int:pk>/<str:kind>/", views_community.feedback_file, name="feedback_file"),
]
