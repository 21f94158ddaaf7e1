from django.urls import path, register_converter

from jiqun.dashboards import overview_views, views


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
]
