from django.urls import path

from jiqun.dashboards import compare_views, map_views, views, workbench_views
from jiqun.dashboards.panel_views import panels

app_name = "dashboards"

urlpatterns = [
    path("figures/<int:pk>/", views.figure, name="figure"),
    path("maps/", map_views.maps, name="maps"),
    path("maps/<str:name>.json", map_views.map_geojson, name="map"),
    path("panels/", panels, name="panels"),
    path("compare/", compare_views.compare, name="compare"),
    path("compare/save/", compare_views.compare_save, name="compare_save"),
    path("compare/saved/<int:pk>/delete/", compare_views.compare_delete, name="compare_delete"),
    path("workbench/approve/", workbench_views.approve, name="workbench_approve"),
]
