"""Security headers that Django does not set by itself."""

from collections.abc import Callable

from django.conf import settings
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
