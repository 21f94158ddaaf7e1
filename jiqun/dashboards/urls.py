from django.urls import path

from jiqun.dashboards import overview_views, views

app_name = "dashboards"

urlpatterns = [
    path("", overview_views.overview, name="overview"),
    path("regions/<str:code>/", overview_views.region, name="region"),
    path("figures/<int:pk>/", views.figure, name="figure"),
]
