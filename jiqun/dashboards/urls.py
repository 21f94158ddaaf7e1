from django.urls import path, register_converter

from jiqun.dashboards import compare_views, map_views, overview_views, views, workbench_views
from jiqun.dashboards.panel_views import panels


class RegionCodeConverter:
    """A six-digit GB/T 2260 code: anything else names no region and is not this route (a plain 404)."""

    regex = r"[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RegionCodeConverter, "region")

app_name = "dashboards"

urlpatterns = [
    path("", overview_views.overview, name="overview"),
    path("regions/<region:code>/", overview_views.region, name="region"),
    path("figures/<int:pk>/", views.figure, name="figure"),
    path("figures/at/", views.figure_at, name="figure_at"),
    path("maps/", map_views.maps, name="maps"),
    path("maps/<str:name>.json", map_views.map_geojson, name="map"),
    path("panels/", panels, name="panels"),
    path("compare/", compare_views.compare, name="compare"),
    path("compare/save/", compare_views.compare_save, name="compare_save"),
    path("compare/saved/<int:pk>/delete/", compare_views.compare_delete, name="compare_delete"),
    path("workbench/approve/", workbench_views.approve, name="workbench_approve"),
]
