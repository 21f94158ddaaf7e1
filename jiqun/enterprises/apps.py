from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "jiqun.enterprises"
    label = "enterprises"
    verbose_name = "企业"
