"""Writes to user accounts, API tokens and the security log.

三员分立: the system administrator keeps accounts (create, profile, deactivate, password reset) and grants no
role; the security administrator assigns roles and scopes, never to itself; an account holds one admin role
or business roles, never both, and an admin account keeps its role for life. Every change is audited with
its before and after. `actor=None` is the system itself (the demo loader, management commands).
"""

import datetime
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiqun.accounts.models import ADMIN_ROLES, REGION_ROLES, ApiToken, Role, User
from jiqun.accounts.permissions import can_assign_roles, can_manage_accounts
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record

PROFILE_FIELDS = ("first_name", "last_name", "email", "organisation")


# A reset password's change date: older than any PASSWORD_MAX_AGE_DAYS, so the expiry gate asks for a new one.
EXPIRED = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)

def account_snapshot(user: User) -> dict:
    """What an account holds, for the audit log's before and after (never the password hash)."""
    return {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "organisation": user.organisation, "role": user.role, "region": user.region_id,
        "clusters": sorted(str(pk) for pk in user.clusters.values_list("pk", flat=True)) if user.pk else [],
        "enterprise": user.enterprise_id, "is_active": user.is_active, "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def _staff_for(role: str) -> bool:
    """Who may open the Django admin: the three admins and the province (read-only there)."""
    return role in ADMIN_ROLES or role == Role.PROVINCE_ADMIN


def scope_errors(*, role: str, region, clusters: Iterable, enterprise) -> dict[str, list[str]]:
    """What is wrong with a role and its scope taken together; empty when they fit."""
    clusters = list(clusters)
    errors: dict[str, list[str]] = {}
    if role in ADMIN_ROLES or role == Role.PENDING:
        label = Role(role).label
        if region is not None:
            errors["region"] = [_("%(role)s不能有所属区划：管理员账号不持有业务范围") % {"role": label}]
        if clusters:
            errors["clusters"] = [_("%(role)s不能负责集群：管理员账号不持有业务范围") % {"role": label}]
        if enterprise is not None:
            errors["enterprise"] = [_("%(role)s不能属于企业：管理员账号不持有业务范围") % {"role": label}]
        return errors
    if role in REGION_ROLES and region is None:
        errors["region"] = [_("%(role)s须选择所属区划") % {"role": Role(role).label}]
    if role == Role.ENTERPRISE_REPORTER and enterprise is None:
        errors["enterprise"] = [_("企业填报员须选择所属企业")]
    if role != Role.ENTERPRISE_REPORTER and enterprise is not None:
        errors["enterprise"] = [_("只有企业填报员可以有所属企业")]
    return errors


def role_assignment_errors(*, actor, user: User, role: str, region=None, clusters: Iterable = (),
                           enterprise=None) -> dict[str, list[str]]:
    """Whether `actor` may give `user` this role and scope (三员分立); empty when it may."""
    if actor is not None:
        if not can_assign_roles(actor):
            return {"role": [_("只有安全管理员可以分配角色和范围；系统管理员只管理账号")]}
        if actor.pk == user.pk:
            return {"role": [_("安全管理员不能给自己分配角色或范围")]}
    if role not in Role.values or (role == Role.PENDING and user.role != Role.PENDING):
        return {"role": [_("角色“%(role)s”无效") % {"role": role}]}
    if user.role in ADMIN_ROLES and role != user.role:
        return {"role": [_("管理员账号“%(user)s”的角色（%(role)s）不能更改：三员各用各的账号，如需调整请停用后新建账号")
                         % {"user": user.username, "role": user.get_role_display()}]}
    if user.role != Role.PENDING and user.role not in ADMIN_ROLES and role in ADMIN_ROLES:
        return {"role": [_("业务账号“%(user)s”不能改为管理员角色：管理员须使用单独的账号")
                         % {"user": user.username}]}
    if user.is_superuser:
        return {"role": [_("超级用户账号不能分配角色：请停用该账号")]}
    return scope_errors(role=role, region=region, clusters=clusters, enterprise=enterprise)


def _require_account_manager(actor, message: str) -> None:
    if actor is not None and not can_manage_accounts(actor):
        raise PermissionDenied(message)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str = Role.PENDING,
    region=None,
    clusters=(),
    enterprise=None,
    full_name: str = "",
    organisation: str = "",
    email: str = "",
) -> User:
    """Create an account; the system admin creates it without a role, the security admin assigns one."""
    _require_account_manager(actor, _("只有系统管理员可以新建账号"))
    if actor is not None and role != Role.PENDING:
        raise PermissionDenied(_("系统管理员新建的账号不带角色：角色和范围由安全管理员分配"))
    clusters = list(clusters)
    user = User(
        username=username, role=role, region=region, enterprise=enterprise, first_name=full_name,
        organisation=organisation, email=email, is_staff=_staff_for(role),
    )
    errors = scope_errors(role=role, region=region, clusters=clusters, enterprise=enterprise)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.clusters.set(clusters)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user, after=account_snapshot(user))
    return user


@transaction.atomic
def user_update_profile(*, actor, user: User, **changes: str) -> User:
    """Change an account's name, e-mail or organisation; the system admin's duty."""
    _require_account_manager(actor, _("只有系统管理员可以修改账号信息"))
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"user_update_profile() got fields it cannot change: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = account_snapshot(user)
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(changes) or None)
    after = account_snapshot(user)
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, before=before, after=after)
    return user


@transaction.atomic
def user_assign_role(*, actor, user: User, role: str, region=None, clusters: Iterable = (),
                     enterprise=None) -> User:
    """Give an account its role and scope; the security admin's duty, never for itself."""
    if actor is not None and (not can_assign_roles(actor) or actor.pk == user.pk):
        raise PermissionDenied(role_assignment_errors(actor=actor, user=user, role=role)["role"][0])
    clusters = list(clusters)
    errors = role_assignment_errors(actor=actor, user=user, role=role, region=region, clusters=clusters,
                                    enterprise=enterprise)
    if errors:
        raise ValidationError(errors)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = account_snapshot(user)
    user.role, user.region, user.enterprise, user.is_staff = role, region, enterprise, _staff_for(role)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["role", "region", "enterprise", "is_staff"])
    user.clusters.set(clusters)
    after = account_snapshot(user)
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, before=before, after=after)
    return user


def _refuse_other_administrators(actor, user: User) -> None:
    """The system admin keeps business accounts, not the other two administrators: deactivating the audit or the
    security admin, or setting their password, would let one administrator blind or become another (三员分立).
    An administrator's account is kept by the server's operator (`jiqun changepassword`, `jiqun shell`)."""
    if actor is not None and actor.pk != user.pk and user.role in ADMIN_ROLES:
        raise PermissionDenied(_("系统管理员不能停用、启用其他管理员账号或重置其密码：管理员账号由服务器运维人员维护"))


def _set_active(*, actor, user: User, active: bool) -> User:
    _require_account_manager(actor, _("只有系统管理员可以停用或启用账号"))
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("系统管理员不能停用或启用自己的账号"))
    _refuse_other_administrators(actor, user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    before = account_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:  # a deactivated account's tokens stop working with it
        user.api_tokens.filter(revoked=False).update(revoked=True)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, before=before, after=account_snapshot(user))
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User) -> User:
    """Stop an account from logging in and revoke its API tokens; the system admin's duty."""
    return _set_active(actor=actor, user=user, active=False)


@transaction.atomic
def user_activate(*, actor, user: User) -> User:
    """Let a deactivated account log in again; the system admin's duty."""
    return _set_active(actor=actor, user=user, active=True)


@transaction.atomic
def user_password_set(*, actor, user: User, password: str) -> User:
    """Set a password: one's own, or anyone else's by the system admin (a reset).

    A reset password is a one-time password: it is marked expired, so its owner must choose a new one at the next
    login, and the account's unconfirmed two-factor enrolments are dropped, so a secret shown to whoever logged in
    with the reset password never becomes the account's second factor.
    """
    reset = actor is not None and actor.pk != user.pk
    if reset and not can_manage_accounts(actor):
        raise PermissionDenied(_("只有系统管理员可以重置他人的密码"))
    if reset:
        _refuse_other_administrators(actor, user)
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = EXPIRED if reset else timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    if reset:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user,
                 after={"password": "reset" if reset else "changed"})
    return user


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is not stored and cannot be shown again."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash_key(key))
    audit_record(actor=actor, action=AuditAction.TOKEN, obj=token, after={"user": user.username, "name": name})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token; its owner or the security admin."""
    if actor is not None and actor.pk != token.user_id and not can_assign_roles(actor):
        raise PermissionDenied(_("只有令牌本人或安全管理员可以吊销令牌"))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
        audit_record(actor=actor, action=AuditAction.TOKEN, obj=token, before={"revoked": False},
                     after={"revoked": True, "user": token.user.username})
    return token


def security_event(*, action: str, username: str, user=None, ip: str | None = None, detail: str = "") -> None:
    """Log a login, logout, failed login or denial."""
    audit_record(actor=user, actor_name=username, action=action, object_type="accounts.user",
                 object_repr=detail or username, ip=ip)
