from django.urls import path

from jiqun.recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.call_list, name="calls"),
    path("new/", views.call_create_view, name="call_create"),
    path("<int:pk>/", views.call_detail, name="call"),
    path("<int:pk>/move/", views.call_move, name="call_move"),
    path("<int:pk>/apply/", views.apply, name="apply"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/objections/", views.objection_create, name="objection"),
    path("applications/<int:pk>/answer/", views.objection_answer_view, name="answer"),
    path("applications/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_delete_view, name="attachment_delete"),
    path("experts/", views.expert_library, name="experts"),
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:pk>/", views.assignment_score, name="assignment"),
]
