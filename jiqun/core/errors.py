"""The platform's own 400/403/404/500 answers, in the user's language and without debug details.

Pages get jiqun/templates/<status>.html; /api/ gets JSON {"detail": …} like the API's own errors.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _


def answer(request: HttpRequest, status: int, template_name: str, detail: str, reason: str = "") -> HttpResponse:
    """Answer JSON under /api/ and the error page elsewhere, with `reason` (a message of ours) if given."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": reason or detail}, status=status, json_dumps_params={"ensure_ascii": False})
    # No request context: its processors query the database, which may be what failed.
    return HttpResponse(loader.render_to_string(template_name, {"reason": reason}), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a request Django refused before any view (bad host header, malformed upload)."""
    return answer(request, 400, "400.html", _("请求有误：请求格式有误或参数无效"))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403: a page the user may not see or an action the user may not take."""
    # A PermissionDenied of ours says why in the user's language; Django's own carry no message.
    return answer(request, 403, "403.html", _("无权执行该操作"), reason=str(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: no such page, or an object outside the user's scope (deliberately the same answer)."""
    return answer(request, 404, "404.html", _("未找到：对象不存在或不在您的范围内"))


def server_error(request: HttpRequest) -> HttpResponse:
    """500: the error is logged by Django; the user sees only that it happened."""
    return answer(request, 500, "500.html", _("系统出错，请稍后重试；如持续出现，请联系系统管理员"))
