"""How /api/v1/ reports errors: JSON {"detail": …} in the user's language (Chinese unless the cookie says English).

django-ninja's own answers ("Not Found", "Unauthorized", pydantic's English messages) are replaced here, and
nothing of the exception (paths, parser messages) reaches the client.
"""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from jiqun.api.auth import GateRefused
from jiqun.api.parser import REPEATED
from jiqun.core.stale import StaleEdit
from jiqun.core.text import CODE as CONTROL_CHARACTER

# Errors jiqun's own validators raise (PydanticCustomError): their message is already in the user's language.
OWN_ERRORS = {CONTROL_CHARACTER, "object_expected", REPEATED}


def schema_error_message(error: dict) -> str:
    """Say in the active language what is wrong with one value, from a pydantic error's type and context."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("必填")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("须为整数")
    if kind in {"float_parsing", "float_type", "decimal_parsing", "decimal_type", "finite_number"}:
        return _("须为数字")
    if kind in {"bool_parsing", "bool_type"}:
        return _("须为 true 或 false")
    if kind == "string_type":
        return _("须为文本")
    if kind in {"date_parsing", "date_type", "date_from_datetime_parsing", "date_from_datetime_inexact"}:
        return _("须为日期，格式 YYYY-MM-DD")
    if kind in {"datetime_parsing", "datetime_type", "datetime_from_date_parsing"}:
        return _("须为日期时间，格式 YYYY-MM-DDTHH:MM:SS")
    if kind == "string_too_long":
        return _("最多 %(n)s 个字符") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("至少 %(n)s 个字符") % {"n": ctx.get("min_length")}
    # too_long / too_short are said of lists and, by a length constraint on a text type, of text too.
    collection = ctx.get("field_type") in {"List", "Tuple", "Set", "Frozenset", "Dictionary", "Iterable"}
    if kind == "too_long":
        return (_("最多 %(n)s 项") if collection else _("最多 %(n)s 个字符")) % {"n": ctx.get("max_length")}
    if kind == "too_short":
        return (_("至少 %(n)s 项") if collection else _("至少 %(n)s 个字符")) % {"n": ctx.get("min_length")}
    if kind == "greater_than":
        return _("须大于 %(n)s") % {"n": ctx.get("gt")}
    if kind == "greater_than_equal":
        return _("须不小于 %(n)s") % {"n": ctx.get("ge")}
    if kind == "less_than":
        return _("须小于 %(n)s") % {"n": ctx.get("lt")}
    if kind == "less_than_equal":
        return _("须不大于 %(n)s") % {"n": ctx.get("le")}
    if kind in {"enum", "literal_error"}:
        return _("须为以下之一：%(values)s") % {"values": ctx.get("expected", "")}
    if kind in {"list_type", "tuple_type", "set_type"}:
        return _("须为列表")
    if kind in {"dict_type", "model_type", "model_attributes_type"}:
        return _("须为对象")
    if kind == "json_invalid":
        return _("不是有效的 JSON")
    if kind == "extra_forbidden":
        return _("不允许此字段")
    if kind in OWN_ERRORS:
        # Already translated; the text rule names the character and its position.
        return error.get("msg") or _("取值无效")
    if kind == "value_error" and ctx.get("error"):
        # Our own validators raise ValueError with a message that is already translated.
        return str(ctx["error"])
    return _("取值无效")


def on_not_found(request: HttpRequest, exc: Http404, *, api: NinjaAPI) -> HttpResponse:
    """404: the object does not exist or is outside the user's scope (the two are not told apart)."""
    return api.create_response(request, {"detail": _("未找到：对象不存在或不在您的范围内")}, status=404)


def on_http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    """401, 403, 429 and an unreadable body in the user's language; our own HttpErrors carry their message."""
    if isinstance(exc, AuthenticationError):
        detail = _("未认证：请在请求头 Authorization: Bearer <令牌> 中提供有效的接口令牌，或先登录")
    elif isinstance(exc, GateRefused):
        detail = exc.message
    elif isinstance(exc, AuthorizationError):
        detail = _("无权执行该操作")
    elif isinstance(exc, Throttled):
        detail = _("请求过于频繁，请稍后再试")
    elif exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
        detail = _("请求体无法解析：须为有效的 JSON，编码 UTF-8")
    elif exc.status_code == 403 and str(exc.message).startswith("CSRF"):
        detail = _("CSRF 校验失败：用网页会话调用接口时须带上 X-CSRFToken 请求头")
    else:
        detail = str(exc.message)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


def on_schema_error(request: HttpRequest, exc: NinjaValidationError, *, api: NinjaAPI) -> HttpResponse:
    """422: which field is wrong and how, for every field at once."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        field = ".".join(str(p) for p in err.get("loc", [])[1:]) or "body"
        errors.setdefault(field, []).append(schema_error_message(err))
    detail = _("请求格式有误：") + "；".join(f"{k}: {'，'.join(v)}" for k, v in errors.items())
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def on_validation_error(request: HttpRequest, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    """400: a service refused the write; its messages name the field."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    # A refusal of the whole write (no field) is said as it is, without Django's "__all__" key.
    detail = "；".join(("" if field == "__all__" else f"{field}: ") + "，".join(msgs) for field, msgs in errors.items())
    return api.create_response(request, {"detail": detail, "errors": errors}, status=400)


def on_stale_edit(request: HttpRequest, exc: StaleEdit, *, api: NinjaAPI) -> HttpResponse:
    """412: a write based on an outdated version, saying who changed what since."""
    return api.create_response(request, {"detail": "；".join(exc.messages), "errors": {"version": exc.messages}},
                               status=412)


def on_denied(request: HttpRequest, exc: PermissionDenied, *, api: NinjaAPI) -> HttpResponse:
    """403: a rule refused the action."""
    return api.create_response(request, {"detail": str(exc) or _("无权执行该操作")}, status=403)


def add_error_handlers(api: NinjaAPI) -> None:
    """Register the handlers above on `api`."""
    api.add_exception_handler(Http404, partial(on_not_found, api=api))
    api.add_exception_handler(HttpError, partial(on_http_error, api=api))
    api.add_exception_handler(NinjaValidationError, partial(on_schema_error, api=api))
    api.add_exception_handler(ValidationError, partial(on_validation_error, api=api))
    api.add_exception_handler(StaleEdit, partial(on_stale_edit, api=api))
    api.add_exception_handler(PermissionDenied, partial(on_denied, api=api))
