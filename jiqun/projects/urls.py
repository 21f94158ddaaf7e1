from django.urls import path

from jiqun.projects import urls_excel, views

app_name = "projects"
urlpatterns = [
    path("", views.project_list_view, name="list"),
    path("new/", views.project_create_view, name="create"),
    path("overdue/", views.overdue_view, name="overdue"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/move/", views.project_move, name="move"),
    path("<int:pk>/plan/", views.project_plan, name="plan"),
    path("<int:pk>/constraints/new/", views.constraint_raise_view, name="constraint_raise"),
    path("constraints/<int:pk>/close/", views.constraint_close_view, name="constraint_close"),
]
urlpatterns += urls_excel.urlpatterns  # Excel in and out, the pipeline
