from django.urls import path

from . import views

app_name = "stars"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("b/<int:pk>/", views.branch, name="branch"),
    path("public/<str:code>/", views.public, name="public"),
]
