"""Bearer-token authentication for /api/v1/, with the browser session as a fallback."""

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from jiqun.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        record = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash_key(token), revoked=False, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
        request.user = record.user
        return record.user


api_auth = [TokenAuth(), django_auth]
