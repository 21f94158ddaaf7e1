"""Changes heard from PostgreSQL (jiqun.dashboards.page_changes): a kept page found valid by its query is
answered again without one until the server process hears of a change.

How changes and probes are made inside a test's transaction: tests/heard.py."""

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from jiqun.accounts.models import User
from jiqun.dashboards import page_changes
from jiqun.dashboards.page_cache import WholePages
from jiqun.dashboards.page_changes import CHANNEL, LISTENER
from jiqun.dashboards.tests.heard import WATCHED, heard, probe, until
from jiqun.dashboards.tests.test_whole_page import _kept, _served

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]


@pytest.fixture
def own_connection(monkeypatch):
    """The listener's view of Django's connection replaced by one of its own to the test database, outside the
    test's transaction (as a server thread's): the probes it sends are committed and heard."""
    from django.db import connections

    own = connections.create_connection("default")
    monkeypatch.setattr(page_changes, "connection", own)
    monkeypatch.setattr(page_changes, "HEARTBEAT_SECONDS", 0.0)  # a probe at every call
    LISTENER.forget()
    yield own
    LISTENER.forget()
    own.close()


def test_a_page_found_valid_is_answered_again_without_a_query(as_province, listening):
    built = _kept(as_province)
    count, kept = _served(as_province)
    assert count == 1 and kept["content"] == built.content  # the query finds it valid
    for _ in range(3):
        assert _served(as_province) == (0, kept)


@pytest.mark.parametrize("table", WATCHED)
def test_a_statement_on_a_watched_table_anywhere_makes_the_next_view_query_again(as_province, listening, other,
                                                                                 table):
    _kept(as_province)
    _served(as_province)
    assert _served(as_province)[0] == 0
    for statement in (f"DELETE FROM {table} WHERE false", f"INSERT INTO {table} SELECT * FROM {table} WHERE false"):
        heard(other, statement)
        count, kept = _served(as_province)
        assert count == 1 and kept is not None  # asked again: nothing the page depends on moved
        assert _served(as_province)[0] == 0


def test_a_change_heard_is_checked_by_the_query(province_admin, listening, other):
    from jiqun.conftest import client_for

    client = client_for(province_admin)
    _kept(client)
    _served(client)
    assert _served(client)[0] == 0
    User.objects.filter(pk=province_admin.pk).update(is_active=False)  # committed, it would notify:
    heard(other, "DELETE FROM accounts_user WHERE false")
    assert _served(client) == (1, None)
    assert client.get("/dashboards/").status_code == 302


def test_a_write_by_this_process_moves_the_generation_before_it_answers(listening):
    answered = WholePages(lambda environ, start_response: [b"done"])
    before = LISTENER.current()
    LISTENER.remember("a page", before, "its fingerprint")
    assert answered({"REQUEST_METHOD": "GET"}, None) == [b"done"]
    assert LISTENER.current() == before and LISTENER.validated_at("a page") == (before, "its fingerprint")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        moved = LISTENER.current()
        assert answered({"REQUEST_METHOD": method}, None) == [b"done"]
        assert LISTENER.current() > moved and LISTENER.validated_at("a page") is None


def test_a_lost_listening_connection_sends_every_view_to_the_query_until_listening_again(
        as_province, listening, other, monkeypatch):
    monkeypatch.setattr(page_changes, "RETRY_SECONDS", 0.0)
    _kept(as_province)
    _served(as_province)
    assert _served(as_province)[0] == 0
    other.execute("SELECT pg_terminate_backend(%s)", [LISTENER.listening.info.backend_pid])
    until(lambda: LISTENER.current() is None, "the lost connection")
    count, kept = _served(as_province)
    assert count == 1 and kept is not None
    probe(other)  # listening again: the probe of the new connection heard
    assert _served(as_province)[0] == 1
    assert _served(as_province)[0] == 0


def test_without_the_probe_heard_or_with_listening_switched_off_every_view_queries(as_province, settings):
    LISTENER.forget()
    _kept(as_province)
    for _ in range(3):
        assert LISTENER.current() is None  # the probe is not sent inside the test's transaction
        assert _served(as_province)[0] == 1
    settings.JIQUN_KEPT_PAGES_LISTEN = False
    assert LISTENER.current() is None
    assert _served(as_province)[0] == 1
    LISTENER.forget()


def test_the_listener_proves_itself_by_its_own_probes_and_is_distrusted_when_they_stop(own_connection,
                                                                                      monkeypatch):
    generation = until(LISTENER.current, "a probe the listener sent itself")
    for _ in range(5):  # a probe heard is no change
        assert LISTENER.current() == generation
    monkeypatch.setattr(page_changes, "TRUST_SECONDS", 0.0)  # the newest probe heard was sent too long ago
    assert LISTENER.current() is None


def test_no_trust_while_a_watched_table_lacks_its_trigger_enabled_always(own_connection, other):
    other.execute("SET lock_timeout = '10s'")

    def heard_nothing_but_a_marker() -> None:
        start = LISTENER.generation
        assert LISTENER.current() is None  # a probe sent, if the triggers allow
        other.execute("SELECT pg_notify(%s, 'a marker')", [CHANNEL])  # delivered after that probe would be
        until(lambda: LISTENER.current() is None and LISTENER.generation > start, "the marker")
        assert LISTENER.current() is None

    try:
        for alter in ("DISABLE TRIGGER", "ENABLE TRIGGER", "ENABLE REPLICA TRIGGER"):  # 'D', 'O', 'R'
            other.execute(f"ALTER TABLE accounts_user_clusters {alter} {page_changes.TRIGGER}")
            LISTENER.forget()
            heard_nothing_but_a_marker()
    finally:
        other.execute(f"ALTER TABLE accounts_user_clusters ENABLE ALWAYS TRIGGER {page_changes.TRIGGER}")
    until(LISTENER.current, "a probe once every trigger is back")
