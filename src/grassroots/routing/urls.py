from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("", views.index, name="index"),
    path("train/", views.train, name="train"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("streets/", views.streets, name="streets"),
    path("streets/<int:pk>/", views.street, name="street"),
    path("cases/<int:pk>/apply/", views.apply, name="apply"),
    path("cases/<int:pk>/categorize/", views.categorize, name="categorize"),
]
