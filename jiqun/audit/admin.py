from django.contrib import admin

from jiqun.accounts.models import Role
from jiqun.audit.models import AuditEvent
from jiqun.core.admin import RoleAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    """Read-only for the audit admin; nobody can change or delete an event."""

    roles = (Role.AUDIT_ADMIN,)
    list_display = ["seq", "at", "actor_name", "action", "object_type", "object_repr", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_name", "object_repr"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
