"""A hostile tester's look at the overview kept whole per session (jiqun.dashboards.page_cache).

Every test here passes when the code is right; each records what was tried. Found by it and fixed: a change
committed while a page was built could be taken into its fingerprint (now read before Django loads the session and
the user), an InterfaceError of the validating query escaped WholePages, a chain chief's clusters were outside the
fingerprint, ignored query parameters could push the overview's parts out of the shared cache.

The helpers of test_whole_page are reused: `_served` asks WholePages alone (no fall-through to Django), `_get`
falls through to the test client when nothing is kept, `_kept` builds the page twice so that it is kept.
"""

import re

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages.storage.base import Message
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import InterfaceError
from django.test import Client

from jiqun.accounts.models import Role, User
from jiqun.accounts.services import user_assign_role
from jiqun.clusters.models import Cluster
from jiqun.config.wsgi import application
from jiqun.dashboards import page_cache
from jiqun.dashboards.tests.test_whole_page import URL, _environ, _get, _kept, _served, _thief
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db


def _session_key(client: Client) -> str:
    return client.cookies["sessionid"].value


def _wsgi(environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """What the deployed WSGI application (jiqun.config.wsgi.application) answers, for a request it serves."""
    answered = []
    body = application(environ, lambda status, headers: answered.append((status, headers)))
    status, headers = answered[0]
    return status, headers, b"".join(body)


# --- a change committed while a page is built ------------------------------------------------------------------


PROVINCE_ONLY = b'name="city"'


def _racing(monkeypatch, change) -> None:
    """Run `change()` (another request's committed write) after the session was read and before the fingerprint
    is: the page must never be kept under a fingerprint newer than what it was built from. (Found by this attack:
    the fingerprint was read after Django had loaded the user; it is now read before, in WholePageMiddleware.)"""
    original = page_cache._fingerprint

    def fingerprint(user_id, session_key):
        change()
        monkeypatch.setattr(page_cache, "_fingerprint", original)
        return original(user_id, session_key)

    monkeypatch.setattr(page_cache, "_fingerprint", fingerprint)


def test_a_deactivation_committed_while_the_page_is_built_is_not_served_afterwards(as_province, province_admin,
                                                                                    monkeypatch):
    as_province.get(URL)  # the CSRF cookie a browser then sends
    _racing(monkeypatch, lambda: User.objects.filter(pk=province_admin.pk).update(is_active=False))
    as_province.get(URL)
    assert _served(as_province)[1] is None
    assert as_province.get(URL).status_code == 302  # Django: the deactivated user is signed out


def test_a_password_change_committed_while_the_page_is_built_does_not_leave_a_page_for_the_old_session(
        as_province, province_admin, monkeypatch):
    thief = _thief(as_province)
    thief.get(URL)

    def change_password():
        user = User.objects.get(pk=province_admin.pk)
        user.set_password("Another-password-2026!")
        user.save()  # every session made with the old password must end (Django's session auth hash)

    _racing(monkeypatch, change_password)
    thief.get(URL)
    assert _served(thief)[1] is None
    assert thief.get(URL).status_code == 302


def test_a_narrower_region_committed_while_the_page_is_built_is_not_served_afterwards(as_province, province_admin,
                                                                                       monkeypatch):
    security = User.objects.get(username="anquan")
    assert PROVINCE_ONLY in as_province.get(URL).content  # the province page's filter narrowing it to a city
    _racing(monkeypatch, lambda: user_assign_role(actor=security, user=province_admin, role=Role.CITY_OFFICER,
                                                  region=Region.objects.get(code="370100")))
    as_province.get(URL)
    served = _served(as_province)[1]
    assert served is None or PROVINCE_ONLY not in served["content"]
    assert PROVINCE_ONLY not in as_province.get(URL).content


# --- failures of the validating query -----------------------------------------------------------------------


def test_an_interface_error_of_the_validating_query_sends_the_request_to_django(as_province, monkeypatch):
    _kept(as_province)

    def fails(*args):
        raise InterfaceError("connection already closed")  # django.db.InterfaceError is no DatabaseError

    monkeypatch.setattr(page_cache, "_fingerprint", fails)
    assert page_cache.WholePages(None).kept(_environ(as_province, URL)) is None


# --- headers --------------------------------------------------------------------------------------------------


def test_a_served_page_carries_the_same_headers_as_the_page_django_builds(as_province):
    built = _kept(as_province)
    status, headers, body = _wsgi(_environ(as_province, URL))
    assert status == "200 OK" and body == built.content
    served = dict(headers)
    assert len(served) == len(headers), "a header repeated"
    rebuilt = as_province.get(URL)  # the same request answered by Django's test client (no WholePages)
    assert set(served) == set(rebuilt.headers), (set(served) ^ set(rebuilt.headers))
    for name in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options", "X-Content-Type-Options",
                 "Referrer-Policy", "Cross-Origin-Opener-Policy", "Cache-Control", "Vary", "Content-Language",
                 "Content-Type", "Content-Length"):
        assert served.get(name) == rebuilt.get(name), name
    assert "Set-Cookie" not in served and served["Cache-Control"] == "no-store"
    assert int(served["Content-Length"]) == len(body)


# --- methods, HTMX, hosts, proxies, query strings, cookies ------------------------------------------------------


def test_only_a_plain_get_is_answered(as_province):
    _kept(as_province)
    for method in ("HEAD", "OPTIONS", "POST", "get", "PUT"):
        environ = _environ(as_province, URL)
        environ["REQUEST_METHOD"] = method
        assert page_cache.WholePages(None).kept(environ) is None, method
    for header in ("HX_Request", "HX_Boosted", "HX_Target", "HX_Trigger"):
        assert _served(as_province, **{header: "x"}) == (0, None), header
    assert _served(as_province)[1] is not None


def test_another_host_scheme_or_forwarded_header_is_not_answered_from_the_page_of_another(as_province):
    _kept(as_province)
    assert _served(as_province, Host="evil.example") == (0, None)
    assert _served(as_province, X_Forwarded_Host="evil.example") == (0, None)
    assert _served(as_province, X_Forwarded_Proto="https") == (0, None)
    environ = _environ(as_province, URL)
    environ["wsgi.url_scheme"] = "https"
    assert page_cache.WholePages(None).kept(environ) is None
    environ = _environ(as_province, URL)
    environ["SCRIPT_NAME"] = "/prefix"
    assert page_cache.WholePages(None).kept(environ) is None
    # a Host Django refuses is never built, so never kept
    assert as_province.get(URL, headers={"Host": "evil.example"}).status_code == 400
    assert _served(as_province, Host="evil.example") == (0, None)


def test_query_string_and_path_variations_are_each_built_by_django(as_province):
    kept = _kept(as_province)
    for url in (URL + "?tier=", "/dashboards//", "/dashboards/?%00=1", "/Dashboards/"):
        assert _served(as_province, url) == (0, None), url
    count, response = _get(as_province, "/dashboards/?tier=%00")  # a control character: 400, never kept
    assert response.status_code == 400
    assert _served(as_province, "/dashboards/?tier=%00") == (0, None)
    assert _served(as_province)[1]["content"] == kept.content


def test_two_session_cookies_are_read_alike_by_wholepages_and_django(as_province, as_jinan):
    as_province.get(URL)
    sheng, jinan = _session_key(as_province), _session_key(as_jinan)
    csrf = as_province.cookies["csrftoken"].value
    # Django (and parse_cookie) take the last of two cookies of the same name: this header is sheng's session
    header = f"csrftoken={csrf}; sessionid={jinan}; sessionid={sheng}"
    for _ in range(2):
        page = as_province.get(URL, headers={"Cookie": header})
        assert page.status_code == 200 and "省级管理员".encode() in page.content
    kept = _served(as_province, Cookie=header)[1]
    assert kept is not None and kept["content"] == page.content
    # the same two cookies the other way round are jinan's session: another key, built by Django
    swapped = f"csrftoken={csrf}; sessionid={sheng}; sessionid={jinan}"
    assert _served(as_province, Cookie=swapped) == (0, None)
    city = as_province.get(URL, headers={"Cookie": swapped})
    assert "济南市用户".encode() in city.content and "省级管理员".encode() not in city.content
    # spaces or quotes around the same session key: another key, built by Django
    for odd in (f"csrftoken={csrf};sessionid={sheng}", f"csrftoken={csrf}; sessionid=\"{sheng}\"",
                f"sessionid={sheng}; csrftoken={csrf}", f"csrftoken={csrf}; sessionid={sheng} "):
        assert _served(as_province, Cookie=odd) == (0, None), odd
    # ending the session that the kept header named ends the page served under it
    Session.objects.filter(session_key=sheng).delete()
    assert _served(as_province, Cookie=header)[1] is None
    # jinan's session stays jinan's: nothing kept for sheng leaks into a header that names jinan last
    assert _served(as_jinan)[1] is None or "省级管理员".encode() not in _served(as_jinan)[1]["content"]


def test_a_session_cookie_naming_no_session_is_never_answered(as_province):
    _kept(as_province)
    header = _environ(as_province, URL)["HTTP_COOKIE"].replace(_session_key(as_province), "x" * 32)
    assert _served(as_province, Cookie=header) == (0, None)
    assert _served(as_province, Cookie="sessionid=") == (0, None)
    assert _served(as_province, Cookie="") == (0, None)


# --- what the page depends on, changed through the services --------------------------------------------------


def test_a_new_region_through_the_service_builds_the_page_of_the_new_region(as_jinan, jinan_officer):
    kept = _kept(as_jinan)
    assert "济南市".encode() in kept.content
    user_assign_role(actor=User.objects.get(username="anquan"), user=jinan_officer, role=Role.CITY_OFFICER,
                     region=Region.objects.get(code="370800"))
    assert _served(as_jinan)[1] is None
    count, page = _get(as_jinan)
    assert page.status_code == 200 and "济宁市".encode() in page.content


def test_a_leader_given_clusters_through_the_service_is_sent_to_them(db):
    leader = User.objects.get(username="lingdao")
    leader.clusters.clear()
    client = Client()
    client.force_login(leader)
    kept = _kept(client)
    assert kept.status_code == 200
    cluster = Cluster.objects.order_by("pk").first()
    user_assign_role(actor=User.objects.get(username="anquan"), user=leader, role=Role.LEADER,
                     region=leader.region, clusters=[cluster])
    assert _served(client)[1] is None
    assert client.get(URL).status_code == 302  # by clusters: its first cluster's page


def test_a_scope_change_behind_the_services_is_seen(db):
    """The clusters of a chain chief are a table of their own, outside the user row: a change made without
    the services (no audit event) still moves what the overview shows."""
    leader = User.objects.get(username="lingdao")
    leader.clusters.clear()
    client = Client()
    client.force_login(leader)
    _kept(client)
    leader.clusters.add(Cluster.objects.order_by("pk").first())  # no audit event, user row unchanged
    assert client.get(URL).status_code == 302
    assert _served(client)[1] is None  # the fingerprint counts the user's clusters


# --- forms on the served page, messages ---------------------------------------------------------------------


def test_the_forms_of_a_served_page_still_post(as_province):
    _kept(as_province)
    served = _served(as_province)[1]
    tokens = re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', served["content"])
    assert tokens
    strict = Client(enforce_csrf_checks=True)
    for name, morsel in as_province.cookies.items():
        strict.cookies[name] = morsel.value
    switched = strict.post("/i18n/setlang/", {"language": "en", "next": URL,
                                              "csrfmiddlewaretoken": tokens[0].decode()})
    assert switched.status_code == 302 and strict.cookies["django_language"].value == "en"
    english = strict.get(URL)
    assert english.status_code == 200 and b'lang="en"' in english.content
    out = strict.post("/accounts/logout/", {"csrfmiddlewaretoken": tokens[-1].decode()})
    assert out.status_code == 302
    assert not Session.objects.filter(session_key=_session_key(as_province)).exists()
    assert _served(as_province)[1] is None


def test_a_message_waiting_in_its_cookie_is_shown_once(as_province):
    _kept(as_province)
    from django.contrib.messages.storage.cookie import CookieStorage

    storage = CookieStorage(None)
    as_province.cookies["messages"] = storage._encode([Message(message_levels.INFO, "饼干里的消息")])
    assert _served(as_province)[1] is None
    assert "饼干里的消息".encode() in as_province.get(URL).content
    assert "messages" not in as_province.cookies or not as_province.cookies["messages"].value
    for _ in range(2):
        count, again = _get(as_province)
        content = again["content"] if isinstance(again, dict) else again.content
        assert "饼干里的消息".encode() not in content


# --- the cache -------------------------------------------------------------------------------------------------


def test_a_culled_cache_sends_the_request_to_django_never_to_another_page(as_province, as_jinan, settings):
    province = _kept(as_province)
    city = _kept(as_jinan)
    pages = caches[page_cache.CACHE]
    for i in range(settings.CACHES["pages"]["OPTIONS"]["MAX_ENTRIES"] + 100):  # more than it holds: it culls
        pages.set(f"attack:filler:{i}", i)
    for client, page in ((as_province, province), (as_jinan, city)):
        served = _served(client)[1]
        assert served is None or served["content"] == page.content
        assert client.get(URL).status_code == 200


def test_junk_query_parameters_fill_only_the_cache_of_kept_pages(as_province):
    """Each address is kept apart (`?junk=1` … `?junk=20` are 20 copies); they live in the kept pages' own cache,
    bounded by JIQUN_KEPT_PAGES, and never push the overview's parts out of the default cache."""
    as_province.get(URL)
    as_province.get(URL)
    parts = len(caches["default"]._cache)
    for i in range(20):
        as_province.get(f"{URL}?junk={i}")
    assert len(caches["default"]._cache) == parts
    assert sum(_served(as_province, f"{URL}?junk={i}")[1] is not None for i in range(20)) == 20


# --- the same changes through the admin site ---------------------------------------------------------------------


def test_a_region_change_through_the_admin_site_ends_the_kept_page(as_jinan, jinan_officer):
    from jiqun.conftest import client_for

    _kept(as_jinan)
    security = client_for(User.objects.get(username="anquan"))
    answer = security.post(f"/admin/accounts/user/{jinan_officer.pk}/change/",
                           {"password": jinan_officer.password, "role": Role.CITY_OFFICER, "region": "370800",
                            "enterprise": "", "_save": "1"})
    assert answer.status_code == 302, re.findall(r"errorlist[^>]*>.{0,300}", answer.content.decode(), re.S)[:5] or answer.content.decode()[:300]
    assert User.objects.get(pk=jinan_officer.pk).region_id == "370800"
    assert _served(as_jinan)[1] is None
    assert "济宁市".encode() in _get(as_jinan)[1].content


def test_a_password_reset_through_the_admin_site_ends_the_kept_page(as_province, province_admin):
    from jiqun.conftest import client_for

    system = client_for(User.objects.get(username="xitong"))
    _kept(as_province)
    answer = system.post(f"/admin/accounts/user/{province_admin.pk}/password/",
                         {"password1": "Reset-by-admin-2026!", "password2": "Reset-by-admin-2026!",
                          "usable_password": "true"})
    assert answer.status_code == 302, answer.content[:300]
    assert _served(as_province)[1] is None
    assert as_province.get(URL).status_code == 302


def test_a_deactivation_through_the_admin_site_ends_the_kept_page(as_jinan, jinan_officer):
    from jiqun.conftest import client_for

    system = client_for(User.objects.get(username="xitong"))
    _kept(as_jinan)
    user = User.objects.get(pk=jinan_officer.pk)
    answer = system.post(f"/admin/accounts/user/{user.pk}/change/",
                         {"password": user.password, "first_name": user.first_name, "last_name": user.last_name,
                          "email": user.email, "organisation": user.organisation, "_save": "1"})  # not active
    assert answer.status_code == 302, re.findall(r"errorlist[^>]*>.{0,300}", answer.content.decode(), re.S)[:5]
    assert not User.objects.get(pk=user.pk).is_active
    assert _served(as_jinan)[1] is None
    assert as_jinan.get(URL).status_code == 302


# --- time limits checked when serving (a mutation removing the `until` check passed test_whole_page) ---------------


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def _entry(client: Client, url: str = URL) -> dict:
    entry = caches[page_cache.CACHE].get(page_cache.page_key(_environ(client, url)))
    assert entry is not None, "the page was not kept"
    return entry


def test_a_kept_page_is_not_served_past_the_password_expiry_when_nothing_in_the_database_moved(province_admin,
                                                                                             monkeypatch):
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from jiqun.conftest import client_for

    # the password expires in 250 seconds (before CACHE_SECONDS); nothing is written when it does
    changed = timezone.now() - datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS, seconds=-250)
    User.objects.filter(pk=province_admin.pk).update(password_changed_at=changed)
    expiry = (changed + datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)).timestamp()
    client = client_for(User.objects.get(pk=province_admin.pk))
    _kept(client)
    assert _entry(client)["until"] <= expiry
    monkeypatch.setattr(page_cache, "time", _Clock(expiry + 1))
    assert _served(client)[1] is None, "served after the password expired (PasswordExpiryMiddleware sends it away)"
    monkeypatch.setattr(page_cache, "time", _Clock(expiry + 10**8))
    assert _served(client)[1] is None, "served past the end of the day and CACHE_SECONDS"


def test_a_kept_page_is_not_served_past_the_idle_refresh_when_the_session_did_not_move(as_province, monkeypatch):
    monkeypatch.setattr("jiqun.core.middleware.TOUCH_SECONDS", 60)
    _kept(as_province)
    touched = Session.objects.get(session_key=_session_key(as_province)).get_decoded()["_jiqun_touched"]
    entry = _entry(as_province)
    assert entry["until"] <= touched + 60
    monkeypatch.setattr(page_cache, "time", _Clock(entry["until"]))
    assert _served(as_province)[1] is None, (
        "served past the session's idle refresh: the stored expiry is then never pushed back by these views")


# --- what is kept (a mutation keeping every answer of the view passed test_whole_page) ------------------------------


def test_a_page_that_sets_a_new_csrf_cookie_is_not_kept(as_province):
    header = _environ(as_province, URL)["HTTP_COOKIE"]
    assert "csrftoken" not in header  # a browser's first view: no CSRF cookie yet
    for _ in range(2):
        first = as_province.get(URL, headers={"Cookie": header})
        assert first.status_code == 200 and "csrftoken" in first.cookies
    # served without its Set-Cookie, the page's forms would carry tokens of a secret the browser never got
    assert _served(as_province, Cookie=header) == (0, None)


def test_a_redirect_answered_by_the_view_is_not_kept(as_province):
    as_province.get(URL)
    url = URL + "?city=370100"  # narrowing the province to a city: a redirect to the city's overview
    for _ in range(2):
        answer = as_province.get(url)
        assert answer.status_code == 302
    assert _served(as_province, url) == (0, None)
