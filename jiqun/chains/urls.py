from django.urls import path

from jiqun.chains import views

app_name = "chains"
urlpatterns = [
    path("", views.chain_list_view, name="list"),
    path("new/", views.chain_create_view, name="create"),
    path("<int:pk>/", views.chain_detail, name="detail"),
    path("<int:pk>/edit/", views.chain_edit, name="edit"),
    path("<int:pk>/segments/new/", views.segment_add_view, name="segment_add"),
    path("<int:pk>/download/<str:what>.xlsx", views.chain_download, name="download"),
    path("segment/<int:pk>/", views.segment_view, name="segment"),
    path("segment/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segment/<int:pk>/retire/", views.segment_retire_view, name="segment_retire"),
    path("segment/<int:pk>/place/", views.placement_add_view, name="placement_add"),
    path("segment/<int:pk>/links/new/", views.supply_link_add_view, name="link_add"),
    path("segment/<int:pk>/download.xlsx", views.segment_download, name="segment_download"),
    path("placement/<int:pk>/remove/", views.placement_remove_view, name="placement_remove"),
    path("link/<int:pk>/edit/", views.supply_link_edit, name="link_edit"),
    path("link/<int:pk>/remove/", views.supply_link_remove_view, name="link_remove"),
]
