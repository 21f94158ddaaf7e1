from django.urls import path

from jiqun.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_create_view, name="create"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("carriers/", views.carrier_list, name="carriers"),
    path("carriers/new/", views.carrier_create_view, name="carrier_create"),
]
