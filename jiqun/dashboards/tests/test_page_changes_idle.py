"""The kept pages' listening connection closed when idle (jiqun.dashboards.page_changes, IDLE_SECONDS): a backend
whose client reads nothing holds PostgreSQL's NOTIFY queue back until it is full and every watched write fails.

IDLE_SECONDS is shortened before the listening connection is opened (its idle watch reads it when it waits). The
waits poll with generous deadlines; a check that a connection is still open is made while holding the listener's
lock, which the idle watch needs to close it, or over a stretch proven to have no gap of IDLE_SECONDS without an
ask: a loaded machine that stalls the test only makes it start over, never fail."""

import contextlib
import gc
import os
import threading
import time
import traceback

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from jiqun.dashboards import page_changes
from jiqun.dashboards.page_changes import CHANNEL, LISTENER
from jiqun.dashboards.tests.heard import probe, until
from jiqun.dashboards.tests.test_whole_page import _kept, _served

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]

IDLE = 0.5  # IDLE_SECONDS in these tests


@pytest.fixture
def idle(monkeypatch):
    monkeypatch.setattr(page_changes, "IDLE_SECONDS", IDLE)
    LISTENER.forget()
    yield
    LISTENER.forget()


def _backend(other, pid: int) -> str | None:
    """The last statement of the backend `pid` as another session sees it (None: no such backend any more)."""
    row = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row and row[0]


LISTENING = f"LISTEN {CHANNEL}"  # what pg_stat_activity shows of a listening backend


def _opened() -> int:
    """Ask once, which opens the listening connection: its backend's pid."""
    assert LISTENER.current() is None  # just opened: no probe heard on it yet
    return LISTENER.listening.info.backend_pid


@contextlib.contextmanager
def _held_open():
    """The listening connection opened, and the listener's lock held as by a view reading it (the idle watch
    cannot close it meanwhile): its backend's pid. Opened again if it was closed before the lock was taken."""
    deadline = time.monotonic() + 120
    while True:
        pid = _opened()
        with LISTENER.lock:
            if LISTENER.listening is not None and LISTENER.listening.info.backend_pid == pid:
                yield pid
                return
        assert time.monotonic() < deadline, "never the lock taken within IDLE_SECONDS of the opening"


def _closed(other, pid: int) -> None:
    """Wait for the idle watch to close the listening connection of backend `pid`, and that backend to end."""
    until(lambda: LISTENER.listening is None and _backend(other, pid) is None, f"the end of backend {pid}")
    with LISTENER.lock:  # the idle watch done with its close
        assert LISTENER.listening is None and LISTENER.closing is None


def _asked_regularly(seconds: float) -> tuple[object, int, float, float]:
    """Open the listening connection and ask every 10 ms for `seconds`: the connection, its backend's pid, the
    longest time from the start of one ask to the end of the next, and the start of the last ask. The idle
    watch may have closed the connection only if that time, or the time since the last ask, reached
    IDLE_SECONDS."""
    LISTENER.forget()
    previous = start = time.monotonic()
    pid = _opened()
    opened, longest = LISTENER.listening, 0.0
    while previous < start + seconds:
        time.sleep(0.01)
        asked = time.monotonic()
        LISTENER.current()
        longest = max(longest, time.monotonic() - previous)
        previous = asked
    return opened, pid, longest, previous


def test_an_idle_listening_connection_is_closed_without_a_request_and_its_backend_ends(other, idle):
    with _held_open() as pid:
        opened = LISTENER.listening
        time.sleep(3 * IDLE)  # idle long enough, but the lock is held as by a view reading the connection
        assert LISTENER.listening is opened and not opened.closed
        assert _backend(other, pid) == LISTENING
    _closed(other, pid)  # the lock released and nothing asked: closed by the idle watch alone
    listening = other.execute("SELECT pid FROM pg_stat_activity WHERE query = %s", [LISTENING]).fetchall()
    assert (pid,) not in listening


def test_a_listening_connection_asked_more_often_than_idle_seconds_stays_open(other, idle):
    deadline = time.monotonic() + 120
    while True:
        opened, pid, longest, last = _asked_regularly(6 * IDLE)
        with LISTENER.lock:
            if longest < IDLE and time.monotonic() - last < IDLE:  # never IDLE_SECONDS without an ask
                assert LISTENER.listening is opened and not opened.closed
                assert _backend(other, pid) == LISTENING
                break
        assert time.monotonic() < deadline, "never 3 s of asks without a stall of IDLE_SECONDS"
    _closed(other, pid)  # and once the asks stop, closed all the same


def _validated_on_one_connection(client, other) -> tuple[int, object, int]:
    """The kept page found valid by its query and then answered without one, all on one listening connection
    (its probe heard): the generation, the connection and its backend's pid. Started over if that connection
    was closed meanwhile (the test stalled for IDLE_SECONDS)."""
    deadline = time.monotonic() + 120
    while True:
        LISTENER.forget()
        pid = _opened()
        opened = LISTENER.listening
        other.execute("SELECT pg_notify(%s, %s)", [CHANNEL, LISTENER.probe])
        until(lambda opened=opened: LISTENER.current() is not None or LISTENER.listening is not opened,
              "the probe (or the connection closed)")
        generation = LISTENER.current()
        counts = _served(client)[0], _served(client)[0]
        if LISTENER.listening is opened:  # never closed: every step above ran on it
            assert generation is not None and counts == (1, 0)
            return generation, opened, pid
        assert time.monotonic() < deadline, "never a page validated without a stall of IDLE_SECONDS"


def test_after_an_idle_close_a_page_validated_before_is_checked_by_its_query_until_a_new_probe_is_heard(
        as_province, other, idle, monkeypatch):
    _kept(as_province)  # built first: building asks nothing, and would leave the connection idle
    before, opened, pid = _validated_on_one_connection(as_province, other)
    assert LISTENER.validated
    _closed(other, pid)
    monkeypatch.setattr(page_changes, "IDLE_SECONDS", 3600.0)  # the connection opened again stays open
    assert LISTENER.validated == {} and LISTENER.generation > before
    count, kept = _served(as_province)  # opened again at once, unproven: the query
    assert count == 1 and kept is not None
    assert LISTENER.listening is not None and LISTENER.listening is not opened
    assert _served(as_province)[0] == 1  # still no probe heard on the new connection: the query again
    after = probe(other)
    assert after > before and LISTENER.validated == {}  # the generation never goes back
    assert _served(as_province)[0] == 1  # trusted again, but the page validated before the close is checked
    assert _served(as_province)[0] == 0


def test_a_forked_child_neither_closes_nor_watches_the_parents_connection_and_watches_its_own(other, idle):
    read, write = os.pipe()
    with _held_open() as pid:  # the fork made while the lock is held, as by the idle watch closing
        opened = LISTENER.listening
        assert any(thread.name == "jiqun-kept-pages-idle" for thread in threading.enumerate())
        child = os.fork()
        if child == 0:
            gc.disable()  # no finalizer of a connection shared with the parent
            os.close(read)
            failure = b""
            try:
                assert LISTENER.listening is None and LISTENER.closing is None and LISTENER.inherited is opened
                assert LISTENER.lock.acquire(blocking=False)  # a lock of the child's own
                LISTENER.lock.release()
                assert threading.active_count() == 1  # the parent's idle watch stayed in the parent
                assert _opened() != pid and LISTENER.closing is not None
                until(lambda: LISTENER.listening is None, "the child's own idle connection closed")
            except BaseException:
                failure = traceback.format_exc().encode()
            finally:
                os.write(write, failure)
                os._exit(1 if failure else 0)
        os.close(write)
        with os.fdopen(read, "rb") as pipe:
            failure = pipe.read().decode()
        _, status = os.waitpid(child, 0)
        assert failure == "" and os.waitstatus_to_exitcode(status) == 0, failure
        assert LISTENER.listening is opened and not opened.closed
        assert _backend(other, pid) == LISTENING  # not ended by the child
    _closed(other, pid)  # and the parent's own idle watch still closes it
