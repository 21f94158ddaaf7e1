from django.urls import path

from jiqun.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<str:code>/", views.programme_detail, name="detail"),
    path("<str:code>/source/", views.programme_source, name="source"),
]
