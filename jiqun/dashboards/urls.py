from django.urls import path

from jiqun.dashboards import map_views, views
from jiqun.dashboards.panel_views import panels

app_name = "dashboards"

urlpatterns = [
    path("figures/<int:pk>/", views.figure, name="figure"),
    path("maps/", map_views.maps, name="maps"),
    path("maps/<str:name>.json", map_views.map_geojson, name="map"),
    path("panels/", panels, name="panels"),
]
