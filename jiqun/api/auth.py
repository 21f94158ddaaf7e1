"""Bearer-token authentication for /api/v1/, with the browser session as a fallback.

Both credentials pass the same gates as the pages (jiqun/accounts/middleware.py): a session of an
administrator role needs its TOTP code confirmed, and nobody whose password has expired gets an answer.
"""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from jiqun.accounts.middleware import password_expired, second_factor_missing
from jiqun.accounts.models import ApiToken, User


class GateRefused(HttpError):
    """A known user whom a login gate holds back: 403 with what to do, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(403, message)


def refuse_expired_password(user: User) -> None:
    """Refuse a user whose password is past its maximum age, as the password-expiry page gate does."""
    if password_expired(user):
        raise GateRefused(_("密码已过期：请先在网页上修改密码，再使用接口"))


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Return the active owner of an unrevoked token, or None."""
        record = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash_key(token), revoked=False, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        refuse_expired_password(record.user)
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


class GatedSessionAuth(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        """Return the session's user once it has passed the two-factor and password-expiry gates."""
        user = super().authenticate(request, key)
        if user is None:
            return None
        if second_factor_missing(user):
            raise GateRefused(_("该角色须先在网页上输入动态验证码完成双因素认证，才能使用接口"))
        refuse_expired_password(user)
        return user


api_auth = [TokenAuth(), GatedSessionAuth()]
