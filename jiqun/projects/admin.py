from django.contrib import admin

from jiqun.projects.models import Constraint, Project, StageEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Projects change through jiqun.projects.services only; the admin shows them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(Project, ReadOnlyAdmin)
admin.site.register(StageEvent, ReadOnlyAdmin)
admin.site.register(Constraint, ReadOnlyAdmin)
