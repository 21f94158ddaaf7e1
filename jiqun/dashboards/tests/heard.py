"""Helpers of the tests of changes heard from PostgreSQL (jiqun.dashboards.page_changes).

A test's own writes are never committed, so the changes heard are made by statements of a second connection that
touch no row (a statement-level trigger notifies all the same), and the listener's probe is sent from there too:
inside the test's transaction the listener never sends it. The fixtures `other` and `listening` are in this
directory's conftest."""

import time

from jiqun.dashboards.page_changes import CHANNEL, LISTENER

WATCHED = ("django_session", "accounts_user", "accounts_user_clusters", "audit_auditevent",
           "dashboards_summarystate")


def until(condition, what: str):
    """Wait for PostgreSQL to deliver (at most 10 s: on a loaded machine a notification can take a while)."""
    deadline = time.monotonic() + 10
    while not (value := condition()):
        assert time.monotonic() < deadline, f"not heard within 10 s: {what}"
        time.sleep(0.01)
    return value


def probe(other) -> int:
    """Send the listener's probe from the second connection and wait until it is heard: the generation."""
    assert LISTENER.current() is None  # listening, its probe waited for
    other.execute("SELECT pg_notify(%s, %s)", [CHANNEL, LISTENER.probe])
    return until(LISTENER.current, "the probe")


def heard(other, statement: str) -> None:
    """Run a statement on the second connection and wait until the listener has heard it."""
    before = LISTENER.current()
    other.execute(statement)
    until(lambda: LISTENER.current() != before, statement)
