from django.urls import path

from jiqun.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("export/", views.incident_export, name="export"),
    path("new/", views.incident_create_view, name="create"),
    path("<int:pk>/edit/", views.incident_edit, name="edit"),
    path("<int:pk>/withdraw/", views.incident_withdraw_view, name="withdraw"),
]
