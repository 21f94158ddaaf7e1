"""Gates after login: an expired password must be changed; an administrator role must confirm a TOTP code."""

import datetime
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone


class LoginGate:
    """Middleware that sends a signed-in user to one page before any other, until a condition is met."""

    exempt: tuple[str, ...] = ("/static/", "/i18n/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.exempt):
            target = self.redirect_for(request, user)
            if target:
                return redirect(target)
        return self.get_response(request)

    def redirect_for(self, request: HttpRequest, user) -> str | None:
        raise NotImplementedError


class PasswordExpiryMiddleware(LoginGate):
    """A password older than PASSWORD_MAX_AGE_DAYS must be changed first."""

    exempt = ("/accounts/", *LoginGate.exempt)

    def redirect_for(self, request: HttpRequest, user) -> str | None:
        if timezone.now() - user.password_changed_at > datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS):
            return reverse("password_change") + "?expired=1"
        return None


class TwoFactorMiddleware(LoginGate):
    """Users of the roles in TWO_FACTOR_ROLES reach no page until a TOTP code confirms the session.

    Without a confirmed device they are sent to set one up; with one, to enter its code. Logging out, the
    two-factor page itself and static files stay reachable. The API authenticates by token and is left alone.
    """

    exempt = ("/accounts/2fa/", "/accounts/logout/", *LoginGate.exempt)

    def redirect_for(self, request: HttpRequest, user) -> str | None:
        if user.role in settings.TWO_FACTOR_ROLES and not user.is_verified():
            return reverse("accounts:two_factor") + "?next=" + quote(request.get_full_path())
        return None
