from django.urls import path

from jiqun.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("programme/<str:code>/", views.programme_targets, name="programme"),
    path("programme/<str:code>/export.xlsx", views.programme_export, name="export"),
    path("subject/<str:kind>/<str:key>/", views.subject_targets, name="subject"),
    path("<int:pk>/", views.target_detail, name="detail"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/updates/<int:pk>/evidence/", views.task_evidence, name="task_evidence"),
    path("checklists/", views.checklist_list, name="checklists"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist"),
    path("checklists/evidence/<int:pk>/", views.checklist_evidence_file, name="checklist_evidence"),
]
