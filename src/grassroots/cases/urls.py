from django.urls import path

from . import views, views_board, views_detail

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.xlsx", views.case_export, name="export"),
    path("board/", views_board.board, name="board"),
    path("board/bulk/", views_board.bulk, name="bulk"),
    path("<int:pk>/", views_detail.detail, name="detail"),
    path("<int:pk>/actions/<str:action>/", views_detail.act, name="act"),
    path("<int:pk>/reveal/", views_detail.reveal, name="reveal"),
]
