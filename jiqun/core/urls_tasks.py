from django.urls import path

from jiqun.core import views_tasks as views

app_name = "tasks"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("quarterly/", views.start_quarterly, name="quarterly"),
    path("template/<int:pk>/", views.start_template, name="template"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/status", views.status, name="status"),
    path("<uuid:pk>/download", views.download, name="download"),
]
