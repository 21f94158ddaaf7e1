from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from jiqun.accounts.models import ApiToken, Role, User
from jiqun.core.admin import RoleAdmin

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RoleAdmin, DjangoUserAdmin):
    """Users and their roles: the system admin manages accounts, the security admin roles and scopes."""

    roles = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    list_display = ["username", "first_name", "role", "region", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "organisation"]
    fieldsets = DjangoUserAdmin.fieldsets[:2] + (
        ("角色与范围", {"fields": ["role", "region", "clusters", "enterprise", "organisation"]}),
        ("状态", {"fields": ["is_active", "last_login", "date_joined", "password_changed_at"]}),
    )
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    filter_horizontal = ["clusters"]
    raw_id_fields = ["enterprise"]


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdmin):
    roles = (Role.SECURITY_ADMIN,)
    list_display = ["user", "name", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["user", "name", "created_at", "last_used_at"]
