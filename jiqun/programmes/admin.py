from django.contrib import admin

from jiqun.core.admin import RoleAdmin
from jiqun.programmes.models import Indicator, Programme, Target, Task


@admin.register(Programme)
class ProgrammeAdmin(RoleAdmin):
    list_display = ["code", "name", "document_number", "period_start", "period_end", "version"]


@admin.register(Indicator)
class IndicatorAdmin(RoleAdmin):
    list_display = ["code", "name", "unit", "kind", "aggregation", "direction", "precision"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(Target)
class TargetAdmin(RoleAdmin):
    list_display = ["programme", "code", "label", "subject_kind", "value", "unit", "year", "clause"]
    list_filter = ["programme", "year", "subject_kind"]
    search_fields = ["label", "quote"]


@admin.register(Task)
class TaskAdmin(RoleAdmin):
    list_display = ["programme", "code", "title", "due_year", "clause"]
    list_filter = ["programme"]
