"""Labels of incident kinds and severities for pages that show a scheme's veto list (stored as codes)."""

from django import template

from jiqun.incidents.models import IncidentKind, Severity

register = template.Library()


@register.filter
def incident_kinds(codes) -> str:
    labels = dict(IncidentKind.choices)
    return "、".join(str(labels.get(code, code)) for code in codes or [])


@register.filter
def severity_label(code: str) -> str:
    return str(dict(Severity.choices).get(code, code))
