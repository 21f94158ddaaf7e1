"""Read-only admin views for the province admin; every write goes through the pages, the API or the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jiqun.core.admin import RoleAdmin
from jiqun.targets.models import ChainChecklist, ChecklistEvidence, TargetOverride, TaskUpdate


@admin.register(TargetOverride)
class TargetOverrideAdmin(RoleAdmin, SimpleHistoryAdmin):
    list_display = ["target", "value", "year", "comparator", "baseline_value", "baseline_year", "updated_by",
                    "updated_at"]


@admin.register(TaskUpdate)
class TaskUpdateAdmin(RoleAdmin):
    list_display = ["task", "unit", "from_status", "status", "reported_by_name", "reported_at", "source"]
    list_filter = ["status", "source", "task__programme"]


class EvidenceInline(admin.TabularInline):
    model = ChecklistEvidence
    extra = 0
    fields = ["item_code", "done", "evidence", "evidence_name", "updated_by", "updated_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(ChainChecklist)
class ChainChecklistAdmin(RoleAdmin, SimpleHistoryAdmin):
    list_display = ["cluster", "chain", "chain_record", "region", "chief", "source"]
    list_filter = ["programme", "source"]
    inlines = [EvidenceInline]
