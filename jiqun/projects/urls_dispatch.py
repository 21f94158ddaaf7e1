from django.urls import path

from jiqun.projects import dispatch_views as views

app_name = "dispatch"
urlpatterns = [
    path("", views.dispatch_index, name="index"),
    path("periods/<int:pk>/", views.dispatch_period, name="period"),
    path("periods/<int:pk>/reminders.xlsx", views.dispatch_reminders, name="reminders"),
    path("periods/<int:pk>/progress/", views.dispatch_progress, name="progress"),
    path("periods/<int:pk>/template.xlsx", views.dispatch_template, name="template"),
    path("periods/<int:pk>/upload/", views.dispatch_upload, name="upload"),
    path("<int:pk>/", views.dispatch_detail, name="detail"),
]
