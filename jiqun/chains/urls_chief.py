"""The 链长 persona's pages, mounted at /chains/chief/ (jiqun.config.urls)."""

from django.urls import path

from jiqun.chains import chief_views

app_name = "chain_chief"
urlpatterns = [
    path("", chief_views.home, name="home"),
    path("<int:pk>/", chief_views.chain, name="chain"),
]
