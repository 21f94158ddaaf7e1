import pytest


@pytest.fixture(autouse=True)
def _fresh_overview_cache():
    """The overview keeps its data in Django's cache under the newest audit event; a test that writes through
    the ORM directly (no audit event) must not be answered from an earlier test's page."""
    from django.core.cache import caches

    from jiqun.dashboards.page_changes import LISTENER

    for alias in ("default", "pages"):
        caches[alias].clear()
    LISTENER.forget()  # and what a listening connection heard: views query until a test makes it listen
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()
    LISTENER.forget()


@pytest.fixture(autouse=True)
def _no_heartbeat(monkeypatch):
    """Inside a test's transaction the kept pages' listener sends no probe (jiqun.dashboards.page_changes): the
    tests that need it send it themselves (tests/heard.py), and it is then trusted long. Nor is the listening
    connection closed while a slow test asks nothing (tests/test_page_changes_idle.py shortens IDLE_SECONDS)."""
    from jiqun.dashboards import page_changes

    monkeypatch.setattr(page_changes, "HEARTBEAT_SECONDS", 3600.0)
    monkeypatch.setattr(page_changes, "TRUST_SECONDS", 3600.0)
    monkeypatch.setattr(page_changes, "IDLE_SECONDS", 3600.0)


@pytest.fixture
def other():
    """A second connection to the test database (PostgreSQL), in autocommit: what it does is committed at once."""
    import psycopg
    from django.db import connection

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as second:
        yield second


@pytest.fixture
def listening(other):
    """The kept pages' listener open, its probe heard."""
    from jiqun.dashboards.page_changes import LISTENER
    from jiqun.dashboards.tests.heard import probe

    LISTENER.forget()
    probe(other)
    yield
    LISTENER.forget()
