"""Django admin that respects roles: business data read-only for the province admin, in scope; users for the
system and security admins through the account services; the audit log read-only for the audit admin (三员分立).

The admin writes nothing by itself: every business change goes through the pages, the API or the services,
which check permissions and write the audit log. A model admin that does write overrides its save and delete
to call those services and sets `read_only = False`.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiqun.accounts.models import Role


class RoleAdmin(admin.ModelAdmin):
    """Open to the listed roles only, read-only unless told otherwise; querysets use `for_user` where the
    model has it."""

    roles: tuple[str, ...] = (Role.PROVINCE_ADMIN,)
    read_only: bool = True

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

    # Guards behind the permissions: other admin views (simple_history's revert form) still call these.
    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise PermissionDenied(_("管理后台只读：请在业务页面修改，修改会经过权限检查并记入审计日志"))

    def save_model(self, request, obj, form, change) -> None:
        self._refuse_if_read_only()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        self._refuse_if_read_only()
        super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj) -> None:
        self._refuse_if_read_only()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        self._refuse_if_read_only()
        super().delete_queryset(request, queryset)
