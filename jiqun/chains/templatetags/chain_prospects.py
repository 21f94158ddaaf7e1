"""{% prospects_panel segment %}: the 招引名录 of a segment on the chain page (jiqun.chains.prospect_selectors)."""

from django import template

from jiqun.chains.prospect_selectors import prospects_panel as panel_data

register = template.Library()


@register.inclusion_tag("chains/prospects_panel.html", takes_context=True)
def prospects_panel(context, segment) -> dict:
    return panel_data(segment, context["request"].user)
