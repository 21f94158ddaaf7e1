from django.urls import path

from jiqun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("2fa/", views.two_factor, name="two_factor"),
]
