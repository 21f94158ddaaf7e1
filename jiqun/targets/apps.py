from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "jiqun.targets"
    label = "targets"
    verbose_name = "目标与督导"
