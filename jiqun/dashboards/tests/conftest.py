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
