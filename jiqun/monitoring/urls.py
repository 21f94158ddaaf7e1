from django.urls import path

from jiqun.monitoring import quality_views, views

app_name = "monitoring"
urlpatterns = [
    path("", views.period_list, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/template.xlsx", views.period_template, name="template"),
    path("periods/<int:pk>/upload/", views.period_upload, name="upload"),
    path("periods/<int:pk>/reminders.xlsx", views.period_reminders, name="reminders"),
    path("periods/<int:pk>/rollup/", views.period_rollup, name="rollup"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("uploads/<str:token>.xlsx", views.upload_annotated, name="annotated"),
    path("quality/", quality_views.quality_page, name="quality"),
    path("quality.xlsx", quality_views.quality_export, name="quality_export"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
]
