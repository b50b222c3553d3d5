from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.board, name="board"),
    path("export.xlsx", views.export, name="export"),
    path("survey-template.xlsx", views.survey_template_xlsx, name="survey_template"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("cases/<int:pk>/need/", views.case_need, name="case_need"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("agreements/<int:pk>/", views.agreement, name="agreement"),
    path("unit/", views.unit, name="unit"),
]
