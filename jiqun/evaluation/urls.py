from django.urls import path

from jiqun.evaluation import bonus_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.scheme_list, name="schemes"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/publish/", views.run_publish, name="publish"),
    path("runs/<int:pk>/explain/", views.run_explain, name="explain"),
    path("runs/<int:pk>/export.xlsx", views.run_export, name="export"),
    path("runs/<int:pk>/explain.xlsx", views.explain_export, name="explain_export"),
    path("bonus/", bonus_views.claim_list, name="bonus_claims"),
    path("bonus/<int:pk>/", bonus_views.claim_detail, name="bonus_claim"),
]
