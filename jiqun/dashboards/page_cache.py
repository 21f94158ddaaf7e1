"""The overview kept whole per session: a repeated view of the same page answered with one query.

The overview's parts are already kept in the cache under the data state (jiqun.dashboards.overview.cached), but a
view served from them still passes every middleware, loads the session and the user and renders the page around
them: about twenty times the work of serving a static file. A page whose view is decorated with
`whole_page_per_session` is kept here after it was built (WholePageMiddleware, the first middleware, sees it as
it leaves Django with every header), and the next GET with the same session, cookies, host and address is
answered from it by `WholePages`, the WSGI application around Django's (jiqun.config.wsgi), before any of
Django's request handling, if ONE query shows that nothing it depends on moved:

- the session row: still there, not expired, its data unchanged (the same signed-in user, the same confirmed
  second factor, the same idle-refresh time);
- the user row, every column (password, active, role, region, …: a password change, a deactivation or a new
  role misses), and the user's clusters (a leader's or chain chief's scope);
- the data state of the overview (the newest audit event and the summaries' states, `overview.data_state`).

Besides, an entry is not used past the earliest of: the session's next idle refresh (IdleSessionMiddleware then
pushes the stored expiry back, through the ordinary path), the password's expiry (PasswordExpiryMiddleware
sends the user away from then on), the end of the day (target progress is as of today) and CACHE_SECONDS.

Only a 200 answer to a GET without HTMX headers is kept, and only when it sets no cookie but the renewal of the
CSRF cookie the request already carried (the page's form tokens are made from that secret). Entries live in a
cache of their own ("pages" in settings.CACHES, JIQUN_KEPT_PAGES entries, so that many sessions never push the
overview's parts out): per server process with the local-memory cache, each validated against the database on
every use, so a logout or a change in any other process is seen at once. On PostgreSQL a page found valid is
answered again without the query until the server process hears of a change (jiqun.dashboards.page_changes).
When the query fails (the database restarted, say), the request goes to Django as if nothing were kept.
"""

import datetime
import functools
import hashlib
import time
from collections.abc import Callable

from django import db
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jiqun.core import middleware as session_refresh
from jiqun.dashboards.overview import CACHE_SECONDS
from jiqun.dashboards.page_changes import LISTENER

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
CACHE = "pages"  # the cache alias of settings.CACHES that holds the kept pages
UNCACHED_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_BOOSTED", "HTTP_HX_TARGET", "HTTP_HX_TRIGGER")
# Everything of a request that a page may depend on: the address, the host and scheme it was asked under (a
# proxy's forwarded ones included) and every cookie (session, CSRF, language, messages waiting).
KEYED = ("wsgi.url_scheme", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME",
         "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "HTTP_COOKIE")


def page_key(environ: dict) -> str | None:
    """The cache key of the page a GET asks for, from the request's own words (its WSGI environ: Django's
    request.META is the same dict), or None when such a request is never answered from here."""
    if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in UNCACHED_HEADERS):
        return None
    cookies = environ.get("HTTP_COOKIE", "")
    if settings.SESSION_COOKIE_NAME not in parse_cookie(cookies):
        return None
    text = repr(("whole-page", *(environ.get(name, "") for name in KEYED)))
    return "jiqun:page:" + hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _sql(vendor: str) -> str:
    """The one query of a validation (one text per database vendor)."""
    from jiqun.accounts.models import User
    from jiqun.audit.models import AuditEvent
    from jiqun.dashboards.models import SummaryState

    q = connection.ops.quote_name
    user, session = q(User._meta.db_table), q("django_session")
    audit, states = q(AuditEvent._meta.db_table), q(SummaryState._meta.db_table)
    # A leader's or chain chief's clusters are rows of their own: their count and the sum of their ids.
    clusters = q(User.clusters.through._meta.db_table)
    mine = f"FROM {clusters} WHERE {q('user_id')} = u.{q('id')}"
    # PostgreSQL digests the user's row itself (one text instead of every column converted in Python).
    row = "md5(u::text)" if vendor == "postgresql" else "u.*"
    return (f"SELECT {row}, (SELECT COUNT(*) {mine}), (SELECT SUM({q('cluster_id')}) {mine}), "
            f"s.{q('session_data')}, "
            f"(SELECT {q('id')} FROM {audit} ORDER BY {q('id')} DESC LIMIT 1), "
            f"(SELECT {q('at')} FROM {audit} ORDER BY {q('id')} DESC LIMIT 1), "
            f"(SELECT SUM({q('changes')}) FROM {states}), (SELECT COUNT(*) FROM {states}), s.{q('expire_date')} "
            f"FROM {user} u LEFT JOIN {session} s ON s.{q('session_key')} = %s AND s.{q('expire_date')} > %s "
            f"WHERE u.{q('id')} = %s")


PREPARED = "jiqun_kept_page"
SESSION_DATA, SESSION_EXPIRES = -6, -1  # the places of the session's data and expiry in the query's row


def _execute_prepared(cursor, params: list) -> None:
    """The validation as a statement prepared once per PostgreSQL connection (its plan is made once, not on every
    view: about half of the server's time for the query). The connection is known by its server process; a
    statement that went missing (a connection pooler, a reset) is prepared again at the next view."""
    pid = connection.connection.info.backend_pid
    if getattr(connection, "_jiqun_prepared", None) != pid:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [PREPARED])
        if cursor.fetchone() is None:
            text = _sql("postgresql")
            for n in (1, 2, 3):
                text = text.replace("%s", f"${n}", 1)
            cursor.execute(f"PREPARE {PREPARED} (text, timestamptz, bigint) AS {text}")
        connection._jiqun_prepared = pid
    try:
        cursor.execute(f"EXECUTE {PREPARED} (%s, %s, %s)", params)
    except db.Error:
        connection._jiqun_prepared = None
        raise


def _fingerprint(user_id: int, session_key: str) -> tuple[str, tuple] | None:
    """A digest of the session row, the user row and the data state, and the row read; None when the session
    is gone or expired, or the user is."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _execute_prepared(cursor, [session_key, now, user_id])
        else:
            cursor.execute(_sql(connection.vendor), [session_key, now, user_id])
        row = cursor.fetchone()
    if row is None or row[SESSION_DATA] is None:
        return None
    return hashlib.sha256(repr(row).encode()).hexdigest(), row


def whole_page_per_session(view: Callable) -> Callable:
    """Mark a view whose pages WholePageMiddleware keeps whole per session (see the module's text)."""
    view.keeps_whole_page = True
    return view


def _snapshot(session_key: str) -> tuple[int, str, tuple] | None:
    """The signed-in user's id and the fingerprint of the session, the user and the data state, read BEFORE
    Django loads the session and the user for the request: whatever is committed meanwhile can only make the page
    built newer than its fingerprint (the next view then misses), never older. None when no one is signed in."""
    from django.contrib.auth import SESSION_KEY
    from django.core.exceptions import ValidationError

    from jiqun.accounts.models import User

    try:  # the session as Django's store reads it: {} when it is gone or expired
        user_id = User._meta.pk.to_python(SessionStore(session_key).load().get(SESSION_KEY))
    except ValidationError:
        return None
    found = _fingerprint(user_id, session_key) if user_id is not None else None
    return None if found is None else (user_id, *found)


def _until(user, session_data: str, session_expires) -> float | None:
    """The time (seconds since the epoch) after which a kept page must be built again; None to keep none."""
    touched = SessionStore().decode(session_data).get(session_refresh.TOUCHED_KEY)
    if not isinstance(touched, int):
        return None
    expires = session_expires if isinstance(session_expires, datetime.datetime) else parse_datetime(session_expires)
    if timezone.is_naive(expires):  # SQLite's text, in UTC
        expires = timezone.make_aware(expires, datetime.UTC)
    expiry = user.password_changed_at + datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()))
    now = time.time()
    return min(touched + session_refresh.TOUCH_SECONDS, expires.timestamp(), expiry.timestamp(), midnight.timestamp(),
               now + CACHE_SECONDS)


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    """A 200 page that sets no cookie but the renewal of the request's own CSRF cookie."""
    if response.status_code != 200 or response.streaming:
        return False
    for name, morsel in response.cookies.items():
        if name != settings.CSRF_COOKIE_NAME or morsel.value != request.COOKIES.get(name):
            return False
    return True


class WholePages:
    """The WSGI application around Django's that answers a repeated GET of a kept page after one validating
    query; anything else (no entry, an entry that no longer holds, a failed query) goes to Django."""

    def __init__(self, application: Callable) -> None:
        self.application = application

    def __call__(self, environ: dict, start_response: Callable):
        kept = self.kept(environ)
        if kept is not None:
            start_response("200 OK", kept["headers"])
            return [kept["content"]]
        try:
            return self.application(environ, start_response)
        finally:
            if environ.get("REQUEST_METHOD") not in SAFE_METHODS:  # it may have written: heard before it answers
                LISTENER.changed()

    def kept(self, environ: dict) -> dict | None:
        key = page_key(environ)
        entry = caches[CACHE].get(key) if key else None
        if entry is None or time.time() >= entry["until"]:
            return None
        generation = LISTENER.current()  # read before the query: a change heard after it moves it on
        if generation is not None and LISTENER.validated_at(key) == (generation, entry["fingerprint"]):
            return entry
        session_key = parse_cookie(environ["HTTP_COOKIE"])[settings.SESSION_COOKIE_NAME]
        try:
            found = _fingerprint(entry["user"], session_key)
        except db.Error:  # DatabaseError and InterfaceError ("connection already closed") alike
            connection.close_if_unusable_or_obsolete()
            return None
        if found is None or found[0] != entry["fingerprint"]:
            return None
        if generation is not None:
            LISTENER.remember(key, generation, entry["fingerprint"])
        return entry


class WholePageMiddleware:
    """Keep the pages that `whole_page_per_session` views answer, as they leave Django (the first middleware:
    every header the others set is on the response); `WholePages` serves them. For such a view the fingerprint
    is read here, before the session and the user are loaded."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = page_key(request.META)
        snapshot = self.snapshot(request) if key else None
        response = self.get_response(request)
        if snapshot is None or not _keepable(request, response):
            return response
        user_id, fingerprint, row = snapshot
        user = request.user
        if user.is_authenticated and user.pk == user_id:
            until = _until(user, row[SESSION_DATA], row[SESSION_EXPIRES])
            if until is not None and time.time() < until:
                caches[CACHE].set(key, {"user": user_id, "fingerprint": fingerprint, "until": until,
                                        "content": response.content, "headers": list(response.items())},
                                  CACHE_SECONDS)
        return response

    def snapshot(self, request: HttpRequest) -> tuple | None:
        """`_snapshot` for a GET of a view that keeps its pages; None for any other."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if not getattr(match.func, "keeps_whole_page", False):
            return None
        try:
            return _snapshot(request.COOKIES[settings.SESSION_COOKIE_NAME])
        except db.Error:  # the page is built as usual, and not kept
            connection.close_if_unusable_or_obsolete()
            return None
