from django.urls import path

from jiqun.regions import views

app_name = "regions"
urlpatterns = [path("", views.region_list, name="list")]
