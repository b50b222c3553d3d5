from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("me/", views.data, name="data"),
    path("me/correction/", views.correction, name="correction"),
    path("me/deletion/", views.deletion, name="deletion"),
    path("me/reveals/", views.reveals, name="reveals"),
    path("requests/", views.staff_list, name="staff"),
    path("requests/<int:pk>/decide/", views.staff_decide, name="decide"),
]
