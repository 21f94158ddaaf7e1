from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jiqun.api"
    label = "api"
    verbose_name = "接口"
