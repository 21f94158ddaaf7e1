"""`{% template_via_task user period as large %}`: whether the period page's template download is started as a
background job (the user's scope has more reports than JIQUN_TASK_THRESHOLD_ROWS) instead of built in the request."""

from django import template
from django.conf import settings

register = template.Library()


def template_scope_size(user, period) -> int:
    """How many of the period's reports the user could put in a template (0 for a role that fills none)."""
    from jiqun.monitoring.models import Report
    from jiqun.monitoring.permissions import FILLING_ROLES

    if not user.is_authenticated or user.role not in FILLING_ROLES:
        return 0
    return Report.objects.for_user(user).filter(period=period).count()


@register.simple_tag
def template_via_task(user, period) -> bool:
    return template_scope_size(user, period) > settings.JIQUN_TASK_THRESHOLD_ROWS
