from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("map/", views.grid_map, name="map"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/boundaries.geojson", views.boundaries_export, name="boundaries_export"),
    path("<str:code>/boundaries/import/", views.boundaries_import, name="boundaries_import"),
]
