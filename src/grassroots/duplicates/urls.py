from django.urls import path

from . import views

app_name = "duplicates"
urlpatterns = [
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/", views.pair, name="pair"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("t/<str:code>/rate/", views.rate, name="rate"),
]
