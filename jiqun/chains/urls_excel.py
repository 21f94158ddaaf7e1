"""A chain's Excel in and out, included at chains/excel/ (namespace "chain_excel")."""

from django.urls import path

from jiqun.chains import excel_views

app_name = "chain_excel"

urlpatterns = [
    path("import/", excel_views.chain_import_new, name="import_new"),
    path("template.xlsx", excel_views.chain_template, name="template"),
    path("<int:pk>/import/", excel_views.chain_import, name="import"),
    path("<int:pk>/export.xlsx", excel_views.chain_export, name="export"),
]
