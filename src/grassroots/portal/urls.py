from django.urls import path

from . import views, views_accounts

app_name = "portal"
urlpatterns = [
    path("", views.new, name="index"),
    path("new/", views.new, name="new"),
    path("done/", views.done, name="done"),
    path("t/", views.track_find, name="track_find"),
    path("t/<str:code>/", views.track, name="track"),
    path("t/<str:code>/rate/", views.rate, name="rate"),
    path("mine/", views.mine, name="mine"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("login/", views_accounts.signin, name="signin"),
    path("me/", views_accounts.me, name="me"),
    path("me/verify/", views_accounts.verify, name="verify"),
    path("households/", views_accounts.households, name="households"),
    path("claims/", views_accounts.claims, name="claims"),
    path("claims/<int:pk>/", views_accounts.claim, name="claim"),
    path("grids.geojson", views.grids, name="grids"),
    path("buildings/", views.buildings, name="buildings"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/thumb/", views.thumbnail, name="attachment_thumb"),
]
