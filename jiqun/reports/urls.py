from django.urls import path

from jiqun.reports import views

app_name = "reports"
urlpatterns = [
    path("quarterly.docx", views.quarterly, name="quarterly"),
    path("quarterly.pdf", views.quarterly_pdf, name="quarterly_pdf"),
    path("notice/<int:pk>.docx", views.notice, name="notice"),
    path("halfyear.xlsx", views.halfyear, name="halfyear"),
    path("evaluation/<int:pk>.docx", views.evaluation, name="evaluation"),
    path("evaluation/<int:pk>.pdf", views.evaluation_pdf, name="evaluation_pdf"),
    path("cluster/<int:pk>.pdf", views.cluster, name="cluster"),
]
