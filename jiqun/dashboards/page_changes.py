"""Changes heard from PostgreSQL: a kept page answered again without its validating query.

On PostgreSQL every statement that writes a table a kept page's fingerprint reads (the sessions, the users and
their clusters, the audit events, the summaries' states) notifies the channel CHANNEL: the triggers of migration
dashboards 0004, which fire in every session, replication's included. Each server process listens on a connection
of its own and counts the notifications it has heard: its generation. A kept page that the query
(jiqun.dashboards.page_cache) found valid at generation g is answered again without the query as long as the
generation is still g; any change anywhere (another server process, the command line, an administrator in psql)
moves the generation and the next view asks the database again, as every view did before.

The listening connection is trusted only while it proves itself: every HEARTBEAT_SECONDS a probe (a payload no one
can guess) is sent through the request's own connection, the way every other write reaches the server, and only if
every watched table still has its trigger, enabled always. Notifications arrive in the order of their commits, so
a probe heard means every change committed before it was sent has been heard; the listener is trusted for
TRUST_SECONDS after the sending of the newest probe heard. A connection that went silent (a firewall that dropped
it, a partition) is thus distrusted within seconds, as is one behind a pooler that does not pass notifications on,
or inside a test's transaction that is never committed: the probe never comes back and every view queries. A lost
connection moves the generation and is opened again RETRY_SECONDS later, outside the lock that the requests share.

A listening connection that no view has read for IDLE_SECONDS is closed by a thread of its own (one per connection,
ended with it) and opened again by the next view, which then waits for a new probe as after a lost connection.
PostgreSQL keeps a notification until every listening backend has read it, and a backend passes notifications on
only as fast as its client reads its socket: a process that served no kept page for weeks would hold the queue
back until it was full (8 GB), and every write to a watched table would then fail at its commit. The close loses
nothing: without views no probe is sent, so the trust ended TRUST_SECONDS after the last one anyway.

A write made by this process's own requests (any method but GET, HEAD, OPTIONS and TRACE, a logout included)
moves the generation as soon as its response is ready, before the browser can ask for the next page; a write
made elsewhere is seen when PostgreSQL delivers its notification, as a rule well under a millisecond after its
commit. JIQUN_KEPT_PAGES_LISTEN=0 switches the listening off: every view of a kept page then makes its query.
"""

import os
import threading
import time
import uuid

import psycopg
from django import db
from django.conf import settings
from django.db import connection

CHANNEL = "jiqun_kept_pages"
TRIGGER = "jiqun_kept_pages_changed"  # on every watched table (migration dashboards 0004)
HEARTBEAT_SECONDS = 1.0  # a probe is sent this long after the last one
TRUST_SECONDS = 3.0  # the listener is trusted this long after the sending of the newest probe heard
RETRY_SECONDS = 1.0  # a lost or refused listening connection is opened again after this
IDLE_SECONDS = 60.0  # a listening connection no view has read for this long is closed (the NOTIFY queue)
CONNECT_SECONDS = 5  # libpq's connect_timeout for the listening connection
# TCP keepalives, so that a connection whose other end is gone is closed by the system (settings' OPTIONS win).
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
VALIDATED_LIMIT = 10_000  # pages found valid in one generation, at most (then forgotten: they query again)


def watched_tables() -> list[str]:
    """The tables whose triggers notify CHANNEL: what a kept page's fingerprint reads."""
    from django.contrib.sessions.models import Session

    from jiqun.accounts.models import User
    from jiqun.audit.models import AuditEvent
    from jiqun.dashboards.models import SummaryState

    return [model._meta.db_table for model in (Session, User, User.clusters.through, AuditEvent, SummaryState)]


class Listener:
    """The generation of one server process: how many changes it has heard (see the module's text)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listening: psycopg.Connection | None = None
        self.connecting = False
        self.closing: threading.Event | None = None  # set when the listening connection is closed: ends its watch
        self.asked_at = 0.0  # when a view last asked for the generation (and so read the connection)
        self.generation = 0
        self.probes: dict[str, float]  # the probes sent and not heard yet, with the time each was sent
        self.probe: str | None  # the newest of them
        self.probed_at: float | None  # when the newest probe was made
        self.proven_at: float | None  # when the newest probe heard was sent
        self._unproven()
        self.retry_at = 0.0
        self.validated: dict[str, tuple[int, str]] = {}

    def current(self) -> int | None:
        """The generation, after reading every notification already delivered; None when changes cannot be
        heard now (not PostgreSQL, listening switched off, no connection, no probe heard lately)."""
        if connection.vendor != "postgresql" or not settings.JIQUN_KEPT_PAGES_LISTEN:
            return None
        self.asked_at = time.monotonic()  # first: the idle watch then leaves the connection open
        if self.listening is None:
            self._listen()
        with self.lock:
            if self.listening is None:
                return None
            try:
                for notification in self.listening.notifies(timeout=0):
                    self._heard(notification.payload)
            except psycopg.Error:
                self._lost()
                return None
            now = time.monotonic()
            generation = self.generation
            trusted = self.proven_at is not None and now < self.proven_at + TRUST_SECONDS
            probe = self._next_probe(now)
        if probe is not None:
            self._send_probe(probe)
        return generation if trusted else None

    def validated_at(self, key: str) -> tuple[int, str] | None:
        """The generation and fingerprint at which the page kept under `key` was last found valid."""
        return self.validated.get(key)

    def remember(self, key: str, generation: int, fingerprint: str) -> None:
        """The page kept under `key`, with this fingerprint, was found valid by a query made at `generation`."""
        with self.lock:
            if generation != self.generation:
                return
            if len(self.validated) >= VALIDATED_LIMIT:
                self.validated.clear()
            self.validated[key] = (generation, fingerprint)

    def changed(self) -> None:
        """This process wrote: nothing validated before counts any more."""
        with self.lock:
            self._moved()

    def forget(self) -> None:
        """Close the listening connection and forget every validation (tests; a process shutting down)."""
        with self.lock:
            self._lost()
            self.retry_at = 0.0

    def _unproven(self) -> None:
        """A new listening connection, or none: no probe sent or heard on it yet."""
        self.probes, self.probe, self.probed_at, self.proven_at = {}, None, None, None

    def _moved(self) -> None:
        self.generation += 1
        self.validated.clear()

    def _heard(self, payload: str) -> None:
        """A notification: the proof of a probe of ours, or a change (anything else, a forged probe included)."""
        sent = self.probes.get(payload)
        if sent is None:
            self._moved()
            return
        self.proven_at = max(self.proven_at or sent, sent)
        self.probes = {probe: at for probe, at in self.probes.items() if at > sent}

    def _next_probe(self, now: float) -> str | None:
        """A new probe when the last was sent HEARTBEAT_SECONDS ago (those older than TRUST_SECONDS could no
        longer prove anything and are dropped), else None."""
        if self.probed_at is not None and now < self.probed_at + HEARTBEAT_SECONDS:
            return None
        self.probes = {probe: at for probe, at in self.probes.items() if now < at + TRUST_SECONDS}
        self.probe, self.probed_at = uuid.uuid4().hex, now
        self.probes[self.probe] = now
        return self.probe

    def _listen(self) -> None:
        """Open the listening connection (at most once a RETRY_SECONDS), outside the lock: a connect that hangs
        holds up no request."""
        with self.lock:
            if self.connecting or self.listening is not None or time.monotonic() < self.retry_at:
                return
            self.connecting = True
        listening = None
        try:
            params = {**KEEPALIVES, "connect_timeout": CONNECT_SECONDS, **connection.get_connection_params()}
            listening = psycopg.connect(**params, autocommit=True)
            listening.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            if listening is not None:
                listening.close()
            listening = None
        with self.lock:
            self.connecting = False
            if listening is None:
                self.retry_at = time.monotonic() + RETRY_SECONDS
                return
            self.listening = listening
            self._unproven()
            self._moved()
            self.asked_at = time.monotonic()  # its opener reads it next, however slow the connect
            self.closing = threading.Event()
            threading.Thread(target=self._idle_watch, args=(listening, self.closing), daemon=True,
                             name="jiqun-kept-pages-idle").start()

    def _idle_watch(self, listening: psycopg.Connection, closing: threading.Event) -> None:
        """Close `listening` once no view has asked for IDLE_SECONDS (see the module's text), under the lock: a
        view reading it meanwhile finishes first, and the next one opens a connection of its own."""
        while not closing.wait(max(self.asked_at + IDLE_SECONDS - time.monotonic(), 0.0)):
            with self.lock:
                if self.listening is not listening:
                    return
                if time.monotonic() >= self.asked_at + IDLE_SECONDS:
                    self._close()
                    return

    def _send_probe(self, probe: str) -> None:
        """Notify the probe through this thread's own connection, if every watched table has its trigger enabled
        always, and outside any transaction (inside one, as in a test's, it would be heard only at a commit that
        may never come)."""
        if connection.in_atomic_block:
            return
        tables = watched_tables()
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_notify(%s, %s) WHERE (SELECT COUNT(DISTINCT tgrelid) FROM pg_trigger "
                    "WHERE tgname = %s AND tgenabled = 'A' AND tgrelid = ANY(%s::text[]::regclass[])) = %s",
                    [CHANNEL, probe, TRIGGER, tables, len(tables)])
        except db.Error:  # the view then goes on to its own query, which meets the same fault
            return

    def _close(self) -> None:
        """No listening connection any more: nothing validated on it counts, and its idle watch ends."""
        if self.listening is not None:
            self.listening.close()
        if self.closing is not None:
            self.closing.set()
        self.listening, self.closing = None, None
        self._unproven()
        self._moved()

    def _lost(self) -> None:
        self._close()
        self.retry_at = time.monotonic() + RETRY_SECONDS

    def _forked(self) -> None:
        """In a child process: listen afresh (the parent's connection is the parent's; it is left unclosed, so
        that closing it here does not end it there, and its idle watch, a thread of the parent, stays there)."""
        self.inherited = self.listening
        self.__init__()


LISTENER = Listener()
os.register_at_fork(after_in_child=LISTENER._forked)
