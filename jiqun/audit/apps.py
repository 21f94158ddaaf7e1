from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jiqun.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        """Refuse to start when the audit settings fall short of 等保 2.0 (retention, key length)."""
        from jiqun.audit.store import check_audit_settings

        check_audit_settings()
