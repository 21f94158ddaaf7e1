from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jiqun.core"
    label = "core"
    verbose_name = "核心"
