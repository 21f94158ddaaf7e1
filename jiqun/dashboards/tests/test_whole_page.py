"""The overview kept whole per session (jiqun.dashboards.page_cache): a repeated view is answered by the WSGI
application around Django's after one query, and nothing a signed-in page depends on (the session, the user, the
data, the cookies, the minute of the idle refresh) can be answered from an older copy.

`_served` asks `WholePages` what Django's test client would send (the same environ), without falling through to
Django (a miss is then asked again through the test client, whose handler keeps the test's transaction)."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiqun.accounts.models import User
from jiqun.audit.services import audit_record
from jiqun.config.wsgi import application
from jiqun.conftest import client_for
from jiqun.dashboards import page_cache

pytestmark = pytest.mark.django_db
URL = "/dashboards/"


def _environ(client: Client, url: str, **headers) -> dict:
    path, _, query = url.partition("?")
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client._base_environ(PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD="GET", **extra)


def _served(client: Client, url: str = URL, **headers) -> tuple[int, dict | None]:
    """The queries and the kept page WholePages answers with (None: the request goes to Django)."""
    with CaptureQueriesContext(connection) as captured:
        kept = page_cache.WholePages(None).kept(_environ(client, url, **headers))
    return len(captured), kept


def _get(client: Client, url: str = URL, **headers) -> tuple[int, object]:
    """One view: from the kept page when WholePages answers it, else built by Django."""
    count, kept = _served(client, url, **headers)
    if kept is not None:
        return count, kept
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return len(captured), response


def _kept(client: Client, url: str = URL) -> object:
    """The page once built (the first view sets the CSRF cookie a browser then sends) and once kept."""
    client.get(url)
    count, response = _get(client, url)
    assert response.status_code == 200 and count > 1  # built: the session, the user, the page's own queries
    return response


def _thief(client: Client) -> Client:
    """Another browser holding the same cookies (a copy of the session cookie)."""
    other = Client()
    for name, morsel in client.cookies.items():
        other.cookies[name] = morsel.value
    return other


def test_a_repeated_view_is_one_query_and_the_same_page_with_the_same_headers(as_province):
    built = _kept(as_province)
    answered = []
    with CaptureQueriesContext(connection) as captured:
        body = application(_environ(as_province, URL), lambda status, headers: answered.append((status, headers)))
    assert len(captured) == 1
    status, headers = answered[0]
    assert status == "200 OK" and b"".join(body) == built.content
    headers = dict(headers)
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
                 "Content-Language", "Content-Type"):
        assert headers[name] == built[name]
    assert headers["Cache-Control"] == "no-store" and "Set-Cookie" not in headers
    count, filtered = _get(as_province, URL + "?tier=provincial")  # another address: built, not the kept one
    assert count > 1 and filtered.content != built.content


def test_a_logout_ends_the_kept_page_for_every_copy_of_the_cookie(as_province):
    _kept(as_province)
    copy = _thief(as_province)
    assert _served(copy)[1] is not None
    as_province.post("/accounts/logout/")
    assert _served(copy) == (1, None)
    response = copy.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_expired_or_deleted_session_is_not_answered(as_province):
    _kept(as_province)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert _served(as_province)[1] is None
    assert as_province.get(URL).status_code == 302
    as_province.force_login(User.objects.get(username="sheng"))
    _kept(as_province)
    Session.objects.all().delete()
    assert _served(as_province)[1] is None
    assert as_province.get(URL).status_code == 302


def test_a_password_change_or_a_deactivation_made_behind_the_services_is_seen(province_admin):
    client = client_for(province_admin)
    _kept(client)
    province_admin.set_password("Another-password-2026!")
    province_admin.save()  # no audit event: the user row itself moved
    assert _served(client)[1] is None
    assert client.get(URL).status_code == 302  # Django's session hash no longer matches: signed out

    client = client_for(province_admin)
    _kept(client)
    User.objects.filter(pk=province_admin.pk).update(is_active=False)
    assert _served(client)[1] is None
    assert client.get(URL).status_code == 302


def test_a_write_through_a_service_builds_the_page_again(as_province):
    _kept(as_province)
    audit_record(actor=User.objects.get(username="sheng"), action="update", object_type="test", object_id="1",
                 object_repr="a write")
    assert _served(as_province) == (1, None)
    count, response = _get(as_province)
    assert count > 1 and response.status_code == 200
    assert _served(as_province)[1] is not None  # and keeps the new one


def test_another_users_session_never_gets_the_page(as_province, as_jinan):
    kept = _kept(as_province)
    _kept(as_jinan)
    count, city = _served(as_jinan)
    assert count == 1 and city["content"] != kept.content
    assert "济南市".encode() in city["content"]
    assert _served(as_province)[1]["content"] == kept.content


def test_the_language_cookie_htmx_and_pending_messages_are_not_answered_from_the_kept_page(as_province):
    kept = _kept(as_province)
    assert _served(as_province, HX_Request="true") == (0, None)
    as_province.cookies["django_language"] = "en"
    assert _served(as_province)[1] is None
    english = as_province.get(URL)
    assert english.content != kept.content and b'lang="en"' in english.content
    del as_province.cookies["django_language"]
    assert _served(as_province)[1]["content"] == kept.content
    as_province.cookies["messages"] = "anything"  # a message waiting to be shown: another cookie header
    assert _served(as_province)[1] is None


def test_a_page_is_not_kept_past_the_sessions_idle_refresh(as_province, monkeypatch):
    _kept(as_province)
    monkeypatch.setattr("jiqun.core.middleware.TOUCH_SECONDS", 60)
    session = Session.objects.get()
    store = session.get_decoded()
    store["_jiqun_touched"] = int(time.time()) - 61  # refreshed a minute ago: this view refreshes it again
    Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(store))
    before = Session.objects.get().expire_date
    assert _served(as_province)[1] is None
    count, response = _get(as_province)
    assert count > 1 and response.status_code == 200
    assert Session.objects.get().expire_date > before  # the idle timeout was pushed back, as on any page


def test_a_kept_page_ends_when_the_password_expires(province_admin, settings):
    user = User.objects.get(pk=province_admin.pk)
    user.password_changed_at = timezone.now() - datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS, seconds=-30)
    session_data = Session.objects.encode({"_jiqun_touched": int(time.time())})
    later = timezone.now() + datetime.timedelta(hours=1)
    until = page_cache._until(user, session_data, later)
    assert until <= time.time() + 30
    assert page_cache._until(user, Session.objects.encode({}), later) is None  # never refreshed: keep nothing


def test_a_kept_page_ends_when_the_session_expires(as_province):
    """The session's stored expiry bounds a kept page too (it lies past the next idle refresh unless the
    session's age was set shorter than the refresh's minute, or the row was changed behind the services)."""
    as_province.get(URL)
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(seconds=20))
    as_province.get(URL)
    entry = page_cache.caches[page_cache.CACHE].get(page_cache.page_key(_environ(as_province, URL)))
    assert entry is not None and entry["until"] <= time.time() + 20
    row = Session.objects.get().expire_date.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLite's text gives it
    assert page_cache._until(User.objects.get(username="sheng"), Session.objects.get().session_data, row) \
        == pytest.approx(entry["until"], abs=1)


def test_a_redirect_or_an_error_is_not_kept(as_province):
    for _ in range(2):
        assert as_province.get("/dashboards/regions/999999/").status_code == 404
    assert _served(as_province, "/dashboards/regions/999999/") == (0, None)


def test_a_failed_query_sends_the_request_to_django(as_province, monkeypatch):
    from django.db import DatabaseError

    _kept(as_province)

    def fails(*args):
        raise DatabaseError("the server closed the connection")

    monkeypatch.setattr(page_cache, "_fingerprint", fails)
    assert _served(as_province)[1] is None


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_query_is_prepared_once_per_connection_and_again_when_it_went_missing(as_province):
    _kept(as_province)
    assert _served(as_province)[1] is not None
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {page_cache.PREPARED}")  # a pooler or a reset dropped it
    connection._jiqun_prepared = None  # as after the EXECUTE that found it missing
    assert _served(as_province)[1] is not None
    connection._jiqun_prepared = None  # the statement still there, the mark lost: not prepared twice
    assert _served(as_province)[1] is not None

