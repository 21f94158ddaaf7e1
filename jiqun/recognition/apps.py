from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "jiqun.recognition"
    label = "recognition"
    verbose_name = "赛马认定"
