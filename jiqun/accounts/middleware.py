"""Gates after login: an expired password must be changed; an administrator role must confirm a TOTP code.

The two conditions are plain functions so that the API's session authentication (jiqun/api/auth.py) refuses
exactly the sessions these middlewares would send away.
"""

import datetime
from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

# The API answers in JSON and applies the gates itself; its one page for people, the docs, is gated here
# like any other page.
API_PAGES = ("/api/v1/docs",)


def password_expired(user) -> bool:
    """Tell whether the user's password is older than PASSWORD_MAX_AGE_DAYS."""
    return timezone.now() - user.password_changed_at > datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def second_factor_missing(user) -> bool:
    """Tell whether the user's role needs a TOTP code that this session has not confirmed yet."""
    return user.role in settings.TWO_FACTOR_ROLES and not user.is_verified()


class LoginGate:
    """Middleware that sends a signed-in user to one page before any other, until a condition is met."""

    exempt: tuple[str, ...] = ("/static/", "/i18n/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self.applies_to(request.path):
            target = self.redirect_for(request, user)
            if target:
                return redirect(target)
        return self.get_response(request)

    def applies_to(self, path: str) -> bool:
        """Tell whether the gate guards this path."""
        return path.startswith(API_PAGES) or not path.startswith(self.exempt)

    def redirect_for(self, request: HttpRequest, user) -> str | None:
        raise NotImplementedError


class PasswordExpiryMiddleware(LoginGate):
    """A password older than PASSWORD_MAX_AGE_DAYS must be changed first."""

    exempt = ("/accounts/", *LoginGate.exempt)

    def redirect_for(self, request: HttpRequest, user) -> str | None:
        if password_expired(user):
            return reverse("password_change") + "?expired=1"
        return None


class TwoFactorMiddleware(LoginGate):
    """Users of the roles in TWO_FACTOR_ROLES reach no page until a TOTP code confirms the session.

    Without a confirmed device they are sent to set one up; with one, to enter its code. Logging out, the
    two-factor page itself and static files stay reachable. The API's JSON endpoints refuse such a session
    themselves (jiqun/api/auth.py), since a redirect means nothing to a script.
    """

    exempt = ("/accounts/2fa/", "/accounts/logout/", *LoginGate.exempt)

    def redirect_for(self, request: HttpRequest, user) -> str | None:
        if second_factor_missing(user):
            return reverse("accounts:two_factor") + "?next=" + quote(request.get_full_path())
        return None
