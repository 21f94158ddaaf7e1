"""An outside tester's attacks on the kept pages answered without their query on PostgreSQL
(jiqun.dashboards.page_changes and migration dashboards 0004).

As in test_page_changes.py, the test's own writes are never committed: a change "committed elsewhere" is made in
the test's transaction (what the page's query sees) and its notification is fired by a row-less statement of a
second, autocommit connection (what a statement-level trigger of the committing process would send). The
listener's probe is sent from that second connection too.

The first three tests proved defects, fixed since (each says which)."""

import socket
import threading
import types
import uuid

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.dashboards import page_changes
from jiqun.dashboards.page_cache import LISTENER as CACHE_LISTENER
from jiqun.dashboards.page_changes import CHANNEL, LISTENER, VALIDATED_LIMIT
from jiqun.dashboards.tests.heard import WATCHED, heard, probe, until
from jiqun.dashboards.tests.test_whole_page import _kept, _served

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")
on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'")


def _validated(client) -> dict:
    """A page kept, found valid by its query, and then answered without one."""
    _kept(client)
    count, kept = _served(client)
    assert count == 1 and kept is not None
    assert _served(client)[0] == 0
    return kept


class _Relay:
    """A TCP relay to PostgreSQL that can go silent, as a firewall that dropped an idle connection's state, a
    network partition or a primary replaced behind a moved address do: both ends stay open and nothing passes
    (neither an error nor a reset reaches the client)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.silent = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                if not data:
                    return
                if not self.silent.is_set():
                    sink.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        for sock in [self.server, *self.sockets]:
            try:
                sock.close()
            except OSError:
                pass


@pytest.fixture
def relayed(other, monkeypatch):
    """The listening connection opened through a _Relay (the probe and the changes still come from `other`)."""
    params = connection.get_connection_params()
    relay = _Relay(params.get("host") or "127.0.0.1", int(params.get("port") or 5432))

    def connect(**options):
        return psycopg.connect(**{**options, "host": "127.0.0.1", "port": relay.port})

    monkeypatch.setattr(page_changes, "psycopg", types.SimpleNamespace(
        connect=connect, Error=psycopg.Error, Connection=psycopg.Connection))
    LISTENER.forget()
    probe(other)
    yield relay
    LISTENER.forget()
    relay.close()


# --- Defects -------------------------------------------------------------------------------------------------


@on_postgresql
def test_a_listening_connection_gone_silent_is_not_trusted_for_long(province_admin, other, relayed, monkeypatch):
    """Was a defect: a connection gone silent (a firewall that dropped it, a partition, a failover behind a moved
    address) was trusted for ever. Now the listener is trusted only TRUST_SECONDS after the newest probe heard."""
    client = client_for(province_admin)
    kept = _validated(client)
    relayed.silent.set()  # the listener's connection still looks open: no error, no reset
    User.objects.filter(pk=province_admin.pk).update(is_active=False)  # committed elsewhere, it notifies:
    other.execute("DELETE FROM accounts_user WHERE false")
    assert _served(client) == (0, kept)  # not heard: the last probe heard is still recent enough
    monkeypatch.setattr(page_changes, "TRUST_SECONDS", 1.0)  # and no probe comes back any more
    until(lambda: _served(client) == (1, None), "the deactivated user's page checked by its query again")


@on_postgresql
def test_a_write_in_replica_mode_is_heard_too(province_admin, listening, other):
    """Was a defect: the triggers did not fire under session_replication_role = replica (logical replication's
    apply worker, pg_restore --disable-triggers, an operator's bulk fix). They are enabled ALWAYS now."""
    client = client_for(province_admin)
    _validated(client)
    User.objects.filter(pk=province_admin.pk).update(is_active=False)  # committed elsewhere, in replica mode:
    before = LISTENER.current()
    other.execute("SET session_replication_role = replica")
    other.execute("UPDATE accounts_user SET is_active = false WHERE false")
    other.execute("RESET session_replication_role")
    until(lambda: LISTENER.current() != before, "the statement in replica mode")
    assert _served(client) == (1, None)


@on_postgresql
def test_a_hanging_listening_connect_does_not_hold_up_the_writes_of_the_process(monkeypatch, settings):
    """Was a defect: the listening connection was opened under the lock every writing request takes."""
    settings.JIQUN_KEPT_PAGES_LISTEN = True
    entered, release = threading.Event(), threading.Event()

    def connect(**options):
        entered.set()
        release.wait(60)
        raise psycopg.OperationalError("connection timed out")

    monkeypatch.setattr(page_changes, "psycopg", types.SimpleNamespace(
        connect=connect, Error=psycopg.Error, Connection=psycopg.Connection))
    LISTENER.forget()
    done = threading.Event()
    opener = threading.Thread(target=LISTENER.current, daemon=True)
    opener.start()
    try:
        until(entered.is_set, "the listening connection being opened")
        writer = threading.Thread(target=lambda: (LISTENER.changed(), done.set()), daemon=True)
        writer.start()
        until(done.is_set, "a POST's changed() while the listening connection is being opened")
    finally:
        release.set()
        opener.join(30)
        LISTENER.forget()


# --- Claims that hold ----------------------------------------------------------------------------------------


@on_postgresql
def test_every_watched_table_notifies_after_each_kind_of_statement_truncate_included(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'jiqun_kept_pages_changed' AND NOT t.tgisinternal")
        found = dict(cursor.fetchall())
    assert set(found) == set(WATCHED)
    for table, kind in found.items():
        # statement level (bit 1 unset), AFTER (bit 2 unset), INSERT 4, DELETE 8, UPDATE 16, TRUNCATE 32
        assert kind & 1 == 0 and kind & 2 == 0 and kind & 60 == 60, table


@on_postgresql
def test_a_probe_of_an_earlier_connection_or_a_forged_one_does_not_make_a_new_connection_trusted(
        as_province, listening, other, monkeypatch):
    monkeypatch.setattr(page_changes, "RETRY_SECONDS", 0.0)
    LISTENER.forget()  # a first connection, whose probe is heard: a used probe to replay later
    assert LISTENER.current() is None
    old = LISTENER.probe
    other.execute("SELECT pg_notify(%s, %s)", [CHANNEL, old])
    until(lambda: LISTENER.current() is not None, "the first probe")
    other.execute("SELECT pg_terminate_backend(%s)", [LISTENER.listening.info.backend_pid])
    until(lambda: LISTENER.current() is None and LISTENER.listening is None, "the lost connection")
    assert LISTENER.current() is None  # opened again, its new probe not heard (never sent inside a test's transaction)
    new = LISTENER.probe
    assert new is not None and new != old
    start = LISTENER.generation
    for payload in (old, "", new + " ", new[:-1], uuid.uuid4().hex):
        other.execute("SELECT pg_notify(%s, %s)", [CHANNEL, payload])
    until(lambda: LISTENER.current() is None and LISTENER.generation >= start + 5, "the forged probes")
    assert LISTENER.current() is None and LISTENER.probe == new  # still not trusted
    _kept(as_province)
    assert _served(as_province)[0] == 1 and _served(as_province)[0] == 1  # every view queries


@on_postgresql
def test_a_validation_made_before_a_change_heard_by_another_thread_is_not_remembered(listening, other):
    generation = LISTENER.current()
    assert generation is not None
    heard(other, "DELETE FROM django_session WHERE false")  # heard while "the query" ran
    LISTENER.remember("a page", generation, "its fingerprint")
    assert LISTENER.validated_at("a page") is None
    current = LISTENER.current()
    LISTENER.remember("a page", current, "its fingerprint")
    assert LISTENER.validated_at("a page") == (current, "its fingerprint")


@on_postgresql
def test_a_validation_is_used_only_for_the_same_key_and_the_same_fingerprint(as_province, province_admin,
                                                                            listening):
    from django.core.cache import caches

    from jiqun.dashboards.page_cache import CACHE, page_key
    from jiqun.dashboards.tests.test_whole_page import _environ

    _validated(as_province)
    key = page_key(_environ(as_province, "/dashboards/"))
    entry = caches[CACHE].get(key)
    caches[CACHE].set(key, {**entry, "fingerprint": "another"}, 300)  # a newer page kept under the same key
    assert _served(as_province) == (1, None)  # checked by its query (and its fingerprint is not the row's)
    # What is remembered is the fingerprint the query found in this generation, not the entry: the page kept with
    # that fingerprint is answered again without the query (nothing moved since), never one with another.
    caches[CACHE].set(key, entry, 300)
    assert _served(as_province) == (0, entry)
    caches[CACHE].set(key, {**entry, "fingerprint": "another"}, 300)
    assert _served(as_province) == (1, None)
    jinan = client_for(User.objects.get(username="jinan"))
    _kept(jinan)
    assert _served(jinan)[0] == 1  # another session's page is not validated by the first one's


@on_postgresql
def test_a_deactivation_then_a_statement_heard_ends_the_page_and_django_refuses(province_admin, listening,
                                                                               other):
    client = client_for(province_admin)
    _validated(client)
    User.objects.filter(pk=province_admin.pk).update(is_active=False)
    heard(other, "UPDATE accounts_user SET is_active = is_active WHERE false")
    assert _served(client) == (1, None)
    assert client.get("/dashboards/").status_code == 302


@on_postgresql
def test_a_logout_committed_elsewhere_and_heard_ends_the_page_for_every_copy_of_the_cookie(as_province,
                                                                                          listening, other):
    from django.contrib.sessions.models import Session

    _validated(as_province)
    Session.objects.filter(session_key=as_province.cookies["sessionid"].value).delete()
    heard(other, "DELETE FROM django_session WHERE false")
    assert _served(as_province) == (1, None)


@on_postgresql
def test_the_page_cache_uses_the_one_listener_of_the_process():
    assert CACHE_LISTENER is LISTENER


def test_the_validated_pages_of_one_generation_are_bounded():
    LISTENER.forget()
    generation = LISTENER.generation
    for n in range(VALIDATED_LIMIT + 5):
        LISTENER.remember(f"page {n}", generation, "fingerprint")
    assert len(LISTENER.validated) <= VALIDATED_LIMIT
    LISTENER.forget()
    assert LISTENER.validated == {}


def test_a_write_of_this_process_forgets_every_validation():
    LISTENER.forget()
    generation = LISTENER.generation
    LISTENER.remember("a page", generation, "fingerprint")
    LISTENER.changed()
    assert LISTENER.validated_at("a page") is None and LISTENER.generation > generation


@on_sqlite
def test_on_sqlite_nothing_listens_and_every_view_is_one_query(as_province, monkeypatch):
    def refuse(**options):
        raise AssertionError("no listening connection on SQLite")

    monkeypatch.setattr(page_changes, "psycopg", types.SimpleNamespace(
        connect=refuse, Error=psycopg.Error, Connection=psycopg.Connection))
    LISTENER.forget()
    _kept(as_province)
    for _ in range(3):
        assert LISTENER.current() is None
        count, kept = _served(as_province)
        assert count == 1 and kept is not None
    assert LISTENER.listening is None and LISTENER.validated == {}


@on_postgresql
def test_with_listening_switched_off_every_view_queries_even_after_a_validation(as_province, listening,
                                                                                settings):
    _validated(as_province)
    settings.JIQUN_KEPT_PAGES_LISTEN = False
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert LISTENER.current() is None
        assert len(captured) == 0
        assert _served(as_province)[0] == 1
    settings.JIQUN_KEPT_PAGES_LISTEN = True  # nothing moved meanwhile: the earlier validation still holds
    assert _served(as_province)[0] == 0
