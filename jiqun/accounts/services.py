"""Writes to user accounts, API tokens and the security log."""

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from jiqun.accounts.models import ADMIN_ROLES, ApiToken, Role, User
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    region=None,
    clusters=(),
    enterprise=None,
    full_name: str = "",
    organisation: str = "",
) -> User:
    """Create a user; admin roles (三员) get Django admin access, nothing else does by default."""
    user = User(
        username=username, role=role, region=region, enterprise=enterprise, first_name=full_name,
        organisation=organisation, is_staff=role in ADMIN_ROLES or role == Role.PROVINCE_ADMIN,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.clusters.set(clusters)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=user,
                 after={"username": username, "role": role, "region": getattr(region, "pk", None)})
    return user


@transaction.atomic
def user_password_set(*, actor, user: User, password: str) -> User:
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, after={"password": "changed"})
    return user


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; the key is not stored and cannot be shown again."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name, digest=ApiToken.hash_key(key))
    audit_record(actor=actor, action=AuditAction.TOKEN, obj=token, after={"user": user.username, "name": name})
    return token, key


def security_event(*, action: str, username: str, user=None, ip: str | None = None, detail: str = "") -> None:
    """Log a login, logout, failed login or denial."""
    audit_record(actor=user, actor_name=username, action=action, object_type="accounts.user",
                 object_repr=detail or username, ip=ip)
