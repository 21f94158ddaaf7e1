"""Security headers that Django does not set by itself; the session's idle timeout without a write per request."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from jiqun.core.errors import answer as error_answer
from jiqun.core.text import FORBIDDEN, control_character_error

# Everything is served from the platform itself (offline intranets), so 'self' is all a page needs. Scripts
# come only from files: no inline <script>, no on* attribute, no eval. Style sheets too; only style attributes
# stay allowed (a few templates and the widgets of Swagger UI set them), which can restyle but not run code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'"
)


class SecurityHeadersMiddleware:
    """Every response carries the CSP and the Permissions-Policy; signed-in pages are not cached."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages behind the login carry government data: keep them out of shared caches.
            response.setdefault("Cache-Control", "no-store")
        return response


class LanguageMiddleware:
    """Chinese unless the user picked English with the switcher; the browser's Accept-Language is ignored,
    so an office PC set to English still shows the Chinese UI its users expect."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class QueryTextMiddleware:
    """The one text rule (jiqun.core.text) on the query string of every page: a control character in a parameter's
    name or value is a 400 that names the parameter, before any view or query runs (PostgreSQL refuses NUL
    outright, so it would otherwise be a server error). The API applies the rule in its own schemas (422)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            for key, values in request.GET.lists():
                name = FORBIDDEN.sub("?", key)
                for text in (key, *values):
                    message = control_character_error(text, _("查询参数“%(name)s”") % {"name": name})
                    if message:
                        return error_answer(request, 400, "400.html", message, reason=message)
        return self.get_response(request)


# The session's last refresh (seconds since the epoch), kept in the session itself.
TOUCHED_KEY = "_jiqun_touched"
TOUCH_SECONDS = 60


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, refreshing a signed-in session's expiry at most once a minute.

    The 等保 idle timeout (JIQUN_SESSION_MINUTES) is the stored session's expiry, pushed back each time the session
    is saved. SESSION_SAVE_EVERY_REQUEST saved it on every request, one UPDATE per page view; here a request saves
    it only when the session changed or its last refresh is TOUCH_SECONDS old, so a session idle for the timeout
    still ends, at most TOUCH_SECONDS early. The decision is the session's own data: it holds in every server
    process alike."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            touched = session.get(TOUCHED_KEY)  # loads the session when no one read it yet
            now = int(time.time())
            # A key that named no stored session is gone after the load: nothing to refresh, nothing to create.
            if session.session_key and (session.modified or not isinstance(touched, int)
                                        or not 0 <= now - touched < TOUCH_SECONDS):
                session[TOUCHED_KEY] = now  # marks the session modified: the parent saves it with a new expiry
        return super().process_response(request, response)
