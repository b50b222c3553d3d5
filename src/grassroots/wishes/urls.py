from django.urls import path

from . import views

app_name = "wishes"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<str:code>/", views.community_wall, name="wall"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/proof/", views.proof, name="proof"),
    path("mine/", views.mine, name="mine"),
    path("manage/", views.manage, name="manage"),
]
