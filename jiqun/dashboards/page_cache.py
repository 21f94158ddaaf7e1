"""The overview kept whole per session: a repeated view of the same page answered with one query.

The overview's parts are already kept in the cache under the data state (jiqun.dashboards.overview.cached), but a
view served from them still passes every middleware, loads the session and the user and renders the page around
them: about twenty times the work of serving a static file. A page whose view is decorated with
`whole_page_per_session` is kept here after it was built, with everything it was built from, and the next GET
with the same session, cookies, host and address is answered from it, before the session middleware, if ONE
query shows that nothing it depends on moved:

- the session row: still there, not expired, its data unchanged (the same signed-in user, the same confirmed
  second factor, the same idle-refresh time);
- the user row, every column (password, active, role, region, …: a password change, a deactivation or a new
  role misses);
- the data state of the overview (the newest audit event and the summaries' states, `overview.data_state`).

Besides, an entry is not used past the earliest of: the session's next idle refresh (IdleSessionMiddleware then
pushes the stored expiry back, through the ordinary path), the password's expiry (PasswordExpiryMiddleware
sends the user away from then on), the end of the day (target progress is as of today) and CACHE_SECONDS.

Only a 200 answer to a GET without HTMX headers is kept, and only when it sets no cookie but the renewal of the
CSRF cookie the request already carried (the page's form tokens are made from that secret). Entries live in
Django's cache like the overview's parts: per server process with the local-memory cache, each validated
against the database on every use, so a logout or a change in any other process is seen at once.
"""

import datetime
import functools
import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from jiqun.core import middleware as session_refresh
from jiqun.dashboards.overview import CACHE_SECONDS

SNAPSHOT = "_jiqun_whole_page"  # the request attribute the decorated view leaves for the middleware
UNCACHED_HEADERS = ("HTTP_HX_REQUEST", "HTTP_HX_BOOSTED", "HTTP_HX_TARGET", "HTTP_HX_TRIGGER")


def _key(request: HttpRequest) -> str | None:
    """The cache key of the page a GET asks for, or None when such a request is never answered from here."""
    if request.method != "GET" or any(name in request.META for name in UNCACHED_HEADERS):
        return None
    cookies = request.META.get("HTTP_COOKIE", "")
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return None
    text = repr(("whole-page", request.is_secure(), request.META.get("HTTP_HOST", ""),
                 request.META.get("SERVER_NAME", ""), request.get_full_path(), cookies))
    return "jiqun:page:" + hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _sql(vendor: str) -> str:
    """The one query of a validation (the same text on SQLite and PostgreSQL; one per database vendor)."""
    from jiqun.accounts.models import User
    from jiqun.audit.models import AuditEvent
    from jiqun.dashboards.models import SummaryState

    q = connection.ops.quote_name
    user, session = q(User._meta.db_table), q("django_session")
    audit, states = q(AuditEvent._meta.db_table), q(SummaryState._meta.db_table)
    return (f"SELECT u.*, (SELECT {q('session_data')} FROM {session} WHERE {q('session_key')} = %s "
            f"AND {q('expire_date')} > %s), "
            f"(SELECT {q('id')} FROM {audit} ORDER BY {q('id')} DESC LIMIT 1), "
            f"(SELECT {q('at')} FROM {audit} ORDER BY {q('id')} DESC LIMIT 1), "
            f"(SELECT SUM({q('changes')}) FROM {states}), (SELECT COUNT(*) FROM {states}) "
            f"FROM {user} u WHERE u.{q('id')} = %s")


def _fingerprint(user_id: int, session_key: str) -> tuple[str, tuple] | None:
    """A digest of the session row, the user row and the data state, and the row read; None when the session
    is gone or expired, or the user is."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), [session_key, now, user_id])
        row = cursor.fetchone()
    if row is None or row[-5] is None:
        return None
    return hashlib.sha256(repr(row).encode()).hexdigest(), row


def whole_page_per_session(view: Callable) -> Callable:
    """Let WholePageMiddleware keep the view's answer (see the module's text). The fingerprint is read before the
    view builds the page: data committed meanwhile can only make the kept page newer than its key."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        found = None
        if getattr(request, "_jiqun_page_key", None) and user.is_authenticated and user.is_active:
            found = _fingerprint(user.pk, request.COOKIES[settings.SESSION_COOKIE_NAME])
        response = view(request, *args, **kwargs)
        if found is not None:
            setattr(request, SNAPSHOT, (user, *found))
        return response

    return wrapped


def _until(user, session_data: str) -> float | None:
    """The time (seconds since the epoch) after which a kept page must be built again; None to keep none."""
    touched = SessionStore().decode(session_data).get(session_refresh.TOUCHED_KEY)
    if not isinstance(touched, int):
        return None
    expiry = user.password_changed_at + datetime.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time()))
    now = time.time()
    return min(touched + session_refresh.TOUCH_SECONDS, expiry.timestamp(), midnight.timestamp(), now + CACHE_SECONDS)


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    """A 200 page that sets no cookie but the renewal of the request's own CSRF cookie."""
    if response.status_code != 200 or response.streaming:
        return False
    for name, morsel in response.cookies.items():
        if name != settings.CSRF_COOKIE_NAME or morsel.value != request.COOKIES.get(name):
            return False
    return True


class WholePageMiddleware:
    """Answer a repeated GET of a kept page from the cache after one validating query; keep the pages that
    `whole_page_per_session` views answer. Sits right after SecurityMiddleware, before the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None and time.time() < entry["until"]:
            found = _fingerprint(entry["user"], request.COOKIES[settings.SESSION_COOKIE_NAME])
            if found is not None and found[0] == entry["fingerprint"]:
                response = HttpResponse(entry["content"], status=200)
                for name, value in entry["headers"]:
                    response.headers[name] = value
                return response
        request._jiqun_page_key = key
        response = self.get_response(request)
        snapshot = getattr(request, SNAPSHOT, None)
        if snapshot is not None and _keepable(request, response):
            user, fingerprint, row = snapshot
            until = _until(user, row[-5])
            if until is not None and time.time() < until:
                cache.set(key, {"user": user.pk, "fingerprint": fingerprint, "until": until,
                                "content": response.content, "headers": list(response.items())},
                          CACHE_SECONDS)
        return response
