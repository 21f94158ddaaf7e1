from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jiqun.evaluation"
    label = "evaluation"
    verbose_name = "评价"
