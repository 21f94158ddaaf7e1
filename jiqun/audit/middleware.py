"""One place that logs what no view should have to remember: denials, downloads and admin-site changes."""

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record, request_actions

ADMIN_PREFIX = "/admin/"
ADMIN_CHANGES = {"add": AuditAction.CREATE, "change": AuditAction.UPDATE, "delete": AuditAction.DELETE,
                 "changelist": AuditAction.UPDATE}  # the change list's POST runs a bulk action or list edit
ADMIN_FORM_KEYS = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "post"}


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def attachment_name(response: HttpResponse) -> str | None:
    """Return the file name of a download, or None when the response is not an attachment."""
    disposition = response.get("Content-Disposition", "")
    if not disposition.lower().startswith("attachment"):
        return None
    for part in disposition.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name.lower() == "filename*":
            return unquote(value.split("''", 1)[-1])
        if name.lower() == "filename":
            return value.strip('"')
    return ""


def route_of(request: HttpRequest) -> tuple[str, str]:
    """Return the URL name and the object key of the route a request resolved to (empty when none)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    key = ",".join(f"{v}" for _k, v in sorted(match.kwargs.items()))
    return match.view_name or "", key


class AuditMiddleware:
    """Record a `denied` event for every 403, and for every 404 a signed-in user gets on an object route
    (a URL with an object key, on pages and the API); an `export` event for every attachment the view did
    not already log; and a change made through the admin site.

    Each denial is logged, floods included: 等保 asks for every one, and the chain append is O(1).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_actions.set([])
        try:
            response = self.get_response(request)
            self.record(request, response, request_actions.get() or [])
        finally:
            request_actions.reset(token)
        return response

    def record(self, request: HttpRequest, response: HttpResponse, recorded: list[str]) -> None:
        """Log what the response shows happened, once."""
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        actor = user if signed_in else None
        route, key = route_of(request)
        status = response.status_code
        if status == 403 or (status == 404 and signed_in and key):
            audit_record(actor=actor, action=AuditAction.DENIED, object_type=route or "path", object_id=key,
                         object_repr=request.path, ip=client_ip(request),
                         after={"status": status, "method": request.method})
            return
        filename = attachment_name(response) if 200 <= status < 300 else None
        if filename is not None and AuditAction.EXPORT not in recorded:
            audit_record(actor=actor, action=AuditAction.EXPORT, object_type=route or "path", object_id=key,
                         object_repr=filename or request.path, ip=client_ip(request),
                         after={"path": request.path, "query": request.GET.urlencode()})
            return
        if request.path.startswith(ADMIN_PREFIX) and request.method == "POST" and status == 302 and signed_in:
            self.record_admin_change(request, actor, route, key)

    def record_admin_change(self, request: HttpRequest, actor, route: str, key: str) -> None:
        """Log a save or delete made through the admin site; its forms write no event of their own."""
        # Admin URL names are admin:<app>_<model>_<add|change|delete>.
        name = route.removeprefix("admin:")
        model, _sep, verb = name.rpartition("_")
        if verb not in ADMIN_CHANGES or not model:
            return
        # Field names only: values may be passwords or secrets, and the domain services log the values.
        fields = sorted(k for k in request.POST if k not in ADMIN_FORM_KEYS and "password" not in k)
        after: dict = {"fields": fields[:100]}
        if verb == "changelist":
            after = {"bulk_action": request.POST.get("action", ""),
                     "selected": request.POST.getlist("_selected_action")[:500]}
        audit_record(actor=actor, action=ADMIN_CHANGES[verb], object_type=f"admin:{model}", object_id=key,
                     object_repr=request.path, ip=client_ip(request), after=after)
