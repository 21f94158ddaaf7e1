from django.urls import path

from jiqun.dashboards import compare_views, views

app_name = "dashboards"

urlpatterns = [
    path("figures/<int:pk>/", views.figure, name="figure"),
    path("compare/", compare_views.compare, name="compare"),
    path("compare/save/", compare_views.compare_save, name="compare_save"),
    path("compare/saved/<int:pk>/delete/", compare_views.compare_delete, name="compare_delete"),
]
