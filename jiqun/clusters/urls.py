from django.urls import path

from jiqun.clusters import views

app_name = "clusters"
urlpatterns = [
    path("", views.cluster_list, name="list"),
    path("new/", views.cluster_create_view, name="create"),
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<int:pk>/<str:decision>/", views.proposal_decide, name="decide"),
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/decide/", views.review_decide_view, name="review_decide"),
    path("reviews/due/<int:pk>/decide/", views.review_decide_due_view, name="review_decide_due"),  # pk: the cluster
    path("<int:pk>/", views.cluster_detail, name="detail"),
    path("<int:pk>/edit/", views.cluster_edit, name="edit"),
    path("<int:pk>/propose/", views.cluster_propose, name="propose"),
]
