"""Template helpers of the chain pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None when the mapping has no such key."""
    return mapping.get(key) if hasattr(mapping, "get") else None
