"""Changes heard from PostgreSQL: a kept page answered again without its validating query.

On PostgreSQL every statement that writes a table a kept page's fingerprint reads (the sessions, the users and
their clusters, the audit events, the summaries' states) notifies the channel CHANNEL: the triggers of migration
dashboards 0004. Each server process listens on a connection of its own and counts the notifications it has
heard: its generation. A kept page that the query (jiqun.dashboards.page_cache) found valid at generation g is
answered again without the query as long as the generation is still g; any change anywhere (another server
process, the command line, an administrator in psql) moves the generation and the next view asks the database
again, as every view did before.

The listening connection is trusted only once it has heard a probe sent through the request's own connection
(the way every other write reaches the server): behind a pooler that does not pass notifications on, or inside a
test's transaction that is never committed, the probe never comes back and every view keeps its query. A lost
connection moves the generation and is opened again a second later; until its probe is heard, views query.

A write made by this process's own requests (any method but GET, HEAD, OPTIONS and TRACE, a logout included)
moves the generation as soon as its response is ready, before the browser can ask for the next page; a write
made elsewhere is seen when PostgreSQL delivers its notification, as a rule well under a millisecond after its
commit. JIQUN_KEPT_PAGES_LISTEN=0 switches the listening off: every view of a kept page then makes its query.
"""

import threading
import time
import uuid

import psycopg
from django import db
from django.conf import settings
from django.db import connection

CHANNEL = "jiqun_kept_pages"
RETRY_SECONDS = 1.0  # a lost or refused listening connection is opened again after this
PROBE_SECONDS = 10.0  # a probe that has not come back is sent again after this
VALIDATED_LIMIT = 10_000  # pages found valid in one generation, at most (then forgotten: they query again)


class Listener:
    """The generation of one server process: how many changes it has heard (see the module's text)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listening: psycopg.Connection | None = None
        self.generation = 0
        self.probe: str | None = None  # the payload of the probe waited for; None once it was heard
        self.probed_at = 0.0
        self.retry_at = 0.0
        self.validated: dict[str, tuple[int, str]] = {}

    def current(self) -> int | None:
        """The generation, after reading every notification already delivered; None when changes cannot be
        heard now (not PostgreSQL, listening switched off, no connection, the probe not heard yet)."""
        if connection.vendor != "postgresql" or not settings.JIQUN_KEPT_PAGES_LISTEN:
            return None
        with self.lock:
            if self.listening is None and not self._listen():
                return None
            try:
                for notification in self.listening.notifies(timeout=0):
                    self._moved()
                    if notification.payload == self.probe:
                        self.probe = None
            except psycopg.Error:
                self._lost()
                return None
            if self.probe is not None:
                self._send_probe()
                return None
            return self.generation

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

    def _moved(self) -> None:
        self.generation += 1
        self.validated.clear()

    def _listen(self) -> bool:
        """Open the listening connection (at most once a RETRY_SECONDS) and send its probe."""
        if time.monotonic() < self.retry_at:
            return False
        params = connection.get_connection_params()
        try:
            self.listening = psycopg.connect(**params, autocommit=True)
            self.listening.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error:
            self._lost()
            return False
        self._moved()
        self.probe = uuid.uuid4().hex
        self.probed_at = 0.0
        self._send_probe()
        return True

    def _send_probe(self) -> None:
        """Notify the probe through this thread's own connection, outside any transaction (inside one, as in a
        test's, it would be heard only at a commit that may never come)."""
        if connection.in_atomic_block or time.monotonic() < self.probed_at + PROBE_SECONDS:
            return
        self.probed_at = time.monotonic()
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, self.probe])
        except db.Error:  # the view then goes on to its own query, which meets the same fault
            return

    def _lost(self) -> None:
        if self.listening is not None:
            self.listening.close()
        self.listening = None
        self.probe = None
        self.retry_at = time.monotonic() + RETRY_SECONDS
        self._moved()


LISTENER = Listener()
