"""The 等保 idle timeout (JIQUN_SESSION_MINUTES) with the session written at most once a minute
(jiqun.core.middleware.IdleSessionMiddleware)."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiqun.core.middleware import TOUCH_SECONDS, TOUCHED_KEY, IdleSessionMiddleware

pytestmark = pytest.mark.django_db

PAGE = "/clusters/"


def _session_writes(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


def _row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _set_touched(client, seconds_ago: int) -> None:
    """Store the session's last refresh `seconds_ago`, leaving its expiry where the last write put it."""
    row = _row(client)
    store = SessionStore(session_key=row.session_key)
    store[TOUCHED_KEY] = int(time.time()) - seconds_ago
    expire = row.expire_date
    store.save()
    Session.objects.filter(pk=row.pk).update(expire_date=expire)


def test_a_request_within_the_minute_does_not_write_the_session(as_jining):
    assert as_jining.get(PAGE).status_code == 200  # the first request stores the refresh time
    expire = _row(as_jining).expire_date
    with CaptureQueriesContext(connection) as captured:
        assert as_jining.get(PAGE).status_code == 200
    assert _session_writes(captured) == []
    assert _row(as_jining).expire_date == expire


def test_a_request_after_the_minute_refreshes_the_expiry(as_jining):
    as_jining.get(PAGE)
    _set_touched(as_jining, TOUCH_SECONDS + 1)
    Session.objects.filter(session_key=as_jining.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=120))
    with CaptureQueriesContext(connection) as captured:
        assert as_jining.get(PAGE).status_code == 200
    assert len(_session_writes(captured)) == 1
    row = _row(as_jining)
    # The full idle timeout again from now (with a minute's slack for a slow machine).
    assert row.expire_date > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert 0 <= int(time.time()) - row.get_decoded()[TOUCHED_KEY] < TOUCH_SECONDS


def test_a_changed_session_is_saved_within_the_minute(as_jining, rf):
    as_jining.get(PAGE)
    request = rf.get(PAGE)
    request.session = SessionStore(session_key=as_jining.session.session_key)
    request.session["note"] = "changed"
    IdleSessionMiddleware(lambda request: HttpResponse()).process_response(request, HttpResponse())
    assert _row(as_jining).get_decoded()["note"] == "changed"


def test_an_idle_session_ends_at_the_timeout(as_jining):
    as_jining.get(PAGE)
    as_jining.get(PAGE)  # within the minute: the expiry stays where the first request put it
    Session.objects.filter(session_key=as_jining.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))  # the timeout has passed since that write
    response = as_jining.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_request_with_an_unknown_session_creates_none(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "x" * 32
    count = Session.objects.count()
    client.get(PAGE)
    assert Session.objects.count() == count
