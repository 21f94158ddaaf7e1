from django.urls import path

from jiqun.dashboards import views
from jiqun.dashboards.panel_views import panels

app_name = "dashboards"

urlpatterns = [
    path("figures/<int:pk>/", views.figure, name="figure"),
    path("panels/", panels, name="panels"),
]
