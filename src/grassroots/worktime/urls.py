from django.urls import path

from . import views

app_name = "worktime"
urlpatterns = [
    path("", views.index, name="index"),
    path("days/", views.day_set, name="day_set"),
    path("days/<str:day>/delete/", views.day_delete, name="day_delete"),
    path("years/", views.year_set, name="year_set"),
]
