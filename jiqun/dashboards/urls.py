from django.urls import path

from jiqun.dashboards import views, workbench_views

app_name = "dashboards"

urlpatterns = [
    path("figures/<int:pk>/", views.figure, name="figure"),
    path("workbench/approve/", workbench_views.approve, name="workbench_approve"),
]
