from django.urls import path

from . import views

app_name = "deliberation"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<str:code>/", views.community, name="community"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("votes/<int:pk>/", views.vote, name="vote"),
    path("votes/<int:pk>/paper/", views.vote_paper_entry, name="vote_paper"),
    path("checkin/", views.attend, name="checkin"),
    path("meetings/<int:pk>/", views.meeting_public, name="meeting_public"),
    path("resolutions/<int:pk>/", views.resolution, name="resolution"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("practical/<str:code>/", views.practical, name="practical"),
    path("conventions/<int:pk>/", views.convention, name="convention"),
    path("manage/", views.manage, name="manage"),
    path("cases/<int:pk>/agenda/", views.case_agenda, name="case_agenda"),
    path("manage/meetings/<int:pk>/", views.meeting, name="meeting"),
]
