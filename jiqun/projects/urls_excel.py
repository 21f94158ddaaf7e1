"""The project library's Excel and pipeline routes; jiqun/projects/urls.py adds them to its "projects" namespace
(`urlpatterns += urls_excel.urlpatterns`)."""

from django.urls import path

from jiqun.projects import excel_views, pipeline_views

urlpatterns = [
    path("import/", excel_views.project_import, name="import"),
    path("import/template.xlsx", excel_views.project_template, name="import_template"),
    path("export.xlsx", excel_views.project_export, name="export"),
    path("pipeline/", pipeline_views.pipeline_page, name="pipeline"),
    path("pipeline/export.xlsx", pipeline_views.pipeline_export, name="pipeline_export"),
]
