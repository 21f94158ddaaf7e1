"""Send a user whose password is older than PASSWORD_MAX_AGE_DAYS to change it first."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class PasswordExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and timezone.now() - user.password_changed_at > datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
        ):
            return redirect(reverse("password_change") + "?expired=1")
        return self.get_response(request)
