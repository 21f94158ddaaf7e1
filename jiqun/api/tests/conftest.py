"""What the Schemathesis tests share: calls through the WSGI application inside the test's transaction."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from jiqun.accounts.models import User
from jiqun.accounts.services import api_token_create


@pytest.fixture
def keep_test_connection():
    """Django's test client keeps the test transaction's connection open; a WSGI call would close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def bearer_headers(username: str, token_name: str) -> dict[str, str]:
    """The Authorization header of a fresh API token of the user's."""
    user = User.objects.get(username=username)
    _token, key = api_token_create(actor=user, user=user, name=token_name)
    return {"Authorization": f"Bearer {key}"}
