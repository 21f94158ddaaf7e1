from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiqun.audit"
    label = "audit"
    verbose_name = "审计"
