from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("residents/", views.residents, name="residents"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/reveal/<str:field>/", views.resident_reveal, name="resident_reveal"),
    path("party-members/", views.party_members, name="party_members"),
    path("party-members/<int:pk>/", views.party_member_detail, name="party_member"),
    path("grid-staff/", views.grid_staff, name="grid_staff"),
    path("grid-staff/<int:pk>/", views.grid_staff_detail, name="grid_staff_post"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
]
