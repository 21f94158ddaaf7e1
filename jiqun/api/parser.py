"""How /api/v1/ reads a query string: a parameter the document declares as one value may be given only once."""

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.types import DictStrAny

REPEATED = "repeated_parameter"


class SingleValueParser(Parser):
    """ninja's parser, except that a single-valued query parameter given several times is a 422."""

    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest) -> DictStrAny:
        """Read the query string; refuse `?a=1&a=2` for a parameter that is not a list."""
        # ninja would silently keep the last value, so "?status=a&status=b" would filter on b alone and a
        # client would believe it had asked for both.
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise NinjaValidationError([
                {"type": REPEATED, "loc": ("query", key),
                 "msg": _("只能给一个值，却给了 %(n)d 个") % {"n": len(data.getlist(key))}}
                for key in repeated])
        return super().parse_querydict(data, list_fields, request)
