from django.urls import path

from jiqun.accounts import views

app_name = "accounts"
urlpatterns = [path("tokens/", views.token_list, name="tokens")]
