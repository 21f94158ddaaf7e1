from django.urls import path

from jiqun.evaluation import ahp_views, bonus_views, observation_views, scheme_edit_views, views

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
    path("schemes/<int:pk>/copy/", scheme_edit_views.scheme_copy_view, name="scheme_copy"),
    path("schemes/<int:pk>/edit/", scheme_edit_views.scheme_edit_view, name="scheme_edit"),
    path("schemes/<int:pk>/export.yaml", scheme_edit_views.scheme_export_view, name="scheme_export"),
    path("schemes/<int:pk>/ahp/", ahp_views.consultation_open_view, name="ahp_open"),
    path("ahp/", ahp_views.invitation_list, name="invitations"),
    path("ahp/<int:pk>/", ahp_views.consultation_detail, name="ahp"),
    path("ahp/<int:pk>/close/", ahp_views.consultation_close_view, name="ahp_close"),
    path("ahp/invitations/<int:pk>/", ahp_views.invitation_view, name="invitation"),
    path("bonus/", bonus_views.claim_list, name="bonus_claims"),
    path("bonus/<int:pk>/", bonus_views.claim_detail, name="bonus_claim"),
    path("observations/", observation_views.observation_list, name="observations"),
]
