import pytest


@pytest.fixture(autouse=True)
def _fresh_overview_cache():
    """The overview keeps its data in Django's cache under the newest audit event; a test that writes through
    the ORM directly (no audit event) must not be answered from an earlier test's page."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()
    yield
    for alias in ("default", "pages"):
        caches[alias].clear()
