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
    client = Client()
    client.force_login(user)
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
