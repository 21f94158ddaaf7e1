"""Shared fixtures: the demo province loaded once per test session, and the fixed personas.

Every test that touches the database sees the demo province (regions, the five packs, demo users) and
runs inside a transaction that is rolled back. Browser tests use a live server, whose data is flushed
after each test, so they load the demo themselves (pytest-django runs them last).
"""

import pytest
from django.test import Client

from jiqun.accounts.models import User

PASSWORD = "Jiqun@2026demo"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from jiqun.core.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()


@pytest.fixture
def province_admin(db) -> User:
    return User.objects.get(username="sheng")


@pytest.fixture
def jinan_officer(db) -> User:
    return User.objects.get(username="jinan")


@pytest.fixture
def jining_officer(db) -> User:
    return User.objects.get(username="jining")


def client_for(user: User) -> Client:
    """A logged-in client; for the roles that need two factors, with the TOTP step done as well."""
    from django.conf import settings

    client = Client()
    client.force_login(user)
    if user.role in settings.TWO_FACTOR_ROLES:
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        response = client.post("/accounts/2fa/", {"code": f"{code:0{device.digits}d}"})
        assert response.status_code == 302, "the TOTP step failed"
    return client


@pytest.fixture
def as_province(province_admin) -> Client:
    return client_for(province_admin)


@pytest.fixture
def as_jinan(jinan_officer) -> Client:
    return client_for(jinan_officer)


@pytest.fixture
def as_jining(jining_officer) -> Client:
    return client_for(jining_officer)


def token_client(user: User) -> Client:
    """A client that authenticates to /api/v1/ with a fresh bearer token of the user's."""
    from jiqun.accounts.services import api_token_create

    _token, key = api_token_create(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


@pytest.fixture
def api_province(province_admin) -> Client:
    return token_client(province_admin)


@pytest.fixture
def api_jinan(jinan_officer) -> Client:
    return token_client(jinan_officer)


@pytest.fixture
def api_jining(jining_officer) -> Client:
    return token_client(jining_officer)
