from django.urls import path

from jiqun.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("figures/<int:pk>/", views.figure, name="figure"),
]
