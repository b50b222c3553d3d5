from django.urls import path

from . import views, views_monthly

app_name = "hotspots"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export, name="export"),
    path("rising/", views.rising_detail, name="rising"),
    path("clusters/", views.clusters, name="clusters"),
    path("monthly/", views_monthly.monthly_list, name="monthly"),
    path("monthly/new/", views_monthly.promote, name="promote"),
    path("monthly/<int:pk>/", views_monthly.monthly_detail, name="monthly_detail"),
    path("monthly/<int:pk>/actions/<str:action>/", views_monthly.monthly_act, name="monthly_act"),
]
