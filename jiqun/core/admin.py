"""Django admin that respects roles: business data for the province admin, in scope; users for the
system admin; the audit log read-only for the audit admin (三员分立)."""

from django.contrib import admin

from jiqun.accounts.models import Role


class RoleAdmin(admin.ModelAdmin):
    """Open to the listed roles only; querysets use `for_user` where the model has it."""

    roles: tuple[str, ...] = (Role.PROVINCE_ADMIN,)
    read_only: bool = False

    def _allowed(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.role in self.roles

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request) and not self.read_only

    def has_add_permission(self, request) -> bool:
        return self._allowed(request) and not self.read_only

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request) and not self.read_only

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.for_user(request.user) if hasattr(qs, "for_user") else qs
