from django.urls import path

from jiqun.chains import prospect_views as views

app_name = "chain_prospects"
urlpatterns = [
    path("", views.prospect_list, name="list"),
    path("export/", views.prospect_export, name="export"),
    path("add/", views.prospect_add, name="add"),
    path("<int:pk>/", views.prospect_detail, name="detail"),
    path("<int:pk>/edit/", views.prospect_edit, name="edit"),
    path("<int:pk>/contact/", views.prospect_contact_view, name="contact"),
    path("<int:pk>/move/", views.prospect_move_view, name="move"),
    path("<int:pk>/sign/", views.prospect_sign_view, name="sign"),
]
