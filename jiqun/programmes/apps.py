from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "jiqun.programmes"
    label = "programmes"
    verbose_name = "培育工程"
