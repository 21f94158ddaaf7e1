from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jiqun.monitoring"
    label = "monitoring"
    verbose_name = "统计监测"
