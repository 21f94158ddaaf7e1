"""The account pages of the Django admin, split by duty (三员分立) and writing only through the services.

The system admin creates accounts, edits names and organisations, (de)activates them and resets passwords;
the security admin assigns roles and scopes. Nobody deletes an account: it is deactivated, so the audit
log keeps pointing at it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.accounts.models import ApiToken, Role, User
from jiqun.accounts.permissions import can_assign_roles, can_manage_accounts
from jiqun.accounts.services import (
    PROFILE_FIELDS,
    api_token_revoke,
    role_assignment_errors,
    user_activate,
    user_assign_role,
    user_create,
    user_deactivate,
    user_password_set,
    user_update_profile,
)
from jiqun.core.admin import RoleAdmin
from jiqun.core.forms import TextRuleMixin

admin.site.unregister(Group)

ACCOUNT_FIELDS = ["first_name", "last_name", "email", "organisation", "is_active"]
SCOPE_FIELDS = ["role", "region", "clusters", "enterprise"]
SHOWN_ALWAYS = ["username", "last_login", "date_joined", "password_changed_at"]


class RoleAssignmentForm(TextRuleMixin, forms.ModelForm):
    """The security admin's form: checks 三员分立 before anything is saved, on the field at fault.

    Who may assign (the security admin, not to itself) is settled by the read-only fields and again by
    `user_assign_role`; this form checks what the role and scope may be.
    """

    def clean(self) -> dict:
        data = super().clean()
        if all(f in data for f in SCOPE_FIELDS):
            original = User.objects.get(pk=self.instance.pk)
            errors = role_assignment_errors(actor=None, user=original, role=data["role"],
                                            region=data["region"], clusters=data["clusters"],
                                            enterprise=data["enterprise"])
            for field, msgs in errors.items():
                self.add_error(field, msgs)
        return data


@admin.register(User)
class UserAdmin(RoleAdmin, DjangoUserAdmin):
    """Users and their roles: the system admin manages accounts, the security admin roles and scopes."""

    roles = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    read_only = False
    list_display = ["username", "first_name", "role", "region", "organisation", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "first_name", "organisation"]
    filter_horizontal = ["clusters"]
    raw_id_fields = ["enterprise"]
    add_fieldsets = ((None, {"fields": ["username", "password1", "password2", "first_name", "organisation"]}),)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return (
            (None, {"fields": ["username", "password"]}),
            (gettext_lazy("账号信息"), {"fields": ACCOUNT_FIELDS}),
            (gettext_lazy("角色与范围"), {"fields": SCOPE_FIELDS}),
            (gettext_lazy("时间"), {"fields": ["last_login", "date_joined", "password_changed_at"]}),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        editable = ACCOUNT_FIELDS if can_manage_accounts(request.user) else SCOPE_FIELDS
        if obj.pk == request.user.pk:
            # Neither admin changes its own standing: the security admin its scope, the system admin its state.
            editable = [f for f in editable if f not in SCOPE_FIELDS + ["is_active"]]
        return SHOWN_ALWAYS + [f for f in ACCOUNT_FIELDS + SCOPE_FIELDS if f not in editable]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and can_assign_roles(request.user):
            kwargs["form"] = RoleAssignmentForm
        return super().get_form(request, obj, change=change, **kwargs)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request) and can_manage_accounts(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            created = user_create(actor=request.user, username=form.cleaned_data["username"],
                                  password=form.cleaned_data["password1"],
                                  full_name=form.cleaned_data.get("first_name", ""),
                                  organisation=form.cleaned_data.get("organisation", ""))
            obj.pk = created.pk  # the admin's response and log entry refer to the saved account
            return
        user = User.objects.get(pk=obj.pk)  # `obj` already carries the posted values
        data = form.cleaned_data
        profile = {f: data[f] for f in PROFILE_FIELDS if f in form.changed_data}
        if profile:
            user_update_profile(actor=request.user, user=user, **profile)
        if "is_active" in form.changed_data:
            (user_activate if data["is_active"] else user_deactivate)(actor=request.user, user=user)
        if set(SCOPE_FIELDS) & set(form.changed_data):
            user_assign_role(actor=request.user, user=user, role=data["role"], region=data["region"],
                             clusters=data["clusters"], enterprise=data["enterprise"])

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing: the clusters are set by `user_assign_role`, which audits them."""

    def user_change_password(self, request, id, form_url=""):
        """Reset a password through `user_password_set`; the system admin only."""
        if not can_manage_accounts(request.user):
            raise PermissionDenied
        user = get_object_or_404(self.get_queryset(request), pk=id)
        if request.method == "POST":
            form = AdminPasswordChangeForm(user, request.POST)
            if form.is_valid() and form.cleaned_data.get("password1"):
                user_password_set(actor=request.user, user=user, password=form.cleaned_data["password1"])
                messages.success(request, _("已重置“%(user)s”的密码") % {"user": user.username})
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdmin):
    roles = (Role.SECURITY_ADMIN,)
    list_display = ["user", "name", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["user", "name", "created_at", "last_used_at"]
    actions = ["revoke"]

    @admin.action(description=gettext_lazy("吊销所选令牌"))
    def revoke(self, request, queryset) -> None:
        for token in queryset:
            api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("已吊销 %(n)d 个令牌") % {"n": queryset.count()})
